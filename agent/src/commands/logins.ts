import { MinerError } from '@hashinsight/miners';
import { hashinsight } from '@hashinsight/protocol';
import { type KeyPair, type MinerLogin, openCredential, type VerifyKey } from '@hashinsight/vault';
import type { CachedCredential, CredentialCache } from '../store/index.js';

const { CredentialScope } = hashinsight.v1;
/** The web login first: it is what most firmware wants; the API login serves the others (Whatsminer admin). */
const SCOPES = [CredentialScope.CREDENTIAL_SCOPE_MINER_WEB, CredentialScope.CREDENTIAL_SCOPE_MINER_API];

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

  /** The sealed login in use for the miner: in `scope`, or the web login, else the API login. */
  sealed(minerId: string, scope?: number): CachedCredential | undefined {
    for (const each of scope === undefined ? SCOPES : [scope]) {
      const found = this.cache.forMiner(minerId, each);
      if (found) return found;
    }
    return undefined;
  }

  /** Opens one sealed login, now. */
  open(credential: CachedCredential): MinerLogin {
    return openCredential(credential.payload, this.identity.boxKey, this.identity.commandKeys);
  }

  /** The login in use for the miner, opened now; undefined when the agent holds none. */
  current(minerId: string, scope?: number): MinerLogin | undefined {
    const sealed = this.sealed(minerId, scope);
    return sealed && this.open(sealed);
  }

  /** Runs `call` with the login in use; when the miner refuses it, once more with a pending login that works. */
  async withLogin<T>(minerId: string, call: (login: MinerLogin | undefined) => Promise<T>): Promise<T> {
    try {
      return await call(this.current(minerId));
    } catch (error) {
      if (!(error instanceof MinerError && error.code === 'MINER_AUTH_FAILED')) throw error;
      const candidate = SCOPES.map((scope) => this.cache.unclaimedPending(minerId, scope)).find(Boolean);
      if (candidate === undefined) throw error;
      const result = await call(this.open(candidate));
      this.cache.promote(candidate.credentialId, candidate.version);
      return result;
    }
  }
}
