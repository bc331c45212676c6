import { decodeTextReply, splitMultiReply } from '@hashinsight/miners';
import t from 'tap';
import { encodeReply, envelope, joined, refusal, toText } from './reply.js';

const status = { when: 1_700_000_000, code: 7, msg: '2 Pool(s)', description: 'cgminer 4.11.1' };

t.test('the text form opens records as cgminer does and survives escaping', async (t) => {
  const reply = envelope(status, {
    POOLS: [
      { URL: 'stratum+tcp://a.invalid:1', POOL: 0, User: 'w|x=y,z\\q', Active: true },
      { POOL: 1, URL: 'b', User: '', Active: false },
    ],
  });
  const text = toText(reply);
  t.match(text, /^STATUS=S,When=1700000000,Code=7,Msg=2 Pool\(s\),Description=cgminer 4\.11\.1\|POOL=0,URL=/);
  t.match(text, /User=w\\\|x\\=y\\,z\\\\q/);
  const decoded = decodeTextReply(encodeReply(reply, 'text'), 'pools');
  t.same(decoded.body.POOLS, reply.POOLS);
  t.match(toText(envelope(status, { SUMMARY: [{ Elapsed: 5 }] })), /\|SUMMARY,Elapsed=5\|$/);
  t.match(toText(envelope(status, { STATS: [{ STATS: 0, ID: 'X' }] })), /\|STATS=0,ID=X\|$/);
});

t.test('a joined reply splits into its members', async (t) => {
  const members = splitMultiReply(
    encodeReply(
      joined([
        ['pools', envelope(status, { POOLS: [] })],
        ['ascset', refusal(1, 45, "Access denied to 'ascset' command", 'cgminer 4.11.1')],
      ]),
      'json',
    ),
  );
  t.match(members.get('pools'), { status: { code: 7 } });
  t.match(members.get('ascset'), { code: 'MINER_COMMAND_FAILED' });
});

t.test('every reply ends with a NUL', async (t) => {
  t.equal(encodeReply(envelope(status), 'json').at(-1), 0);
  t.equal(encodeReply(envelope(status), 'text').at(-1), 0);
});
