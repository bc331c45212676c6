// How each firmware's API server takes requests: JSON, cgminer's text form where the firmware has it, btminer's
// `cmd` key, and what it refuses (stock Antminer's api-groups, VNish's removed `version`).
import { cgminerCommand, decodeTextReply } from '@hashinsight/miners';
import t from 'tap';
import { ask, raw, started } from '../test/support.js';
import type { VirtualMiner } from '../virtual-miner.js';
import type { PersonalityName } from './index.js';

const json = async (miner: VirtualMiner, request: string) =>
  JSON.parse((await raw(miner, request)).subarray(0, -1).toString('utf8'));

t.test('the text form where the firmware is cgminer underneath, Invalid JSON elsewhere', async (t) => {
  const text: Record<PersonalityName, boolean> = {
    antminer: true,
    avalon: true,
    vnish: true,
    whatsminer: false,
    braiins: false,
    luxos: false,
  };
  for (const [personality, speaksText] of Object.entries(text) as Array<[PersonalityName, boolean]>) {
    const now = () => Date.UTC(2025, 0, 1);
    const miner = await started(t, { personality, now, seed: 4 });
    // A twin with the same seed and clock, for the JSON form of the same reply.
    const twin = await started(t, { personality, now, seed: 4 });
    const reply = await raw(miner, 'summary');
    t.equal(reply.at(-1), 0, `${personality}: NUL-terminated`);
    if (speaksText) {
      t.match(
        reply.toString('latin1'),
        /^STATUS=S,When=\d+,Code=11,Msg=Summary,Description=[^|]+\|SUMMARY,Elapsed=0,/,
      );
      const decoded = decodeTextReply(reply, 'summary');
      const same = await ask(twin, 'summary');
      t.same(
        decoded.body.SUMMARY,
        same.SUMMARY,
        `${personality}: the text form says what the JSON form says`,
      );
    } else {
      t.match(JSON.parse(reply.subarray(0, -1).toString()), {
        STATUS: [{ STATUS: 'E', Code: 23, Msg: 'Invalid JSON' }],
      });
    }
  }
});

t.test('text values are escaped as cgminer escapes them', async (t) => {
  const miner = await started(t, { personality: 'avalon' });
  await cgminerCommand(miner.ip, 'addpool', 'stratum+tcp://a.invalid:1,w|x=y\\,z,p', {
    port: miner.port,
    form: 'text',
  });
  const pools = await cgminerCommand(miner.ip, 'pools', undefined, { port: miner.port, form: 'text' });
  t.match(pools.body.POOLS, [{}, {}, {}, { POOL: 3, User: 'w|x=y,z', URL: 'stratum+tcp://a.invalid:1' }]);
});

t.test('stock Antminer: five commands from the LAN, Access denied for the rest', async (t) => {
  const miner = await started(t, { personality: 'antminer' });
  for (const command of ['devdetails', 'restart', 'addpool', 'switchpool', 'ascset', 'estats', 'config']) {
    t.match(await ask(miner, command), {
      STATUS: [{ STATUS: 'E', Code: 45, Msg: `Access denied to '${command}' command` }],
    });
  }
  t.match(await ask(miner, 'frobnicate'), { STATUS: [{ STATUS: 'E', Code: 14, Msg: 'Invalid command' }] });
  t.match(await ask(miner, 'summary+pools'), { STATUS: [{ STATUS: 'E', Code: 14 }] }, 'X19 does not join');
  t.match(await json(miner, '{"command":'), { STATUS: [{ STATUS: 'E', Code: 23, Msg: 'Invalid JSON' }] });
  t.match(await json(miner, '{"cmd":"summary"}'), { STATUS: [{ STATUS: 'E', Code: 24 }] });
  t.match(
    (await raw(miner, '[1,2]')).toString(),
    /^STATUS=E,When=\d+,Code=14,Msg=Invalid command,/,
    'text form',
  );
  t.match(await json(miner, '{"command":7}'), { STATUS: [{ STATUS: 'E', Code: 24 }] });
});

t.test("Whatsminer: btminer's cmd key and its flat replies", async (t) => {
  const miner = await started(t, { personality: 'whatsminer' });
  t.match(await json(miner, '{"cmd":"summary"}'), {
    STATUS: [{ Code: 11, Description: 'btminer' }],
    SUMMARY: [{}],
  });
  t.match(await json(miner, '{"cmd":"status"}'), {
    STATUS: 'S',
    Code: 131,
    Msg: { btmineroff: 'false', 'Firmware Version': "'20210322.22.REL'" },
  });
  const version = await cgminerCommand(miner.ip, 'get_version', undefined, { port: miner.port });
  t.match(version, { status: { letter: 'S', code: 131 }, body: { Msg: { fw_ver: '20210322.22.REL' } } });
  t.match(await ask(miner, 'devdetails'), {
    DEVDETAILS: [{ Driver: 'bitmicro', Model: /^M\d+S?\+*_V[A-Z]\d0$/ }],
  });
  t.match(
    await ask(miner, 'set_led'),
    { STATUS: [{ STATUS: 'E', Code: 14 }] },
    'privileged commands need the encrypted API',
  );
});

t.test('VNish: version refused with Code 0, no id where VNish writes the reply', async (t) => {
  const miner = await started(t, { personality: 'vnish', model: 'Antminer S21 Pro' });
  t.same(Object.keys(await ask(miner, 'version')), ['STATUS']);
  t.match(await ask(miner, 'version'), { STATUS: [{ STATUS: 'E', Code: 0, Msg: 'Invalid command' }] });
  t.notOk('id' in (await ask(miner, 'stats')));
  t.match(await ask(miner, 'devdetails'), {
    DEVDETAILS: [{ Driver: 'bitmain_s21pro_drv', Name: 'BTM_S21PRO' }],
    id: 1,
  });
  t.match(await ask(miner, 'stats'), { STATS: [{ Type: 'Antminer S21 Pro (Vnish 1.2.7)' }, {}] });
  t.match(await ask(miner, 'pools'), { POOLS: [{}, {}, {}, { URL: 'DevFee', User: 'DevFee' }] });
});
