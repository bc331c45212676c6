import { findModel } from '@hashinsight/miners';
import t from 'tap';
import { antminerHardware } from './hardware.js';
import { Telemetry } from './telemetry.js';

const model = findModel('Antminer S19 Pro')!;
const hardware = antminerHardware(model.model);

function telemetry(seed = 1) {
  const clock = { now: Date.UTC(2025, 0, 1) };
  return { clock, telemetry: new Telemetry(model, hardware, seed, () => clock.now) };
}

t.test('boards add up to the totals; the 5 s rate wanders within 2% of nominal', async (t) => {
  const { telemetry: sim } = telemetry();
  for (let i = 0; i < 50; i++) {
    const s = sim.sample();
    const sum = s.boards.reduce((total, board) => total + board.ghs5s, 0);
    t.ok(Math.abs(sum - s.ghs5s) < 0.011, 'boards sum to the total');
    t.ok(Math.abs(s.ghs5s - 110_000) <= 110_000 * 0.021);
  }
});

t.test('power mode moves hashrate, power, temperatures and fans together', async (t) => {
  const { telemetry: sim } = telemetry();
  const normal = sim.sample();
  sim.setLoad({ powerMode: 'low', asleep: false });
  const low = sim.sample();
  sim.setLoad({ powerMode: 'high', asleep: false });
  const high = sim.sample();
  t.ok(low.ghs5s < normal.ghs5s && normal.ghs5s < high.ghs5s, 'hashrate');
  t.ok(low.powerW < normal.powerW && normal.powerW < high.powerW, 'power');
  t.same([low.ratedGhs, normal.ratedGhs, high.ratedGhs], [88_000, 110_000, 121_000], 'rated rate per mode');
  const hottest = (s: typeof normal) => Math.max(...s.boards.map((board) => board.chipTempC));
  t.ok(hottest(low) < hottest(normal) && hottest(normal) < hottest(high), 'chip temperatures');
  t.ok(Math.max(...low.fansRpm) < Math.min(...high.fansRpm), 'fans');
  t.ok(Math.abs(normal.powerW - 3250) < 3250 * 0.02, `${normal.powerW} W ≈ the model's 3250 W`);
});

t.test('asleep: no hashrate, a trickle of power, cool boards, idle fans, chips found but idle', async (t) => {
  const { telemetry: sim } = telemetry();
  sim.setLoad({ powerMode: 'normal', asleep: true });
  const s = sim.sample();
  t.match(s, { ghs5s: 0, idealGhs: 0, asleep: true, ratedGhs: 110_000 });
  t.ok(s.powerW < 50);
  t.ok(
    s.boards.every((board) => board.chipsFound === 114 && board.chipsHashing === 0 && board.chipTempC < 35),
  );
  t.ok(s.fansRpm.every((rpm) => rpm < 2000));
});

t.test('a failed board: no rate, no chips, and the totals lose it', async (t) => {
  const { telemetry: sim } = telemetry();
  sim.setLoad({ powerMode: 'normal', asleep: false, failedBoard: 1 });
  const s = sim.sample();
  t.match(s.boards[1], { ghs5s: 0, idealGhs: 0, chipsFound: 0, chipsHashing: 0, powerW: 0 });
  t.ok(s.ghs5s < 110_000 * 0.7);
  t.ok(s.powerW < 3250 * 0.75);
});

t.test('GHS av is work over uptime: it moves slowly after a change; shares follow the work', async (t) => {
  const { clock, telemetry: sim } = telemetry();
  clock.now += 3_600_000;
  const hour = sim.sample();
  t.equal(hour.elapsed, 3600);
  sim.setLoad({ powerMode: 'low', asleep: false });
  clock.now += 3_600_000;
  const later = sim.sample();
  t.ok(Math.abs(later.ghsAv - (hour.ghsAv + hour.ghsAv * 0.8) / 2) < 1, 'the average of an hour each');
  t.ok(later.accepted > hour.accepted && later.accepted < hour.accepted * 2, 'fewer shares in the low hour');
  sim.restart();
  t.match(sim.sample(), { elapsed: 0, accepted: 0 });
});

t.test('the same seed and clock give the same numbers', async (t) => {
  const a = telemetry(9).telemetry;
  const b = telemetry(9).telemetry;
  const c = telemetry(10).telemetry;
  t.same(a.sample(), b.sample());
  t.notSame(a.sample(), c.sample());
});
