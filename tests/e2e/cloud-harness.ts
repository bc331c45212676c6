// The real cloud as the system tests start it (embedded broker and SQLite in a temp folder, a bootstrap owner,
// silent logs) and the API calls they make on it as an operator: log in, get an enrollment token, enroll an agent.
import { generateKeyPairSync } from 'node:crypto';
import { type CloudConfig, loadCloudConfig, type RunningCloud, startCloud } from '@hashinsight/cloud';
import pino from 'pino';
import type { Test } from 'tap';

export const OWNER_PASSWORD = 'correct horse battery staple';

/** A cloud config on ephemeral ports in `dataDir`, whose bootstrap owner is `email`; `extra` wins. */
export function testCloudConfig(
  dataDir: string,
  email: string,
  extra: Partial<CloudConfig> = {},
): CloudConfig {
  return loadCloudConfig(
    {},
    {
      httpPort: 0,
      mqttPort: 0,
      dataDir,
      bootstrapEmail: email,
      bootstrapPassword: OWNER_PASSWORD,
      logLevel: 'silent',
      ...extra,
    },
  );
}

/** Starts a cloud that logs nothing (the caller closes it: a test that restarts its cloud owns its teardown). */
export const startSilentCloud = (config: CloudConfig) =>
  startCloud(config, { logger: pino({ level: 'silent' }) });

/** Starts a cloud closed at the end of `t`. */
export async function startTestCloud(t: Test, dataDir: string, email: string): Promise<RunningCloud> {
  const cloud = await startSilentCloud(testCloudConfig(dataDir, email));
  t.teardown(() => cloud.close());
  return cloud;
}

/** GET (no body) or POST (JSON body) on the cloud's API; the `data` of a success, else throws with the answer. */
export async function api<T>(cloud: RunningCloud, path: string, token?: string, body?: unknown): Promise<T> {
  const response = await fetch(`${cloud.httpUrl}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const parsed = (await response.json()) as { success: boolean; data: T };
  if (!parsed.success) throw new Error(`${path}: ${response.status} ${JSON.stringify(parsed)}`);
  return parsed.data;
}

/** The bootstrap owner's access token. */
export async function login(cloud: RunningCloud, email: string): Promise<string> {
  const { accessToken } = await api<{ accessToken: string }>(cloud, '/api/auth/login', undefined, {
    email,
    password: OWNER_PASSWORD,
  });
  return accessToken;
}

/** A one-time enrollment token for the tenant's first site, as an operator makes one. */
export async function enrollmentToken(
  cloud: RunningCloud,
  accessToken: string,
): Promise<{ siteId: string | undefined; token: string }> {
  const { sites } = await api<{ sites: { id: string }[] }>(cloud, '/api/sites', accessToken);
  const siteId = sites[0]?.id;
  const { token } = await api<{ token: string }>(
    cloud,
    `/api/sites/${siteId}/enrollment-tokens`,
    accessToken,
    {},
  );
  return { siteId, token };
}

const rawPublicKey = (kind: 'ed25519' | 'x25519') =>
  Buffer.from(
    generateKeyPairSync(kind as 'ed25519').publicKey.export({ format: 'jwk' }).x ?? '',
    'base64url',
  ).toString('base64');

/** Enrolls an agent as an operator and an agent do (fresh public keys, a token for the first site): its broker login. */
export async function enrollAgent(cloud: RunningCloud, accessToken: string, hostname: string) {
  const { token } = await enrollmentToken(cloud, accessToken);
  return api<{ agentId: string; mqtt: { username: string; password: string } }>(
    cloud,
    '/api/agents/enroll',
    undefined,
    {
      token,
      hostname,
      agentVersion: '0.1.0',
      publicKeys: { signing: rawPublicKey('ed25519'), box: rawPublicKey('x25519') },
    },
  );
}
