// `npm run bench -- agent [part...]`: the edge agent's figures for the README's Performance table.
//   scan   /16 scan time with 5,000 simulated miners (scripts/bench/agent/scan.ts)
//   poll   miners sustained at a 10 s interval with p99 lag under 1 s, agent CPU and RSS (agent/poll.ts)
//   outbox, drain, wire   bytes per sample on disk, backlog drain rate, bytes per sample on the wire
// No part named: all of them, in that order. Each part is a module exporting run(): Promise<void>.
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const PARTS = ['scan', 'poll', 'outbox', 'drain', 'wire'];
const asked = process.argv.slice(3);
const unknown = asked.filter((part) => !PARTS.includes(part));
if (unknown.length > 0) {
  console.error(`bench agent: no part named ${JSON.stringify(unknown[0])}\nparts: ${PARTS.join(', ')}`);
  process.exit(2);
}

// The box may be shared: the load it carried is part of every figure.
const load = () =>
  loadavg()
    .map((n) => n.toFixed(1))
    .join(' ');
for (const part of asked.length > 0 ? asked : PARTS) {
  const file = join(import.meta.dirname, 'agent', `${part}.ts`);
  if (!existsSync(file)) {
    console.log(`agent ${part}: not written yet (${file})`);
    continue;
  }
  console.log(`\n== agent ${part} (load average ${load()})`);
  const module = (await import(pathToFileURL(file).href)) as { run?: () => Promise<void> };
  await module.run?.();
}
