import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

/**
 * Reads a small JSON object from a file a technician (or enrollment) wrote. Refuses what is not a regular file
 * (a FIFO or /dev/zero would block or never end), anything over `maxBytes`, and anything but one JSON object.
 * Returns undefined when the file does not exist. Throws an Error whose message names the file, never its
 * content, which may hold secrets.
 */
export function readJsonObject(path: string, maxBytes: number): Record<string, unknown> | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`cannot open ${path}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  let text: string;
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new Error(`${path} is not a regular file`);
    if (stat.size > maxBytes) throw new Error(`${path} is larger than ${maxBytes} bytes`);
    // Read one byte past the cap: the file may have grown since fstat.
    const buffer = Buffer.alloc(maxBytes + 1);
    let length = 0;
    for (let n = 1; n > 0 && length < buffer.length; length += n) {
      n = readSync(fd, buffer, length, buffer.length - length, null);
    }
    if (length > maxBytes) throw new Error(`${path} is larger than ${maxBytes} bytes`);
    text = buffer.toString('utf8', 0, length);
  } finally {
    closeSync(fd);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error(`${path} is not valid JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`${path} must hold one JSON object`);
  }
  return value as Record<string, unknown>;
}
