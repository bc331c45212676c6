import type { Principal } from '../../plugins/access.js';
import { type IpCipher, type IpLookup, ipLookupOf, protectIp, type StoredIp } from './ip.js';

// Resolving a tenant's cipher unwraps its keys (a few database reads and a key unwrap in the vault): the ingest
// and the fleet reads keep each resolved cipher for a short while, so a burst of identities or list pages costs
// one resolve per tenant. Short, because a cipher knows the key versions that existed when it was resolved: after
// a rotation another instance may seal under the new version, which this one's cached cipher cannot open (the
// address reads as '' until the TTL passes), and this one keeps sealing under the old version meanwhile.

export type IpCipherSource = (tenantId: string) => Promise<IpCipher>;

export const IP_CIPHER_TTL_MS = 10_000;

/** The columns of one miner's address (protectIp), as the ingest's writers call it. */
export type IpProtector = (agentId: string, minerId: string, ip: string) => StoredIp;

/** Sealed addresses remembered (the oldest dropped first when full): about 200 bytes each. */
export const SEALED_MEMO_SIZE = 100_000;

export class TenantIpCiphers {
  private readonly cache = new Map<string, { cipher: Promise<IpCipher>; until: number }>();
  private readonly sealed = new Map<string, { ip: string; stored: StoredIp }>();

  constructor(
    private readonly source: IpCipherSource,
    private readonly ttlMs = IP_CIPHER_TTL_MS,
    private readonly now: () => number = Date.now,
    private readonly memoSize = SEALED_MEMO_SIZE,
  ) {}

  /** The tenant's cipher, resolved at most once per TTL; a failed resolve is not kept. */
  get(tenantId: string): Promise<IpCipher> {
    const at = this.now();
    const hit = this.cache.get(tenantId);
    if (hit !== undefined && hit.until > at) return hit.cipher;
    const cipher = this.source(tenantId);
    this.cache.set(tenantId, { cipher, until: at + this.ttlMs });
    cipher.catch(() => {
      if (this.cache.get(tenantId)?.cipher === cipher) this.cache.delete(tenantId);
    });
    return cipher;
  }

  /**
   * protectIp for `tenantId`'s `cipher`, remembering what it sealed: an agent re-sends every identity when it
   * starts a session, and an unchanged address under the same key version keeps its sealed value instead of
   * costing a new encryption (a seal and two HMACs, tens of µs) per miner.
   */
  protector(tenantId: string, cipher: IpCipher): IpProtector {
    return (agentId, minerId, ip) => {
      const key = `${tenantId}\u0000${cipher.keyVersion}\u0000${agentId}\u0000${minerId}`;
      const hit = this.sealed.get(key);
      if (hit !== undefined && hit.ip === ip) return hit.stored;
      const stored = protectIp(cipher, agentId, minerId, ip);
      this.sealed.delete(key);
      if (this.sealed.size >= this.memoSize) {
        const oldest = this.sealed.keys().next().value;
        if (oldest !== undefined) this.sealed.delete(oldest);
      }
      this.sealed.set(key, { ip, stored });
      return stored;
    };
  }
}

/** Where a tenant's cipher comes from: the credential vault (fastify.vault). */
export interface IpCipherProvider {
  fieldCipher(tenantId: string): Promise<IpCipher>;
}

const shared = new WeakMap<IpCipherProvider, TenantIpCiphers>();

/** One cache per vault, so the ingest and the fleet reads of an app resolve each tenant once per TTL. */
export function ipCiphersOf(vault: IpCipherProvider): TenantIpCiphers {
  let ciphers = shared.get(vault);
  if (ciphers === undefined) {
    ciphers = new TenantIpCiphers((tenantId) => vault.fieldCipher(tenantId));
    shared.set(vault, ciphers);
  }
  return ciphers;
}

/**
 * The tenant's IP cipher for a staff caller; undefined for a customer, who never sees or searches addresses.
 * Every read that shows or searches miners decides through this one function.
 */
export function ipCipherFor(vault: IpCipherProvider, principal: Principal): Promise<IpCipher | undefined> {
  return principal.role === 'customer'
    ? Promise.resolve(undefined)
    : ipCiphersOf(vault).get(principal.tenantId);
}

/** The blind index `q` names as an address (ip.ts) for a staff caller; pass it to scopedMiners. */
export async function ipLookupFor(
  vault: IpCipherProvider,
  principal: Principal,
  q: string | undefined,
): Promise<IpLookup | undefined> {
  if (q === undefined || q === '') return undefined;
  const cipher = await ipCipherFor(vault, principal);
  return cipher === undefined ? undefined : ipLookupOf(cipher, q);
}
