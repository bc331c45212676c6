import type { MinerClients } from '../../driver.js';
import { MinerError } from '../../errors.js';
import type { Reading } from '../../reading.js';
import type { CgminerReply } from '../../transports/cgminer/index.js';
import { optionalReply, parsePools } from '../cgminer-family/index.js';
import { parseBoards, parseModel, parseStatus, parseWhatsminerSummary } from './parse.js';
import { whatsminerReading } from './reading.js';

/**
 * Reads a Whatsminer over btminer's cgminer-style API (TCP 4028, plain JSON), one command per request:
 * `summary` (totals, power, fans, expected rate, MAC, firmware, error codes), `devs` (boards), `pools` and
 * `devdetails` (model), the last three optional. btminer's own `status` is asked only when the unit hashes
 * nothing or refuses `summary`: its `btmineroff` tells a unit put to sleep (whose btminer no longer answers
 * `summary`) from one that is offline. A refused `summary` on a unit that is not asleep fails the read.
 * `get_version` is not sent: `summary` carries the same firmware version. API v3 (TCP 4433) is not spoken; the
 * encrypted privileged commands are control.ts's.
 */
export async function readWhatsminer(clients: MinerClients): Promise<Reading> {
  const answer = await summaryOrRefusal(clients.cgminer('summary'));
  const summary = answer instanceof MinerError ? undefined : parseWhatsminerSummary(answer);
  const statusReply =
    summary === undefined || summary.hashrateMhs === 0
      ? await optionalReply(clients.cgminer('status'))
      : undefined;
  const status = statusReply === undefined ? undefined : parseStatus(statusReply);
  if (answer instanceof MinerError && !status?.sleeping) throw answer;
  const devs = await optionalReply(clients.cgminer('devs'));
  const pools = await optionalReply(clients.cgminer('pools'));
  const devdetails = await optionalReply(clients.cgminer('devdetails'));
  const model = devdetails === undefined ? undefined : parseModel(devdetails);
  return whatsminerReading(clients.ip, {
    ...(summary === undefined ? {} : { summary }),
    sleeping: status?.sleeping ?? false,
    ...(status?.firmware === undefined ? {} : { statusFirmware: status.firmware }),
    description: (answer instanceof MinerError ? statusReply : answer)?.status.description ?? '',
    ...(model === undefined ? {} : { model }),
    boards: devs === undefined ? [] : parseBoards(devs),
    pools: pools === undefined ? [] : parsePools(pools),
  });
}

/** The `summary` reply, or the refusal itself (kept to be thrown when `status` does not explain it). */
async function summaryOrRefusal(request: Promise<CgminerReply>): Promise<CgminerReply | MinerError> {
  try {
    return await request;
  } catch (error) {
    if (error instanceof MinerError && error.code === 'MINER_COMMAND_FAILED') return error;
    throw error;
  }
}
