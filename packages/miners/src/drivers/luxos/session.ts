import type { MinerClients } from '../../driver.js';
import { MinerError } from '../../errors.js';
import { expectConfirmation, sectionList } from '../cgminer-family/index.js';

/** `logon` answers Code 316 "Session created" with the id in SESSION[0].SessionID (LuxOS API docs). */
const SESSION_CREATED = 316;

/** The id goes first in a comma-separated parameter: nothing that could split or end it is accepted. */
const SESSION_ID = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Runs one LuxOS write command with a session of its own. A session is LuxOS's lock on writes: at most one exists,
 * so a session another client holds is never borrowed (`session` would reveal it) and a refused `logon` fails.
 * The session is freed afterwards, whatever the command did, unless `endsSession` (a reboot or a LUXminer restart
 * takes it along).
 */
export async function withSession<T>(
  clients: MinerClients,
  endsSession: boolean,
  write: (session: string) => Promise<T>,
): Promise<T> {
  const session = await logon(clients);
  try {
    return await write(session);
  } finally {
    if (!endsSession) await logoff(clients, session);
  }
}

async function logon(clients: MinerClients): Promise<string> {
  const reply = await clients.cgminer('logon').catch((error: unknown) => {
    if (error instanceof MinerError && error.code === 'MINER_COMMAND_FAILED') {
      throw new MinerError(
        'MINER_COMMAND_FAILED',
        `LuxOS refused a session (another client may hold the only one; it lapses after a minute unused): ${error.message}`,
        { cause: error },
      );
    }
    throw error;
  });
  expectConfirmation(reply, 'logon', (status) => status.code === SESSION_CREATED);
  const id = sectionList(reply, 'SESSION')[0]?.SessionID;
  if (typeof id !== 'string' || !SESSION_ID.test(id)) {
    throw new MinerError('MINER_BAD_REPLY', 'logon reply has no usable SessionID');
  }
  return id;
}

/**
 * Frees the session for the next client. A failure here does not undo the command it served: LuxOS drops a
 * session after a minute unused anyway, so a miner error is not passed on.
 */
async function logoff(clients: MinerClients, session: string): Promise<void> {
  try {
    await clients.cgminer('logoff', session);
  } catch (error) {
    if (!(error instanceof MinerError)) throw error;
  }
}
