import type { AddressInfo, Socket } from 'node:net';
import { createServer } from 'node:net';
import { loopbackAllocator } from '@hashinsight/testkit';
import t from 'tap';
import { control } from '../../control.js';
import type { ControlOperation, MinerClients } from '../../driver.js';
import { MinerError } from '../../errors.js';
import { type CgminerReply, cgminerCommand } from '../../transports/cgminer/index.js';
import { luxos } from './index.js';

// The corpus has no LuxOS write replies; these follow the examples of the LuxOS API docs (docs.luxor.tech,
// firmware/api: logon, curtail). The other writes are not given a success Code there, so a plain S reply stands in.
const DESCRIPTION = 'LUXminer 2025.4.8.220305-57b389c7';
const SESSION = 'yJN2nlj1';

const reply = (code: number, msg: string, body: Record<string, unknown> = {}): CgminerReply => ({
  status: { letter: 'S', code, msg, description: DESCRIPTION, when: 1_681_332_079 },
  body,
});
const logonReply = (sessionId: unknown = SESSION) =>
  reply(316, 'Session created', { SESSION: [{ SessionID: sessionId }] });
const refused = (msg: string) => new MinerError('MINER_COMMAND_FAILED', `STATUS E Code 0: ${msg}`);

const ANSWERS: Record<string, CgminerReply | MinerError> = {
  logon: logonReply(),
  curtail: reply(335, 'Curtailment command sent', { CURTAIL: [{ Action: 'sleep mode' }] }),
  logoff: reply(0, 'stand-in'),
  ledset: reply(0, 'stand-in'),
  rebootdevice: reply(0, 'stand-in'),
  resetminer: reply(0, 'stand-in'),
};

/** A LUXminer answering per command from `overrides`, else ANSWERS; records `command|parameter`. */
function luxosMiner(overrides: Record<string, CgminerReply | MinerError> = {}) {
  const answers = { ...ANSWERS, ...overrides };
  const sent: string[] = [];
  const clients: MinerClients = {
    ip: '10.0.0.1',
    async cgminer(command, parameter) {
      sent.push(parameter === undefined ? command : `${command}|${parameter}`);
      const answer = answers[command] ?? refused('Invalid command');
      if (answer instanceof MinerError) throw answer;
      return answer;
    },
  };
  return { clients, sent };
}

t.test('every write runs in its own session: logon, command with the id first, logoff', async (t) => {
  const flows: Array<[ControlOperation, string[]]> = [
    [{ kind: 'sleep', asleep: true }, ['logon', `curtail|${SESSION},sleep`, `logoff|${SESSION}`]],
    [{ kind: 'sleep', asleep: false }, ['logon', `curtail|${SESSION},wakeup`, `logoff|${SESSION}`]],
    [{ kind: 'led', on: true }, ['logon', `ledset|${SESSION},red,blink`, `logoff|${SESSION}`]],
    [{ kind: 'led', on: false }, ['logon', `ledset|${SESSION},red,off`, `logoff|${SESSION}`]],
    // A reboot or a LUXminer restart takes the session along: nothing to free, and no one to answer.
    [{ kind: 'reboot' }, ['logon', `rebootdevice|${SESSION}`]],
    [{ kind: 'restart-mining' }, ['logon', `resetminer|${SESSION}`]],
  ];
  for (const [operation, expected] of flows) {
    const { clients, sent } = luxosMiner();
    await control(luxos, clients, operation);
    t.same(sent, expected, JSON.stringify(operation));
  }
});

t.test('a refused logon is a typed failure and nothing is written', async (t) => {
  const { clients, sent } = luxosMiner({ logon: refused('Another session is active') });
  const error = await control(luxos, clients, { kind: 'sleep', asleep: true }).catch((e: unknown) => e);
  t.match(error, {
    name: 'MinerError',
    code: 'MINER_COMMAND_FAILED',
    message: /LuxOS refused a session.*Another session is active/,
  });
  t.type((error as Error).cause, MinerError, 'the refusal is kept as the cause');
  t.same(sent, ['logon']);
});

t.test('a lost connection during logon stays what it is', async (t) => {
  const { clients, sent } = luxosMiner({ logon: new MinerError('MINER_TIMEOUT', 'hung') });
  await t.rejects(control(luxos, clients, { kind: 'reboot' }), { code: 'MINER_TIMEOUT' });
  t.same(sent, ['logon']);
});

t.test('a logon reply without a usable session id stops before any write', async (t) => {
  const hostile: Array<[string, CgminerReply]> = [
    ['comma would add a parameter', logonReply(`${SESSION},wakeup`)],
    ['pipe', logonReply('x|quit')],
    ['whitespace', logonReply('ab cd')],
    ['empty (no session)', logonReply('')],
    ['not text', logonReply(12345678)],
    ['too long', logonReply('a'.repeat(65))],
    ['no SESSION section', reply(316, 'Session created')],
    ['SESSION not a list', reply(316, 'Session created', { SESSION: { SessionID: SESSION } })],
  ];
  for (const [name, logon] of hostile) {
    const { clients, sent } = luxosMiner({ logon });
    await t.rejects(
      control(luxos, clients, { kind: 'sleep', asleep: true }),
      { code: 'MINER_BAD_REPLY', message: /SessionID/ },
      name,
    );
    t.same(sent, ['logon'], name);
  }
  // `session` answers Code 319 with the current id: not a session of ours.
  const { clients } = luxosMiner({
    logon: reply(319, 'Session information', { SESSION: [{ SessionID: SESSION }] }),
  });
  await t.rejects(control(luxos, clients, { kind: 'led', on: true }), {
    code: 'MINER_COMMAND_FAILED',
    message: /'logon' was not confirmed: Code 319/,
  });
});

t.test('a refused or unconfirmed write still frees the session', async (t) => {
  const cases: Array<[string, CgminerReply | MinerError, RegExp]> = [
    ['refused', refused('Invalid session id'), /Invalid session id/],
    ['answered with another Code', logonReply(), /'curtail' was not confirmed: Code 316/],
  ];
  for (const [name, curtail, message] of cases) {
    const { clients, sent } = luxosMiner({ curtail });
    await t.rejects(
      control(luxos, clients, { kind: 'sleep', asleep: true }),
      { code: 'MINER_COMMAND_FAILED', message },
      name,
    );
    t.same(sent, ['logon', `curtail|${SESSION},sleep`, `logoff|${SESSION}`], name);
  }
});

t.test('a failed logoff does not undo a performed write (the session lapses by itself)', async (t) => {
  for (const logoff of [refused('Invalid session id'), new MinerError('MINER_CONNECTION_RESET', 'reset')]) {
    const { clients, sent } = luxosMiner({ logoff });
    await control(luxos, clients, { kind: 'led', on: true });
    t.same(sent, ['logon', `ledset|${SESSION},red,blink`, `logoff|${SESSION}`]);
  }
});

t.test('pools, power mode and power limit are not offered, before any request', async (t) => {
  const { clients, sent } = luxosMiner();
  const pool = { url: 'stratum+tcp://pool.example:3333', user: 'site.w1', password: 'p\\ss' };
  const undeclared: ControlOperation[] = [
    { kind: 'set-pools', pools: [pool] },
    { kind: 'power-mode', mode: 'high' },
    { kind: 'power-limit', watts: 3000 },
  ];
  for (const operation of undeclared) {
    await t.rejects(control(luxos, clients, operation), { code: 'MINER_UNSUPPORTED' }, operation.kind);
  }
  t.same(sent, []);
});

t.test('on the wire: three connections, the JSON requests exactly as LuxOS documents them', async (t) => {
  const [host] = loopbackAllocator.take(1) as [string];
  const requests: string[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.once('data', (chunk) => {
      const request = chunk.toString();
      requests.push(request);
      const { command } = JSON.parse(request) as { command: string };
      const answer = ANSWERS[command] as CgminerReply;
      const body = {
        STATUS: [{ STATUS: 'S', When: answer.status.when, Code: answer.status.code }],
        ...answer.body,
      };
      socket.end(`${JSON.stringify({ ...body, id: 1 })}\0`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  t.teardown(() => {
    for (const socket of sockets) socket.destroy();
    return new Promise((resolve) => server.close(resolve));
  });
  const { port } = server.address() as AddressInfo;
  const clients: MinerClients = {
    ip: host,
    cgminer: (command, parameter) => cgminerCommand(host, command, parameter, { port }),
  };
  await control(luxos, clients, { kind: 'sleep', asleep: true });
  t.same(requests, [
    '{"command":"logon"}',
    `{"command":"curtail","parameter":"${SESSION},sleep"}`,
    `{"command":"logoff","parameter":"${SESSION}"}`,
  ]);
});
