import t from 'tap';
import { corpusMissing, corpusReply } from '../../test/recorded.js';
import { splitMultiReply } from './multi.js';
import type { CgminerReply } from './reply.js';

const wire = (text: string) => Buffer.from(`${text}\0`);
const ok = (code: number, section: string) =>
  `[{"STATUS":[{"STATUS":"S","When":1,"Code":${code},"Msg":"m"}],"${section}":[{"x":1}],"id":1}]`;

t.test(
  'a recorded Avalon summary+stats+pools splits into three replies',
  { skip: corpusMissing },
  async (t) => {
    const replies = splitMultiReply(corpusReply('avalon/multi.pools+summary+stats.a10xx.json'));
    t.same([...replies.keys()], ['summary', 'stats', 'pools']);
    const summary = replies.get('summary');
    t.match(summary, {
      status: { letter: 'S', code: 11, msg: 'Summary' },
      body: { SUMMARY: [{ Elapsed: 155 }] },
    });
    t.same(Object.keys((summary as CgminerReply).body), ['SUMMARY'], 'the member id is not in the body');
    t.match(replies.get('stats'), { status: { code: 70 }, body: { STATS: [{ ID: 'AVA100' }] } });
    t.equal(((replies.get('pools') as CgminerReply).body.POOLS as unknown[]).length, 3);
  },
);

t.test('the recording with a bare nan', { skip: corpusMissing }, async (t) => {
  const recorded = corpusReply('avalon/multi.pools+summary+stats.a10xx-nan.invalid.json');
  t.throws(
    () => splitMultiReply(recorded),
    { code: 'MINER_BAD_REPLY' },
    'as recorded: a stray quote at the end',
  );
  // The stray quote comes from the Java literal it was copied from; without it, the nan is what is left to repair.
  const unquoted = Buffer.from(recorded.toString().replace(/"\0$/, '\0'));
  t.match(
    splitMultiReply(unquoted).get('summary'),
    { body: { SUMMARY: [{ 'MHS av': 0 }] } },
    'nan repaired to 0',
  );
});

t.test('a member that failed alone leaves the others usable', async (t) => {
  const replies = splitMultiReply(
    wire(
      `{"summary":${ok(11, 'SUMMARY')},"devdetails":[{"STATUS":[{"STATUS":"E","When":1,"Code":45,` +
        `"Msg":"Access denied to 'devdetails' command"}],"id":1}],"pools":{"not":"an array"},"id":1}`,
    ),
  );
  t.match(replies.get('summary'), { status: { code: 11 }, body: { SUMMARY: [{ x: 1 }] } });
  t.match(replies.get('devdetails'), {
    name: 'MinerError',
    code: 'MINER_COMMAND_FAILED',
    message: "'devdetails': STATUS E Code 45: Access denied to 'devdetails' command",
  });
  t.match(replies.get('pools'), { name: 'MinerError', code: 'MINER_BAD_REPLY', message: /^'pools': / });
});

t.test('a reply that is not a per-command split', async (t) => {
  t.throws(
    () => splitMultiReply(wire('{"STATUS":[{"STATUS":"E","Code":14,"Msg":"Invalid command"}],"id":1}')),
    {
      code: 'MINER_COMMAND_FAILED',
    },
  );
  for (const text of ['{"STATUS":[{"STATUS":"S","Code":11}],"SUMMARY":[]}', '{"id":1}', '[]', 'nope']) {
    t.throws(() => splitMultiReply(wire(text)), { name: 'MinerError', code: 'MINER_BAD_REPLY' }, text);
  }
});
