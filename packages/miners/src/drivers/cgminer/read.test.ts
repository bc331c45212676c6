import t from 'tap';
import { MinerError } from '../../errors.js';
import { fixture } from '../../fixtures/fixture.js';
import { type CgminerReply, decodeReply } from '../../transports/cgminer/reply.js';
import { readCgminer } from './read.js';

/** A miner that answers from recorded replies, decoded the way the transport would. */
function recorded(replies: Record<string, string>) {
  const sent: string[] = [];
  const send = async (command: string): Promise<CgminerReply> => {
    sent.push(command);
    const path = replies[command];
    if (path === undefined) throw new Error(`no fixture for ${command}`);
    return decodeReply(fixture(path));
  };
  return { send, sent };
}

t.test('reads a stock Antminer S19 Pro', async (t) => {
  const miner = recorded({
    summary: 'antminer-bmminer/summary.json',
    version: 'antminer-bmminer/version.json',
  });
  t.same(await readCgminer('127.0.0.9', miner.send), {
    ip: '127.0.0.9',
    vendor: 'bitmain',
    model: 'Antminer S19 Pro',
    firmware: 'BMMiner 1.0.0',
    status: 'ok',
    hashrateMhs: 110_566_890,
    hashrateAvgMhs: 111_834_850,
    hashrateExpectedMhs: 110_000_000,
    boards: [],
    fansRpm: [],
    pools: [],
    uptimeS: 50_474,
    errors: [],
  });
  t.same(miner.sent, ['summary', 'version'], 'one command at a time, summary first');
});

t.test('a miner that refuses `version` is read as model unknown', async (t) => {
  const miner = recorded({ summary: 'cgminer/summary.json', version: 'vnish/version.json' });
  const reading = await readCgminer('127.0.0.9', miner.send);
  t.match(reading, {
    vendor: 'unknown',
    model: 'unknown',
    firmware: 'cgminer 4.10.0',
    hashrateExpectedMhs: 0,
  });
});

t.test('no hashrate means offline', async (t) => {
  const zero = Buffer.from('{"STATUS":[{"STATUS":"S"}],"SUMMARY":[{"GHS 5s":0,"GHS av":0,"Elapsed":9}]}');
  const send = async (command: string) =>
    decodeReply(command === 'summary' ? zero : fixture('antminer-bmminer/version.json'));
  t.match(await readCgminer('127.0.0.9', send), { status: 'offline', hashrateMhs: 0, uptimeS: 9 });
});

t.test('connection failures propagate', async (t) => {
  const refused = new MinerError('MINER_CONNECT_REFUSED', 'refused');
  await t.rejects(
    readCgminer('127.0.0.9', () => Promise.reject(refused)),
    refused,
  );
  const miner = recorded({ summary: 'antminer-bmminer/summary.json' });
  const timeout = new MinerError('MINER_TIMEOUT', 'slow');
  const send = (command: string) => (command === 'version' ? Promise.reject(timeout) : miner.send(command));
  await t.rejects(readCgminer('127.0.0.9', send), { code: 'MINER_TIMEOUT' });
});
