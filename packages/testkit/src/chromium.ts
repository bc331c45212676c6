// Debian's Chromium driven by playwright-core, as the browser tests and the console benchmark launch it: the
// distribution's package (never a downloaded build), headless, and reaching nothing but loopback.
import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

export type { Browser, BrowserContext, Locator, Page } from 'playwright-core';

export const CHROMIUM = process.env.HASHINSIGHT_CHROMIUM || '/usr/bin/chromium';

/** Why a browser cannot run here, or false. A missing browser skips its suite with this reason, never passes. */
export const chromiumMissing: string | false = existsSync(CHROMIUM)
  ? false
  : `Chromium is not installed at ${CHROMIUM} (Debian package chromium; .ci/run installs it, or set HASHINSIGHT_CHROMIUM)`;

/** Without the networking flags Chromium keeps calling Google's hosts, which this closed network refuses. */
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-quic',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}
