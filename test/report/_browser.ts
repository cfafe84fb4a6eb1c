/**
 * A page in headless Debian chromium driven by playwright-core, watched for requests, console errors and
 * dialogs: what every browser test of the report asserts on. `.ci/run` installs chromium when it is missing.
 */
import { existsSync } from 'node:fs';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { tempDir } from '../fixtures/ios-backup.js';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
export const VIEWPORT = { width: 1200, height: 900 };

export interface Watched {
  readonly page: Page;
  readonly requests: string[];
  readonly consoleErrors: string[];
  readonly dialogs: string[];
}

const contexts: BrowserContext[] = [];

export async function open(url: string, javaScriptEnabled = true): Promise<Watched> {
  const context = await chromium.launchPersistentContext(tempDir('chromium-profile'), { executablePath: CHROMIUM, headless: true, args: ARGS, viewport: VIEWPORT, javaScriptEnabled });
  contexts.push(context);
  const page = context.pages()[0] ?? (await context.newPage());
  const watched: Watched = { page, requests: [], consoleErrors: [], dialogs: [] };
  page.on('request', (r) => watched.requests.push(r.url()));
  page.on('console', (m) => {
    if (m.type() === 'error') watched.consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => watched.consoleErrors.push(e.message));
  page.on('dialog', (d) => {
    watched.dialogs.push(d.message());
    void d.dismiss();
  });
  await page.goto(url, { waitUntil: 'load' });
  return watched;
}

/**
 * Where Debian's chromium is missing, the browser tests are skipped, with a line saying so, so that `npm test`
 * runs on a fresh machine without a global install; CI (`.ci/run` installs chromium) fails instead of skipping.
 */
export const browserAvailable = existsSync(CHROMIUM);
if (!browserAvailable && process.env.CI) throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium; .ci/run does it) to run the browser tests`);
if (!browserAvailable) console.warn(`${CHROMIUM} is missing: the report's browser tests are skipped (apt-get install -y chromium runs them; CI does)`);

export async function closeBrowsers(): Promise<void> {
  for (const c of contexts.splice(0)) await c.close();
}
