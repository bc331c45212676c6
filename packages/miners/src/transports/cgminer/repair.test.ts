import { performance } from 'node:perf_hooks';
import t from 'tap';
import { repairJson } from './repair.js';

t.test('repairs the breakage real firmware sends', async (t) => {
  const cases: Array<[string, string, string]> = [
    ['missing comma between objects', '{"STATS":[{"a":1}{"b":2}]}', '{"STATS":[{"a":1},{"b":2}]}'],
    ['missing comma with whitespace', '[{"a":1} \n {"b":2}]', '[{"a":1}, \n {"b":2}]'],
    ['trailing comma in object', '{"a":1,}', '{"a":1}'],
    ['trailing comma in array', '{"a":[1,2, ]}', '{"a":[1,2 ]}'],
    ['bare nan and -nan', '{"a":nan,"b":-nan}', '{"a":0,"b":0}'],
    ['bare inf in array', '{"a":[inf,1,-inf]}', '{"a":[0,1,0]}'],
    ['quoted nan and inf values', '{"a":"nan","b" : "inf","c":["NaN"]}', '{"a":0,"b" : 0,"c":[0]}'],
    ['numbers stay whole', '{"a":-1.5e-3,"b":-nan,"c":1E+9,}', '{"a":-1.5e-3,"b":0,"c":1E+9}'],
  ];
  for (const [name, input, output] of cases) {
    t.equal(repairJson(input), output, name);
    t.doesNotThrow(() => JSON.parse(repairJson(input)), `${name} parses`);
  }
});

t.test('leaves valid JSON and the inside of strings alone', async (t) => {
  const untouched = [
    '{"STATUS":[{"STATUS":"S","Msg":"Summary"}],"SUMMARY":[{"GHS 5s":"13883.81"}],"id":1}',
    '{"Msg":"a}{b, ] nan inf,}"}',
    '{"nan":1,"inf":"infinite","Type":"Antminer S9\\nV1.3.58","q":"say \\"nan\\""}',
    '{"a":0.5e-3,"b":-1,"c":true,"d":null}',
  ];
  for (const text of untouched) t.equal(repairJson(text), text, text);
});

t.test('stays linear on hostile input', async (t) => {
  const hostile = [
    '"\\'.repeat(300_000),
    '{'.repeat(600_000),
    ',}'.repeat(300_000),
    '"nan" '.repeat(200_000),
  ];
  for (const text of hostile) {
    const start = performance.now();
    repairJson(text);
    const elapsed = performance.now() - start;
    t.ok(elapsed < 1000, `${text.slice(0, 6)}... (${text.length} chars) in ${Math.round(elapsed)} ms`);
  }
});
