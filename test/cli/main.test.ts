import { execFileSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mvtIosBackup, mvtTestStix, projectRoot, shared } from '../helpers/data.js';
import { capturedOutput, run } from '../helpers/cli.js';


const out = capturedOutput();

describe('tracehound check', () => {
  it('exits 1 and lists the findings, most severe first, when indicators match', async () => {
    expect(await run('check', mvtIosBackup(), '--iocs', mvtTestStix(), '--no-default-iocs')).toBe(1);
    expect(out.stdout).toContain('3 critical  0 high  0 medium  1 low  1 info');
    const critical = out.stdout.indexOf('CRITICAL');
    expect(critical).toBeGreaterThan(0);
    expect(out.stdout.indexOf('LOW ')).toBeGreaterThan(critical);
    expect(out.stdout).toContain('Found a known suspicious process name "Launch" matching indicators from "TestMalware"');
  });

  it('exits 3, not 0, when nothing reaches --fail-on but the check is incomplete (the MVT sample backup lacks 10 listed files)', async () => {
    expect(await run('check', mvtIosBackup(), '--no-default-iocs')).toBe(3);
    expect(out.stdout).toContain('0 critical  0 high  0 medium  1 low  1 info');
    expect(out.stdout).toContain('Incomplete check: 1 of 28 artifacts failed, 10 files listed in Manifest.db are missing from the backup.');
    expect(out.stdout).not.toContain('No high or critical findings');
    expect(await run('check', mvtIosBackup(), '--no-default-iocs', '--fail-on', 'low', '--quiet')).toBe(1);
  });

  it('prints a machine-readable summary with --json', async () => {
    expect(await run('check', mvtIosBackup(), '--iocs', mvtTestStix(), '--no-default-iocs', '--json')).toBe(1);
    const summary = JSON.parse(out.stdout) as { counts: Record<string, number>; findings: { artifact: string }[]; threads: { workers: number; one_thread_because?: string } };
    expect(summary.counts).toEqual({ informational: 1, low: 1, medium: 0, high: 0, critical: 3 });
    expect(summary.findings.map((f) => f.artifact)).toEqual(['ios.datausage', 'ios.tcc', 'ios.sms', 'ios.whatsapp', 'ios.global_preferences']);
    // The default `--jobs auto` checks a backup this small in one thread, and says why (on a machine with more than one core).
    expect(summary.threads.workers).toBe(0);
    if (availableParallelism() > 1) expect(summary.threads.one_thread_because).toMatch(/^a small acquisition \(\d+\.\d MB to read\)/);
  });

  it.each([
    [['check', '/nonexistent/backup'], /^tracehound: \/nonexistent\/backup: no such file or folder\n$/],
    [['check', mvtIosBackup(), '--format', 'xml'], /Allowed choices are native, mvt/],
    [['check'], /missing required argument 'path'/],
    [['check', mvtIosBackup(), '--only', 'ios.sms,ios.nope'], /--only: unknown artifact\(s\) ios\.nope for this acquisition/],
  ])('exits 2 with a one-line message for %j', async (args, message) => {
    expect(await run(...args)).toBe(2);
    expect(out.stderr).toMatch(message);
    expect(out.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });
});

describe('tracehound iocs list', () => {
  it('reports per file counts and rejects STIX 1.x files without failing the load', async () => {
    expect(await run('iocs', 'list', '--iocs', shared('iocs'), '--no-default-iocs', '--json')).toBe(0);
    const listed = JSON.parse(out.stdout) as { files: { path: string; indicators: number; sha256: string }[]; rejected: { path: string }[]; total: number };
    const count = (name: string) => listed.files.find((f) => f.path.endsWith(name))?.indicators;
    expect(count('pegasus.stix2')).toBe(1549);
    expect(count('cytrox.stix2')).toBe(343);
    expect(count('predator.stix2')).toBe(585);
    expect(listed.rejected.map((r) => r.path.split('/').slice(-2).join('/')).sort()).toEqual(['201608_NSO_Group/stix.xml', '201706_RecklessExploit/stix.xml']);
    expect(listed.total).toBe(listed.files.reduce((n, f) => n + f.indicators, 0));
  });
});

describe('tracehound demo', () => {
  it('checks a generated backup with planted DemoSpy traces, finds them, and exits 0', async () => {
    expect(await run('demo')).toBe(0);
    expect(out.stdout).toContain('checked against');
    expect(out.stdout).toContain('4 critical  0 high  1 medium  0 low  0 info');
    expect(out.stdout).toContain('Found a known suspicious process name "demospyd" matching indicators from "DemoSpy"');
  });
});

describe('the installed binary', () => {
  it('answers --help after the build that npm ci runs', () => {
    const help = execFileSync(process.execPath, [join(projectRoot, 'bin', 'tracehound.js'), '--help'], { encoding: 'utf8' });
    expect(help).toContain('Usage: tracehound');
    expect(help).toContain('check [options] <path>');
  });
});
