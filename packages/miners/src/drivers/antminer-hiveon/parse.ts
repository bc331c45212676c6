import type { AntminerStats } from '../antminer-stock/index.js';

/**
 * Hiveon answers like stock bmminer but appends itself to the model ("Antminer S9 Hiveon", "Antminer S19JPRO
 * Hiveon") and tags its bmminer build ("2.0.0 rwglr"): the model loses the suffix, the firmware gains the name.
 */
export function hiveonStats(stats: AntminerStats): AntminerStats {
  return { ...stats, model: stats.model.replace(/\s+hiveon$/i, ''), firmware: `Hiveon ${stats.firmware}` };
}
