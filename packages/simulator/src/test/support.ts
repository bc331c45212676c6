// Test support: virtual miners on loopback, raw requests to them, and the shared corpus of recorded replies.
import { connect } from 'node:net';
import { corpusFile, loopbackAllocator } from '@hashinsight/testkit';
import { VirtualMiner, type VirtualMinerOptions } from '../virtual-miner.js';

type Teardown = { teardown(fn: () => unknown): void };

/** A started miner on a fresh loopback address and a kernel-picked port, closed when the test ends. */
export async function started(
  t: Teardown,
  options: Partial<VirtualMinerOptions> = {},
): Promise<VirtualMiner> {
  const [ip] = loopbackAllocator.take(1) as [string];
  const miner = new VirtualMiner({ ip, port: 0, ...options });
  await miner.start();
  t.teardown(() => miner.close());
  return miner;
}

/** Sends raw bytes the way any client could, and returns everything the miner sent before closing. */
export function raw(miner: { ip: string; port: number }, request: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect({ host: miner.ip, port: miner.port }, () => socket.write(request));
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('end', () => resolve(Buffer.concat(chunks)));
    socket.on('error', reject);
  });
}

/** The JSON reply to one request, its NUL terminator checked and stripped. */
export async function ask(
  miner: { ip: string; port: number },
  command: string,
  parameter?: string,
): Promise<Record<string, unknown>> {
  const reply = await raw(
    miner,
    JSON.stringify(parameter === undefined ? { command } : { command, parameter }),
  );
  if (reply.at(-1) !== 0) throw new Error(`reply to ${command} does not end with a NUL`);
  return JSON.parse(reply.subarray(0, -1).toString('utf8'));
}

export { corpusMissing } from '@hashinsight/testkit';

export function corpusText(path: string): string {
  return corpusFile(path).toString('utf8');
}

export function corpusJson(path: string): Record<string, unknown> {
  return JSON.parse(corpusText(path));
}

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  return Array.isArray(value) ? 'array' : typeof value;
}

/**
 * Where `ours` lacks a field of `real` or has it with another JSON type, as paths ("SUMMARY.0.GHS 5s"). Lists are
 * compared by their first element, the way every record of a section has the same fields.
 */
export function shapeGaps(real: unknown, ours: unknown, ignore: ReadonlySet<string>, path = ''): string[] {
  if (jsonType(real) !== jsonType(ours))
    return [`${path}: ${jsonType(real)} in the corpus, ${jsonType(ours)} here`];
  if (Array.isArray(real) && Array.isArray(ours)) {
    if (real.length === 0) return [];
    if (ours.length === 0) return [`${path}: empty here`];
    return shapeGaps(real[0], ours[0], ignore, `${path}.0`);
  }
  if (typeof real !== 'object' || real === null) return [];
  const mine = ours as Record<string, unknown>;
  return Object.entries(real).flatMap(([key, value]) => {
    if (ignore.has(key)) return [];
    if (!(key in mine)) return [`${path}.${key}: missing`];
    return shapeGaps(value, mine[key], ignore, `${path}.${key}`);
  });
}
