// Builds the web console (cloud/web) into cloud/dist/web, which the cloud serves: index.html plus content-hashed
// assets that can be cached forever. Run by `npm run build` (and so by `npm start` and `npm test`) and by
// `npm install` (prepare, through scripts/prepare.mjs). esbuild: one bundle, minified, for the browsers of the
// last few years.
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { build } from 'esbuild';

const root = resolve(import.meta.dirname, '..');
const source = join(root, 'cloud/web');
const out = join(root, 'cloud/dist/web');

await rm(out, { recursive: true, force: true });
await mkdir(join(out, 'assets'), { recursive: true });
const result = await build({
  entryPoints: { app: join(source, 'src/main.tsx') },
  outdir: join(out, 'assets'),
  entryNames: '[name]-[hash]',
  bundle: true,
  minify: true,
  sourcemap: 'linked',
  format: 'esm',
  target: ['chrome110', 'firefox115', 'safari16'],
  jsx: 'automatic',
  jsxImportSource: 'preact',
  metafile: true,
  logLevel: 'warning',
});
const outputs = Object.keys(result.metafile.outputs).map((file) => basename(file));
const script = outputs.find((file) => file.endsWith('.js'));
const style = outputs.find((file) => file.endsWith('.css'));
if (script === undefined || style === undefined) throw new Error(`web build produced ${outputs.join(', ')}`);
const html = (await readFile(join(source, 'index.html'), 'utf8'))
  .replace('%JS%', script)
  .replace('%CSS%', style);
await writeFile(join(out, 'index.html'), html);
console.log(`web console built: cloud/dist/web (${script}, ${style})`);
