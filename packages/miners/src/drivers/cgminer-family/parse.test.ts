import t from 'tap';
import { fixture } from '../../fixtures/fixture.js';
import { type CgminerReply, decodeReply } from '../../transports/cgminer/reply.js';
import { parseSummary, parseVersion, vendorOf } from './parse.js';

const reply = (sections: Record<string, unknown>, description = 'cgminer 1.0.0'): CgminerReply => ({
  status: { letter: 'S', code: 11, msg: 'Summary', description, when: 0 },
  body: sections,
});

t.test('summary of a stock Antminer S19 Pro (bmminer, GH/s)', async (t) => {
  t.same(parseSummary(decodeReply(fixture('antminer-bmminer/summary.json'))), {
    hashrateMhs: 110_566_890,
    hashrateAvgMhs: 111_834_850,
    uptimeS: 50_474,
    accepted: 4057,
    rejected: 11,
    stale: 1,
  });
});

t.test('summary of cgminer 4.10 (MH/s)', async (t) => {
  t.same(parseSummary(decodeReply(fixture('cgminer/summary.json'))), {
    hashrateMhs: 357,
    hashrateAvgMhs: 336,
    uptimeS: 48_417,
    accepted: 8215,
    rejected: 75,
    stale: 0,
  });
});

t.test('GH/s sent as strings, as old bmminer does; missing counters count as 0', async (t) => {
  const summary = { 'GHS 5s': '13883.81', 'GHS av': 13890.36, Elapsed: 293628, Accepted: 10 };
  t.same(parseSummary(reply({ SUMMARY: [summary] })), {
    hashrateMhs: 13_883_810,
    hashrateAvgMhs: 13_890_360,
    uptimeS: 293_628,
    accepted: 10,
    rejected: 0,
    stale: 0,
  });
});

t.test('a summary it cannot trust is a bad reply', async (t) => {
  const good = { 'GHS 5s': 1, 'GHS av': 1, Elapsed: 1 };
  const bad: Array<[string, Record<string, unknown>]> = [
    ['no SUMMARY', {}],
    ['SUMMARY not a list', { SUMMARY: good }],
    ['empty SUMMARY', { SUMMARY: [] }],
    ['no hashrate', { SUMMARY: [{ Elapsed: 1 }] }],
    ['no Elapsed', { SUMMARY: [{ 'GHS 5s': 1, 'GHS av': 1 }] }],
    ['NaN hashrate', { SUMMARY: [{ ...good, 'GHS 5s': 'nan' }] }],
    ['empty string', { SUMMARY: [{ ...good, 'GHS av': '' }] }],
    ['null counter', { SUMMARY: [{ ...good, Accepted: null }] }],
    ['infinite uptime', { SUMMARY: [{ ...good, Elapsed: Number.POSITIVE_INFINITY }] }],
    ['negative hashrate', { SUMMARY: [{ ...good, 'GHS 5s': -110000 }] }],
    ['hashrate of a whole network', { SUMMARY: [{ ...good, 'MHS 5s': 9e14, 'GHS 5s': undefined }] }],
    ['negative uptime', { SUMMARY: [{ ...good, Elapsed: -5 }] }],
    ['uptime past uint32', { SUMMARY: [{ ...good, Elapsed: 2 ** 32 }] }],
    ['negative counter', { SUMMARY: [{ ...good, Rejected: -1 }] }],
    ['counter past 2^53', { SUMMARY: [{ ...good, Accepted: 2 ** 60 }] }],
  ];
  for (const [name, body] of bad) {
    t.throws(() => parseSummary(reply(body)), { name: 'MinerError', code: 'MINER_BAD_REPLY' }, name);
  }
});

t.test('version gives model and firmware', async (t) => {
  t.same(parseVersion(decodeReply(fixture('antminer-bmminer/version.json'))), {
    model: 'Antminer S19 Pro',
    firmware: 'BMMiner 1.0.0',
  });
  t.same(parseVersion(reply({ VERSION: [{ BMMiner: '2.0.0', Type: 'Antminer S9\nV1.3.58' }] })), {
    model: 'Antminer S9',
    firmware: 'BMMiner 2.0.0',
  });
  t.same(parseVersion(reply({ VERSION: [{ CGMiner: '4.9.0', Type: 'Antminer L3 (Blissz v1.02)' }] })), {
    model: 'Antminer L3',
    firmware: 'CGMiner 4.9.0',
  });
  t.same(parseVersion(reply({ VERSION: [{ API: '3.1' }] }, 'cgminer 4.11.1')), {
    model: 'unknown',
    firmware: 'cgminer 4.11.1',
  });
});

t.test('vendor from the model name', async (t) => {
  t.equal(vendorOf('Antminer S19 Pro'), 'bitmain');
  t.equal(vendorOf('Whatsminer M30S++'), 'microbt');
  t.equal(vendorOf('AvalonMiner 1246'), 'canaan');
  t.equal(vendorOf('Avalon A1466'), 'canaan');
  t.equal(vendorOf('Goldshell KD6'), 'other');
  t.equal(vendorOf('unknown'), 'unknown');
});

t.test('the short window is named after the --log interval: MHS 30s on Avalon A10 and later', async (t) => {
  const summary = { 'MHS av': 25536751.74, 'MHS 30s': 32247416.81, 'MHS 1m': 28134393.97, Elapsed: 155 };
  t.match(parseSummary(reply({ SUMMARY: [summary] })), {
    hashrateMhs: 32_247_417,
    hashrateAvgMhs: 25_536_752,
  });
  t.match(parseSummary(reply({ SUMMARY: [{ ...summary, 'MHS 5s': 1 }] })), { hashrateMhs: 1 }, '5s wins');
  t.throws(
    () => parseSummary(reply({ SUMMARY: [{ ...summary, 'MHS 30s': 'nan' }] })),
    { code: 'MINER_BAD_REPLY' },
    'the found window is bounded like the default one',
  );
  t.throws(
    () => parseSummary(reply({ SUMMARY: [{ 'MHS av': 1, 'MHS 1m': 1, Elapsed: 1 }] })),
    { code: 'MINER_BAD_REPLY' },
    'minute windows are not the short window',
  );
});
