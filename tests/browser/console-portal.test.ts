// The client portal in Chromium: two hosting clients share a site (miners of both on each agent). One logs in and
// sees their own miners — and nothing of the other client, neither on the page nor in any API answer the page
// received. Then their Portal Lite API key: created once on the keys page, it reads their miners only.
import type { Browser } from '@hashinsight/testkit';
import t from 'tap';
import { type SystemMiner, startCommandSystem } from '../e2e/commands-harness.js';
import {
  assertConsoleServed,
  browserMissing,
  launchBrowser,
  logIn,
  OWNER_PASSWORD,
  openFromNav,
  screenshot,
  withConsole,
} from './harness.js';

// The whole system plus a browser on a shared 2-vCPU box: more than the suite's 120 s per file.
t.setTimeout(300_000);

interface MinerFacts {
  agentId: string;
  id: string;
  hostname: string;
  ip: string;
  mac: string;
  serial: string;
}

t.test('client portal', { skip: browserMissing, timeout: 280_000 }, async (t) => {
  const system = await startCommandSystem(t, { agents: 2, minersPerAgent: 3, logLevel: 'info' });
  const url = system.cloud.httpUrl;
  await assertConsoleServed(url);
  const browser: Browser = await launchBrowser(t);
  const all = await system.miners();
  const token = system.owner;

  // Alternate miners between the two clients, so each agent (and site) holds miners of both.
  const mine = all.filter((_, i) => i % 2 === 0);
  const theirs = all.filter((_, i) => i % 2 === 1);
  const keys = (miners: SystemMiner[]) => miners.map((m) => ({ agentId: m.agentId, minerId: m.minerId }));
  const acme = await system.ok<{ id: string }>('POST', '/api/customers', {
    token,
    body: { name: 'Acme Hosting' },
  });
  const rival = await system.ok<{ id: string }>('POST', '/api/customers', {
    token,
    body: { name: 'Borealis Rival Mining' },
  });
  await system.ok('PUT', '/api/miners/customer', {
    token,
    body: { miners: keys(mine), customerId: acme.id },
  });
  await system.ok('PUT', '/api/miners/customer', {
    token,
    body: { miners: keys(theirs), customerId: rival.id },
  });
  const client = 'client@acme.test';
  await system.ok('POST', '/api/users', {
    token,
    body: { email: client, role: 'customer', customerId: acme.id, password: OWNER_PASSWORD },
  });

  const facts = async (m: SystemMiner) =>
    (
      await system.ok<{ miner: MinerFacts }>(
        'GET',
        `/api/miners/${encodeURIComponent(m.agentId)}/${encodeURIComponent(m.minerId)}`,
        { token },
      )
    ).miner;
  const mineFacts = await Promise.all(mine.map(facts));
  const theirFacts = await Promise.all(theirs.map(facts));
  // Everything that would betray the other client: their name and id, and each of their miners' identifiers
  // (those a miner of both clients shares, like a stock hostname, betray nothing).
  const shared = new Set(mineFacts.flatMap((m) => [m.id, m.hostname, m.ip, m.mac, m.serial]));
  const forbidden = [
    'Borealis Rival Mining',
    rival.id,
    ...theirFacts
      .flatMap((m) => [m.id, m.hostname, m.ip, m.mac, m.serial])
      .filter((v) => v !== '' && !shared.has(v)),
  ];
  t.ok(
    theirFacts.every((m) => forbidden.includes(m.id)),
    'every miner of the other client has its id in the list',
  );

  await t.test('a client sees their own miners and nothing of the other client', (t) =>
    withConsole(t, browser, url, async ({ page, responses }) => {
      await logIn(page, client);
      // A client's home is the portal.
      await page.getByRole('heading', { name: 'My miners', level: 1 }).waitFor();
      t.equal(new URL(page.url()).pathname, '/portal', 'landed on the portal');
      const table = page.getByRole('table', { name: 'Your miners' });
      for (const m of mineFacts) {
        await table.getByRole('cell', { name: m.hostname || m.id, exact: true }).waitFor();
      }
      t.equal(
        await table.locator('tbody').getByRole('row').count(),
        mine.length,
        'exactly their miners listed',
      );
      await page.getByRole('main').getByText(`${mine.length} of ${mine.length}`).first().waitFor();
      const nav = page.getByRole('navigation', { name: 'Main navigation' });
      t.equal(
        await nav.getByRole('link', { name: 'Miners', exact: true }).count(),
        0,
        'no operator pages offered',
      );
      await screenshot(page, 'portal');

      // Operator pages are not theirs: typed into the address bar they show nothing of the fleet.
      await page.goto('/miners');
      await page.getByText('There is no page here.').waitFor();
      await page.goto('/portal');
      await table
        .getByRole('cell', { name: mineFacts[0]?.hostname || mineFacts[0]?.id, exact: true })
        .waitFor();

      const html = await page.content();
      for (const value of forbidden) t.notOk(html.includes(value), `the page never shows ${value}`);
      const apiText = responses.map((r) => `${r.method} ${r.url} ${r.status} ${r.body}`).join('\n');
      t.ok(responses.length >= 3, `${responses.length} API answers captured`);
      t.ok(
        mineFacts.every((m) => apiText.includes(m.id)),
        'their own miner ids are in the captured answers (the capture works)',
      );
      for (const value of forbidden) t.notOk(apiText.includes(value), `no API answer carries ${value}`);
      t.notOk(
        responses.some((r) => r.status === 403),
        'the portal asked for nothing a client may not read',
      );
    }),
  );

  await t.test('their Portal Lite key: shown once, reads their miners only', (t) =>
    withConsole(t, browser, url, async ({ page }) => {
      await logIn(page, client);
      await openFromNav(page, 'API keys');
      await page.getByRole('heading', { name: 'API keys', level: 1 }).waitFor();
      await page.getByLabel('Key name').fill('monitoring');
      await page.getByRole('button', { name: 'Create key' }).click();
      await page.getByRole('heading', { name: 'Key “monitoring” created' }).waitFor();
      const key = await page.getByLabel('Your new API key').inputValue();
      t.match(key, /^hik_/, 'the key is shown');
      await screenshot(page, 'portal-keys');
      await page.getByRole('button', { name: 'I have copied it' }).click();
      // Listed (by name and a short prefix) and active: it can be revoked.
      await page
        .getByRole('table', { name: 'Your keys' })
        .getByRole('button', { name: 'Revoke key monitoring' })
        .waitFor();
      t.notOk((await page.content()).includes(key), 'the key is gone from the page once done');

      const answer = await fetch(`${url}/api/v1/portal/miners?limit=100`, {
        headers: { authorization: `ApiKey ${key}` },
      });
      const body = (await answer.json()) as { data: { miners: { minerId: string }[] } };
      t.same(
        body.data.miners.map((m) => m.minerId).sort(),
        mine.map((m) => m.minerId).sort(),
        'the key lists exactly their miners',
      );
    }),
  );
});
