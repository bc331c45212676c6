/** The parts of a miner that shape its replies: hash boards, chips on each, fans. */
export interface Hardware {
  boards: number;
  chipsPerBoard: number;
  /** 0 on hydro-cooled models, which have no fans of their own. */
  fans: number;
}

/** Chips per hash board of Bitmain models (bmminer `chain_acn`); a model not listed gets the S19 Pro's 114. */
const ANTMINER_CHIPS: ReadonlyArray<[RegExp, number]> = [
  [/^Antminer S9\b/, 63],
  [/^Antminer S17/, 48],
  [/^Antminer S19k Pro\b/, 77],
  [/^Antminer S19j Pro\b/, 126],
  [/^Antminer S19 XP\b/, 110],
  [/^Antminer (S19|T19|S19j|S19a)$/, 76],
  [/^Antminer S21 Pro\b/, 65],
  [/^Antminer S21 XP\b/, 91],
  [/^Antminer S21\+? Hydro\b/, 216],
  [/^Antminer [ST]21\b/, 108],
];

/** Three hash boards, as every model of the catalog has. */
const BOARDS = 3;

export function antminerHardware(model: string): Hardware {
  const chips = ANTMINER_CHIPS.find(([pattern]) => pattern.test(model))?.[1] ?? 114;
  return { boards: BOARDS, chipsPerBoard: chips, fans: /hydro/i.test(model) ? 0 : 4 };
}

/** Whatsminers report an intake and an outtake fan (`Fan Speed In`/`Out`). */
export function whatsminerHardware(model: string): Hardware {
  return { boards: BOARDS, chipsPerBoard: /M[2-3]\d/.test(model) ? 111 : 156, fans: 2 };
}

/** AvalonMiner 10xx-12xx: 120 chips a board and four fans; A13 and later: 160 chips and two fans. */
export function avalonHardware(model: string): Hardware {
  const older = /AvalonMiner 1[0-2]\d\d/.test(model);
  return { boards: BOARDS, chipsPerBoard: older ? 120 : 160, fans: older ? 4 : 2 };
}
