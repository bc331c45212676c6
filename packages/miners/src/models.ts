/** Nameplate hashrate and power of one miner model. */
export interface MinerModel {
  model: string;
  hashrateTh: number;
  powerW: number;
}

/** Copied from data/miner-models.csv (model, hashrate_th, power_w); models.test.ts fails when the two drift. */
export const minerModels: readonly MinerModel[] = [
  { model: 'Antminer S9', hashrateTh: 13.5, powerW: 1323 },
  { model: 'Antminer S17e', hashrateTh: 64, powerW: 2880 },
  { model: 'Antminer S19', hashrateTh: 95, powerW: 3250 },
  { model: 'Antminer S19 Pro', hashrateTh: 110, powerW: 3250 },
  { model: 'Antminer T19', hashrateTh: 84, powerW: 3150 },
  { model: 'Antminer S19j', hashrateTh: 90, powerW: 3250 },
  { model: 'Antminer S19j Pro', hashrateTh: 104, powerW: 3068 },
  { model: 'Antminer S19a', hashrateTh: 100, powerW: 3450 },
  { model: 'Antminer S19a Pro', hashrateTh: 110, powerW: 3245 },
  { model: 'Antminer S19 XP', hashrateTh: 140, powerW: 3010 },
  { model: 'Antminer S19j Pro+', hashrateTh: 117, powerW: 3218 },
  { model: 'Antminer S19k Pro', hashrateTh: 120, powerW: 2760 },
  { model: 'Antminer S21', hashrateTh: 200, powerW: 3500 },
  { model: 'Antminer T21', hashrateTh: 190, powerW: 3610 },
  { model: 'Antminer S21 Pro', hashrateTh: 234, powerW: 3510 },
  { model: 'Antminer S21 XP', hashrateTh: 270, powerW: 3645 },
  { model: 'Antminer S21 Hydro', hashrateTh: 335, powerW: 5360 },
  { model: 'Antminer S21+ Hydro', hashrateTh: 319, powerW: 4785 },
  { model: 'Whatsminer M21S', hashrateTh: 56, powerW: 3360 },
  { model: 'Whatsminer M30S', hashrateTh: 88, powerW: 3344 },
  { model: 'Whatsminer M30S+', hashrateTh: 100, powerW: 3400 },
  { model: 'Whatsminer M30S++', hashrateTh: 106, powerW: 3472 },
  { model: 'Whatsminer M31S', hashrateTh: 74, powerW: 3404 },
  { model: 'Whatsminer M31S+', hashrateTh: 80, powerW: 3360 },
  { model: 'Whatsminer M50', hashrateTh: 118, powerW: 3422 },
  { model: 'Whatsminer M50S++', hashrateTh: 158, powerW: 3476 },
  { model: 'Whatsminer M56S++', hashrateTh: 242, powerW: 5445 },
  { model: 'Whatsminer M60', hashrateTh: 172, powerW: 3423 },
  { model: 'Whatsminer M60S', hashrateTh: 186, powerW: 3441 },
  { model: 'Whatsminer M66', hashrateTh: 282, powerW: 5612 },
  { model: 'Whatsminer M66S+', hashrateTh: 314, powerW: 5338 },
  { model: 'AvalonMiner 1066', hashrateTh: 50, powerW: 3250 },
  { model: 'AvalonMiner 1146 Pro', hashrateTh: 63, powerW: 3276 },
  { model: 'AvalonMiner 1166 Pro', hashrateTh: 81, powerW: 3402 },
  { model: 'AvalonMiner 1246', hashrateTh: 90, powerW: 3420 },
  { model: 'Avalon A1346', hashrateTh: 110, powerW: 3300 },
  { model: 'Avalon A1366', hashrateTh: 130, powerW: 3250 },
  { model: 'Avalon A1466', hashrateTh: 150, powerW: 3230 },
  { model: 'Avalon A1466I', hashrateTh: 170, powerW: 3315 },
  { model: 'Avalon A16', hashrateTh: 282, powerW: 3900 },
  { model: 'Avalon A16 XP', hashrateTh: 300, powerW: 3850 },
];

const byName = new Map(minerModels.map((entry) => [normalize(entry.model), entry]));

/** The catalog entry for a model name as miners report it (case and spacing do not matter). */
export function findModel(name: string): MinerModel | undefined {
  return byName.get(normalize(name));
}

function normalize(name: string): string {
  return name.trim().replace(/\s+/g, ' ').toLowerCase();
}
