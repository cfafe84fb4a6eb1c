/**
 * The bugreport.zip androidqf takes (issue #10): the bugreport artifacts run on it as MVT's check-androidqf runs
 * its bugreport command (reference-spec §9.1), its files named "member X of bugreport.zip of androidqf Y"
 * (`bugreport.zip/X` of the acquisition), tombstones included (androidqf keeps none of its own); a damaged one
 * is one note and the rest of the acquisition is checked.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { check } from '../../../src/index.js';
import { describeFile } from '../../../src/evidence/source.js';
import { writeBugreport } from '../../../src/synth/android-bugreport.js';
import { mvtTestStix } from '../../helpers/data.js';
import { packAcquisition } from '../../fixtures/archives.js';
import { AQF_DUMPSYS_ALERTS, MVT_AQF_ALERTS, MVT_AQF_COUNTS, mvtAndroidqf, writeAqf } from './_aqf.js';
import { mvtBugreport } from './_bugreport.js';

const base = mkdtempSync(join(tmpdir(), 'tracehound-aqf-bugreport-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));
let n = 0;

/** MVT's androidqf folder, copied, with `bugreport` as its bugreport.zip. */
async function aqfWith(bugreport: Buffer | 'real'): Promise<string> {
  const root = join(base, `aqf-${++n}`, 'androidqf_2024-05-01');
  cpSync(mvtAndroidqf(), root, { recursive: true });
  if (bugreport === 'real') await packAcquisition(mvtBugreport(), 'zip', join(root, 'bugreport.zip'));
  else writeFileSync(join(root, 'bugreport.zip'), bugreport);
  return root;
}

/** What MVT's bugreport command adds on its test bugreport (reference-spec §14.3), after androidqf's modules. */
const BUGREPORT_ALERTS = [
  ['medium', 'android.dumpsys_appops', "Package 'org.mozilla.firefox' had risky permission 'REQUEST_INSTALL_PACKAGES' set to 'Unknown' at "],
  ['medium', 'android.tombstones', "Potentially suspicious crash in process 'UsbFfs-worker' running as UID '2000' in tombstone 'tombstone_00' at 2021-09-29 17:43:49.000000"],
  ['medium', 'android.tombstones', "Potentially suspicious crash in process 'tzts_daemon' running as UID '1000' in tombstone 'tombstone_01' at 2023-08-21 23:28:59.000000"],
];

const BUGREPORT_COUNTS = {
  'android.dumpsys_appops': 12,
  'android.dumpsys_packages': 2,
  'android.dumpsys_platform_compat': 2,
  'android.bugreport_timestamps': 2,
  'android.tombstones': 2,
};

const counts = (coverage: readonly { artifact: string; records: number }[]) => Object.fromEntries(coverage.filter((c) => c.records > 0).map((c) => [c.artifact, c.records]));
const nonZero = (o: Record<string, number>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v > 0));

describe('an androidqf acquisition holding bugreport.zip', () => {
  it('runs the bugreport artifacts on it: MVT\'s 10 alerts, then the bugreport\'s 3 MEDIUMs, with MVT\'s counts for both', async () => {
    const root = await aqfWith('real');
    const result = await check({ target: root, iocs: [mvtTestStix()], userIocDir: null });
    expect(result.acquisition.kind).toBe('android-androidqf');
    expect(result.findings.map((f) => [f.level, f.artifact, f.message])).toEqual([...MVT_AQF_ALERTS, ...BUGREPORT_ALERTS]);
    // The bugreport's dumpstate is read (as MVT does) rather than androidqf's dumpsys.txt: one phone, counted once.
    expect(counts(result.coverage)).toEqual({ ...nonZero(MVT_AQF_COUNTS), ...BUGREPORT_COUNTS });
    expect(result.containerNotes).toEqual([]);
  });

  it('names each file as a member of bugreport.zip of the acquisition, in a folder and inside a zip', async () => {
    const root = await aqfWith('real');
    const inFolder = await check({ target: root, iocs: [], userIocDir: null, only: ['android.tombstones', 'android.bugreport_timestamps'] });
    const crash = inFolder.findings.find((f) => f.artifact === 'android.tombstones')!;
    expect([crash.evidence.ref.root, crash.evidence.ref.storedPath]).toEqual([root, 'bugreport.zip/FS/data/tombstones/tombstone_00']);
    expect(describeFile({ ref: crash.evidence.ref })).toBe('bugreport.zip/FS/data/tombstones/tombstone_00');

    const zip = await packAcquisition(root, 'zip', join(base, `aqf-${++n}.zip`), 'androidqf_2024-05-01');
    const output = join(base, `out-${++n}`);
    const zipped = await check({ target: zip, iocs: [mvtTestStix()], userIocDir: null, output });
    expect(zipped.findings.map((f) => [f.level, f.artifact, f.message])).toEqual([...MVT_AQF_ALERTS, ...BUGREPORT_ALERTS]);
    expect(counts(zipped.coverage)).toEqual({ ...nonZero(MVT_AQF_COUNTS), ...BUGREPORT_COUNTS });
    const zippedCrash = zipped.findings.find((f) => f.artifact === 'android.tombstones')!;
    expect(describeFile({ ref: zippedCrash.evidence.ref })).toBe(`androidqf_2024-05-01/bugreport.zip/FS/data/tombstones/tombstone_00 inside ${zip}`);
    // The input log names the zip, and the members read under the zip's path.
    const info = JSON.parse(readFileSync(join(output, 'info.json'), 'utf8')) as { inputs: { path: string }[] };
    expect(info.inputs.map((i) => i.path)).toEqual(expect.arrayContaining([join(zip, 'androidqf_2024-05-01', 'bugreport.zip'), join(zip, 'androidqf_2024-05-01', 'bugreport.zip', 'dumpstate.txt')]));
  });

  it('in MVT\'s output: the bugreport modules\' files beside androidqf\'s, and MVT\'s 10 + 26 timeline rows', async () => {
    const root = await aqfWith('real');
    const output = join(base, `out-${++n}`);
    const result = await check({ target: root, iocs: [mvtTestStix()], userIocDir: null, output, format: 'mvt' });
    const count = (name: string) => (JSON.parse(readFileSync(join(output, name), 'utf8')) as unknown[]).length;
    expect(['dumpsys_appops.json', 'dumpsys_packages.json', 'dumpsys_platform_compat.json', 'bugreport_timestamps.json', 'tombstones.json'].map(count)).toEqual([12, 2, 2, 2, 2]);
    expect(count('tombstones_detected.json')).toBe(2);
    // MVT's androidqf rows (reference-spec §14.2) and its bugreport's (§14.3), plus the SMS of the nested backup.
    const rows = readFileSync(join(output, 'timeline.csv'), 'utf8').split('\r\n').filter((l) => l !== '').slice(1);
    const plugins = (name: string) => rows.filter((r) => r.split('","')[1] === name).length;
    expect([plugins('DumpsysAppops'), plugins('DumpsysPackages'), plugins('Tombstones'), plugins('BugReportTimestamps')]).toEqual([16, 6, 2, 2]);
    expect(result.timelineEvents).toBe(rows.length);
  });

  it('file times of the bugreport are read from its zip members (their basis says so)', async () => {
    const root = await aqfWith('real');
    const output = join(base, `out-${++n}`);
    await check({ target: root, iocs: [], userIocDir: null, only: ['android.bugreport_timestamps'], output });
    const records = JSON.parse(readFileSync(join(output, 'android.bugreport_timestamps.json'), 'utf8')) as { record: { path: string; modified_time_basis: string }; source: { file: { path: string } } }[];
    expect(records.map((r) => [r.record.path, r.record.modified_time_basis, r.source.file.path])).toEqual([
      ['FS/data/tombstones/tombstone_00', 'zip', 'bugreport.zip/FS/data/tombstones/tombstone_00'],
      ['FS/data/tombstones/tombstone_01', 'zip', 'bugreport.zip/FS/data/tombstones/tombstone_01'],
    ]);
  });
});

describe('a generated androidqf acquisition with the generator\'s bugreport.zip', () => {
  const getprop = ['[ro.build.version.release]: [14]', '[ro.product.model]: [SM-A546B]', '[persist.sys.timezone]: [Europe/Berlin]'].join('\n');
  const OURS = ['android.dumpsys_getprop', 'android.bugreport_timestamps', 'android.tombstones'];

  it('clean: its dumpstate and tombstones are read and nothing is raised', async () => {
    const tree = writeAqf({ 'getprop.txt': getprop });
    try {
      const written = await writeBugreport(join(tree.root, 'bugreport.zip'), { dumpstateBytes: 200_000 });
      const result = await check({ target: tree.root, iocs: [], userIocDir: null, only: OURS });
      expect(result.coverage.map((c) => [c.artifact, c.state, c.records, c.issues])).toEqual([
        ['android.dumpsys_getprop', 'parsed', 19, []],
        ['android.bugreport_timestamps', 'parsed', written.tombstones, []],
        ['android.tombstones', 'parsed', written.tombstones, []],
      ]);
      expect(result.findings).toEqual([]);
    } finally {
      tree.remove();
    }
  });

  it('a getprop.txt without persist.sys.timezone takes the zone from the bugreport\'s SYSTEM PROPERTIES', async () => {
    const dns = { dns_event: { hostname: 'example.org', package_name: 'com.example', ip_addresses: ['/192.0.2.1'], event_time: Date.parse('2024-05-01T10:00:00Z') } };
    const tree = writeAqf({ 'getprop.txt': '[ro.build.version.release]: [14]\n', 'intrusion_logs/day.txt': `${JSON.stringify(dns)}\n` });
    try {
      await writeBugreport(join(tree.root, 'bugreport.zip'), { dumpstateBytes: 100_000 });
      const output = join(base, `out-${++n}`);
      const result = await check({ target: tree.root, iocs: [], userIocDir: null, only: ['android.aqf_getprop', 'android.intrusion_dns'], output });
      expect(result.acquisition.device).toEqual({ productVersion: '14', timeZone: 'Europe/Berlin' });
      // The intrusion logs' wall-clock label uses it too (no "UTC only" line).
      const [event] = JSON.parse(readFileSync(join(output, 'android.intrusion_dns.json'), 'utf8')) as { record: { device_local_time: string; device_time_zone: string } }[];
      expect(event!.record).toMatchObject({ device_local_time: '2024-05-01 12:00:00.000000', device_time_zone: 'Europe/Berlin' });
      expect(result.coverage.find((c) => c.artifact === 'android.intrusion_dns')!.issues).toEqual([]);
    } finally {
      tree.remove();
    }
  });

  it('a root crash in it is the one MEDIUM, its time an instant from the tombstone\'s offset', async () => {
    const tree = writeAqf({ 'getprop.txt': getprop });
    try {
      await writeBugreport(join(tree.root, 'bugreport.zip'), { plants: { rootCrash: true } });
      const result = await check({ target: tree.root, iocs: [], userIocDir: null, only: OURS });
      expect(result.findings.map((f) => [f.level, f.artifact, f.evidence.ref.storedPath])).toEqual([['medium', 'android.tombstones', 'bugreport.zip/FS/data/tombstones/tombstone_02']]);
      expect(result.findings[0]!.eventTime?.iso()).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.123456Z$/);
    } finally {
      tree.remove();
    }
  });
});

describe('a bugreport.zip that cannot be used', () => {
  it('a damaged zip: one note naming it, and the rest of the acquisition is checked (dumpsys.txt read instead)', async () => {
    const real = join(base, `real-${++n}.zip`);
    await packAcquisition(mvtBugreport(), 'zip', real);
    const bytes = readFileSync(real);
    const root = await aqfWith(bytes.subarray(0, Math.floor(bytes.length / 2)));
    const result = await check({ target: root, iocs: [mvtTestStix()], userIocDir: null });
    expect(result.containerNotes).toHaveLength(1);
    expect(result.containerNotes[0]).toMatch(new RegExp(`^${join(root, 'bugreport.zip').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: not a readable zip \\(.*\\): the bugreport's modules were not run on it$`));
    expect(result.findings.map((f) => [f.level, f.artifact, f.message])).toEqual([...MVT_AQF_ALERTS, ...AQF_DUMPSYS_ALERTS]);
    expect(result.coverage.find((c) => c.artifact === 'android.tombstones')).toMatchObject({ state: 'missing', records: 0 });
  });

  it('a zip that is not a bugreport: one note saying so', async () => {
    const other = join(base, `other-${++n}`);
    cpSync(mvtAndroidqf(), other, { recursive: true });
    const zip = await packAcquisition(other, 'zip', join(base, `other-${n}.zip`));
    const root = await aqfWith(readFileSync(zip));
    const result = await check({ target: root, iocs: [], userIocDir: null, only: ['android.tombstones'] });
    expect(result.containerNotes).toEqual([
      `${join(root, 'bugreport.zip')}: no dumpstate (main_entry.txt, dumpState_*.log, bugreport-*.txt or dumpstate.txt) at its root or in one folder: not a bugreport; the bugreport's modules were not run on it`,
    ]);
  });
});
