/** `check --case`, `case list`, `case show` and `recheck` from the command line: output, JSON shapes, exit codes. */
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { tempDir } from '../fixtures/ios-backup.js';
import { mvtIosBackup, mvtTestStix } from '../helpers/data.js';

let stdout = '';
let stderr = '';
beforeEach(() => {
  stdout = '';
  stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((stdout += String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((stderr += String(chunk)), true));
});
afterEach(() => vi.restoreAllMocks());

const run = (...args: string[]) => main(['node', 'tracehound', ...args]);

describe('tracehound with a case', () => {
  it('adds a check to a case, lists and shows it, and rechecks it with new indicators', async () => {
    const caseDir = join(tempDir('cli-case'), 'case');
    expect(await run('check', mvtIosBackup(), '--no-default-iocs', '--case', caseDir, '--device', 'phone-a', '--person', 'Rania', '--org', 'Al-Haq')).toBe(3);
    expect(stderr).toContain(`added to the case ${caseDir} (acquisition 1)`);

    stdout = '';
    expect(await run('case', 'list', caseDir)).toBe(0);
    expect(stdout).toContain('1 device(s), 1 acquisition(s), 1 run(s); 1 low, 1 informational');
    expect(stdout).toContain('device phone-a (Rania, Al-Haq): 1 low, 1 informational');
    expect(stdout).toMatch(/run 1: check by tracehound \S+, .*; no indicators/);

    stdout = '';
    expect(await run('recheck', caseDir, '--iocs', mvtTestStix(), '--no-default-iocs', '--json')).toBe(1);
    const rechecked = JSON.parse(stdout) as { new: { level: string; observed: string; indicator: { file: string; sha256: string } }[]; gone: unknown[] };
    expect(rechecked.gone).toEqual([]);
    expect(rechecked.new.map((f) => f.observed).sort()).toEqual(['Launch', 'https://badbadbad.example.org/', 'https://example.org/news']);
    expect(rechecked.new.every((f) => f.indicator.file === mvtTestStix() && /^[0-9a-f]{64}$/.test(f.indicator.sha256))).toBe(true);

    stdout = '';
    expect(await run('recheck', caseDir, '--iocs', mvtTestStix(), '--no-default-iocs')).toBe(0);
    expect(stdout).toContain('1 acquisition(s), 0 new finding(s), 0 gone, 3 indicator finding(s) now');

    stdout = '';
    expect(await run('case', 'show', caseDir, '--device', 'phone-a')).toBe(0);
    expect(stdout).toContain(`case ${caseDir}, device phone-a: 3 critical, 1 low, 1 informational`);
    expect(stdout.indexOf('CRITICAL (3)')).toBeLessThan(stdout.indexOf('LOW (1)'));
    expect(stdout).toContain(`indicator: example.org (TestMalware) from ${mvtTestStix()}`);
    expect(stdout).toMatch(/acquisition 1 \(phone-a, ios-backup\): \d+ parsed/);

    stdout = '';
    expect(await run('case', 'show', caseDir, '--json')).toBe(0);
    const shown = JSON.parse(stdout) as { findings: unknown[]; counts: Record<string, number> };
    expect(shown.findings).toHaveLength(5);
    expect(shown.counts).toEqual({ informational: 1, low: 1, medium: 0, high: 0, critical: 3 });
  }, 60_000);

  it.each([
    [['case', 'list', '/nonexistent/case'], /^tracehound: \/nonexistent\/case: not a case folder \(no case\.db; `tracehound check PATH --case \/nonexistent\/case` creates one\)\n$/],
    [['check', '/nonexistent/backup', '--device', 'x'], /^tracehound: --device, --person and --org name the acquisition in a case: use them with --case DIR\n$/],
    [['recheck'], /missing required argument 'cases'/],
  ])('exits 2 with a one-line message for %j', async (args, message) => {
    expect(await run(...args)).toBe(2);
    expect(stderr).toMatch(message);
  });

  it('exits 2 naming the device when case show is asked for one the case does not have', async () => {
    const caseDir = join(tempDir('cli-case2'), 'case');
    await run('check', mvtIosBackup(), '--no-default-iocs', '--case', caseDir, '--quiet');
    stderr = '';
    expect(await run('case', 'show', caseDir, '--device', 'nope')).toBe(2);
    expect(stderr).toBe(`tracehound: ${caseDir}: no device named "nope" in this case (\`tracehound case list ${caseDir}\` lists them)\n`);
  }, 60_000);
});
