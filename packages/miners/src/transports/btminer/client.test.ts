// The privileged client against a btminer played over real loopback sockets: token handling, code mapping and
// hostile replies. The peer derives keys with the same module only after frame.test.ts pinned it to the vector.
import { type AddressInfo, createServer, type Socket } from 'node:net';
import { inspect } from 'node:util';
import { loopbackAllocator } from '@hashinsight/testkit';
import t, { type Test } from 'tap';
import { MinerError } from '../../errors.js';
import { BtminerClient } from './client.js';
import { decryptReply, encrypt } from './frame.js';
import { deriveToken } from './token.js';

const PASSWORD = 'S3cret-adm1n';
const CHALLENGE = { salt: 'BQ5hoXV9', newsalt: 'a5TtWui2' };

type Answer = string | Buffer | undefined;

interface Peer {
  host: string;
  port: number;
  /** Every request received, in order (the encrypted ones decrypted with the right key). */
  seen: Array<Record<string, unknown>>;
}

/**
 * A btminer on its own loopback address. `privileged` answers each decrypted command; it returns the reply object
 * (sent encrypted) or raw bytes / undefined (silence) for hostile cases. Tokens are numbered by `time`.
 */
async function peer(
  t: Test,
  privileged: (command: Record<string, unknown>, issued: number) => Answer | Record<string, unknown>,
  getToken: (issued: number) => Answer | Record<string, unknown> = (issued) => ({
    STATUS: 'S',
    When: 1,
    Code: 134,
    Msg: { time: String(1000 + issued), ...CHALLENGE },
    Description: '',
  }),
): Promise<Peer> {
  const [host] = loopbackAllocator.take(1) as [string];
  const seen: Peer['seen'] = [];
  const key = deriveToken(PASSWORD, { time: '0', ...CHALLENGE }).aesKey;
  let issued = 0;
  const sockets = new Set<Socket>();
  const send = (socket: Socket, answer: Answer | Record<string, unknown>, encrypted: boolean) => {
    if (answer === undefined) return;
    if (typeof answer === 'string' || Buffer.isBuffer(answer)) {
      socket.end(answer);
      return;
    }
    const plain = JSON.stringify(answer);
    socket.end(
      encrypted ? JSON.stringify({ enc: encrypt(key, Buffer.from(plain)).toString('base64') }) : plain,
    );
  };
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    socket.once('data', (chunk) => {
      const request = JSON.parse(chunk.toString()) as Record<string, unknown>;
      if (request.cmd === 'get_token') {
        seen.push(request);
        issued += 1;
        send(socket, getToken(issued), false);
        return;
      }
      let command: Record<string, unknown>;
      try {
        command = decryptReply(key, String(request.data)) as Record<string, unknown>;
      } catch {
        // Encrypted with another password's key: no token of ours can be found in it.
        seen.push({ cmd: '(undecryptable)' });
        send(socket, refusal(135, 'check token err'), false);
        return;
      }
      seen.push(command);
      const answer = privileged(command, issued);
      send(socket, answer, typeof answer === 'object' && !Buffer.isBuffer(answer));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  t.teardown(() => {
    for (const socket of sockets) socket.destroy();
    return new Promise((resolve) => server.close(resolve));
  });
  return { host, port: (server.address() as AddressInfo).port, seen };
}

const ok = { STATUS: 'S', When: 1, Code: 131, Msg: '', Description: 'whatsminer v1.1' };
const refusal = (Code: number, Msg: string) => ({ STATUS: 'E', When: 1, Code, Msg, Description: '' });
/** The sign the peer expects for the token it issued as number `issued`. */
const signOf = (issued: number) => deriveToken(PASSWORD, { time: String(1000 + issued), ...CHALLENGE }).sign;

const client = (p: Peer, options: { password?: string; now?: () => number; timeoutMs?: number } = {}) =>
  new BtminerClient(p.host, { port: p.port, password: PASSWORD, ...options });

t.test('get_token, then the command encrypted with its token; the token is kept', async (t) => {
  const p = await peer(t, (command, issued) => (command.token === signOf(issued) ? ok : refusal(135, 'bad')));
  const btminer = client(p);
  t.same(await btminer.command('set_led', { param: 'auto' }), { code: 131, msg: '' });
  await btminer.command('power_on');
  t.same(
    p.seen.map((request) => request.cmd),
    ['get_token', 'set_led', 'power_on'],
    'one login for both commands',
  );
  t.match(p.seen[1], { cmd: 'set_led', param: 'auto', token: signOf(1) });
});

t.test('a token past its 30 minutes is fetched again', async (t) => {
  let now = 0;
  const p = await peer(t, () => ok);
  const btminer = client(p, { now: () => now });
  await btminer.command('power_on');
  now += 31 * 60_000;
  await btminer.command('power_on');
  t.equal(p.seen.filter((request) => request.cmd === 'get_token').length, 2);
});

t.test('Code 135 on a kept token: one fresh login, then the command goes through', async (t) => {
  let valid = 1;
  const p = await peer(t, (command) =>
    command.token === signOf(valid) ? ok : refusal(135, 'check token err'),
  );
  const btminer = client(p);
  await btminer.command('power_on');
  valid = 2; // the miner rebooted and forgot token 1
  await btminer.command('power_on');
  t.same(
    p.seen.map((request) => request.cmd),
    ['get_token', 'power_on', 'power_on', 'get_token', 'power_on'],
  );
});

t.test('a wrong password is MINER_AUTH_FAILED after one retry, and never shows', async (t) => {
  const p = await peer(t, (command, issued) =>
    command.token === signOf(issued) ? ok : refusal(135, 'check token err'),
  );
  const wrong = new BtminerClient(p.host, { port: p.port, password: 'Wrong-pass' });
  const error = await wrong.command('reboot').catch((error: unknown) => error);
  t.match(error, { name: 'MinerError', code: 'MINER_AUTH_FAILED', message: /Code 135/ });
  t.same(
    p.seen.map((request) => request.cmd),
    ['get_token', '(undecryptable)'],
    'a fresh token is not retried',
  );
  t.notMatch(String((error as Error).message), /Wrong-pass/);
  t.notMatch(inspect(wrong, { showHidden: true, depth: 5 }), /Wrong-pass/, 'inspecting shows no password');
});

t.test("btminer's codes become typed errors", async (t) => {
  const cases: Array<[number, string]> = [
    [14, 'MINER_UNSUPPORTED'],
    [23, 'MINER_AUTH_FAILED'],
    [45, 'MINER_AUTH_FAILED'],
    [132, 'MINER_COMMAND_FAILED'],
    [136, 'MINER_COMMAND_FAILED'],
    [137, 'MINER_COMMAND_FAILED'],
    [999, 'MINER_COMMAND_FAILED'],
  ];
  for (const [code, expected] of cases) {
    // Refusals arrive in the clear, as btminer sends them.
    const p = await peer(t, () => JSON.stringify(refusal(code, 'no')));
    await t.rejects(
      client(p).command('adjust_power_limit', { power_limit: '3000' }),
      { code: expected },
      `Code ${code}`,
    );
  }
  const p = await peer(
    t,
    () => ok,
    () => refusal(45, 'permission denied'),
  );
  await t.rejects(
    client(p).command('power_on'),
    { code: 'MINER_AUTH_FAILED', message: /get_token/ },
    'get_token refused',
  );
});

t.test('hostile replies are typed errors', async (t) => {
  const wrongKey = deriveToken('another', { time: '0', ...CHALLENGE }).aesKey;
  const cases: Array<[string, () => Answer | Record<string, unknown>, string]> = [
    ['garbage in enc', () => '{"enc":"!!garbage!!"}', 'MINER_BAD_REPLY'],
    ['bad base64 length', () => '{"enc":"QUJD="}', 'MINER_BAD_REPLY'],
    [
      'encrypted with another key',
      () => JSON.stringify({ enc: encrypt(wrongKey, Buffer.from(JSON.stringify(ok))).toString('base64') }),
      'MINER_BAD_REPLY',
    ],
    ['truncated JSON', () => '{"enc":"99J8w83zIqB3', 'MINER_BAD_REPLY'],
    ['not JSON', () => 'hello', 'MINER_BAD_REPLY'],
    ['enc not a string', () => '{"enc":12}', 'MINER_BAD_REPLY'],
    ['oversize', () => Buffer.alloc(4096, 0x41), 'MINER_REPLY_TOO_LARGE'],
    ['silent', () => undefined, 'MINER_TIMEOUT'],
    ['closed without a word', () => '', 'MINER_EMPTY_REPLY'],
  ];
  for (const [name, answer, code] of cases) {
    const p = await peer(t, answer);
    const btminer = new BtminerClient(p.host, {
      port: p.port,
      password: PASSWORD,
      // Long enough for get_token on a loaded machine; only the silent peer waits it out.
      timeoutMs: 1500,
      maxReplyBytes: 1024,
    });
    const error = await btminer.command('power_on').catch((error: unknown) => error);
    t.ok(error instanceof MinerError && error.code === code, `${name}: ${code} (${String(error)})`);
    t.match(String((error as Error).message), /btminer 'power_on' to 127\./, `${name}: names the miner`);
  }
});

t.test('a get_token reply without usable salts is a bad reply', async (t) => {
  const bad = [
    { STATUS: 'S', Code: 134, Msg: { time: '1', salt: 'a$b', newsalt: 'c' } },
    { STATUS: 'S', Code: 134, Msg: { time: 'soon', salt: 'ab', newsalt: 'cd' } },
    { STATUS: 'S', Code: 134, Msg: 'token' },
    { STATUS: 'S', Code: 134 },
    { STATUS: 'maybe', Code: 134, Msg: { time: '1', salt: 'ab', newsalt: 'cd' } },
  ];
  for (const reply of bad) {
    const p = await peer(
      t,
      () => ok,
      () => JSON.stringify(reply),
    );
    await t.rejects(client(p).command('power_on'), { code: 'MINER_BAD_REPLY' }, JSON.stringify(reply));
    t.equal(p.seen.length, 1, 'and the command is never sent');
  }
});
