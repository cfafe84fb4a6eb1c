/** Where `check --output` writes, what it refuses, and that a write error is never taken for an evidence error. */
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { check, type CheckEvent, type CheckResult } from '../../src/app/check.js';
import { OutputError } from '../../src/errors.js';
import { generateIosBackup } from '../../src/synth/ios-backup.js';
import { buildBackup, tempDir } from '../fixtures/ios-backup.js';
import { mvtIosBackup, mvtTestStix } from '../helpers/data.js';
import { snapshotTree } from '../helpers/tree.js';

const PASSWORD = 'pw';
let encrypted: string;

beforeAll(() => {
  encrypted = join(tempDir('out-enc'), 'backup');
  generateIosBackup(encrypted, { seed: 5, manifestEntries: 60, messages: 5, visits: 5, processes: 5, encryption: { password: PASSWORD, dpic: 100, iter: 5 } });
});

/** A copy of the MVT test backup that a test may put things into. */
function mvtCopy(): string {
  const dir = join(tempDir('mvt-copy'), 'BACKUP');
  cpSync(mvtIosBackup(), dir, { recursive: true });
  return dir;
}

const modeOf = (path: string) => statSync(path).mode & 0o777;

describe('check --output never writes into the evidence', () => {
  it('refuses BACKUP/..results (a name that starts with ".." but is inside), before reading anything', async () => {
    const backup = mvtCopy();
    const before = snapshotTree(backup);
    await expect(check({ target: backup, userIocDir: null, output: join(backup, '..results') })).rejects.toThrow(/--output .*\/BACKUP\/\.\.results: is inside the evidence/);
    expect(snapshotTree(backup)).toEqual(before);
  });

  it('refuses LINK/res where LINK points to the evidence, and the evidence given through a link', async () => {
    const backup = mvtCopy();
    const link = join(dirname(backup), 'LINK');
    symlinkSync(backup, link);
    const before = snapshotTree(backup);
    await expect(check({ target: backup, userIocDir: null, output: join(link, 'res') })).rejects.toThrow(/is inside the evidence .*through a link/);
    await expect(check({ target: link, userIocDir: null, output: join(backup, 'res') })).rejects.toThrow(/is inside the evidence/);
    expect(snapshotTree(backup)).toEqual(before);
  });

  it('checks the target before asking for the password of an encrypted backup', async () => {
    let asked = 0;
    const credentials = async () => (asked++, { kind: 'password' as const, password: PASSWORD });
    await expect(check({ target: encrypted, userIocDir: null, output: '/dev/null', credentials })).rejects.toThrow(/--output \/dev\/null: is a device or special file/);
    await expect(check({ target: encrypted, userIocDir: null, output: '/proc/x/y', credentials })).rejects.toThrow(/cannot create the folder \/proc\/x/);
    expect(asked).toBe(0);
  });
});

describe('one results folder per acquisition', () => {
  it('a second run of the same acquisition replaces the first whole; another device is refused and nothing mixes', async () => {
    const out = join(tempDir('runs'), 'out');
    const one = buildBackup([]);
    const first = await check({ target: mvtIosBackup(), userIocDir: null, output: out });
    const firstFiles = readdirSync(out).sort();
    expect(firstFiles).toContain('ios.sms.json');
    expect(first.outputFiles.every((f) => f.startsWith(`${out}/`))).toBe(true);

    await expect(check({ target: one, userIocDir: null, output: out })).rejects.toThrow(/holds the results of another acquisition .*results of two devices are never mixed/);
    expect(readdirSync(out).sort()).toEqual(firstFiles);

    await check({ target: mvtIosBackup(), userIocDir: null, output: out, only: ['ios.tcc'] });
    expect(readdirSync(out).sort()).toEqual(['alerts.json', 'coverage.json', 'info.json', 'ios.tcc.json', 'timeline.csv']);
    expect(readdirSync(dirname(out))).toEqual(['out']); // no scratch folder left beside it
  });

  it('two checks of different devices into one folder at the same time: one keeps it, the other stops, nothing mixes', async () => {
    const out = join(tempDir('race'), 'out');
    const other = buildBackup([]);
    const runs = await Promise.allSettled([check({ target: mvtIosBackup(), userIocDir: null, output: out }), check({ target: other, userIocDir: null, output: out })]);
    const kept = runs.filter((r) => r.status === 'fulfilled');
    const stopped = runs.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(kept).toHaveLength(1);
    expect(stopped).toHaveLength(1);
    expect(stopped[0]!.reason).toBeInstanceOf(OutputError);
    expect(String(stopped[0]!.reason)).toMatch(/(holds the results of another acquisition|is not empty).*another run wrote there meanwhile\); these results were not kept$/);
    const info = JSON.parse(readFileSync(join(out, 'info.json'), 'utf8')) as { target: string };
    const winner = runs[0].status === 'fulfilled' ? mvtIosBackup() : other;
    expect(info.target).toBe(winner);
    expect(readdirSync(out).includes('ios.sms.json')).toBe(winner === mvtIosBackup());
    expect(readdirSync(dirname(out))).toEqual(['out']);
  });

  it('plain evidence: folder 0755, files 0644; encrypted evidence: folder 0700, files 0600 (they hold its plaintext)', async () => {
    const plainOut = join(tempDir('modes'), 'plain');
    await check({ target: mvtIosBackup(), userIocDir: null, output: plainOut, only: ['ios.sms'] });
    expect(modeOf(plainOut)).toBe(0o755);
    expect(readdirSync(plainOut).map((f) => modeOf(join(plainOut, f)))).toEqual(readdirSync(plainOut).map(() => 0o644));

    const encOut = join(tempDir('modes'), 'enc');
    await check({ target: encrypted, userIocDir: null, output: encOut, only: ['ios.sms'], credentials: async () => ({ kind: 'password', password: PASSWORD }) });
    expect(modeOf(encOut)).toBe(0o700);
    const files = readdirSync(encOut);
    expect(files).toContain('ios.sms.json');
    expect(files.map((f) => modeOf(join(encOut, f)))).toEqual(files.map(() => 0o600));
  });

  it('--format mvt files get the same modes', async () => {
    const encOut = join(tempDir('modes'), 'mvt');
    await check({ target: encrypted, userIocDir: null, output: encOut, format: 'mvt', only: ['ios.sms'], credentials: async () => ({ kind: 'password', password: PASSWORD }) });
    const files = readdirSync(encOut);
    expect(files).toContain('info.json');
    expect(files.map((f) => modeOf(join(encOut, f)))).toEqual(files.map(() => 0o600));
  });
});

describe('an output write error stops the run and is never counted against an artifact', () => {
  /** A check whose ios.sms.json cannot be written: a folder is put there (in the hidden scratch twin of `out`) on `when`. */
  function checkWithFolderForSms(parent: string, when: (e: CheckEvent) => boolean, jobs = 1): Promise<CheckResult> {
    return check({
      target: mvtIosBackup(),
      iocs: [mvtTestStix()],
      userIocDir: null,
      output: join(parent, 'out'),
      jobs,
      onEvent(e) {
        if (!when(e)) return;
        const scratch = readdirSync(parent).find((n) => n.startsWith('.out.tracehound-partial-'))!;
        mkdirSync(join(parent, scratch, 'ios.sms.json'));
      },
    });
  }
  const STOPPED = /^cannot write results to .*\/out: EISDIR: .*ios\.sms\.json.*; the check was stopped$/;

  it('a folder where ios.sms.json must go: OutputError naming the file, not a failed ios.sms without its CRITICAL finding', async () => {
    const parent = tempDir('eisdir');
    const run = checkWithFolderForSms(parent, (e) => e.type === 'artifact-started' && e.id === 'ios.sms');
    await expect(run).rejects.toBeInstanceOf(OutputError);
    await expect(run).rejects.toThrow(STOPPED);
    expect(readdirSync(parent)).toEqual([]); // no half-written results, no scratch folder
  });

  it.each([2, 3])('the same with %i threads: the pool stops (whichever thread read the messages), nothing is left', async (jobs) => {
    const parent = tempDir('eisdir-pool');
    // Before any artifact runs: records reach their files as they come, before their artifact's turn.
    const run = checkWithFolderForSms(parent, (e) => e.type === 'source-opened', jobs);
    await expect(run).rejects.toThrow(STOPPED);
    expect(readdirSync(parent)).toEqual([]);
  });
});

describe('no temp or scratch left when the output is refused', () => {
  it('leaves the parent folder as it was', async () => {
    const parent = tempDir('refused');
    const other = join(parent, 'out');
    mkdirSync(other);
    cpSync(join(mvtIosBackup(), 'Info.plist'), join(other, 'Info.plist'));
    await expect(check({ target: mvtIosBackup(), userIocDir: null, output: other })).rejects.toThrow(/out: is not empty and holds no Tracehound results/);
    expect(readdirSync(parent)).toEqual(['out']);
    expect(existsSync(join(other, 'info.json'))).toBe(false);
    expect(readFileSync(join(other, 'Info.plist')).length).toBeGreaterThan(0);
  });
});

describe('info.json names what was loaded', () => {
  it('an indicator file reached twice is listed twice, the second as a duplicate of the first, and loaded once', async () => {
    const copy = join(tempDir('iocs-dup'), 'same.stix2');
    cpSync(mvtTestStix(), copy);
    const out = join(tempDir('out-dup'), 'OUT');
    const result = await check({ target: mvtIosBackup(), iocs: [mvtTestStix(), copy], userIocDir: null, output: out });
    const info = JSON.parse(readFileSync(join(out, 'info.json'), 'utf8')) as { indicator_files: { path: string; indicators: number; duplicateOf?: string }[] };
    expect(info.indicator_files.map((f) => [f.path, f.indicators, f.duplicateOf])).toEqual([
      [mvtTestStix(), result.indicators.total, undefined],
      [copy, 0, mvtTestStix()],
    ]);
    expect(result.findings.filter((f) => f.level === 'critical')).toHaveLength(3); // not six
  });
});
