import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inspect } from 'node:util';
import t from 'tap';
import { CORPUS_DIR, corpusMissing } from '../../test/recorded.js';
import { parseMinerConf } from './conf.js';

const corpusConf = (name: string) => parseMinerConf(readFileSync(join(CORPUS_DIR, name), 'utf8'));

t.test('every recorded conf: X19+ takes JSON, X17 and older the form', { skip: corpusMissing }, async (t) => {
  const expected: Record<string, 'json' | 'form'> = {
    'antminer-cgi/get_miner_conf.cgi.s21.json': 'json',
    'antminer-cgi/get_miner_conf.cgi.s19pro.json': 'json',
    'antminer-cgi/get_miner_conf.cgi.s19-sleeping.json': 'json',
    'antminer-cgi/get_miner_conf.cgi.s17plus.json': 'form',
    'antminer-cgi/get_miner_conf.cgi.l3.json': 'form',
  };
  for (const [name, body] of Object.entries(expected)) t.equal(corpusConf(name).body, body, name);
});

t.test('the settings a write carries back, exactly', { skip: corpusMissing }, async (t) => {
  t.strictSame(corpusConf('antminer-cgi/get_miner_conf.cgi.s19-sleeping.json'), {
    body: 'json',
    pools: [
      { url: 'aaa:700', user: 'aaa.248x75', password: 'x' },
      { url: 'bbb:6000', user: 'bbb.248x75', password: 'x' },
      { url: 'ccc:1314', user: 'ccc.248x75', password: 'x' },
    ],
    fanCtrl: false,
    fanPwm: '100',
    freq: '675',
    freqLevel: '100',
    voltage: '1400',
    workMode: '1',
    noBeeper: false,
    noTempOverCtrl: false,
  });
  t.match(corpusConf('antminer-cgi/get_miner_conf.cgi.s21.json'), {
    pools: [{ url: 'stratum+tcp://stratum.example.com:3333' }, { url: '' }, { url: '' }],
  });
  t.match(corpusConf('antminer-cgi/get_miner_conf.cgi.l3.json'), {
    freq: '384',
    fanPwm: undefined,
    voltage: undefined,
    workMode: undefined,
  });
  t.match(corpusConf('antminer-cgi/get_miner_conf.cgi.s17plus.json'), {
    freq: 'O',
    voltage: '1700',
    workMode: '0',
  });
});

t.test('firmware quirks: an empty fan-ctrl value, bare and quoted flags, numeric settings', async (t) => {
  const conf = parseMinerConf(
    '\n\n{"pools":[],"bitmain-fan-ctrl" : ,"bitmain-nobeeper":true,"bitmain-notempoverctrl":"true","bitmain-freq":550}',
  );
  t.match(conf, { fanCtrl: false, noBeeper: true, noTempOverCtrl: true, freq: '550', body: 'form' });
  t.equal(parseMinerConf('{"pools":[],"bitmain-fan-ctrl":"true"}').fanCtrl, true);
});

t.test('a conf it does not understand is a bad reply that never quotes the conf', async (t) => {
  const secret = 'CONF-CANARY-pass';
  const pool = `{"url":"stratum+tcp://p:3333","user":"w","pass":"${secret}"}`;
  const hostile = [
    '',
    '<html><title>500</title></html>',
    `{"pools":[${pool}]`,
    '[]',
    'null',
    `{"pools":{"0":${pool}}}`,
    `{"pools":[${pool},${pool},${pool},${pool}]}`,
    '{"pools":[{"url":"a","user":"b","pass":7}]}',
    '{"pools":[null]}',
    `{"pools":[${pool}],"bitmain-fan-ctrl":"yes"}`,
    `{"pools":[${pool}],"bitmain-freq":{"level":1}}`,
    `{"pools":[${pool}],"bitmain-voltage":"${'9'.repeat(65)}"}`,
    `{"pools":[${pool}],"bitmain-work-mode":null}`,
  ];
  for (const text of hostile) {
    const error = t.throws(() => parseMinerConf(text), { code: 'MINER_BAD_REPLY' }, text.slice(0, 60));
    t.notOk(inspect(error).includes(secret), 'the pool password is not in the error');
  }
});
