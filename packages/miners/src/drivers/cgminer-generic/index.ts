import type { Driver, Probe } from '../../driver.js';
import { readGenericCgminer } from './read.js';

/** True when the probe's `version` reply came from cgminer or bfgminer itself (or a fork that keeps the key). */
function speaksCgminer(probe: Probe): boolean {
  const version = probe.version?.body.VERSION;
  const first: unknown = Array.isArray(version) ? version[0] : undefined;
  const keys = typeof first === 'object' && first !== null ? Object.keys(first) : [];
  return (
    keys.some((key) => /^(cgminer|bfgminer)$/i.test(key)) ||
    /cgminer|bfgminer/i.test(probe.version?.status.description ?? '')
  );
}

/** Any cgminer or bfgminer API: the fallback when no firmware-specific driver claims the miner. */
export const cgminerGeneric: Driver = {
  id: 'cgminer-generic',
  name: 'cgminer / bfgminer (generic)',
  match: (probe) => (speaksCgminer(probe) ? 1 : 0),
  read: readGenericCgminer,
  capabilities: [],
};
