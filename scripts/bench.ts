// `npm run bench -- <name>` runs scripts/bench/<name>.ts, one benchmark per file, whose figures go in the README's
// Performance table. No or an unknown name lists the benchmarks and exits 2.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const folder = join(import.meta.dirname, 'bench');
const available = readdirSync(folder)
  .filter((file) => file.endsWith('.ts'))
  .map((file) => file.slice(0, -'.ts'.length))
  .sort();
const name = process.argv[2];

// Only names from the listing are imported, so an argument can never reach a file outside scripts/bench.
if (name === undefined || !available.includes(name)) {
  if (name !== undefined) console.error(`bench: no benchmark named ${JSON.stringify(name)}`);
  console.error(`usage: npm run bench -- <name>\nbenchmarks: ${available.join(', ')}`);
  process.exit(2);
}
await import(pathToFileURL(join(folder, `${name}.ts`)).href);
