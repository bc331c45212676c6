import { createStore, useStore } from './store';

/** The roles of the cloud's permission matrix (cloud/src/plugins/access.ts). */
export type Role = 'owner' | 'admin' | 'mining_site' | 'customer' | 'guest';

export interface Session {
  email: string;
  accessToken: string;
  refreshToken: string;
  /** Epoch ms when the access token stops working. */
  accessExpiresAt: number;
  userId: string;
  tenantId: string;
  role: Role;
  /** Set for a hosting client (customer role) only. */
  customerId: string | null;
}

// Kept for the browser tab only (sessionStorage): closing the tab logs out, and another site's script on the
// same origin is what a strict CSP (served by the cloud) prevents.
const KEY = 'hashinsight.session';

function load(): Session | null {
  try {
    const raw = window.sessionStorage.getItem(KEY);
    return raw === null ? null : (JSON.parse(raw) as Session);
  } catch {
    return null;
  }
}

export const session = createStore<Session | null>(load());
session.subscribe((value) => {
  if (value === null) window.sessionStorage.removeItem(KEY);
  else window.sessionStorage.setItem(KEY, JSON.stringify(value));
});

/** The claims the cloud puts in an access token (features/auth/tokens.ts). */
interface AccessClaims {
  sub: string;
  tid: string;
  role: Role;
  cid?: string | null;
}

function claimsOf(token: string): AccessClaims {
  const payload = token.split('.')[1] ?? '';
  const json = atob(payload.replace(/-/g, '+').replace(/_/g, '/'));
  return JSON.parse(json) as AccessClaims;
}

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
}

/** A session from a login or refresh answer; the role shown is the token's, the cloud checks the real one. */
export function sessionFrom(email: string, tokens: TokenPair): Session {
  const claims = claimsOf(tokens.accessToken);
  return {
    email,
    accessToken: tokens.accessToken,
    refreshToken: tokens.refreshToken,
    accessExpiresAt: Date.now() + tokens.expiresIn * 1000,
    userId: claims.sub,
    tenantId: claims.tid,
    role: claims.role,
    customerId: claims.cid ?? null,
  };
}

/** Staff run the operator console; a customer (hosting client) gets the client portal. */
export const isStaff = (role: Role): boolean =>
  role === 'owner' || role === 'admin' || role === 'mining_site';
export const isAdmin = (role: Role): boolean => role === 'owner' || role === 'admin';

/** Whether the signed-in user administers the tenant; the component follows sign-in and sign-out. */
export function useIsAdmin(): boolean {
  const current = useStore(session);
  return current !== null && isAdmin(current.role);
}
