import { readFileSync } from 'node:fs';
import t from 'tap';
import { findModel, minerModels } from './models.js';

t.test('the catalog matches data/miner-models.csv', async (t) => {
  const csv = readFileSync(new URL('../../../data/miner-models.csv', import.meta.url), 'utf8');
  const [header, ...rows] = csv.trim().split('\n');
  const columns = header!.split(',');
  const at = (row: string[], name: string) => row[columns.indexOf(name)]!;
  const expected = rows.map((line) => {
    const row = line.split(',');
    return {
      model: at(row, 'model'),
      hashrateTh: Number(at(row, 'hashrate_th')),
      powerW: Number(at(row, 'power_w')),
    };
  });
  t.same(minerModels, expected);
});

t.test('finds a model whatever its case and spacing', async (t) => {
  t.same(findModel('Antminer S19 Pro'), { model: 'Antminer S19 Pro', hashrateTh: 110, powerW: 3250 });
  t.equal(findModel(' antminer  s19 PRO ')?.model, 'Antminer S19 Pro');
  t.equal(
    findModel('Antminer S19'),
    minerModels.find((entry) => entry.model === 'Antminer S19'),
  );
  t.equal(findModel('Antminer S99'), undefined);
});
