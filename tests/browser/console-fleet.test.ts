// The operator console in Chromium on the whole system: log in, the overview against the API, the miner table
// (sorting, filtering, a miner's detail), a phone's width, the Chinese strings, and screenshots of the pages.

import type { Browser, Locator } from '@hashinsight/testkit';
import { waitFor } from '@hashinsight/testkit';
import t from 'tap';
import { type CommandSystem, startCommandSystem } from '../e2e/commands-harness.js';
import {
  assertConsoleServed,
  browserMissing,
  horizontalOverflow,
  launchBrowser,
  logIn,
  openFromNav,
  screenshot,
  withConsole,
} from './harness.js';

const OWNER = 'owner@commands.test';

interface Totals {
  miners: { total: number; online: number };
  hashrateMhs: number;
  expectedHashrateMhs: number;
}
type Summary = Totals & { sites: (Totals & { siteName: string | null })[] };
interface ApiMiner {
  id: string;
  agentId: string;
  hostname: string;
}

const UNIT = { T: 1e6, P: 1e9, E: 1e12 };
/** A hashrate (MH/s) as the console writes it in English. */
function hashrate(mhs: number): string {
  const [scale, unit] = mhs >= 1e12 ? [1e12, 'EH/s'] : mhs >= 1e9 ? [1e9, 'PH/s'] : [1e6, 'TH/s'];
  const figure = (mhs / scale).toLocaleString('en-US', {
    minimumFractionDigits: 2,
    maximumFractionDigits: 2,
  });
  return `${figure} ${unit}`;
}

/** The data rows' first text column (the miner's name), in order; the header row left out. */
const firstCells = (table: Locator) =>
  table
    .locator('tbody')
    .getByRole('row')
    .evaluateAll((rows) => rows.map((row) => row.querySelector('a')?.textContent ?? ''));

/** Resolves once the table shows `names` as its rows, in that order; rejects after 15 s. */
const waitFirstCells = (table: Locator, names: string[]) =>
  waitFor(
    `rows ${names.join(', ')}`,
    async () => JSON.stringify(await firstCells(table)) === JSON.stringify(names) || undefined,
    {
      timeoutMs: 15_000,
    },
  );

/** Resolves once the table has `count` data rows. */
const waitRows = (table: Locator, count: number) =>
  waitFor(
    `${count} rows`,
    async () => (await table.locator('tbody').getByRole('row').count()) === count || undefined,
    {
      timeoutMs: 15_000,
    },
  );

const waitAttribute = (locator: Locator, name: string, value: string) =>
  waitFor(`${name}=${value}`, async () => (await locator.getAttribute(name)) === value || undefined, {
    timeoutMs: 15_000,
  });

// The whole system plus a browser on a shared 2-vCPU box: more than the suite's 120 s per file.
t.setTimeout(300_000);

t.test('operator console', { skip: browserMissing, timeout: 240_000 }, async (t) => {
  const system: CommandSystem = await startCommandSystem(t, {
    agents: 2,
    minersPerAgent: 3,
    personalities: ['whatsminer', 'antminer'],
    logLevel: 'info',
  });
  const url = system.cloud.httpUrl;
  await assertConsoleServed(url);
  const browser: Browser = await launchBrowser(t);
  const miners = await system.miners();

  await t.test('log in: a wrong password is refused on the form, the right one opens the overview', (t) =>
    withConsole(t, browser, url, async ({ page }) => {
      await page.goto('/');
      await page.getByRole('heading', { name: 'Log in to HashInsight' }).waitFor();
      await screenshot(page, 'login');
      await page.getByLabel('Email').fill(OWNER);
      await page.getByLabel('Password').fill('not the password');
      await page.getByRole('button', { name: 'Log in' }).click();
      await page.getByRole('alert').filter({ hasText: 'Email or password is wrong' }).waitFor();
      t.equal(await page.getByRole('navigation', { name: 'Main navigation' }).count(), 0, 'still logged out');

      await logIn(page, OWNER);
      const overview = page.getByRole('link', { name: 'Overview', exact: true });
      t.equal(await overview.getAttribute('aria-current'), 'page', 'the overview is the page shown');
      t.ok(await page.getByText(`Signed in as ${OWNER}`).isVisible(), 'the header names the operator');
    }),
  );

  await t.test('the language switch turns the navigation into Chinese and back', (t) =>
    withConsole(t, browser, url, async ({ page }) => {
      await logIn(page, OWNER);
      await page.getByLabel('Language').selectOption('zh');
      const nav = page.getByRole('navigation', { name: '主导航' });
      await nav.getByRole('link', { name: '矿机', exact: true }).waitFor();
      t.ok(await nav.getByRole('link', { name: '总览', exact: true }).isVisible(), 'overview in Chinese');
      t.equal(await page.locator('html').getAttribute('lang'), 'zh-CN', 'the document language follows');
      await page.getByLabel('语言').selectOption('en');
      await page
        .getByRole('navigation', { name: 'Main navigation' })
        .getByRole('link', { name: 'Miners' })
        .waitFor();
    }),
  );

  await t.test(
    'browse the fleet: the overview as the API has it, the table sorts and filters, a miner',
    (t) =>
      withConsole(t, browser, url, async ({ page }) => {
        await logIn(page, OWNER);
        const main = page.getByRole('main');
        await page.getByRole('heading', { name: 'Fleet overview', level: 1 }).waitFor();
        const summary = await system.ok<Summary>('GET', '/api/fleet/summary', { token: system.owner });
        await main.getByText(`${summary.miners.online} of ${summary.miners.total}`).first().waitFor();
        const text = (await main.textContent()) ?? '';
        t.match(
          text,
          `of ${hashrate(summary.expectedHashrateMhs)} expected`,
          'expected hashrate as the API sums it',
        );
        // The hashrate moves with every poll: the card and the API agree within a few percent.
        const shown = /([\d,.]+) ([TPE])H\/s\s*of /.exec(text);
        t.ok(shown, 'the hashrate card shows a figure');
        const shownMhs = Number(shown?.[1]?.replace(/,/g, '')) * UNIT[shown?.[2] as keyof typeof UNIT];
        t.ok(
          Math.abs(shownMhs / summary.hashrateMhs - 1) < 0.1,
          `hashrate ${shown?.[1]} ${shown?.[2]}H/s ≈ ${summary.hashrateMhs} MH/s`,
        );
        for (const site of summary.sites) t.match(text, site.siteName ?? '', `site ${site.siteName} listed`);
        await screenshot(page, 'overview');

        await openFromNav(page, 'Miners');
        const table = page.getByRole('table', { name: 'Miner list' });
        const listed = await system.ok<{ miners: ApiMiner[] }>('GET', '/api/miners?limit=100', {
          token: system.owner,
        });
        const names = listed.miners.map((m) => m.hostname || m.id);
        await t.resolves(waitRows(table, names.length), 'one row per miner (and the header)');
        t.same(await firstCells(table), names, 'the miners in the API order (by IP)');
        await screenshot(page, 'miners');

        // Sorting: IP again flips the order; hashrate sorts highest first.
        await table.getByRole('button', { name: /^IP address/ }).click();
        await page.waitForURL(/order=desc/);
        const byIpDesc = await system.ok<{ miners: ApiMiner[] }>('GET', '/api/miners?sort=ip&order=desc', {
          token: system.owner,
        });
        await t.resolves(
          waitFirstCells(
            table,
            byIpDesc.miners.map((m) => m.hostname || m.id),
          ),
          'IP descending: the rows as the API orders them',
        );
        t.equal(
          await table.getByRole('columnheader', { name: /^IP address/ }).getAttribute('aria-sort'),
          'descending',
          'IP header announces descending',
        );
        await table.getByRole('button', { name: /^Hashrate/ }).click();
        await page.waitForURL(/sort=hashrate/);
        const hashrateHeader = table.getByRole('columnheader', { name: /^Hashrate/ });
        await waitAttribute(hashrateHeader, 'aria-sort', 'descending');
        t.pass('hashrate header announces descending');

        // Filtering: a search narrows to one miner; a status nobody has empties the table.
        const target = listed.miners[2] as ApiMiner;
        await page.getByLabel('Search').fill(target.hostname || target.id);
        await t.resolves(
          waitFirstCells(table, [target.hostname || target.id]),
          'the search leaves that miner only',
        );
        await page.getByLabel('Search').fill('');
        await t.resolves(waitRows(table, names.length), 'every miner again');
        await page.getByLabel('Status').selectOption('offline');
        await page.getByText('No miners match these filters.').waitFor();
        await page.getByRole('button', { name: 'Clear filters' }).click();
        await t.resolves(waitRows(table, names.length), 'filters cleared');

        // A miner's page: its name, boards, fans and pools as the API has them.
        await table.getByRole('link', { name: target.hostname || target.id, exact: true }).click();
        await page.getByRole('heading', { name: target.hostname || target.id, level: 1 }).waitFor();
        for (const section of ['Hash boards', 'Fans', 'Pools', 'Recent events', 'Commands for this miner']) {
          await page.getByRole('heading', { name: section, level: 2 }).waitFor();
        }
        const detail = await system.ok<{ miner: { pools: { url: string }[]; model: string } }>(
          'GET',
          `/api/miners/${encodeURIComponent(target.agentId)}/${encodeURIComponent(target.id)}`,
          { token: system.owner },
        );
        const pool = detail.miner.pools[0]?.url ?? '';
        t.ok(pool !== '' && ((await main.textContent()) ?? '').includes(pool), `its pool ${pool} shown`);
        await screenshot(page, 'miner-detail');
      }),
  );

  await t.test('a phone (390 x 844): overview and miners without sideways page scrolling', (t) =>
    withConsole(
      t,
      browser,
      url,
      async ({ page }) => {
        await logIn(page, OWNER);
        await page.getByRole('heading', { name: 'Fleet overview', level: 1 }).waitFor();
        await page
          .getByRole('main')
          .getByText(/\d+ of \d+/)
          .first()
          .waitFor();
        t.equal(await horizontalOverflow(page), 0, 'overview fits the width');
        await screenshot(page, 'overview-phone');
        // On a phone the navigation hides behind the menu button.
        await page.getByRole('button', { name: 'Menu' }).click();
        await openFromNav(page, 'Miners');
        await t.resolves(
          waitRows(page.getByRole('table', { name: 'Miner list' }), miners.length),
          'miners listed',
        );
        t.equal(await horizontalOverflow(page), 0, 'miners fit the width (the table scrolls in its box)');
        await screenshot(page, 'miners-phone');
      },
      { viewport: { width: 390, height: 844 } },
    ),
  );

  await t.test('admin pages: the agents online, the credentials, the audit log and profitability', (t) =>
    withConsole(t, browser, url, async ({ page }) => {
      await logIn(page, OWNER);
      await openFromNav(page, 'Agents');
      await page.getByRole('heading', { name: 'Agents', level: 1 }).waitFor();
      const table = page.getByRole('table', { name: 'Agents (2)' });
      for (const { agentId } of system.agents) {
        // The row names the agent by its hostname; its id is the hostname's title.
        const row = table.getByRole('row').filter({ has: page.getByTitle(agentId, { exact: true }) });
        await row.getByRole('cell', { name: 'Online', exact: true }).waitFor();
        t.pass(`agent ${agentId} listed online`);
      }
      await screenshot(page, 'agents');
      await openFromNav(page, 'Credentials');
      await page.getByRole('heading', { name: 'Credentials', level: 1 }).waitFor();
      await screenshot(page, 'credentials');
      await openFromNav(page, 'Audit log');
      await page.getByRole('heading', { name: 'Audit log', level: 1 }).waitFor();
      // The enrollment tokens the owner made for the two agents are in it.
      await page
        .getByRole('table')
        .getByText(/enrollment-tokens/)
        .first()
        .waitFor();
      await screenshot(page, 'audit');
      await openFromNav(page, 'Profitability');
      await page.getByRole('heading', { name: 'Profitability', level: 1 }).waitFor();
      await screenshot(page, 'profitability');
    }),
  );
});
