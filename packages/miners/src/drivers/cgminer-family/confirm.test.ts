import t from 'tap';
import type { CgminerReply } from '../../transports/cgminer/index.js';
import { expectConfirmation } from './confirm.js';

const reply = (letter: 'S' | 'I', code: number, msg: string): CgminerReply => ({
  status: { letter, code, msg, description: 'cgminer 4.11.1', when: 0 },
  body: {},
});

t.test('a reply the check accepts passes', async (t) => {
  t.doesNotThrow(() => expectConfirmation(reply('S', 119, 'ASC 0 set OK'), 'ascset', (s) => s.code === 119));
});

t.test('anything else is a command the miner did not carry out, with its Code and Msg', async (t) => {
  t.throws(() => expectConfirmation(reply('I', 118, 'ASC 0 set info: LED[0]'), 'ascset', () => false), {
    name: 'MinerError',
    code: 'MINER_COMMAND_FAILED',
    message: `'ascset' was not confirmed: Code 118: "ASC 0 set info: LED[0]"`,
  });
});

t.test('a hostile Msg is cut short and quoted, control characters escaped', async (t) => {
  const hostile = reply('S', 1, `\u001b[2J${'x'.repeat(10_000)}\n`);
  const error = t.throws(() => expectConfirmation(hostile, 'pause', () => false)) as Error;
  t.ok(error.message.length < 200, 'bounded');
  t.match(error.message, /\\u001b\[2J/, 'escape shown, not emitted');
  t.ok(
    [...error.message].every((char) => char.charCodeAt(0) >= 0x20),
    'no raw control character',
  );
});
