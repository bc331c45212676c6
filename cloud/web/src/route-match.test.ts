import t from 'tap';
import { matchPath } from './route-match';

t.test('matchPath', async (t) => {
  t.same(matchPath('/', '/'), {});
  t.same(matchPath('/miners/:agentId/:minerId', '/miners/a%2F1/m%20x'), { agentId: 'a/1', minerId: 'm x' });
  t.equal(matchPath('/miners/:agentId/:minerId', '/miners/a'), undefined);
  t.equal(matchPath('/commands', '/commands/x'), undefined);
  t.equal(matchPath('/commands/:id', '/commands/%E0%A4%A'), undefined, 'a malformed escape is no match');
});
