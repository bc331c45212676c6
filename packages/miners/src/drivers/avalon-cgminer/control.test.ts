import t from 'tap';
import { control } from '../../control.js';
import type { ControlOperation, MinerClients } from '../../driver.js';
import { MinerError } from '../../errors.js';
import { corpusMissing, corpusReply, recordedClients } from '../../test/recorded.js';
import { type CgminerReply, decodeTextReply } from '../../transports/cgminer/index.js';
import { avalonCgminer } from './index.js';

/**
 * An Avalon answering from the corpus: `.json` replies decoded as recordedClients decodes them, the `.txt` replies
 * (recorded from text-form requests) through the transport's text decoder, which gives the same CgminerReply.
 * Anything else is refused the way cgminer refuses it.
 */
function avalon(replies: Record<string, string>, login = { username: 'root', password: 'root' }) {
  const recorded = recordedClients('10.0.0.1', replies);
  const clients: MinerClients = {
    ip: '10.0.0.1',
    adminLogin: () => login,
    async cgminer(command, parameter) {
      const key = parameter === undefined ? command : `${command}|${parameter}`;
      const path = replies[key];
      if (!path?.endsWith('.txt')) return recorded.clients.cgminer(command, parameter);
      recorded.sent.push(key);
      return decodeTextReply(corpusReply(path), command);
    },
  };
  return { clients, sent: recorded.sent };
}

/** A miner that answers every command with `reply` (or throws it), recording what was asked. */
function answering(reply: CgminerReply | MinerError) {
  const sent: string[] = [];
  const clients: MinerClients = {
    ip: '10.0.0.1',
    async cgminer(command, parameter) {
      sent.push(parameter === undefined ? command : `${command}|${parameter}`);
      if (reply instanceof MinerError) throw reply;
      return reply;
    },
  };
  return { clients, sent };
}

const status = (letter: 'S' | 'I', code: number, msg: string, when = 1_753_432_244): CgminerReply => ({
  status: { letter, code, msg, description: 'cgminer 4.11.1', when },
  body: {},
});

t.test('LED: `ascset|0,led,1-1` on, `1-0` off, confirmed by Code 119', { skip: corpusMissing }, async (t) => {
  // Canaan documents the same "ASC 0 set OK" reply for every LED setting; the corpus has the one to `1-1`.
  const { clients, sent } = avalon({
    'ascset|0,led,1-1': 'avalon/ascset_led_on.response.txt',
    'ascset|0,led,1-0': 'avalon/ascset_led_on.response.txt',
  });
  await control(avalonCgminer, clients, { kind: 'led', on: true });
  await control(avalonCgminer, clients, { kind: 'led', on: false });
  t.same(sent, ['ascset|0,led,1-1', 'ascset|0,led,1-0']);
});

t.test(
  'sleep: softoff / softon at the miner clock + 5 s, confirmed by "success"',
  { skip: corpusMissing },
  async (t) => {
    // version.avalon-q.json says When 1753432244.
    const { clients, sent } = avalon({
      version: 'avalon/version.avalon-q.json',
      'ascset|0,softoff,1:1753432249': 'avalon/ascset_softoff.avalon-q.json',
      'ascset|0,softon,1:1753432249': 'avalon/ascset_softon.avalon-q.json',
    });
    await control(avalonCgminer, clients, { kind: 'sleep', asleep: true });
    await control(avalonCgminer, clients, { kind: 'sleep', asleep: false });
    t.same(sent, ['version', 'ascset|0,softoff,1:1753432249', 'version', 'ascset|0,softon,1:1753432249']);
  },
);

t.test(
  'sleep on a miner whose clock counts from boot (A1566, When 986) is scheduled on that clock',
  { skip: corpusMissing },
  async (t) => {
    const { clients, sent } = avalon({
      version: 'avalon/version.a1566.json',
      'ascset|0,softoff,1:991': 'avalon/ascset_softoff.avalon-q.json',
    });
    await control(avalonCgminer, clients, { kind: 'sleep', asleep: true });
    t.same(sent, ['version', 'ascset|0,softoff,1:991']);
  },
);

t.test('reboot: `ascset|0,reboot,0`; its reply is undocumented, so any answer will do', async (t) => {
  for (const reply of [status('S', 119, 'ASC 0 set OK'), status('I', 118, 'ASC 0 set info: reboot')]) {
    const { clients, sent } = answering(reply);
    await control(avalonCgminer, clients, { kind: 'reboot' });
    t.same(sent, ['ascset|0,reboot,0']);
  }
});

t.test('an answer that is not the confirmation fails the command', { skip: corpusMissing }, async (t) => {
  const unconfirmed: Array<[ControlOperation, Record<string, string>]> = [
    // The help list is what the Avalon Q answers an `ascset` it does not act on (Code 118, no "success").
    [{ kind: 'led', on: true }, { 'ascset|0,led,1-1': 'avalon/ascset_help.avalon-q.json' }],
    [
      { kind: 'sleep', asleep: true },
      {
        version: 'avalon/version.avalon-q.json',
        'ascset|0,softoff,1:1753432249': 'avalon/ascset_help.avalon-q.json',
      },
    ],
    // A "success softon" is no confirmation of a softoff.
    [
      { kind: 'sleep', asleep: true },
      {
        version: 'avalon/version.avalon-q.json',
        'ascset|0,softoff,1:1753432249': 'avalon/ascset_softon.avalon-q.json',
      },
    ],
  ];
  for (const [operation, replies] of unconfirmed) {
    await t.rejects(
      control(avalonCgminer, avalon(replies).clients, operation),
      { name: 'MinerError', code: 'MINER_COMMAND_FAILED', message: /was not confirmed: Code 118/ },
      JSON.stringify(operation),
    );
  }
});

t.test('a refusal (older models have no softoff) is a failed command', { skip: corpusMissing }, async (t) => {
  const { clients, sent } = avalon({ version: 'avalon/version.a1566.json' });
  await t.rejects(control(avalonCgminer, clients, { kind: 'sleep', asleep: true }), {
    code: 'MINER_COMMAND_FAILED',
  });
  t.same(sent, ['version', 'ascset|0,softoff,1:991']);
});

t.test('a version reply without a usable clock stops the sleep before `ascset`', async (t) => {
  for (const when of [0, -5, 1.5, 2 ** 32, Number.MAX_SAFE_INTEGER + 2, Number.NaN]) {
    const { clients, sent } = answering(status('S', 22, 'CGMiner versions', when));
    await t.rejects(
      control(avalonCgminer, clients, { kind: 'sleep', asleep: true }),
      { code: 'MINER_BAD_REPLY', message: /When/ },
      String(when),
    );
    t.same(sent, ['version'], `nothing scheduled for When ${when}`);
  }
});

t.test('transport failures reach the caller unchanged', async (t) => {
  const { clients } = answering(new MinerError('MINER_TIMEOUT', 'hung'));
  await t.rejects(control(avalonCgminer, clients, { kind: 'reboot' }), { code: 'MINER_TIMEOUT' });
  await t.rejects(control(avalonCgminer, clients, { kind: 'sleep', asleep: false }), {
    code: 'MINER_TIMEOUT',
  });
});

const SETPOOL = 'ascset|0,setpool,root,root,stratum+tcp://btc.ss.poolin.com:443,cctrix.001,123';
const recordedPool = { url: 'stratum+tcp://btc.ss.poolin.com:443', user: 'cctrix.001', password: '123' };

t.test(
  'set-pools: `setpool` with the admin login, confirmed by "pool success set", then a reboot applies it',
  { skip: corpusMissing },
  async (t) => {
    const { clients, sent } = avalon({
      [SETPOOL]: 'avalon/ascset_setpool.response.txt',
      'ascset|0,reboot,0': 'avalon/ascset_led_on.response.txt',
    });
    await control(avalonCgminer, clients, { kind: 'set-pools', pools: [recordedPool] });
    t.same(sent, [SETPOOL, 'ascset|0,reboot,0']);
  },
);

t.test('set-pools: refused or unconfirmed, it never reboots and never quotes the password', async (t) => {
  const { clients, sent } = avalon({ [SETPOOL]: 'avalon/ascset_help.avalon-q.json' });
  const error = await control(avalonCgminer, clients, { kind: 'set-pools', pools: [recordedPool] }).catch(
    (e: unknown) => e,
  );
  t.match(error, { code: 'MINER_COMMAND_FAILED', message: /setpool' was not confirmed: Code 118/ });
  t.notOk(String((error as Error).message).includes('cctrix'), 'nothing of the request is quoted');
  t.same(sent, [SETPOOL], 'no reboot');
  const refused = avalon({});
  await t.rejects(control(avalonCgminer, refused.clients, { kind: 'set-pools', pools: [recordedPool] }), {
    code: 'MINER_COMMAND_FAILED',
  });
  t.same(refused.sent, [SETPOOL]);
});

t.test('set-pools: one pool and a usable admin login, checked before any request', async (t) => {
  const { clients, sent } = answering(status('I', 118, 'ASC 0 set info: pool success set to x'));
  const two = [recordedPool, { ...recordedPool, url: 'stratum+tcp://b.example:3333' }];
  await t.rejects(control(avalonCgminer, clients, { kind: 'set-pools', pools: two }), {
    code: 'MINER_BAD_ARGUMENT',
  });
  await t.rejects(control(avalonCgminer, clients, { kind: 'set-pools', pools: [recordedPool] }), {
    code: 'MINER_AUTH_FAILED',
    message: /no admin login/,
  });
  const comma = avalon({}, { username: 'root', password: 'a,b' });
  await t.rejects(control(avalonCgminer, comma.clients, { kind: 'set-pools', pools: [recordedPool] }), {
    code: 'MINER_BAD_ARGUMENT',
  });
  t.same([...sent, ...comma.sent], []);
});

t.test('work mode, power limit and restart are not offered, before any request', async (t) => {
  const { clients, sent } = answering(status('S', 119, 'ASC 0 set OK'));
  const undeclared: ControlOperation[] = [
    { kind: 'power-mode', mode: 'low' },
    { kind: 'power-limit', watts: 3000 },
    { kind: 'restart-mining' },
  ];
  for (const operation of undeclared) {
    await t.rejects(control(avalonCgminer, clients, operation), { code: 'MINER_UNSUPPORTED' });
  }
  t.same(sent, []);
});
