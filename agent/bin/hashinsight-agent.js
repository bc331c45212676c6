#!/usr/bin/env node
// The `hashinsight-agent` command npm links (and `npx hashinsight-agent` runs from the repository root). It is a
// committed file because npm links a workspace's bin only when its target exists at install time, and a fresh
// clone has no dist/ until the first build: here the first use builds it (tsc -b, output on stderr so a --json
// answer on stdout stays clean). Installed from a built package, it only loads dist/main.js.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const main = new URL('../dist/main.js', import.meta.url);
if (!existsSync(main)) {
  let tsc;
  try {
    tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  } catch {
    process.stderr.write(
      'hashinsight-agent: not built (no dist/) and TypeScript is not installed: run `npm run build`\n',
    );
    process.exit(1);
  }
  // In the repository the whole solution builds (as `npm run build` does): the agent's tests need the dev packages.
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const project = existsSync(join(root, 'tsconfig.json'))
    ? root
    : fileURLToPath(new URL('..', import.meta.url));
  process.stderr.write(`hashinsight-agent: first use, building (tsc -b ${project})…\n`);
  const build = spawnSync(process.execPath, [tsc, '-b', project], { stdio: ['ignore', 2, 2] });
  if (!existsSync(main)) {
    process.stderr.write('hashinsight-agent: the build failed (see above); fix it, then `npm run build`\n');
    process.exit(1);
  }
  if (build.status !== 0) process.stderr.write('hashinsight-agent: built, with the type errors above\n');
}
await import(main.href);
