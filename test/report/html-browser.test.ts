/**
 * The HTML report in a real headless browser: Debian's chromium driven by playwright-core (no browser
 * download; `.ci/run` installs the package when it is missing). The report of a known check (the MVT test
 * backup with MVT's test indicators) renders with no console error and no network request, shows its five
 * findings, keeps its summary and findings with JavaScript disabled, and runs no script hidden in
 * evidence. A screenshot is kept under the test's temp folder.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { modelFromNativeOutput } from '../../src/report/html/from-native.js';
import { renderReport } from '../../src/report/html/render.js';
import { tempDir } from '../fixtures/ios-backup.js';
import { mvtIosBackup, mvtTestStix } from '../helpers/data.js';
import { VIEWPORT, browserAvailable, closeBrowsers, open } from './_browser.js';

let dir = '';
let reportUrl = '';

beforeAll(async () => {
  if (!browserAvailable) return;
  dir = tempDir('html-browser');
  const out = join(dir, 'out');
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  expect(await main(['node', 'tracehound', 'check', mvtIosBackup(), '--iocs', mvtTestStix(), '--no-default-iocs', '-o', out, '-q'])).toBe(1);
  spy.mockRestore();
  const file = join(dir, 'report.html');
  writeFileSync(file, renderReport(await modelFromNativeOutput(out)));
  reportUrl = pathToFileURL(file).href;
}, 60_000);

afterAll(closeBrowsers);

describe.runIf(browserAvailable)('the report in headless Chromium', () => {
  it('renders the known check with no console error and no request but the file itself', async () => {
    const w = await open(reportUrl);
    expect(w.consoleErrors).toEqual([]);
    expect(w.requests).toEqual([reportUrl]);
    expect(await w.page.title()).toBe('Tracehound report – iPhone · iPhone9,3 · iOS 14.3 (18C66)');
    await expect(w.page.locator('#summary .headline').textContent()).resolves.toBe('We found traces that match known spyware on this phone.');
    expect(await w.page.locator('#findings-list article.finding').count()).toBe(5);
    expect(await w.page.locator('#findings-list article.finding.critical').count()).toBe(3);
    await expect(w.page.locator('#findings-list').textContent()).resolves.toContain('Found a known suspicious process name "Launch" matching indicators from "TestMalware"');
    // The inline SVG timeline: one dot for the one dated finding, ticks for the 74 events around it.
    expect(await w.page.locator('svg.timeline circle.dot').count()).toBe(1);
    expect(await w.page.locator('svg.timeline line.event').count()).toBe(74);
    const box = await w.page.locator('svg.timeline').boundingBox();
    expect(box?.width).toBeGreaterThan(900);
  }, 60_000);

  it('runs its own script (allowed by hash) to filter by level', async () => {
    const w = await open(reportUrl);
    await expect(w.page.locator('.filters input[type=checkbox]').count()).resolves.toBe(5);
    await w.page.locator('.filters input[value=critical]').uncheck();
    expect(await w.page.locator('#findings-list article.finding:visible').count()).toBe(2);
    expect(w.consoleErrors).toEqual([]);
  }, 60_000);

  it('shows the summary and every finding with JavaScript disabled', async () => {
    const w = await open(reportUrl, false);
    await expect(w.page.locator('#summary .headline').isVisible()).resolves.toBe(true);
    await expect(w.page.locator('#summary').textContent()).resolves.toContain('What to do next');
    expect(await w.page.locator('#findings-list article.finding:visible').count()).toBe(5);
    expect(await w.page.locator('.filters').count()).toBe(0);
    expect(w.requests).toEqual([reportUrl]);
  }, 60_000);

  it('runs no script and loads nothing hidden in evidence', async () => {
    const out = join(dir, 'out');
    const model = await modelFromNativeOutput(out);
    const evil = '</style></script><script>window.__pwned = 1; alert("x")</script><img src="http://127.0.0.1:9/x.png" onerror="alert(2)"><svg onload="alert(3)">';
    const [first, ...rest] = model.findings;
    if (first === undefined) throw new Error('the known check has findings');
    const hostile = renderReport({ ...model, findings: [{ ...first, title: evil, explanation: evil, evidence: { file: evil, locator: evil } }, ...rest] });
    const file = join(dir, 'hostile.html');
    writeFileSync(file, hostile);
    const url = pathToFileURL(file).href;
    const w = await open(url);
    expect(w.dialogs).toEqual([]);
    expect(w.requests).toEqual([url]);
    expect(await w.page.evaluate('typeof window.__pwned')).toBe('undefined');
    await expect(w.page.locator('#findings-list article.finding h4', { hasText: 'window.__pwned' }).textContent()).resolves.toBe(evil);
    expect(w.consoleErrors).toEqual([]);
  }, 60_000);

  it('keeps a full-page screenshot, as wide as the viewport and as long as the report', async () => {
    const w = await open(reportUrl);
    const png = join(dir, 'report.png');
    await w.page.screenshot({ path: png, fullPage: true });
    const bytes = readFileSync(png);
    expect(bytes.subarray(1, 4).toString('latin1')).toBe('PNG');
    // IHDR: width and height, big-endian, at offsets 16 and 20.
    expect(bytes.readUInt32BE(16)).toBe(VIEWPORT.width);
    expect(bytes.readUInt32BE(20)).toBeGreaterThan(3000);
    expect(bytes.length).toBeGreaterThan(100_000);
  }, 60_000);
});
