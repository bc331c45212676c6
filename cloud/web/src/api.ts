import { type Session, session, sessionFrom, type TokenPair } from './auth';

/** A refusal from the cloud, in its error envelope `{ success:false, error, code, timestamp }`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface RequestOptions {
  method?: string;
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

interface Envelope<T> {
  success: boolean;
  data?: T;
  error?: string;
  code?: string;
}

async function send(path: string, options: RequestOptions, current: Session | null): Promise<Response> {
  const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (current !== null) headers.authorization = `Bearer ${current.accessToken}`;
  return fetch(path, {
    method: options.method ?? 'GET',
    headers,
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
}

// One refresh at a time: parallel requests that all met an expired token share it (a refresh token is single use,
// and presenting it twice would revoke the whole session).
let refreshing: Promise<Session | null> | undefined;

function refreshSession(stale: Session): Promise<Session | null> {
  refreshing ??= (async () => {
    try {
      const response = await send(
        '/api/auth/refresh',
        { method: 'POST', body: { refreshToken: stale.refreshToken } },
        null,
      );
      const body = (await response.json()) as Envelope<TokenPair>;
      if (!body.success || body.data === undefined) return null;
      const next = sessionFrom(stale.email, body.data);
      session.set(next);
      return next;
    } catch {
      return null;
    } finally {
      refreshing = undefined;
    }
  })();
  return refreshing;
}

/** The session to send, refreshed first when its access token is about to run out. */
async function currentSession(): Promise<Session | null> {
  const current = session.get();
  if (current === null || current.accessExpiresAt - Date.now() > 30_000) return current;
  return (await refreshSession(current)) ?? current;
}

/**
 * Calls the cloud API and returns the envelope's `data`; throws ApiError with the cloud's code otherwise. A 401
 * refreshes the session once and retries; if that fails the session ends and the console shows the login.
 */
export async function api<T>(path: string, options: RequestOptions = {}): Promise<T> {
  let current = await currentSession();
  let response = await send(path, options, current);
  if (response.status === 401 && current !== null) {
    current = await refreshSession(current);
    if (current === null) {
      session.set(null);
      throw new ApiError(401, 'AUTH_REQUIRED', 'Your session has ended; log in again');
    }
    response = await send(path, options, current);
  }
  let body: Envelope<T>;
  try {
    body = (await response.json()) as Envelope<T>;
  } catch {
    throw new ApiError(response.status, 'HTTP_BAD_RESPONSE', `The cloud answered ${response.status}`);
  }
  if (!body.success) {
    throw new ApiError(response.status, body.code ?? 'UNKNOWN', body.error ?? `HTTP ${response.status}`);
  }
  return body.data as T;
}

/** A query string from the set values only: `{ siteId: 'a', q: undefined }` -> `?siteId=a`. */
export function query(params: Record<string, string | number | boolean | undefined | null>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  }
  const text = search.toString();
  return text === '' ? '' : `?${text}`;
}

/** The current access token, for the few calls that cannot go through `api` (event streams). */
export async function accessToken(): Promise<string | null> {
  return (await currentSession())?.accessToken ?? null;
}
