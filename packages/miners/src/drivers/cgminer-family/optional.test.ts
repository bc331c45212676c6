import t from 'tap';
import { MinerError } from '../../errors.js';
import type { CgminerReply } from '../../transports/cgminer/index.js';
import { optionalReply } from './optional.js';

const reply: CgminerReply = {
  status: { letter: 'S', code: 11, msg: 'Summary', description: 'cgminer 4.11.1', when: 0 },
  body: {},
};

t.test('a refused command is absent data; every other failure still rejects', async (t) => {
  t.equal(await optionalReply(Promise.resolve(reply)), reply);
  t.equal(await optionalReply(Promise.reject(new MinerError('MINER_COMMAND_FAILED', 'Code 14'))), undefined);
  for (const code of ['MINER_CONNECT_REFUSED', 'MINER_TIMEOUT', 'MINER_BAD_REPLY'] as const) {
    await t.rejects(optionalReply(Promise.reject(new MinerError(code, code))), { code }, code);
  }
  await t.rejects(optionalReply(Promise.reject(new Error('socket hang up'))), /socket hang up/);
});
