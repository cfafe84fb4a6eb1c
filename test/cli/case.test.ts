/** `check --case`, `case list`, `case show` and `recheck` from the command line: output, JSON shapes, exit codes. */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../fixtures/ios-backup.js';
import { mvtIosBackup, mvtTestStix } from '../helpers/data.js';
import { capturedOutput, run } from '../helpers/cli.js';


const out = capturedOutput();

describe('tracehound with a case', () => {
  it('adds a check to a case, lists and shows it, and rechecks it with new indicators', async () => {
    const caseDir = join(tempDir('cli-case'), 'case');
    expect(await run('check', mvtIosBackup(), '--no-default-iocs', '--case', caseDir, '--device', 'phone-a', '--person', 'Rania', '--org', 'Al-Haq')).toBe(3);
    expect(out.stderr).toContain(`added to the case ${caseDir} (acquisition 1)`);

    out.stdout = '';
    expect(await run('case', 'list', caseDir)).toBe(0);
    expect(out.stdout).toContain('1 device(s), 1 acquisition(s), 1 run(s); 1 low, 1 informational');
    expect(out.stdout).toContain('device phone-a (Rania, Al-Haq): 1 low, 1 informational');
    expect(out.stdout).toMatch(/run 1: check by tracehound \S+, .*; no indicators/);

    out.stdout = '';
    expect(await run('recheck', caseDir, '--iocs', mvtTestStix(), '--no-default-iocs', '--json')).toBe(1);
    const rechecked = JSON.parse(out.stdout) as { new: { level: string; observed: string; indicator: { file: string; sha256: string } }[]; gone: unknown[] };
    expect(rechecked.gone).toEqual([]);
    expect(rechecked.new.map((f) => f.observed).sort()).toEqual(['Launch', 'https://badbadbad.example.org/', 'https://example.org/news']);
    expect(rechecked.new.every((f) => f.indicator.file === mvtTestStix() && /^[0-9a-f]{64}$/.test(f.indicator.sha256))).toBe(true);

    out.stdout = '';
    expect(await run('recheck', caseDir, '--iocs', mvtTestStix(), '--no-default-iocs')).toBe(0);
    expect(out.stdout).toContain('1 acquisition(s), 0 new finding(s), 0 gone, 3 indicator finding(s) now');

    out.stdout = '';
    expect(await run('case', 'show', caseDir, '--device', 'phone-a')).toBe(0);
    expect(out.stdout).toContain(`case ${caseDir}, device phone-a: 3 critical, 1 low, 1 informational`);
    expect(out.stdout.indexOf('CRITICAL (3)')).toBeLessThan(out.stdout.indexOf('LOW (1)'));
    expect(out.stdout).toContain(`indicator: example.org (TestMalware) from ${mvtTestStix()}`);
    expect(out.stdout).toMatch(/acquisition 1 \(phone-a, ios-backup\): \d+ parsed/);

    out.stdout = '';
    expect(await run('case', 'show', caseDir, '--json')).toBe(0);
    const shown = JSON.parse(out.stdout) as { findings: unknown[]; counts: Record<string, number> };
    expect(shown.findings).toHaveLength(5);
    expect(shown.counts).toEqual({ informational: 1, low: 1, medium: 0, high: 0, critical: 3 });
  }, 60_000);

  it.each([
    [['case', 'list', '/nonexistent/case'], /^tracehound: \/nonexistent\/case: not a case folder \(no case\.db; `tracehound check PATH --case \/nonexistent\/case` creates one\)\n$/],
    [['check', '/nonexistent/backup', '--device', 'x'], /^tracehound: --device, --person and --org name the acquisition in a case: use them with --case DIR\n$/],
    [['recheck'], /missing required argument 'cases'/],
  ])('exits 2 with a one-line message for %j', async (args, message) => {
    expect(await run(...args)).toBe(2);
    expect(out.stderr).toMatch(message);
  });

  it('exits 2 naming the device when case show is asked for one the case does not have', async () => {
    const caseDir = join(tempDir('cli-case2'), 'case');
    await run('check', mvtIosBackup(), '--no-default-iocs', '--case', caseDir, '--quiet');
    out.stderr = '';
    expect(await run('case', 'show', caseDir, '--device', 'nope')).toBe(2);
    expect(out.stderr).toBe(`tracehound: ${caseDir}: no device named "nope" in this case (\`tracehound case list ${caseDir}\` lists them)\n`);
  }, 60_000);
});
