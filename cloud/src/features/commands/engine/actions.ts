import type { CredentialRef, PowerMode } from '../params.js';
import type { WireAction } from './wire.js';

// A stored command (type + params JSON as features/commands stores them) as the action of a wire message.
// The params were validated when the command was created; a row that no longer parses (a hand-edited database,
// a type from a newer cloud) fails its targets instead of sending something half-understood.

export class StoredCommandError extends Error {
  override readonly name = 'StoredCommandError';
  readonly code = 'COMMANDS_STORED_INVALID';
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function credentialRef(value: unknown): CredentialRef | undefined {
  if (!isObject(value)) return undefined;
  const { credentialId, version } = value;
  return typeof credentialId === 'string' && Number.isInteger(version)
    ? { credentialId, version: version as number }
    : undefined;
}

/**
 * The wire action of a stored command. `credential` is the target's own vault version (update_credentials carries
 * one per miner); other types ignore it.
 */
export function wireActionOf(type: string, paramsJson: string, credential?: CredentialRef): WireAction {
  let params: unknown;
  try {
    params = JSON.parse(paramsJson);
  } catch {
    throw new StoredCommandError('stored params are not JSON');
  }
  if (!isObject(params)) throw new StoredCommandError('stored params are not an object');
  switch (type) {
    case 'reboot':
    case 'restart_mining':
    case 'wake':
      return { type };
    case 'set_pools': {
      const pools = params.pools;
      if (!Array.isArray(pools) || pools.length === 0)
        throw new StoredCommandError('set_pools without pools');
      return {
        type,
        pools: pools.map((pool: unknown) => {
          if (!isObject(pool) || typeof pool.url !== 'string' || typeof pool.user !== 'string') {
            throw new StoredCommandError('set_pools with a malformed pool');
          }
          const password = pool.password === undefined ? undefined : credentialRef(pool.password);
          if (pool.password !== undefined && password === undefined) {
            throw new StoredCommandError('set_pools with a malformed password reference');
          }
          return { url: pool.url, user: pool.user, ...(password ? { password } : {}) };
        }),
      };
    }
    case 'led':
      if (typeof params.on !== 'boolean') throw new StoredCommandError('led without on');
      return {
        type,
        on: params.on,
        durationS: Number.isInteger(params.durationS) ? (params.durationS as number) : 0,
      };
    case 'power_mode': {
      const modes: readonly PowerMode[] = ['sleep', 'low', 'normal', 'high'];
      if (!modes.includes(params.mode as PowerMode))
        throw new StoredCommandError('power_mode without a mode');
      return { type, mode: params.mode as PowerMode };
    }
    case 'power_limit_w':
      if (!Number.isInteger(params.watts) || (params.watts as number) <= 0) {
        throw new StoredCommandError('power_limit_w without watts');
      }
      return { type, watts: params.watts as number };
    case 'update_credentials':
      if (credential === undefined)
        throw new StoredCommandError('update_credentials target without a credential');
      return { type, credential };
    default:
      throw new StoredCommandError(`unknown command type ${JSON.stringify(type.slice(0, 40))}`);
  }
}

/** The target's vault version, when it has one. */
export function targetCredential(target: {
  credential_id: string | null;
  credential_version: number | null;
}): CredentialRef | undefined {
  return target.credential_id !== null && target.credential_version !== null
    ? { credentialId: target.credential_id, version: Number(target.credential_version) }
    : undefined;
}
