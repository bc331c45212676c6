// set-login argument rules, checked before any request: the shared ones in control(), then each firmware's own.
import t, { type Test } from 'tap';
import { checkLogin, control } from '../control.js';
import type { MinerClients } from '../driver.js';
import { antminerStock } from './antminer-stock/index.js';
import { cgminerGeneric } from './cgminer-generic/index.js';
import { drivers } from './index.js';
import { whatsminerBtminer } from './whatsminer-btminer/index.js';

/** Clients that fail the test if anything is sent; the current login is root/old. */
function silentClients(t: Test): MinerClients {
  const fail = async (): Promise<never> => {
    t.fail('a request was sent');
    throw new Error('sent');
  };
  return {
    ip: '10.0.0.1',
    cgminer: fail,
    web: fail,
    btminer: fail,
    adminLogin: () => ({ username: 'root', password: 'old' }),
  };
}

t.test('logins with spaces, control characters or no text are refused before any request', async (t) => {
  for (const [username, password] of [
    ['root', ''],
    ['', 'pw'],
    ['root', 'two words'],
    ['root', 'tab\there'],
    ['root', 'x'.repeat(129)],
    ['r'.repeat(65), 'pw'],
    ['root', 'pässword'],
  ] as const) {
    await t.rejects(
      control(antminerStock, silentClients(t), { kind: 'set-login', username, password }),
      { code: 'MINER_BAD_ARGUMENT' },
      JSON.stringify([username.slice(0, 8), password.slice(0, 8)]),
    );
  }
});

t.test('stock Antminer keeps its web user: another username is refused', async (t) => {
  const clients = silentClients(t);
  // The conf read comes first (its shape tells the firmware), then the user check refuses.
  clients.web = async () => ({ status: 200, text: '{"pools":[],"bitmain-fan-ctrl":false}' });
  await t.rejects(
    control(antminerStock, clients, { kind: 'set-login', username: 'admin', password: 'n3w' }),
    { code: 'MINER_BAD_ARGUMENT' },
  );
});

t.test('btminer takes 1-8 letters or digits as the admin password', async (t) => {
  for (const password of ['n3wLogin9', 'with_under', 'a-b']) {
    await t.rejects(
      control(whatsminerBtminer, silentClients(t), { kind: 'set-login', username: 'admin', password }),
      { code: 'MINER_BAD_ARGUMENT' },
      password,
    );
  }
  const sent: Array<[string, Record<string, string> | undefined]> = [];
  const clients = silentClients(t);
  clients.btminer = async (cmd, params) => {
    sent.push([cmd, params ? { ...params } : undefined]);
    return { code: 131, msg: '' };
  };
  await control(whatsminerBtminer, clients, { kind: 'set-login', username: 'admin', password: 'n3wLogin' });
  t.same(sent, [['update_pwd', { old: 'old', new: 'n3wLogin' }]], 'old password as the check, then the new');
});

t.test('checkLogin: only drivers that can prove a login declare set-login', async (t) => {
  for (const driver of drivers) {
    t.equal(
      driver.capabilities.includes('set-login'),
      driver.checkLogin !== undefined,
      `${driver.id}: set-login and checkLogin go together`,
    );
  }
  await t.rejects(checkLogin(cgminerGeneric, silentClients(t)), { code: 'MINER_UNSUPPORTED' });
});
