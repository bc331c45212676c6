// Commands from the console in Chromium, on the whole system with simulated Whatsminers: an operator selects a
// miner, composes a reboot, previews and sends it, and watches the command page reach succeeded while the miner
// really reboots; a site-wide reboot needs a second operator — its requester cannot approve it, another operator
// approves it from the inbox in their own browser, and it runs.

import type { Page } from '@hashinsight/testkit';
import { waitFor } from '@hashinsight/testkit';
import t from 'tap';
import { type CommandView, type SystemMiner, startCommandSystem } from '../e2e/commands-harness.js';
import {
  assertConsoleServed,
  browserMissing,
  launchBrowser,
  logIn,
  openFromNav,
  screenshot,
  withConsole,
} from './harness.js';

const OWNER = 'owner@commands.test';
const SECOND = 'second@commands.test';

// The whole system plus a browser on a shared 2-vCPU box: more than the suite's 120 s per file.
t.setTimeout(300_000);

/** The command page's state as it announces it (role status), once it reads `state`. */
const waitForState = (page: Page, state: string, timeout = 60_000) =>
  page
    .getByRole('status')
    .filter({ hasText: `Command state: ${state}` })
    .waitFor({ timeout });

const commandIdOf = (page: Page) => decodeURIComponent(new URL(page.url()).pathname.split('/')[2] ?? '');

t.test('commands in the console', { skip: browserMissing, timeout: 280_000 }, async (t) => {
  // Six miners on one site: one of them is under the policy's 20 % of a site, so it needs no second operator.
  const system = await startCommandSystem(t, { minersPerAgent: 6, rebootMs: 1500, logLevel: 'info' });
  const url = system.cloud.httpUrl;
  await assertConsoleServed(url);
  const browser = await launchBrowser(t);
  const miners = await system.miners();
  const command = (id: string) =>
    system.ok<CommandView & { status: string }>('GET', `/api/commands/${encodeURIComponent(id)}`, {
      token: system.owner,
    });

  await t.test('reboot one miner: select, compose, preview, send, watch it succeed', (t) =>
    withConsole(t, browser, url, async ({ page }) => {
      const miner = miners[1] as SystemMiner;
      const { miner: shown } = await system.ok<{ miner: { hostname: string } }>(
        'GET',
        `/api/miners/${encodeURIComponent(miner.agentId)}/${encodeURIComponent(miner.minerId)}`,
        { token: system.owner },
      );
      const name = shown.hostname || miner.minerId;
      await logIn(page, OWNER);
      await openFromNav(page, 'Miners');
      await page.getByRole('checkbox', { name: `Select ${name}`, exact: true }).check();
      await page.getByRole('button', { name: 'Command selected (1)' }).click();
      const dialog = page.getByRole('dialog', { name: 'New command' });
      await dialog.getByLabel('Action').selectOption({ label: 'Reboot' });
      await dialog.getByRole('button', { name: 'Preview' }).click();
      await dialog.getByText('Reboot on 1 miner').waitFor();
      await dialog.getByText('It starts as soon as you send it.').waitFor();
      t.equal(miner.virtual.state().reboots, 0, 'nothing ran on preview');
      await dialog.getByRole('button', { name: 'Send command' }).click();
      await page.waitForURL(/\/commands\/[^/]+$/);
      await page.getByRole('heading', { name: 'Reboot · 1 miner', level: 1 }).waitFor();
      // No reload from here: the page follows the command's event stream.
      await waitForState(page, 'Succeeded');
      const sent = await command(commandIdOf(page));
      t.same(
        sent.targets.map((x) => [x.minerId, x.state]),
        [[miner.minerId, 'succeeded']],
        'the API agrees',
      );
      t.equal(miner.virtual.state().reboots, 1, 'the simulated miner rebooted once');
      t.ok(
        miners.filter((m) => m !== miner).every((m) => m.virtual.state().reboots === 0),
        'no other miner rebooted',
      );
      await screenshot(page, 'command-detail');
      await openFromNav(page, 'Commands');
      await page.getByRole('heading', { name: 'Commands', level: 1 }).waitFor();
      await screenshot(page, 'commands');
    }),
  );

  await t.test(
    'a site-wide reboot needs a second operator: not its requester, another one approves it',
    (t) =>
      withConsole(t, browser, url, async ({ page }) => {
        await logIn(page, OWNER);
        await page.getByRole('banner').getByLabel('Site').selectOption({ label: 'Default site' });
        await openFromNav(page, 'Miners');
        await page.getByRole('button', { name: 'Command whole site' }).click();
        const dialog = page.getByRole('dialog', { name: 'New command' });
        await dialog.getByLabel('Action').selectOption({ label: 'Reboot' });
        await dialog.getByRole('button', { name: 'Preview' }).click();
        await dialog.getByText(`Reboot on ${miners.length} miners`).waitFor();
        await dialog.getByText('A second operator must approve this command before it runs:').waitFor();
        await dialog.getByRole('button', { name: 'Send for approval' }).click();
        await page.waitForURL(/\/commands\/[^/]+$/);
        const id = commandIdOf(page);
        await waitForState(page, 'Awaiting approval');

        // The requester's own approval is refused, and the page says so.
        await page.getByRole('button', { name: 'Approve' }).click();
        await page.getByRole('alert').first().waitFor();
        t.equal((await command(id)).status, 'awaiting_approval', 'still waiting after its requester tried');
        t.ok(
          miners.every((m) => m.virtual.state().reboots <= 1),
          'nothing rebooted on the requester approval',
        );
        const rebootsBefore = miners.map((m) => m.virtual.state().reboots);

        // The second operator, in their own browser.
        await withConsole(t, browser, url, async ({ page: second }) => {
          await logIn(second, SECOND);
          await openFromNav(second, 'Approvals');
          await second.getByRole('heading', { name: 'Approvals', level: 1 }).waitFor();
          const card = second.getByRole('article').filter({
            has: second.getByRole('heading', { name: `Reboot · ${miners.length} miners` }),
          });
          await card.waitFor();
          await screenshot(second, 'approvals');
          await card.getByRole('button', { name: 'Approve' }).click();
          await second.getByText('Approved: the command starts now.').waitFor();
        });

        // The requester's page follows live: approved, then every miner rebooted once more.
        await waitForState(page, 'Succeeded', 120_000);
        const done = await command(id);
        t.ok(
          done.targets.length === miners.length && done.targets.every((x) => x.state === 'succeeded'),
          'every target succeeded',
        );
        t.same(
          miners.map((m) => m.virtual.state().reboots),
          rebootsBefore.map((n) => n + 1),
          'every miner of the site rebooted once',
        );
        await waitFor(
          'the approver shown',
          async () => (await page.getByText(/Approved by/).count()) > 0 || undefined,
          { timeoutMs: 10_000 },
        );
        t.pass('the command names its approver');
      }),
  );
});
