import t from 'tap';
import type { CgminerReply } from '../../transports/cgminer/index.js';
import { probeMentions } from './probe.js';

const reply = (section: string, record: unknown, description = 'cgminer 4.11.1'): CgminerReply => ({
  status: { letter: 'S', code: 22, msg: 'versions', description, when: 0 },
  body: { [section]: [record] },
});

t.test('a firmware names itself in a description, a key or a text value', async (t) => {
  t.ok(probeMentions({ version: reply('VERSION', {}, 'BOSminer+ 0.2.0') }, /bosminer/i), 'description');
  t.ok(probeMentions({ version: reply('VERSION', { LUXminer: '2025.4.8' }) }, /luxminer/i), 'key');
  t.ok(
    probeMentions({ version: reply('VERSION', { Type: 'Antminer S9 (vnish 3.8.6)' }) }, /vnish/i),
    'value',
  );
  t.ok(probeMentions({ devdetails: reply('DEVDETAILS', {}, 'BOSer boser-openwrt 0.1.0') }, /boser/i));
});

t.test('nothing else counts', async (t) => {
  t.notOk(probeMentions({}, /bosminer/i), 'empty probe');
  t.notOk(probeMentions({ version: reply('VERSION', { API: 3.7, BMMiner: '2.0.0' }) }, /vnish/i));
  t.notOk(probeMentions({ version: reply('DEVDETAILS', { Driver: 'vnish' }) }, /vnish/i), 'wrong section');
  t.notOk(probeMentions({ version: reply('VERSION', 'VNish') }, /vnish/i), 'not a record');
});
