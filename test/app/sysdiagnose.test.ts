/**
 * A sysdiagnose checked straight from its .tar.gz, end to end (issue #9): the processes planted in shutdown.log
 * are found at the reboots they delayed, ordinary reboots raise nothing, nothing is extracted to disk, and a
 * damaged or empty archive gives a clear line while the rest of the check goes on.
 */
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync, truncateSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { check, type CheckResult } from '../../src/app/check.js';
import { UserError } from '../../src/errors.js';
import type { Finding } from '../../src/findings/finding.js';
import { PEGASUS_STAGING, shutdownLogText } from '../../src/synth/shutdown-log.js';
import { sysdiagnoseContent } from '../../src/synth/sysdiagnose-content.js';
import { SHUTDOWN_LOG, generateSysdiagnose, sysdiagnoseName } from '../../src/synth/sysdiagnose.js';
import { gzip, rawTar } from '../fixtures/archives.js';
import { tempDir } from '../fixtures/ios-backup.js';
import { snapshotTree } from '../helpers/tree.js';
import { watchTemp } from '../helpers/watch-temp.js';

const PEGASUS = `${PEGASUS_STAGING}/roleaccountd`;
const PREDATOR = '/private/var/tmp/UserEventAgent';
/** Among the older reboots, so in the rotated shutdown.0.log; SECOND is in shutdown.log. */
const FIRST = new Date('2024-03-10T21:30:00Z');
const SECOND = new Date('2024-04-28T06:05:00Z');

/** The shutdown.log findings as [rule, level, time]: what an analyst reads first. */
const shutdownFindings = (r: CheckResult) =>
  r.findings.filter((f) => f.artifact === 'ios.shutdown_log').map((f: Finding) => [f.rule?.id ?? f.match?.kind, f.level, f.eventTime?.iso() ?? null]);

const coverageOf = (r: CheckResult, id: string) => r.coverage.find((c) => c.artifact === id)!;

async function withTemp<T>(run: (watched: string) => Promise<T>): Promise<T> {
  const watched = mkdtempSync(join(tmpdir(), 'th-watched-temp-'));
  const saved = process.env.TMPDIR;
  process.env.TMPDIR = watched;
  try {
    return await run(watched);
  } finally {
    if (saved === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = saved;
    rmSync(watched, { recursive: true, force: true });
  }
}

let infected: string;
/** The same sysdiagnose as a folder. */
let infectedFolder: string;
let clean: string;
beforeAll(async () => {
  const base = realpathSync(tempDir('sysdiag-app'));
  const suspicious = [
    { at: FIRST, clients: [{ path: PEGASUS, notices: 3 }] },
    { at: SECOND, clients: [{ path: PREDATOR, notices: 4 }] },
  ];
  mkdirSync(join(base, 'infected'));
  mkdirSync(join(base, 'clean'));
  // Bulk of a few MB, so the shutdown logs sit among tracev3 chunks as in a real archive.
  const infectedOptions = { seed: 9, reboots: 20, rotated: true, uuidSuffix: true, suspicious, padBytes: 3_000_000 };
  infected = (await generateSysdiagnose(join(base, 'infected'), { ...infectedOptions, format: 'tar.gz' })).path;
  mkdirSync(join(base, 'folder'));
  infectedFolder = (await generateSysdiagnose(join(base, 'folder'), { ...infectedOptions, format: 'folder' })).path;
  // The clean one carries everything else an ordinary phone's sysdiagnose holds (process lists, installs, profiles, …).
  const collectedAt = new Date('2024-05-02T08:15:30Z');
  const extra = sysdiagnoseContent(10, { collectedAt, utcOffsetMinutes: 120, buildVersion: '21E236' });
  clean = (await generateSysdiagnose(join(base, 'clean'), { seed: 10, format: 'tar.gz', collectedAt, reboots: 40, rotated: true, padBytes: 1_000_000, extra })).path;
}, 60_000);

describe('a generated sysdiagnose checked from its .tar.gz', () => {
  it('finds the planted processes at the reboots they delayed, and nothing at the ordinary reboots', async () => {
    const r = await check({ target: infected, userIocDir: null });
    expect(r.acquisition).toMatchObject({ kind: 'ios-sysdiagnose', container: { container: 'tar.gz' } });
    expect(r.acquisition.device?.buildVersion).toBe('21E236');
    // shutdown.log first, then the rotated logs (MVT's order).
    expect(shutdownFindings(r)).toEqual([
      ['ios.shutdown_log.suspicious_folder', 'high', '2024-04-28T06:05:00.000000Z'],
      ['ios.shutdown_log.sticky_process', 'medium', '2024-04-28T06:05:00.000000Z'],
      ['ios.shutdown_log.suspicious_folder', 'high', '2024-03-10T21:30:00.000000Z'],
      ['ios.shutdown_log.sticky_process', 'medium', '2024-03-10T21:30:00.000000Z'],
    ]);
    expect(r.findings.filter((f) => f.artifact === 'ios.shutdown_log').map((f) => f.evidence.ref.storedPath)).toEqual([
      'system_logs.logarchive/Extra/shutdown.log',
      'system_logs.logarchive/Extra/shutdown.log',
      'system_logs.logarchive/Extra/shutdown.0.log',
      'system_logs.logarchive/Extra/shutdown.0.log',
    ]);
    const coverage = coverageOf(r, 'ios.shutdown_log');
    expect(coverage.state).toBe('parsed');
    expect(coverage.files).toHaveLength(2);
    expect(r.containerNotes).toEqual([]);
  }, 60_000);

  it('gives the same findings and records from the folder as from the archive', async () => {
    const [packed, folder] = await Promise.all([check({ target: infected, userIocDir: null }), check({ target: infectedFolder, userIocDir: null })]);
    const summary = (r: CheckResult) => ({ findings: r.findings.map((f) => [f.level, f.message, f.evidence.ref.storedPath, f.evidence.at]), records: coverageOf(r, 'ios.shutdown_log').records });
    expect(summary(folder)).toEqual(summary(packed));
    expect(folder.acquisition.acquiredAt?.toISOString()).toBe('2024-05-02T08:15:30.000Z');
  }, 60_000);

  it('a process indicator for the planted name matches the running process (CRITICAL)', async () => {
    const dir = tempDir('sysdiag-ioc');
    const stix = join(dir, 'pegasus.stix2');
    writeFileSync(
      stix,
      JSON.stringify({
        type: 'bundle',
        id: 'bundle--00000000-0000-4000-8000-000000000001',
        objects: [
          { type: 'malware', id: 'malware--00000000-0000-4000-8000-000000000002', name: 'Pegasus', is_family: true },
          { type: 'indicator', id: 'indicator--00000000-0000-4000-8000-000000000003', pattern: "[process:name='roleaccountd']", pattern_type: 'stix', valid_from: '2021-07-18T00:00:00Z' },
          { type: 'relationship', id: 'relationship--00000000-0000-4000-8000-000000000004', relationship_type: 'indicates', source_ref: 'indicator--00000000-0000-4000-8000-000000000003', target_ref: 'malware--00000000-0000-4000-8000-000000000002' },
        ],
      }),
    );
    const r = await check({ target: infected, iocs: [stix], userIocDir: null });
    const matched = r.findings.filter((f) => f.artifact === 'ios.shutdown_log' && f.indicator);
    expect(matched.find((f) => f.match?.kind === 'process')).toMatchObject({ level: 'critical', match: { observed: 'roleaccountd', field: 'client' } });
    expect(matched.every((f) => f.eventTime === null || f.eventTime.iso() === '2024-03-10T21:30:00.000000Z')).toBe(true);
  }, 60_000);

  it('an ordinary phone\'s sysdiagnose (40 reboots of Apple daemons and apps, its process lists and logs) raises nothing from shutdown.log and nothing HIGH at all', async () => {
    const r = await check({ target: clean, userIocDir: null });
    expect(coverageOf(r, 'ios.shutdown_log')).toMatchObject({ state: 'parsed' });
    expect(coverageOf(r, 'ios.shutdown_log').records).toBeGreaterThan(40);
    expect(r.findings.filter((f) => f.artifact === 'ios.shutdown_log')).toEqual([]);
    expect(r.findings.filter((f) => f.level === 'high' || f.level === 'critical').map((f) => f.message)).toEqual([]);
    expect(r.coverage.filter((c) => c.state === 'failed')).toEqual([]);
  }, 60_000);

  it('extracts nothing: no file appears in the temp area while it runs, nothing is left after; the archive is unchanged', async () => {
    const before = snapshotTree(realpathSync(join(infected, '..')));
    await withTemp(async (watched) => {
      const { result, seen } = await watchTemp(watched, () => check({ target: infected, userIocDir: null }));
      expect(result.findings.length).toBeGreaterThan(0);
      // At most the run's private folder itself: nothing was ever written inside it.
      expect([...seen].filter((p) => p.includes('/'))).toEqual([]);
      expect(readdirSync(watched)).toEqual([]);
    });
    expect(snapshotTree(realpathSync(join(infected, '..')))).toEqual(before);
  }, 60_000);
});

describe('a damaged or empty sysdiagnose archive', () => {
  it('a truncated gzip: the members before the damage are checked, and the damage is one line', async () => {
    const cut = join(tempDir('sysdiag-cut'), 'cut.tar.gz');
    writeFileSync(cut, readFileSync(infected));
    truncateSync(cut, Math.floor(statSync(cut).size * 0.7));
    const r = await check({ target: cut, userIocDir: null });
    expect(shutdownFindings(r)).toHaveLength(4);
    expect(r.containerNotes).toHaveLength(1);
    expect(r.containerNotes[0]).toMatch(/cut\.tar\.gz: .*(truncated|unexpected end|damaged)/i);
  }, 60_000);

  it('a tar with a broken member: the rotated log\'s header is damaged, shutdown.log is still read, the damage is one line', async () => {
    const name = sysdiagnoseName(new Date('2024-05-02T08:15:30Z'), 120, '21E236');
    const current = shutdownLogText({ seed: 1, reboots: [{ at: SECOND, planted: [{ path: PREDATOR, notices: 3 }] }] });
    const members = rawTar([
      { name: `${name}/`, type: '5' },
      { name: `${name}/sysdiagnose.log`, data: 'collected\n' },
      { name: `${name}/system_logs.logarchive/`, type: '5' },
      { name: `${name}/system_logs.logarchive/Extra/`, type: '5' },
      { name: `${name}/${SHUTDOWN_LOG}`, data: current },
      { name: `${name}/system_logs.logarchive/Extra/shutdown.0.log`, data: 'After 1.00s, these clients are still here:\n' },
      { name: `${name}/system_logs.logarchive/Extra/zz.log`, data: 'after the damage\n' },
    ]);
    // Damage the rotated log's header checksum.
    // The name is over 100 bytes, so ustar splits it: its last part starts the member's header block.
    const at = Math.floor(members.indexOf(Buffer.from('shutdown.0.log')) / 512) * 512;
    members.write('99999999', at + 148, 'latin1');
    const path = join(tempDir('sysdiag-broken'), `${name}.tar.gz`);
    writeFileSync(path, gzip(members));
    const r = await check({ target: path, userIocDir: null });
    expect(shutdownFindings(r)).toEqual([
      ['ios.shutdown_log.suspicious_folder', 'high', '2024-04-28T06:05:00.000000Z'],
      ['ios.shutdown_log.sticky_process', 'medium', '2024-04-28T06:05:00.000000Z'],
    ]);
    expect(r.containerNotes).toHaveLength(1);
    expect(r.containerNotes[0]).toContain(`${name}.tar.gz: `);
  }, 60_000);

  it('a sysdiagnose with no shutdown log: the artifact is missing, said in one line, the check completes', async () => {
    const name = sysdiagnoseName(new Date('2024-05-02T08:15:30Z'), 120, '21E236');
    const path = join(tempDir('sysdiag-empty'), `${name}.tar.gz`);
    writeFileSync(path, gzip(rawTar([{ name: `${name}/`, type: '5' }, { name: `${name}/sysdiagnose.log`, data: '' }])));
    const r = await check({ target: path, userIocDir: null });
    expect(coverageOf(r, 'ios.shutdown_log')).toMatchObject({ state: 'missing', records: 0 });
    expect(coverageOf(r, 'ios.shutdown_log').reason).toBe('not present in this acquisition');
    expect(r.findings).toEqual([]);
  }, 60_000);

  it('an empty archive is not a sysdiagnose: one line naming the file', async () => {
    const path = join(tempDir('sysdiag-nothing'), 'sysdiagnose_empty.tar.gz');
    writeFileSync(path, gzip(rawTar([])));
    const err = await check({ target: path, userIocDir: null }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toMatch(/sysdiagnose_empty\.tar\.gz: not a supported acquisition: gzip-compressed, but not a tar inside/);
    expect((err as Error).message.split('\n')).toHaveLength(1);
  });
});
