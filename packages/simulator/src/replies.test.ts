import { readFileSync } from 'node:fs';
import t from 'tap';
import { devsReply, poolsReply, type Reply, statsReply, summaryReply, versionReply } from './replies.js';
import type { Sample } from './telemetry.js';

const sample: Sample = {
  when: 1_755_615_295,
  elapsed: 50_474,
  ghs5s: 110_566.89,
  ghsAv: 111_834.85,
  accepted: 4057,
  rejected: 11,
  stale: 1,
};

const recorded = (name: string): Reply =>
  JSON.parse(readFileSync(new URL(`fixtures/antminer-bmminer/${name}.json`, import.meta.url), 'utf8'));

/** Every key of the recorded object, with the JSON type of its value, recursing into objects and lists. */
function shape(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(shape);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, shape(inner)]));
  }
  return typeof value;
}

t.test('replies carry every field of a real Antminer S19 Pro, with the same types', async (t) => {
  const replies: Array<[string, Reply]> = [
    ['summary', summaryReply(sample)],
    ['version', versionReply(sample.when, 'Antminer S19 Pro')],
    ['pools', poolsReply(sample, 'worker')],
    ['devs', devsReply(sample)],
    ['stats', statsReply(sample, 'Antminer S19 Pro', 110_000, '8001020304481c00')],
  ];
  for (const [name, reply] of replies) {
    const real = recorded(name);
    t.match(shape(reply), shape(real), name);
  }
});

t.test('summary reports the sample as is', async (t) => {
  t.match(summaryReply(sample), {
    STATUS: [{ STATUS: 'S', When: sample.when, Code: 11, Msg: 'Summary', Description: 'cgminer 1.0.0' }],
    SUMMARY: [
      { Elapsed: 50_474, 'GHS 5s': 110_566.89, 'GHS av': 111_834.85, Accepted: 4057, Rejected: 11, Stale: 1 },
    ],
    id: 1,
  });
});

t.test('chain rates add up to the total', async (t) => {
  const data = (statsReply(sample, 'Antminer S19 Pro', 110_000, '8001020304481c00').STATS as Reply[])[1]!;
  const sum = [1, 2, 3].reduce((total, chain) => total + Number(data[`chain_rate${chain}`]), 0);
  t.ok(Math.abs(sum - sample.ghs5s) < 0.02, `${sum} ≈ ${sample.ghs5s}`);
  t.equal(data.chain_rate4, '');
});
