import { generateKeyPair } from '@hashinsight/vault';
import { errors, request } from 'undici';
import { IdentityError } from './errors.js';
import {
  hasIdentity,
  type Identity,
  type IdentityRecord,
  identityPath,
  identityProblem,
  saveIdentity,
} from './identity.js';

export interface EnrollOptions {
  /** The cloud's base URL, http(s)://host[:port][/prefix]. */
  cloudUrl: string;
  /** The one-time enrollment token an admin created for the site. */
  token: string;
  dataDir: string;
  hostname: string;
  agentVersion: string;
  /** Replace an existing identity (new keys, new agent id); without it an enrolled agent refuses. */
  force?: boolean;
  /** Connect, header and body deadlines of the one request; default 15 s. */
  timeoutMs?: number;
}

/** The cloud's answer is a few hundred bytes; anything far larger is not the cloud. */
const MAX_ANSWER_BYTES = 64 * 1024;
const TOKEN = /^[\x21-\x7e]{1,128}$/;

/** The cloud's hostname pattern (features/agents/schemas.ts): anything else becomes a safe form of it. */
export function safeHostname(hostname: string): string {
  const cleaned = hostname
    .replace(/[^A-Za-z0-9._-]/g, '-')
    .replace(/^[^A-Za-z0-9]+/, '')
    .slice(0, 253);
  return cleaned === '' ? 'agent' : cleaned;
}

function enrollUrl(cloudUrl: string): URL {
  let base: URL;
  try {
    base = new URL(cloudUrl);
  } catch {
    throw new IdentityError('ENROLL_BAD_INPUT', '--cloud must be an http:// or https:// URL');
  }
  if (!['http:', 'https:'].includes(base.protocol) || base.username !== '' || base.password !== '') {
    throw new IdentityError('ENROLL_BAD_INPUT', '--cloud must be an http:// or https:// URL without a login');
  }
  if (base.search !== '' || base.hash !== '') {
    throw new IdentityError('ENROLL_BAD_INPUT', '--cloud must not carry a query or fragment');
  }
  // A path prefix (a cloud behind a reverse proxy) is kept.
  return new URL('api/agents/enroll', base.href.endsWith('/') ? base.href : `${base.href}/`);
}

/** The first few hundred printable characters of a text from the cloud, safe to show. */
const printable = (text: unknown) =>
  String(text ?? '')
    .replace(/[^\x20-\x7e]/g, '?')
    .slice(0, 200);

async function readCapped(body: AsyncIterable<Buffer>, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > limit) {
      throw new IdentityError(
        'ENROLL_BAD_ANSWER',
        `the cloud's answer is larger than ${limit} bytes: is --cloud right?`,
      );
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/**
 * Enrolls this box: makes its Ed25519 (signing) and X25519 (box) key pairs here, sends only their public halves
 * with the one-time token, and keeps what the cloud answers — agent id, site, broker URL and login, the cloud's
 * command keys — in `<dataDir>/identity.json` (0600) beside `<dataDir>/keys/` (0700, PEM files 0600). Nothing is
 * written unless the cloud accepted the token. Throws IdentityError.
 */
export async function enroll(options: EnrollOptions): Promise<Identity> {
  const url = enrollUrl(options.cloudUrl);
  if (!TOKEN.test(options.token)) {
    throw new IdentityError(
      'ENROLL_BAD_INPUT',
      '--token must be the enrollment token shown once by the cloud',
    );
  }
  if (hasIdentity(options.dataDir) && !options.force) {
    throw new IdentityError(
      'IDENTITY_EXISTS',
      `${identityPath(options.dataDir)} exists: this box is enrolled already (use --force to enroll it again as a new agent)`,
    );
  }
  const signingKey = generateKeyPair('ed25519');
  const boxKey = generateKeyPair('x25519');
  const timeoutMs = options.timeoutMs ?? 15_000;
  const body = JSON.stringify({
    token: options.token,
    hostname: safeHostname(options.hostname),
    agentVersion: options.agentVersion,
    publicKeys: { signing: signingKey.publicKey, box: boxKey.publicKey },
  });

  let response: Awaited<ReturnType<typeof request>>;
  try {
    response = await request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      signal: AbortSignal.timeout(timeoutMs * 2),
    });
  } catch (cause) {
    const reason =
      cause instanceof errors.UndiciError || cause instanceof Error
        ? ((cause as NodeJS.ErrnoException).code ?? cause.name)
        : 'unknown error';
    throw new IdentityError('ENROLL_UNREACHABLE', `cannot reach the cloud at ${url.origin} (${reason})`, {
      cause,
    });
  }
  let raw: Buffer;
  try {
    raw = await readCapped(response.body, MAX_ANSWER_BYTES);
  } catch (error) {
    response.body.destroy();
    if (error instanceof IdentityError) throw error;
    throw new IdentityError('ENROLL_UNREACHABLE', `the cloud at ${url.origin} stopped answering`, {
      cause: error,
    });
  }
  let answer: unknown;
  try {
    answer = JSON.parse(raw.toString('utf8'));
  } catch {
    answer = undefined;
  }
  const status = response.statusCode;
  if (status >= 400) {
    const { code, error } = (answer ?? {}) as { code?: unknown; error?: unknown };
    const detail = code === undefined ? `HTTP ${status}` : `${printable(code)}: ${printable(error)}`;
    throw new IdentityError(
      status >= 500 ? 'ENROLL_CLOUD_ERROR' : 'ENROLL_REFUSED',
      status >= 500
        ? `the cloud failed (${detail}); try again later`
        : `the cloud refused the enrollment (${detail})`,
    );
  }
  const data = (answer as { success?: unknown; data?: unknown } | undefined)?.data as
    | Omit<IdentityRecord, 'cloudUrl' | 'publicKeys' | 'enrolledAt'>
    | undefined;
  if (
    status !== 201 ||
    (answer as { success?: unknown } | undefined)?.success !== true ||
    typeof data !== 'object' ||
    data === null
  ) {
    throw new IdentityError(
      'ENROLL_BAD_ANSWER',
      `the cloud's answer (HTTP ${status}) is not an enrollment: is --cloud right?`,
    );
  }
  const record: IdentityRecord = {
    agentId: data.agentId,
    siteId: data.siteId,
    cloudUrl: options.cloudUrl,
    mqtt: { url: data.mqtt?.url, username: data.mqtt?.username, password: data.mqtt?.password },
    commandKeys: Array.isArray(data.commandKeys)
      ? data.commandKeys.map((key) => ({ keyId: key?.keyId, publicKey: key?.publicKey }))
      : data.commandKeys,
    publicKeys: {
      signing: { keyId: signingKey.keyId, publicKey: signingKey.publicKey },
      box: { keyId: boxKey.keyId, publicKey: boxKey.publicKey },
    },
    enrolledAt: new Date().toISOString(),
  };
  const problem = identityProblem(record);
  if (problem !== undefined)
    throw new IdentityError('ENROLL_BAD_ANSWER', `the cloud's answer is unusable: ${problem}`);
  saveIdentity(options.dataDir, record, signingKey, boxKey);
  return { ...record, signingKey, boxKey };
}
