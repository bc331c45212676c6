import t from 'tap';
import { parseRequest } from './request.js';

const cgminer = { text: true, cmdKey: false };
const btminer = { text: false, cmdKey: true };

t.test('JSON and text forms as cgminer reads them', async (t) => {
  t.same(parseRequest('{"command":"summary"}', cgminer), { command: 'summary', form: 'json' });
  t.same(parseRequest('{"command":"ascset","parameter":"0,led,1-1"}\0', cgminer), {
    command: 'ascset',
    parameter: '0,led,1-1',
    form: 'json',
  });
  t.same(parseRequest('{"command":"switchpool","parameter":1}', cgminer), {
    command: 'switchpool',
    parameter: '1',
    form: 'json',
  });
  t.same(parseRequest(' ascset|0,setpool,a|b \n', cgminer), {
    command: 'ascset',
    parameter: '0,setpool,a|b',
    form: 'text',
  });
  t.same(parseRequest('summary', cgminer), { command: 'summary', form: 'text' });
  t.same(parseRequest('{"cmd":"summary"}', btminer), { command: 'summary', form: 'json' });
  t.same(parseRequest('{"command":"summary","cmd":"pools"}', btminer), { command: 'summary', form: 'json' });
});

t.test('unreadable requests get cgminer codes 23 and 24', async (t) => {
  const cases: Array<[string, typeof cgminer, number]> = [
    ['summary', btminer, 23],
    ['{"command":', cgminer, 23],
    ['{}', cgminer, 24],
    ['{"cmd":"summary"}', cgminer, 24],
    ['{"command":null}', cgminer, 24],
    ['{"command":["summary"]}', cgminer, 24],
    ['{"parameter":"x"}', btminer, 24],
    [`{"command":"${'x'.repeat(10)}"${',"a":1'.repeat(1000)}`, cgminer, 23],
  ];
  for (const [raw, forms, code] of cases) t.match(parseRequest(raw, forms), { code }, raw.slice(0, 30));
  t.same(parseRequest('{"command":"pools","parameter":{"a":1}}', cgminer), {
    command: 'pools',
    form: 'json',
  });
});
