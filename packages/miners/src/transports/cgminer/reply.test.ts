import t from 'tap';
import { fixture } from '../../fixtures/fixture.js';
import { decodeReply } from './reply.js';

const wire = (text: string) => Buffer.from(`${text}\0`);

t.test('decodes a recorded bmminer summary', async (t) => {
  const reply = decodeReply(fixture('antminer-bmminer/summary.json'));
  t.same(reply.status, {
    letter: 'S',
    code: 11,
    msg: 'Summary',
    description: 'cgminer 1.0.0',
    when: 1755615295,
  });
  t.same(Object.keys(reply.body), ['SUMMARY'], 'body holds the sections, not STATUS or id');
});

t.test('repairs before parsing', async (t) => {
  const reply = decodeReply(
    wire('{"STATUS":[{"STATUS":"S","Code":70}],"STATS":[{"Type":"x"}{"GHS 5s":"1.5"}],"id":1}'),
  );
  t.same(reply.body.STATS, [{ Type: 'x' }, { 'GHS 5s': '1.5' }]);
});

t.test('accepts a plain-string STATUS', async (t) => {
  t.same(decodeReply(wire('{"STATUS":"BYE","id":1}')).status, {
    letter: 'S',
    code: 0,
    msg: 'BYE',
    description: '',
    when: 0,
  });
  t.equal(decodeReply(wire('{"STATUS":"S","When":5,"Code":131,"Msg":{"a":1}}')).status.code, 131);
});

t.test('STATUS E or F is a failed command with its Code and Msg', async (t) => {
  // VNish answers `version` like this.
  t.throws(() => decodeReply(fixture('vnish/version.json')), {
    code: 'MINER_COMMAND_FAILED',
    message: 'STATUS E Code 0: Invalid command',
  });
  t.throws(() => decodeReply(wire('{"STATUS":[{"STATUS":"F","Code":45,"Msg":"Access denied"}]}')), {
    code: 'MINER_COMMAND_FAILED',
    message: 'STATUS F Code 45: Access denied',
  });
});

t.test('anything else is a bad reply', async (t) => {
  const bad = [
    '',
    'garbage',
    '[1,2]',
    '"S"',
    '{"SUMMARY":[]}',
    '{"STATUS":[]}',
    '{"STATUS":[{"STATUS":"X"}]}',
    '{"STATUS":7}',
  ];
  for (const text of bad) {
    t.throws(
      () => decodeReply(wire(text)),
      { name: 'MinerError', code: 'MINER_BAD_REPLY' },
      JSON.stringify(text),
    );
  }
});

t.test(
  'valid JSON skips the repair pass, except for quoted nan/inf values, which still become 0',
  async (t) => {
    const body = (text: string) => decodeReply(Buffer.from(`${text}\0`)).body;
    const status = '"STATUS":[{"STATUS":"S","When":1,"Code":70,"Msg":"stats","Description":"x"}]';
    t.same(body(`{${status},"STATS":[{"GHS 5s":"nan","Info":"inflight","T":"-inf"}]}`).STATS, [
      { 'GHS 5s': 0, Info: 'inflight', T: 0 },
    ]);
    t.same(
      body(`{${status},"STATS":[{"a":1}{"b":2}]}`).STATS,
      [{ a: 1 }, { b: 2 }],
      'broken JSON is still repaired',
    );
    t.same(
      body(`{${status},"S":[{"note":"}{ nan ,]"}]}`).S,
      [{ note: '}{ nan ,]' }],
      'strings are left alone',
    );
  },
);
