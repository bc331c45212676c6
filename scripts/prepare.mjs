// `npm install` / `npm ci` (prepare): bundles the web console, so a fresh checkout serves it without another step.
// A production install (`npm ci --omit=dev`, e.g. the agent's container) has no build tools and needs no console:
// it skips, saying so, instead of failing the install.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
try {
  require.resolve('tsx/package.json');
  require.resolve('esbuild/package.json', { paths: [new URL('../cloud/', import.meta.url).pathname] });
} catch {
  console.log('web console not built: the dev dependencies are not installed (npm run build builds it)');
  process.exit(0);
}
const result = spawnSync('npx', ['tsx', 'scripts/build-web.ts'], { stdio: 'inherit' });
process.exit(result.status ?? 1);
