import { AppError } from '../../http/errors.js';

/** One row of data/miner-models.csv: a model's nameplate figures. */
export interface CatalogCsvRow {
  vendor: string;
  model: string;
  hashrateTh: number;
  powerW: number;
  /** W per TH/s (J/TH): the file's figure; a tenant's model gets power / hashrate to 2 decimals. */
  efficiencyJTh: number;
  releaseYear: number | null;
  cooling: string;
  source: string;
}

const HEADER = 'vendor,model,hashrate_th,power_w,efficiency_j_th,release_year,cooling,source';

const csvInvalid = (line: number, why: string) =>
  new AppError('CATALOG_CSV_INVALID', 500, `miner catalog CSV line ${line}: ${why}`);

/**
 * Parses the shipped catalog. The file is ours and simple (no quoting, no commas inside fields), so anything
 * else is refused with the line number rather than read approximately.
 */
export function parseCatalogCsv(text: string): CatalogCsvRow[] {
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== '');
  if (lines[0]?.trim() !== HEADER) throw csvInvalid(1, `header must be ${HEADER}`);
  return lines.slice(1).map((line, index) => {
    const number = index + 2;
    if (line.includes('"')) throw csvInvalid(number, 'quoted fields are not supported');
    const fields = line.split(',').map((field) => field.trim());
    if (fields.length !== 8) throw csvInvalid(number, `expected 8 fields, got ${fields.length}`);
    const [vendor, model, hashrate, power, efficiency, year, cooling, source] = fields as [
      string,
      string,
      string,
      string,
      string,
      string,
      string,
      string,
    ];
    const positive = (value: string, name: string) => {
      const parsed = Number(value);
      if (value === '' || !Number.isFinite(parsed) || parsed <= 0)
        throw csvInvalid(number, `${name} must be a positive number`);
      return parsed;
    };
    if (vendor === '' || model === '') throw csvInvalid(number, 'vendor and model are required');
    if (year !== '' && !/^\d{4}$/.test(year)) throw csvInvalid(number, 'release_year must be a year');
    return {
      vendor,
      model,
      hashrateTh: positive(hashrate, 'hashrate_th'),
      powerW: positive(power, 'power_w'),
      efficiencyJTh: positive(efficiency, 'efficiency_j_th'),
      releaseYear: year === '' ? null : Number(year),
      cooling,
      source,
    };
  });
}

/** The catalog id of a model: lower-case vendor and model, runs of other characters as one dash. */
export function modelSlug(vendor: string, model: string): string {
  return `${vendor} ${model}`
    .toLowerCase()
    .replace(/\+/g, ' plus ')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/** How model names are compared (miner reports, calculator requests): case, spaces and dashes ignored. */
export function modelKey(name: string): string {
  return name.toLowerCase().replace(/[\s_-]+/g, '');
}
