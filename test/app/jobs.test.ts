/**
 * `--jobs N`: the artifacts run in N threads (the caller's and N - 1 workers) and every output file is the same bytes as with one thread
 * (info.json's clock fields aside), in both formats, on a backup folder, an encrypted backup (the key derived
 * once and handed to the workers), a zip and an androidqf folder. What cannot be re-opened cheaply by each
 * worker (a tar.gz, read in one pass) runs in one thread and says why.
 */
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { allArtifacts, autoThreads, check, poolLimits, type CheckOptions, type CheckResult } from '../../src/app/check.js';
import { unitsOf } from '../../src/app/pool/pool.js';
import { orderArtifacts } from '../../src/app/order.js';
import type { BackupCredential } from '../../src/evidence/ios-backup-keys.js';
import { DEMO_PLANTS, demoStixBundle } from '../../src/synth/demo.js';
import { generateIosBackup } from '../../src/synth/ios-backup.js';
import { packAcquisition } from '../fixtures/archives.js';
import { tempDir } from '../fixtures/ios-backup.js';
import { mvtIosBackup, mvtTestStix, shared } from '../helpers/data.js';

interface Outcome {
  readonly result: CheckResult;
  /** Every file written, by name, with the run's own output path and clock fields replaced. */
  readonly files: ReadonlyMap<string, string>;
}

async function runWith(jobs: number | 'auto', options: Omit<CheckOptions, 'output' | 'jobs'>): Promise<Outcome> {
  const out = join(tempDir(`jobs-${jobs}`), 'out');
  const result = await check({ ...options, userIocDir: null, output: out, jobs });
  const files = new Map<string, string>();
  for (const name of readdirSync(out, { recursive: true, encoding: 'utf8' }).sort()) {
    if (!statSync(join(out, name)).isFile()) continue;
    let text = readFileSync(join(out, name), 'utf8').replaceAll(out, '<OUT>');
    if (name === 'info.json') text = text.replace(/"(started_at|finished_at|date)": "[^"]*"/g, '"$1": "<TIME>"');
    files.set(name, text);
  }
  return { result, files };
}

/** The same files, byte for byte, and the same findings and coverage, whatever the number of threads. */
function expectSameOutputs(one: Outcome, many: Outcome): void {
  expect([...many.files.keys()]).toEqual([...one.files.keys()]);
  for (const [name, text] of one.files) expect(many.files.get(name), name).toBe(text);
  expect(many.result.findings.map((f) => [f.level, f.artifact, f.message])).toEqual(one.result.findings.map((f) => [f.level, f.artifact, f.message]));
  expect(many.result.coverage).toEqual(one.result.coverage);
  expect(many.result.timelineEvents).toBe(one.result.timelineEvents);
}

describe('the MVT test backup', () => {
  let one: Outcome;
  beforeAll(async () => {
    one = await runWith(1, { target: mvtIosBackup(), iocs: [mvtTestStix()] });
  });

  it('runs in the caller thread with one job', () => {
    expect(one.result.threads).toEqual({ workers: 0 });
    expect(one.result.findings.filter((f) => f.level === 'critical')).toHaveLength(3);
    expect(one.files.size).toBe(16);
  });

  it.each([2, 3])('native files are the same bytes with %i threads', async (jobs) => {
    const many = await runWith(jobs, { target: mvtIosBackup(), iocs: [mvtTestStix()] });
    expect(many.result.threads).toEqual({ workers: jobs - 1 });
    expectSameOutputs(one, many);
  });

  it('MVT-format files are the same bytes with 2 threads', async () => {
    const a = await runWith(1, { target: mvtIosBackup(), iocs: [mvtTestStix()], format: 'mvt' });
    const b = await runWith(2, { target: mvtIosBackup(), iocs: [mvtTestStix()], format: 'mvt' });
    expect(b.result.threads.workers).toBe(1);
    expect([...a.files.keys()]).toContain('alerts_timeline.csv');
    expectSameOutputs(a, b);
  });

  it('packed in a zip: the workers open the zip themselves, same bytes', async () => {
    const zip = await packAcquisition(mvtIosBackup(), 'zip', join(tempDir('jobs-zip'), 'backup.zip'), 'UDID');
    const a = await runWith(1, { target: zip, iocs: [mvtTestStix()] });
    const b = await runWith(2, { target: zip, iocs: [mvtTestStix()] });
    expect(b.result.threads.workers).toBe(1);
    expect(a.result.acquisition.container?.container).toBe('zip');
    expectSameOutputs(a, b);
  });

  it('packed in a tar.gz (one streaming pass): one thread, saying why', async () => {
    const tgz = await packAcquisition(mvtIosBackup(), 'tar.gz', join(tempDir('jobs-tgz'), 'backup.tar.gz'));
    const r = await check({ target: tgz, userIocDir: null, jobs: 2, only: ['ios.sms', 'ios.tcc'] });
    expect(r.threads).toEqual({ workers: 0, oneThreadBecause: 'a tar.gz is read in one streaming pass' });
    expect(r.coverage.map((c) => [c.artifact, c.state, c.records])).toEqual([
      ['ios.tcc', 'parsed', 11],
      ['ios.sms', 'parsed', 1],
    ]);
  });
});

describe('what runs in one thread whatever --jobs says', () => {
  it('a one-file acquisition (an Android backup .ab), read in one pass', async () => {
    const target = shared('mvt-test-artifacts', 'android_backup', 'backup.ab');
    const r = await check({ target, userIocDir: null, jobs: 2 });
    expect(r.threads).toEqual({ workers: 0, oneThreadBecause: `${target} is one file read in one pass` });
    expect(r.coverage.find((c) => c.artifact === 'android.sms')?.records).toBeGreaterThan(0);
  });

  it('a run whose sink takes record objects (the case store)', async () => {
    const r = await check({ target: mvtIosBackup(), userIocDir: null, jobs: 2, only: ['ios.sms', 'ios.tcc'], sinks: [{ record: () => {} }] });
    expect(r.threads).toEqual({ workers: 0, oneThreadBecause: 'a sink takes the records themselves (the case store), not rendered ones' });
  });

  it('one unit of work', async () => {
    const r = await check({ target: mvtIosBackup(), userIocDir: null, jobs: 2, only: ['ios.sms'] });
    expect(r.threads).toEqual({ workers: 0, oneThreadBecause: 'one artifact (or one chain of artifacts that need each other) to run' });
  });
});

describe("jobs: 'auto' (the CLI's default)", () => {
  it('takes one thread, and one more per 80 MiB of files to read, at most one per core', () => {
    const MiB = 1 << 20;
    expect([0, 12 * MiB, 80 * MiB - 1, 80 * MiB, 119 * MiB, 160 * MiB, 10_000 * MiB].map((bytes) => autoThreads(bytes, 8))).toEqual([1, 1, 1, 2, 2, 3, 8]);
    expect(autoThreads(10_000 * MiB, 1)).toBe(1);
  });

  it('a small acquisition runs in one thread, saying how much it had to read', async () => {
    const r = await check({ target: mvtIosBackup(), userIocDir: null, jobs: 'auto' });
    if (availableParallelism() < 2) return void expect(r.threads).toEqual({ workers: 0 });
    expect(r.threads.workers).toBe(0);
    expect(r.threads.oneThreadBecause).toMatch(/^a small acquisition \(\d+\.\d MB to read\): one thread is quicker than starting more$/);
  });

  it('a large enough one runs in a thread per core, with the same bytes', async () => {
    const saved = poolLimits.autoBytesPerThread;
    poolLimits.autoBytesPerThread = 0;
    try {
      const one = await runWith(1, { target: mvtIosBackup(), iocs: [mvtTestStix()] });
      const auto = await runWith('auto', { target: mvtIosBackup(), iocs: [mvtTestStix()] });
      expect(auto.result.threads).toEqual({ workers: availableParallelism() - 1 });
      expectSameOutputs(one, auto);
    } finally {
      poolLimits.autoBytesPerThread = saved;
    }
  });
});

describe('an encrypted backup', () => {
  const PASSWORD = 'correct horse battery staple';
  const credentials = async (): Promise<BackupCredential> => ({ kind: 'password', password: PASSWORD });
  let target: string;
  let iocs: string;
  beforeAll(() => {
    const base = tempDir('jobs-enc');
    target = join(base, 'encrypted');
    generateIosBackup(target, { seed: 7, manifestEntries: 1500, messages: 40, visits: 60, processes: 20, plant: DEMO_PLANTS, encryption: { password: PASSWORD, dpic: 1000, iter: 10 } });
    iocs = join(base, 'demospy.stix2');
    writeFileSync(iocs, JSON.stringify(demoStixBundle()));
  });

  it('gives the same bytes with 2 threads, the password asked once', async () => {
    let asked = 0;
    const counting = async (): Promise<BackupCredential> => {
      asked++;
      return credentials();
    };
    const a = await runWith(1, { target, iocs: [iocs], credentials });
    const b = await runWith(2, { target, iocs: [iocs], credentials: counting });
    expect(asked).toBe(1);
    expect(b.result.threads.workers).toBe(1);
    expect(b.result.acquisition.encrypted).toBe(true);
    expect(a.result.findings.filter((f) => f.level === 'critical')).toHaveLength(4);
    expectSameOutputs(a, b);
    // Outputs of encrypted evidence stay private whatever the number of threads.
    expect(statSync(join(target, '..')).isDirectory()).toBe(true);
  });
});

describe('an androidqf folder', () => {
  it('gives the same bytes with 2 threads', async () => {
    const target = shared('mvt-test-artifacts', 'androidqf');
    const a = await runWith(1, { target, iocs: [mvtTestStix()] });
    const b = await runWith(2, { target, iocs: [mvtTestStix()] });
    expect(b.result.threads.workers).toBe(1);
    expect(a.result.coverage.filter((c) => c.state === 'parsed').length).toBeGreaterThan(5);
    expectSameOutputs(a, b);
  });

  it('the androidqf zip too', async () => {
    const target = shared('mvt-test-artifacts', 'androidqf.zip');
    const a = await runWith(1, { target, iocs: [mvtTestStix()], format: 'mvt' });
    const b = await runWith(3, { target, iocs: [mvtTestStix()], format: 'mvt' });
    expect(b.result.threads.workers).toBe(2);
    expectSameOutputs(a, b);
  });
});

describe('units of work', () => {
  it('an artifact runs in the same worker as the one whose records it needs, after it', () => {
    const ios = allArtifacts.filter((a) => a.inputs['ios-backup'] !== undefined);
    const units = unitsOf(orderArtifacts(ios, ios));
    const withContacts = units.find((u) => u.some((a) => a.id === 'ios.interaction_c'))!.map((a) => a.id);
    expect(withContacts).toEqual(['ios.whatsapp_contacts', 'ios.interaction_c']);
    expect(units.flat()).toHaveLength(ios.length);
    const dump = allArtifacts.filter((a) => a.inputs['ios-fs'] !== undefined);
    const withAnalytics = unitsOf(orderArtifacts(dump, dump)).find((u) => u.some((a) => a.id === 'ios.analytics_ios_versions'))!.map((a) => a.id);
    expect(withAnalytics).toEqual(['ios.analytics', 'ios.analytics_ios_versions']);
  });
});
