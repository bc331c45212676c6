import { driverById, MinerError } from '@hashinsight/miners';
import { hashinsight } from '@hashinsight/protocol';
import { type KeyPair, type MinerLogin, openCredential, type VerifyKey } from '@hashinsight/vault';
import type { CachedCredential, CredentialCache } from '../store/index.js';

const { CredentialScope } = hashinsight.v1;
const WEB = CredentialScope.CREDENTIAL_SCOPE_MINER_WEB;
const API = CredentialScope.CREDENTIAL_SCOPE_MINER_API;

/** The scopes to look in for a miner's login: the one its driver's calls use first (Driver.loginKind). */
function scopesFor(driverId: string | undefined): number[] {
  return driverById(driverId ?? '')?.loginKind === 'api' ? [API, WEB] : [WEB, API];
}

/**
 * The miners' logins, from the sealed-credential cache, opened only for the call that needs one and never kept
 * open. `withLogin` also settles a rotation the agent did not see through: when the login in use is refused and a
 * pending version for the miner (one no update_credentials is carrying) opens it, that version becomes the one in
 * use — the miner evidently has it.
 */
export class MinerLogins {
  constructor(
    private readonly cache: CredentialCache,
    private readonly identity: { boxKey: KeyPair; commandKeys: readonly VerifyKey[] },
  ) {}

  /** Opens one sealed login, now. */
  open(credential: CachedCredential): MinerLogin {
    return openCredential(credential.payload, this.identity.boxKey, this.identity.commandKeys);
  }

  /**
   * The login in use for the miner, opened now: in `scope` when given and held, else in the scope its driver uses,
   * else the other one; undefined when the agent holds none.
   */
  current(minerId: string, driverId?: string, scope?: number): MinerLogin | undefined {
    const order = scope === undefined ? scopesFor(driverId) : [scope, ...scopesFor(driverId)];
    for (const each of order) {
      const sealed = this.cache.forMiner(minerId, each);
      if (sealed) return this.open(sealed);
    }
    return undefined;
  }

  /** Runs `call` with the login in use; when the miner refuses it, once more with a pending login that works. */
  async withLogin<T>(
    minerId: string,
    driverId: string | undefined,
    call: (login: MinerLogin | undefined) => Promise<T>,
  ): Promise<T> {
    try {
      return await call(this.current(minerId, driverId));
    } catch (error) {
      if (!(error instanceof MinerError && error.code === 'MINER_AUTH_FAILED')) throw error;
      const candidate = scopesFor(driverId)
        .map((scope) => this.cache.unclaimedPending(minerId, scope))
        .find(Boolean);
      if (candidate === undefined) throw error;
      const result = await call(this.open(candidate));
      this.cache.promote(candidate.credentialId, candidate.version);
      return result;
    }
  }
}
