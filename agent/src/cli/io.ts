/** Where a subcommand writes: the process's streams in production, buffers in tests. */
export interface CliOutput {
  write(text: string): unknown;
  /** True on a terminal: progress bars and colours only then. */
  isTTY?: boolean;
  /** Terminal width, when known. */
  columns?: number;
}

/**
 * What every `hashinsight-agent <command>` module receives. Each exports
 * `run<Name>Command(argv: string[], io: CliIo): Promise<number>` and returns its exit code: 0 done, 1 failed,
 * 2 bad usage. Settings come from `io.env` (and `--config`), relative paths from `io.cwd`.
 */
export interface CliIo {
  stdout: CliOutput;
  stderr: CliOutput;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() };
}

/** An io whose output is kept in strings, for tests that run a command in-process. */
export function captureIo(env: NodeJS.ProcessEnv = {}, cwd = process.cwd()) {
  const out = { stdout: '', stderr: '' };
  const io: CliIo = {
    stdout: { write: (text: string) => (out.stdout += text) },
    stderr: { write: (text: string) => (out.stderr += text) },
    env,
    cwd,
  };
  return { io, out };
}
