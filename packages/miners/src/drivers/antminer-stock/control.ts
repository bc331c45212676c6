import type { ControlOperation, MinerClients } from '../../driver.js';
import { MinerError } from '../../errors.js';
import { type WebCall, type WebResponse, WebStatusError } from '../../transports/http/index.js';
import { blinkBody, CGI, type ConfChange, passwdBody, setConfBody } from './commands.js';
import { type MinerConf, parseMinerConf } from './conf.js';

type Web = (path: string, call?: WebCall) => Promise<WebResponse>;

/**
 * Controls an Antminer through its web CGI with Digest authentication: its cgminer API refuses every write from
 * the LAN (Code 45; stock api-groups allow only stats, pools, devs, summary and version). Writes first read the
 * conf: its shape tells JSON firmware (X19+) from form firmware (X17 and older), and a write must carry back
 * every setting it does not change. Resolves once the miner accepted the operation; `set_miner_conf.cgi`
 * answers only after restarting cgminer (~6 s).
 */
export async function controlAntminer(clients: MinerClients, operation: ControlOperation): Promise<void> {
  if (!clients.web) throw new MinerError('MINER_AUTH_FAILED', `no web credentials for ${clients.ip}`);
  const web: Web = clients.web.bind(clients);
  switch (operation.kind) {
    case 'reboot':
      return reboot(web);
    case 'set-pools':
      return writeConf(web, await readConf(web), { pools: operation.pools });
    case 'sleep':
      return writeConf(web, await readConf(web), { asleep: operation.asleep });
    case 'led':
      return blink(web, await readConf(web), operation.on);
    case 'set-login':
      return setLogin(web, await readConf(web), clients.adminLogin?.(), operation);
    default:
      throw new MinerError('MINER_UNSUPPORTED', `Antminer web CGI cannot ${operation.kind}`);
  }
}

async function readConf(web: Web): Promise<MinerConf> {
  return parseMinerConf((await web(CGI.conf, { expect: 'text' })).text);
}

/**
 * `set_miner_conf.cgi` prints `ok` once it has restarted cgminer (Hiveon prints it twice); some X19 builds answer
 * JSON code M000, and X17 answers a form write with an empty body. Anything else is a refusal; its text is not
 * quoted, since a CGI may echo the conf it was sent.
 */
async function writeConf(web: Web, conf: MinerConf, change: ConfChange): Promise<void> {
  const reply = (await web(CGI.setConf, { body: setConfBody(conf, change), expect: 'text' })).text.trim();
  if (/^(ok\s*)+$/i.test(reply) || (conf.body === 'form' && reply === '')) return;
  const code = replyCode(reply);
  if (code === 'M000') return;
  throw new MinerError(
    'MINER_COMMAND_FAILED',
    `set_miner_conf.cgi did not accept the conf (${code ? `code ${code}` : `${reply.length} characters, not "ok"`})`,
  );
}

/**
 * X19+ answers B000 when blinking starts and B100 when it stops; older firmware answers an empty page. A model
 * without `blink.cgi` (404) has no LED to control.
 */
async function blink(web: Web, conf: MinerConf, on: boolean): Promise<void> {
  let reply: string;
  try {
    reply = (await web(CGI.blink, { body: blinkBody(conf, on), expect: 'text' })).text;
  } catch (error) {
    if (error instanceof WebStatusError && error.status === 404) {
      throw new MinerError('MINER_UNSUPPORTED', 'this firmware has no blink.cgi', { cause: error });
    }
    throw error;
  }
  if (conf.body === 'form') return;
  const expected = on ? 'B000' : 'B100';
  const code = replyCode(reply.trim());
  if (code !== expected) {
    throw new MinerError(
      'MINER_COMMAND_FAILED',
      `blink.cgi answered ${code ?? 'without a code'}, not ${expected}`,
    );
  }
}

/**
 * Old firmware runs `reboot` inside the CGI: the connection drops before an answer, in the middle of one, or the
 * CGI dies with HTTP 500 (foreman expects that). The transport counts those as done only once our authenticated
 * request went out; a drop before that means the CGI never ran, and is an error like any other.
 */
async function reboot(web: Web): Promise<void> {
  await web(CGI.reboot, { expect: 'text', dropMeansDone: true });
}

/**
 * Changes the web password through `passwd.cgi` (X19+ JSON firmware; the old shell CGIs differ per model and are
 * not driven). The web user is fixed, so a login naming another user is refused before any write. The reply is
 * `{"stats":"success",..}` (some builds add code P000); anything else is a refusal, never quoted (it may echo).
 */
async function setLogin(
  web: Web,
  conf: MinerConf,
  current: { username: string; password: string } | undefined,
  operation: Extract<ControlOperation, { kind: 'set-login' }>,
): Promise<void> {
  if (current === undefined) throw new MinerError('MINER_AUTH_FAILED', 'no current web login to change');
  if (operation.username !== current.username) {
    throw new MinerError('MINER_BAD_ARGUMENT', 'stock firmware cannot rename its web user');
  }
  if (conf.body !== 'json') {
    throw new MinerError('MINER_UNSUPPORTED', 'this firmware changes its password only in its own web UI');
  }
  const reply = (
    await web(CGI.passwd, { body: passwdBody(current.password, operation.password), expect: 'text' })
  ).text;
  if (stats(reply) === 'success' || replyCode(reply.trim()) === 'P000') return;
  throw new MinerError('MINER_COMMAND_FAILED', 'passwd.cgi did not accept the new password');
}

/** Proves the web login with a read that needs it (`get_system_info.cgi`). */
export async function checkAntminerLogin(clients: MinerClients): Promise<void> {
  if (!clients.web) throw new MinerError('MINER_AUTH_FAILED', `no web credentials for ${clients.ip}`);
  await clients.web(CGI.systemInfo, { expect: 'text' });
}

function stats(text: string): unknown {
  try {
    return (JSON.parse(text) as { stats?: unknown } | null)?.stats;
  } catch {
    return undefined;
  }
}

/** The `code` of a JSON reply such as `{"code":"M000"}`, when it looks like one of Bitmain's codes. */
function replyCode(text: string): string | undefined {
  try {
    const code = (JSON.parse(text) as { code?: unknown } | null)?.code;
    return typeof code === 'string' && /^[A-Z]\d{3}$/.test(code) ? code : undefined;
  } catch {
    return undefined;
  }
}
