import { readFileSync } from 'node:fs';
import { SimulatorError } from './errors.js';

/** File descriptors besides the listeners: stdio, libuv, and connections in flight. */
export const FD_HEADROOM = 256;

/**
 * The process's soft limit on open files, from /proc/self/limits (Linux); undefined where that cannot be read.
 * Node has no getrlimit (and no setrlimit: the shell that starts it must raise the limit, `ulimit -n`).
 */
export function openFileLimit(limits = '/proc/self/limits'): number | undefined {
  let text: string;
  try {
    text = readFileSync(limits, 'utf8');
  } catch {
    return undefined;
  }
  const soft = /^Max open files\s+(\S+)/m.exec(text)?.[1];
  if (soft === undefined) return undefined;
  return soft === 'unlimited' ? Number.POSITIVE_INFINITY : Number(soft);
}

/** Fails with SIMULATOR_FD_LIMIT, saying what to run, when `listeners` sockets would not fit under `limit`. */
export function checkOpenFiles(listeners: number, limit: number | undefined): void {
  const needed = listeners + FD_HEADROOM;
  if (limit === undefined || limit >= needed) return;
  throw new SimulatorError(
    'SIMULATOR_FD_LIMIT',
    `the open-file limit is ${limit}, but ${listeners} listening sockets need at least ${needed}: ` +
      `raise it in the shell that starts the simulator (ulimit -n ${needed}) and try again`,
  );
}
