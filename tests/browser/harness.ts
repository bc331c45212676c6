// The web console in a real browser: Debian's Chromium driven by playwright-core against the whole system (the
// cloud serving its built console, the embedded broker, agents and simulated miners on loopback, from
// tests/e2e/commands-harness.ts). Each test gets a fresh browser context; a page that throws fails its test.
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import {
  type Browser,
  type BrowserContext,
  chromiumMissing,
  launchChromium,
  type Page,
} from '@hashinsight/testkit';
import type { Test } from 'tap';
import { OWNER_PASSWORD } from '../e2e/cloud-harness.js';

export { OWNER_PASSWORD };

/** Why the browser suite cannot run here, or false (no Chromium: skipped with the reason, never passed). */
export const browserMissing = chromiumMissing;

/** Where the screenshots land: CI keeps this folder as an artifact (see the README's Web console section). */
export const SCREENSHOTS = resolve(import.meta.dirname, '../../artifacts/screenshots');

const BUILT_CONSOLE = resolve(import.meta.dirname, '../../cloud/dist/web/index.html');

/** One Chromium for the test file, closed at its end. */
export async function launchBrowser(t: Test): Promise<Browser> {
  if (!existsSync(BUILT_CONSOLE)) {
    throw new Error(`the console is not built (${BUILT_CONSOLE}): run npm run build`);
  }
  const browser = await launchChromium();
  t.teardown(() => browser.close());
  return browser;
}

/** Throws unless the cloud at `baseUrl` serves the console's page at / (the cloud's console feature). */
export async function assertConsoleServed(baseUrl: string): Promise<void> {
  const response = await fetch(`${baseUrl}/`, { headers: { accept: 'text/html' } });
  const text = await response.text();
  if (!response.ok || !text.includes('id="app"')) {
    throw new Error(
      `the cloud does not serve the console at ${baseUrl}/: ${response.status} ${text.slice(0, 200)}`,
    );
  }
}

/** An API answer the page received, body included (event streams are left out: they never end). */
export interface SeenResponse {
  method: string;
  url: string;
  status: number;
  body: string;
}

export interface ConsolePage {
  context: BrowserContext;
  page: Page;
  /** Uncaught exceptions and console errors of the page (4xx resource loads aside: refusals the page shows). */
  errors: string[];
  /** Every /api answer the page received, in order. */
  responses: SeenResponse[];
}

export interface ConsoleOptions {
  viewport?: { width: number; height: number };
  /** Browser language (default en-US: the console follows navigator.language until one is picked). */
  locale?: string;
}

// A refused request (401 wrong password, 404 of a foreign id) logs this in Chromium's console: the page shows
// the refusal itself, so it is not an error of the page.
const CLIENT_ERROR_LOAD = /Failed to load resource: the server responded with a status of 4\d\d/;

async function openConsole(browser: Browser, baseUrl: string, options: ConsoleOptions): Promise<ConsolePage> {
  const context = await browser.newContext({
    baseURL: baseUrl,
    viewport: options.viewport ?? { width: 1280, height: 800 },
    locale: options.locale ?? 'en-US',
    serviceWorkers: 'block',
  });
  const page = await context.newPage();
  const errors: string[] = [];
  const responses: SeenResponse[] = [];
  page.on('pageerror', (error) => errors.push(`uncaught: ${error.stack ?? error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && !CLIENT_ERROR_LOAD.test(message.text())) {
      errors.push(`console: ${message.text()}`);
    }
  });
  page.on('requestfinished', async (request) => {
    const url = new URL(request.url());
    if (!url.pathname.startsWith('/api/')) return;
    const response = await request.response();
    if (response === null || (response.headers()['content-type'] ?? '').includes('text/event-stream')) return;
    const body = await response.text().catch(() => '');
    responses.push({
      method: request.method(),
      url: url.pathname + url.search,
      status: response.status(),
      body,
    });
  });
  return { context, page, errors, responses };
}

/**
 * Runs `body` with a fresh browser context on the console at `baseUrl`; the test then fails on any uncaught
 * page error or console error, and the context is closed whatever happened.
 */
export async function withConsole<T>(
  t: Test,
  browser: Browser,
  baseUrl: string,
  body: (console: ConsolePage) => Promise<T>,
  options: ConsoleOptions = {},
): Promise<T> {
  const opened = await openConsole(browser, baseUrl, options);
  try {
    return await body(opened);
  } finally {
    t.same(opened.errors, [], 'no uncaught page errors nor console errors');
    await opened.context.close();
  }
}

/** Logs in through the login form; resolves once the console's navigation is on screen. */
export async function logIn(page: Page, email: string, password = OWNER_PASSWORD): Promise<void> {
  await page.goto('/');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  // Attached, not visible: on a phone the navigation waits behind the menu button.
  await page
    .getByRole('navigation', { name: 'Main navigation', includeHidden: true })
    .waitFor({ state: 'attached' });
}

/** Follows a link of the main navigation, as a user does. */
export async function openFromNav(page: Page, name: string): Promise<void> {
  await page
    .getByRole('navigation', { name: 'Main navigation' })
    .getByRole('link', { name, exact: true })
    .click();
}

/** A full-page PNG in artifacts/screenshots/<name>.png. */
export async function screenshot(page: Page, name: string): Promise<void> {
  await mkdir(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** Width of the document beyond the viewport (0: no horizontal page scroll). */
export const horizontalOverflow = (page: Page) =>
  page.evaluate(
    'document.documentElement.scrollWidth - document.documentElement.clientWidth',
  ) as Promise<number>;
