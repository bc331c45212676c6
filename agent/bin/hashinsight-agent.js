#!/usr/bin/env node
// The `hashinsight-agent` command npm links (and `npx hashinsight-agent` runs from the repository root). It is a
// committed file because npm links a workspace's bin only when its target exists at install time, and a fresh
// clone has no dist/ until the first build: here the first use builds it (tsc -b, output on stderr so a --json
// answer on stdout stays clean). Installed from a built package, it only loads dist/main.js.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
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
  process.stderr.write('hashinsight-agent: first use, building the agent (tsc -b agent)…\n');
  const agentDir = fileURLToPath(new URL('..', import.meta.url));
  const build = spawnSync(process.execPath, [tsc, '-b', agentDir], { stdio: ['ignore', 2, 2] });
  if (build.status !== 0 || !existsSync(main)) {
    process.stderr.write('hashinsight-agent: the build failed (see above); fix it, then `npm run build`\n');
    process.exit(1);
  }
}
await import(main.href);
