// `npm run bench -- console`: the web console with 10,000 miners, in Debian's Chromium. The cloud runs in this
// process (SQLite, embedded broker, silent) and serves its built console; 50 agents enrolled through the API
// publish protobuf TelemetryBatches of 200 miners over MQTT, so the fleet is stored by the real ingest (IPs
// sealed, rollups, latest rows) — a few rounds 5 minutes apart for the charts. Then, logged in through the form:
// 1. /miners loaded LOADS times: time to the first table rows (the page's `hashinsight:miners-first-rows` mark,
//    from navigation start), and the rows in the DOM;
// 2. / loaded LOADS times: the overview's `hashinsight:overview-ready` mark;
// 3. on /miners: a sort change (a column header) and a filter change (the search box), each from the input to the
//    first rows changing on screen;
// 4. scrolling the table to its 10,000th miner: the most rows ever in the DOM (virtualised: a few dozen) and every
//    long task of the whole session (none may pass 200 ms).
// BENCH_CONSOLE_MINERS (multiple of 200) for a smaller fleet.
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import {
  agentPresenceCodec,
  agentTopic,
  ipToBytes,
  macToBytes,
  telemetryAckCodec,
  telemetryBatchCodec,
} from '@hashinsight/protocol';
import { launchChromium, type Page } from '@hashinsight/testkit';
import mqtt from 'mqtt';
import { BENCH_EMAIL, BENCH_PASSWORD, startBenchCloud } from './cloud/fleet.ts';

const PER_AGENT = 200;
const MINERS = Number(process.env.BENCH_CONSOLE_MINERS ?? 10_000);
const AGENTS = Math.ceil(MINERS / PER_AGENT);
const SITES = 5;
const ROUNDS = 6; // samples per miner, 5 minutes apart: half an hour of history
const LOADS = 5;
const MODELS = ['Antminer S19 Pro', 'Antminer S21', 'Whatsminer M30S++', 'Avalon A1366'];
// Mostly hashing; some degraded, offline, unreachable (proto MinerStatus numbers).
const STATUSES = [1, 1, 1, 1, 1, 1, 1, 2, 3, 4];

const dir = mkdtempSync(join(os.tmpdir(), 'bench-console-'));
const { cloud, db } = await startBenchCloud(dir, undefined);
const clients: mqtt.MqttClient[] = [];

async function call<T>(method: string, path: string, token?: string, body?: unknown): Promise<T> {
  const response = await fetch(`${cloud.httpUrl}${path}`, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const parsed = (await response.json()) as { success: boolean; data: T };
  if (!parsed.success) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(parsed)}`);
  return parsed.data;
}

const publicKey = (kind: 'ed25519' | 'x25519') =>
  Buffer.from(
    generateKeyPairSync(kind as 'ed25519').publicKey.export({ format: 'jwk' }).x ?? '',
    'base64url',
  ).toString('base64');

/** One round of an agent's miners, as its poller would have read them at `timeMs`. */
function batchOf(agent: number, round: number, timeMs: number): Uint8Array {
  const samples = [];
  for (let m = 0; m < PER_AGENT; m++) {
    const n = agent * PER_AGENT + m;
    const minerId = `a${agent}-m${m}`;
    const status = STATUSES[(n * 7) % STATUSES.length] as number;
    const hashrate =
      status === 3 || status === 4 ? 0 : 90_000_000 + ((n * 7919 + round * 104_729) % 30_000_000);
    samples.push({
      seq: round * PER_AGENT + m + 1,
      minerId,
      // The identity rides along on the first poll only, as the agent sends it.
      identity:
        round === 0
          ? {
              minerId,
              ip: ipToBytes(`10.${agent}.${m >> 8}.${m & 255}`),
              mac: macToBytes(
                `aa:bb:cc:${(agent & 255).toString(16).padStart(2, '0')}:00:${(m & 255).toString(16).padStart(2, '0')}`,
              ),
              vendor: 1,
              model: MODELS[n % MODELS.length] as string,
              firmware: 'bmminer 1.0.0',
            }
          : null,
      timeMs: timeMs + m,
      status,
      hashrateMhs: hashrate,
      hashrateAvgMhs: hashrate,
      hashrateExpectedMhs: 110_000_000,
      powerW: status === 4 ? 0 : 3000 + (n % 400),
      boards: [0, 1, 2].map((index) => ({
        index,
        hashrateMhs: Math.round(hashrate / 3),
        chipTempDc: 600 + ((n * 13 + index * 7 + round) % 250),
        boardTempDc: 500 + (n % 120),
      })),
      fanRpm: [5400, 5520, 5460, 5580],
      pools: [
        {
          url: 'stratum+tcp://pool.example:3333',
          user: 'site.w1',
          status: 1,
          active: true,
          accepted: 4000 + round,
          rejected: 3,
        },
      ],
      uptimeS: 50_000 + round * 300,
    });
  }
  return telemetryBatchCodec.encode({ epoch: 1, samples, oldestUnackedSeq: round * PER_AGENT + 1 });
}

/** Enrolls agent `agent` in `siteId` through the API, connects it as the agent does and publishes its rounds. */
async function runAgent(owner: string, agent: number, siteId: string, startMs: number): Promise<void> {
  const { token } = await call<{ token: string }>(
    'POST',
    `/api/sites/${siteId}/enrollment-tokens`,
    owner,
    {},
  );
  const enrolled = await call<{ agentId: string; mqtt: { username: string; password: string } }>(
    'POST',
    '/api/agents/enroll',
    undefined,
    {
      token,
      hostname: `bench-edge-${agent}`,
      agentVersion: '0.1.0',
      publicKeys: { signing: publicKey('ed25519'), box: publicKey('x25519') },
    },
  );
  const { agentId } = enrolled;
  const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${cloud.mqttPort}`, {
    clientId: agentId,
    username: enrolled.mqtt.username,
    password: enrolled.mqtt.password,
    clean: true,
    reconnectPeriod: 0,
  });
  clients.push(client);
  let acked = 0;
  let onAck = () => {};
  client.on('message', (_topic, payload) => {
    acked = Number(telemetryAckCodec.decode(payload).upToSeq);
    onAck();
  });
  await client.subscribeAsync(agentTopic(agentId, 'ack'), { qos: 1 });
  const birth = agentPresenceCodec.encode({
    birth: {
      epoch: 1,
      startedAtMs: Date.now(),
      agentVersion: '0.1.0',
      hostname: `bench-edge-${agent}`,
      backlogSamples: 0,
    },
  });
  await client.publishAsync(agentTopic(agentId, 'state'), Buffer.from(birth), { qos: 1, retain: true });
  for (let round = 0; round < ROUNDS; round++) {
    const upTo = (round + 1) * PER_AGENT;
    const stored = new Promise<void>((done) => {
      onAck = () => {
        if (acked >= upTo) done();
      };
    });
    const timeMs = startMs - (ROUNDS - 1 - round) * 300_000;
    await client.publishAsync(agentTopic(agentId, 'telemetry'), Buffer.from(batchOf(agent, round, timeMs)), {
      qos: 1,
    });
    await stored;
  }
}

/** Milliseconds from navigation start to the performance mark `name`, waiting for it. */
async function markAt(page: Page, name: string): Promise<number> {
  // A function, not a string: the console's CSP (no 'unsafe-eval') refuses string predicates.
  await page.waitForFunction((mark) => performance.getEntriesByName(mark).length > 0, name, {
    timeout: 120_000,
  });
  return page.evaluate(
    `performance.getEntriesByName(${JSON.stringify(name)})[0].startTime`,
  ) as Promise<number>;
}

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
const ms = (value: number) => `${value.toFixed(0)} ms`;

try {
  const owner = (
    await call<{ accessToken: string }>('POST', '/api/auth/login', undefined, {
      email: BENCH_EMAIL,
      password: BENCH_PASSWORD,
    })
  ).accessToken;
  const sites = [
    (await call<{ sites: { id: string }[] }>('GET', '/api/sites', owner)).sites[0]?.id as string,
  ];
  for (let s = 1; s < SITES; s++) {
    sites.push((await call<{ id: string }>('POST', '/api/sites', owner, { name: `Bench site ${s}` })).id);
  }
  const seedStart = performance.now();
  const startMs = Date.now();
  const queue = Array.from({ length: AGENTS }, (_, a) => a);
  await Promise.all(
    Array.from({ length: 10 }, async () => {
      for (let a = queue.shift(); a !== undefined; a = queue.shift()) {
        await runAgent(owner, a, sites[a % SITES] as string, startMs);
      }
    }),
  );
  const summary = await call<{ miners: { total: number; online: number } }>(
    'GET',
    '/api/fleet/summary',
    owner,
  );
  console.log(
    `console bench: ${summary.miners.total.toLocaleString('en')} miners (${summary.miners.online.toLocaleString('en')} online) over ${AGENTS} agents and ${SITES} sites, stored by the ingest from ${(MINERS * ROUNDS).toLocaleString('en')} samples over MQTT in ${((performance.now() - seedStart) / 1000).toFixed(1)} s`,
  );
  if (summary.miners.total !== MINERS) throw new Error(`the cloud lists ${summary.miners.total} miners`);

  const shell = await fetch(`${cloud.httpUrl}/`, { headers: { accept: 'text/html' } });
  if (!shell.ok)
    throw new Error(`the cloud does not serve the console (${shell.status}): run npm run build first`);
  const browser = await launchChromium();
  try {
    const context = await browser.newContext({
      baseURL: cloud.httpUrl,
      viewport: { width: 1440, height: 900 },
      locale: 'en-US',
    });
    // Long tasks from the very first script on, for every page this tab loads.
    await context.addInitScript(`
      window.__longTasks = [];
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) window.__longTasks.push(Math.round(entry.duration));
      }).observe({ type: 'longtask', buffered: true });
    `);
    const page = await context.newPage();
    const longTasks: number[] = [];
    const collectLongTasks = async () => {
      longTasks.push(...((await page.evaluate('window.__longTasks.splice(0)')) as number[]));
    };
    await page.goto('/');
    await page.getByLabel('Email').fill(BENCH_EMAIL);
    await page.getByLabel('Password').fill(BENCH_PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('navigation', { name: 'Main navigation' }).waitFor();
    await collectLongTasks();

    // Data rows of the miner table in the DOM (the virtual table's spacer rows carry no aria-rowindex).
    const ROW = 'main tbody tr[aria-rowindex]';
    const rows = () =>
      page.evaluate(`document.querySelectorAll(${JSON.stringify(ROW)}).length`) as Promise<number>;
    const firstRowText = `document.querySelector(${JSON.stringify(ROW)})?.textContent ?? ''`;
    const firstRows: number[] = [];
    let domRows = 0;
    for (let i = 0; i < LOADS; i++) {
      await page.goto('/miners');
      firstRows.push(await markAt(page, 'hashinsight:miners-first-rows'));
      domRows = Math.max(domRows, await rows());
      await collectLongTasks();
    }
    const overview: number[] = [];
    for (let i = 0; i < LOADS; i++) {
      await page.goto('/');
      overview.push(await markAt(page, 'hashinsight:overview-ready'));
      await collectLongTasks();
    }
    console.log(
      `/miners first rows: median ${ms(median(firstRows))} (first load ${ms(firstRows[0] ?? Number.NaN)}; all ${firstRows.map(ms).join(', ')}), ${domRows} rows in the DOM`,
    );
    console.log(`/ overview ready: median ${ms(median(overview))} (all ${overview.map(ms).join(', ')})`);

    // From the user's input to the first row on screen being another one, timed in the page: a watcher checks the
    // row on every animation frame (a string evaluated by the debugger protocol: the console's CSP refuses eval).
    const untilRowsChange = async (act: () => Promise<void>) => {
      const changed = page.evaluate(`new Promise((resolve, reject) => {
        const before = ${firstRowText};
        const until = performance.now() + 60000;
        const check = () => {
          if ((${firstRowText}) !== before) resolve(performance.now());
          else if (performance.now() > until) reject(new Error('the rows did not change in 60 s'));
          else requestAnimationFrame(check);
        };
        check();
      })`) as Promise<number>;
      const t0 = (await page.evaluate('performance.now()')) as number;
      await act();
      return (await changed) - t0;
    };
    const table = page.getByRole('table', { name: 'Miner list' });
    const sorts: number[] = [];
    const filters: number[] = [];
    for (let i = 0; i < LOADS; i++) {
      await page.goto('/miners');
      await markAt(page, 'hashinsight:miners-first-rows');
      sorts.push(await untilRowsChange(() => table.getByRole('button', { name: 'Hashrate' }).click()));
      // From the list by IP (a0-m0 first) to one miner (and its namesakes: a7-m42 also finds a17-m42).
      await page.goto('/miners');
      await markAt(page, 'hashinsight:miners-first-rows');
      // The search waits for a 300 ms pause in typing before it asks the cloud: that pause is in the figure.
      filters.push(await untilRowsChange(() => page.getByLabel('Search').fill(`a${(7 + i) % AGENTS}-m42`)));
      await collectLongTasks();
    }
    console.log(
      `sort by hashrate: median ${ms(median(sorts))} to new rows (all ${sorts.map(ms).join(', ')}); search "aN-m42": median ${ms(median(filters))} (all ${filters.map(ms).join(', ')}; 300 ms of it is the typing pause)`,
    );

    // Scroll the whole list a screenful per animation frame, as a hurried reader would, the API paging in 500 miners
    // at a time; the DOM must stay a few dozen rows and no frame may block.
    await page.goto('/miners');
    await markAt(page, 'hashinsight:miners-first-rows');
    const status = page.getByRole('main').getByRole('status');
    const scrollStart = performance.now();
    const scrolled = (await page.evaluate(`new Promise((resolve, reject) => {
      const box = document.querySelector('main section[aria-label="Miner list"]');
      const until = performance.now() + 300000;
      let frames = 0;
      let most = 0;
      const step = () => {
        box.scrollTop += box.clientHeight;
        frames += 1;
        const rows = document.querySelectorAll(${JSON.stringify(ROW)});
        most = Math.max(most, rows.length);
        const last = Number(rows[rows.length - 1]?.getAttribute('aria-rowindex') ?? 0);
        if (last >= ${MINERS + 1}) resolve({ frames, most });
        else if (performance.now() > until) reject(new Error('scrolling did not reach the last miner in 5 minutes'));
        else requestAnimationFrame(step);
      };
      step();
    })`)) as { frames: number; most: number };
    domRows = Math.max(domRows, scrolled.most);
    const scrollS = (performance.now() - scrollStart) / 1000;
    const loaded = ((await status.textContent()) ?? '').trim();
    await collectLongTasks();
    const over200 = longTasks.filter((d) => d > 200);
    console.log(
      `scrolled to the last miner in ${scrollS.toFixed(1)} s (${scrolled.frames} frames; status: "${loaded}"); at most ${domRows} table rows in the DOM`,
    );
    console.log(
      `long tasks over the session: ${longTasks.length} (> 200 ms: ${over200.length}; longest ${ms(Math.max(0, ...longTasks))})`,
    );
    console.log(
      `machine: ${os.cpus().length} vCPU ${os.cpus()[0]?.model ?? ''}, Node ${process.version}, Chromium ${browser.version()}, load ${os.loadavg()[0]?.toFixed(1)}, ${new Date().toISOString().slice(0, 10)}`,
    );
    if (over200.length > 0) process.exitCode = 1;
  } finally {
    await browser.close();
  }
} finally {
  await Promise.all(clients.map((client) => client.endAsync()));
  await cloud.close();
  await db.destroy();
  rmSync(dir, { recursive: true, force: true });
}
