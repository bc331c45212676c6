import type { ControlOperation, MinerClients } from '../../driver.js';
import { MinerError } from '../../errors.js';
import { isRecord } from '../../json.js';
import { VNISH_PATH, vnishWeb } from './web.js';

/**
 * Controls VNish over its web API (web.ts): pools through `POST settings` (then the restart or reboot its reply
 * asks for), `mining/stop`/`start` for sleep, `mining/restart`, `system/reboot`, the locate LED through
 * `find-miner {on}`, and a power limit as the highest autotune preset (named by its watts) at or below it.
 */
export async function controlVnish(clients: MinerClients, operation: ControlOperation): Promise<void> {
  switch (operation.kind) {
    case 'set-pools': {
      const pools = operation.pools.map(({ url, user, password }) => ({ url, user, pass: password }));
      await applySettings(clients, { miner: { pools } });
      return;
    }
    case 'sleep': {
      const path = operation.asleep ? VNISH_PATH.stop : VNISH_PATH.start;
      // `{"success":true}` (corpus `vnish/privileged/mining/stop.json`); an explicit false is a refusal.
      const { json } = await vnishWeb(clients, { method: 'POST', path });
      if (isRecord(json) && json.success === false) {
        throw new MinerError('MINER_COMMAND_FAILED', `${path} answered success: false`);
      }
      return;
    }
    case 'restart-mining':
      await vnishWeb(clients, { method: 'POST', path: VNISH_PATH.restart });
      return;
    case 'reboot':
      await vnishWeb(clients, { method: 'POST', path: VNISH_PATH.reboot, dropMeansDone: true });
      return;
    case 'led':
      await setLed(clients, operation.on);
      return;
    case 'power-limit': {
      const preset = await presetFor(clients, operation.watts);
      // The whole overclock section goes back with the new preset, as VNish's own UI saves it.
      const { json } = await vnishWeb(clients, { method: 'GET', path: VNISH_PATH.settings });
      const overclock = isRecord(json) && isRecord(json.miner) ? json.miner.overclock : undefined;
      if (!isRecord(overclock)) throw new MinerError('MINER_BAD_REPLY', 'settings have no miner.overclock');
      await applySettings(clients, { miner: { overclock: { ...overclock, preset } } });
      return;
    }
    default:
      throw new MinerError('MINER_UNSUPPORTED', `VNish cannot ${operation.kind}`);
  }
}

/**
 * `POST settings` answers whether the change needs a restart or a reboot (corpus `vnish/privileged/settings.json`);
 * we do what it asks, so the change is live when the call resolves.
 */
async function applySettings(clients: MinerClients, settings: unknown): Promise<void> {
  const { json } = await vnishWeb(clients, { method: 'POST', path: VNISH_PATH.settings, body: settings });
  if (!isRecord(json)) throw new MinerError('MINER_BAD_REPLY', 'settings reply is not an object');
  if (json.reboot_required === true) {
    await vnishWeb(clients, { method: 'POST', path: VNISH_PATH.reboot, dropMeansDone: true });
  } else if (json.restart_required === true) {
    await vnishWeb(clients, { method: 'POST', path: VNISH_PATH.restart });
  }
}

/**
 * `find-miner {on}` answers the LED state (corpus `vnish/privileged/find-miner.json`). Some builds treat the call
 * as a toggle whatever the body says, so a state that differs gets one more call; still wrong is a refusal.
 */
async function setLed(clients: MinerClients, on: boolean): Promise<void> {
  const call = { method: 'POST', path: VNISH_PATH.findMiner, body: { on } } as const;
  for (let attempt = 0; attempt < 2; attempt++) {
    const { json } = await vnishWeb(clients, call);
    if (!isRecord(json) || typeof json.on !== 'boolean') {
      throw new MinerError('MINER_BAD_REPLY', 'find-miner reply has no on');
    }
    if (json.on === on) return;
  }
  throw new MinerError('MINER_COMMAND_FAILED', `find-miner did not turn the LED ${on ? 'on' : 'off'}`);
}

/** The autotune preset for a limit: the highest whose name (its watts) is at or below it (`disabled` is not one). */
async function presetFor(clients: MinerClients, watts: number): Promise<string> {
  const { json } = await vnishWeb(clients, { method: 'GET', path: VNISH_PATH.presets });
  if (!Array.isArray(json)) throw new MinerError('MINER_BAD_REPLY', 'autotune presets are not a list');
  const candidates = json
    .map((preset) => (isRecord(preset) && typeof preset.name === 'string' ? preset.name : ''))
    .filter((name) => /^\d{1,6}$/.test(name) && Number(name) <= watts)
    .sort((a, b) => Number(b) - Number(a));
  const [best] = candidates;
  if (best === undefined) {
    throw new MinerError('MINER_BAD_ARGUMENT', `power-limit: no autotune preset at or below ${watts} W`);
  }
  return best;
}
