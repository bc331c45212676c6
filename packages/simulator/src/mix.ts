import { SimulatorError } from './errors.js';
import { PERSONALITY_NAMES, type PersonalityName } from './personalities/index.js';

/** Share of the fleet per firmware, in whole percent adding up to 100. */
export type Mix = Partial<Record<PersonalityName, number>>;

/** Reads `antminer:60,whatsminer:25,avalon:10,braiins:5`; any problem is a SIMULATOR_BAD_ARGS naming --mix. */
export function parseMix(text: string): Mix {
  const mix: Mix = {};
  for (const entry of text.split(',')) {
    const match = /^\s*([a-z]+)\s*:\s*(\d{1,3})\s*$/.exec(entry);
    if (match === null) {
      throw bad(`--mix entries are firmware:percent, not ${JSON.stringify(entry.slice(0, 40))}`);
    }
    const [, name = '', percent = ''] = match;
    if (!(PERSONALITY_NAMES as readonly string[]).includes(name)) {
      throw bad(`--mix: unknown firmware ${JSON.stringify(name)} (known: ${PERSONALITY_NAMES.join(', ')})`);
    }
    if (mix[name as PersonalityName] !== undefined) throw bad(`--mix names ${name} twice`);
    mix[name as PersonalityName] = Number(percent);
  }
  const total = Object.values(mix).reduce((sum, percent) => sum + percent, 0);
  if (total !== 100) throw bad(`--mix percentages must add up to 100, not ${total}`);
  return mix;
}

/**
 * One firmware per miner for `count` miners: counts proportional to the mix (largest remainders, so they add up
 * to `count`), spread evenly through the fleet rather than in blocks, so any stretch of addresses has the mix.
 */
export function assignMix(mix: Mix, count: number): PersonalityName[] {
  const entries = PERSONALITY_NAMES.flatMap((name) => {
    const percent = mix[name] ?? 0;
    return percent > 0 ? [{ name, exact: (count * percent) / 100 }] : [];
  });
  const counts = entries.map((entry) => Math.floor(entry.exact));
  const byRemainder = entries
    .map((entry, i) => ({ i, remainder: entry.exact - Math.floor(entry.exact) }))
    .sort((a, b) => b.remainder - a.remainder || a.i - b.i);
  for (let left = count - counts.reduce((a, b) => a + b, 0), k = 0; left > 0; left--, k++) {
    const { i } = byRemainder[k % byRemainder.length] as { i: number };
    counts[i] = (counts[i] ?? 0) + 1;
  }
  // Smooth weighted round-robin: every slot credits each firmware its count and goes to the one furthest ahead,
  // which then pays the whole fleet back; after `count` slots each firmware has had exactly its count.
  const credit = entries.map(() => 0);
  const order: PersonalityName[] = [];
  for (let slot = 0; slot < count; slot++) {
    let best = 0;
    for (const i of credit.keys()) {
      credit[i] = (credit[i] ?? 0) + (counts[i] ?? 0);
      if ((credit[i] ?? 0) > (credit[best] ?? 0)) best = i;
    }
    credit[best] = (credit[best] ?? 0) - count;
    order.push((entries[best] as { name: PersonalityName }).name);
  }
  return order;
}

function bad(message: string): SimulatorError {
  return new SimulatorError('SIMULATOR_BAD_ARGS', message);
}
