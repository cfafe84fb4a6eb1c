/**
 * A whole check of MVT's androidqf test acquisitions, against MVT's own end-to-end figures (reference-spec
 * §14.2) and its indicator tests (§13.5): the findings, their order and levels, and the timeline.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { check } from '../../../src/index.js';
import { detectAcquisition, detectInput } from '../../../src/evidence/detect.js';
import { packAcquisition } from '../../fixtures/archives.js';
import { shared, mvtTestStix } from '../../helpers/data.js';
import { stixBundle, tempTree } from '../../indicators/bundle.js';
import { AQF_ALERTS, AQF_COUNTS, mvtAndroidqf, mvtAndroidqfZip, writeAqf } from './_aqf.js';

const iocs = tempTree({
  'mvt-tests.stix2': stixBundle({
    malware: ['AqfTest'],
    indicators: [
      { pattern: "[android-property:name = 'dalvik.vm.heapmaxfree']", malware: 'AqfTest' },
      { pattern: "[app:id = 'com.malware.blah']", malware: 'AqfTest' },
      { pattern: "[file:hashes.sha256 = '31037a27af59d4914906c01ad14a318eee2f3e31d48da8954dca62a99174e3fa']", malware: 'AqfTest' },
      { pattern: "[app:cert.sha256 = 'c7e56178748be1441370416d4c10e34817ea0c961eb636c8e9d98e0fd79bf730']", malware: 'AqfTest' },
      { pattern: "[process:name = 'lru-add-drain']", malware: 'AqfTest' },
    ],
  }),
});
afterAll(() => iocs.remove());

describe('check on MVT\'s androidqf folder', () => {
  it('with MVT\'s test indicators: MVT\'s 10 alerts in its module order, then the 6 of dumpsys.txt, and the record counts', async () => {
    const result = await check({ target: mvtAndroidqf(), iocs: [mvtTestStix()], userIocDir: null });
    expect(result.acquisition.kind).toBe('android-androidqf');
    expect(result.findings.map((f) => [f.level, f.artifact, f.message])).toEqual(AQF_ALERTS);
    const counts = Object.fromEntries(result.coverage.map((c) => [c.artifact, c.records]));
    expect(counts).toEqual(AQF_COUNTS);
    expect(result.coverage.every((c) => c.issues.length === 0)).toBe(true);
    // MVT's 10 timeline rows, plus 16 appops entries, 6 package install times and 3 battery-daily updates.
    expect(result.timelineEvents).toBe(35);
  });

  it('with the indicators of MVT\'s module tests: one CRITICAL each for the property, the app id, the APK hash and the certificate', async () => {
    const result = await check({ target: mvtAndroidqf(), iocs: [iocs.path('mvt-tests.stix2')], userIocDir: null });
    const critical = result.findings.filter((f) => f.level === 'critical');
    expect(critical.map((f) => [f.artifact, f.match?.field, f.match?.observed])).toEqual([
      ['android.aqf_packages', 'name', 'com.malware.blah'],
      ['android.aqf_packages', 'files.sha256', '31037a27af59d4914906c01ad14a318eee2f3e31d48da8954dca62a99174e3fa'],
      ['android.aqf_packages', 'files.certificate.Sha256', 'c7e56178748be1441370416d4c10e34817ea0c961eb636c8e9d98e0fd79bf730'],
      ['android.aqf_getprop', 'name', 'dalvik.vm.heapmaxfree'],
    ]);
    expect((critical[2]!.record as { name: string }).name).toBe('com.malware.muahaha');
  });

  it('the process indicator lru-add-drain matches once in android_data/ps.txt', async () => {
    const tree = writeAqf({ 'ps.txt': readFileSync(shared('mvt-test-artifacts', 'android_data', 'ps.txt')) });
    try {
      const result = await check({ target: tree.root, iocs: [iocs.path('mvt-tests.stix2')], userIocDir: null, only: ['android.aqf_processes'] });
      expect(result.findings.map((f) => [f.level, f.match?.observed])).toEqual([['critical', 'lru-add-drain']]);
    } finally {
      tree.remove();
    }
  });
});

describe('check on MVT\'s androidqf zip', () => {
  it('reads its getprop.txt from inside the zip: 10 properties, no finding without indicators', async () => {
    const result = await check({ target: mvtAndroidqfZip(), iocs: [], userIocDir: null });
    expect(result.findings).toEqual([]);
    expect(result.coverage.find((c) => c.artifact === 'android.aqf_getprop')).toMatchObject({ state: 'parsed', records: 10 });
  });
});

/** MVT's androidqf files with `backup.ab` replaced (or removed when `backup` is null). */
function aqfWithBackup(backup: Buffer | null) {
  const files: Record<string, Buffer> = {};
  for (const name of readdirSync(mvtAndroidqf())) if (name !== 'backup.ab') files[name] = readFileSync(join(mvtAndroidqf(), name));
  if (backup !== null) files['backup.ab'] = backup;
  return writeAqf(files);
}

const encryptedAb = () => readFileSync(shared('mvt-test-artifacts', 'android_backup', 'backup2.ab'));

describe('the backup.ab inside an androidqf acquisition (reference-spec §9.1 finish(), step 2)', () => {
  it('its SMS are checked with the acquisition: MVT\'s sms.json (2 records) and urls.json (2 URLs, source sms)', async () => {
    const out = mkdtempSync(join(tmpdir(), 'th-aqf-mvt-'));
    try {
      const result = await check({ target: mvtAndroidqf(), iocs: [mvtTestStix()], userIocDir: null, output: join(out, 'o'), format: 'mvt' });
      expect(result.findings).toHaveLength(AQF_ALERTS.length);
      const sms = JSON.parse(readFileSync(join(out, 'o', 'sms.json'), 'utf8')) as { body: string; isodate: string }[];
      expect(sms.map((m) => [m.isodate, m.body])).toEqual([
        ['2022-02-22 15:29:41.956000', 'Hi this is a test message to https://google.com/'],
        ['1970-01-19 06:45:31.789000', expect.stringContaining('http://google.com')],
      ]);
      const urls = JSON.parse(readFileSync(join(out, 'o', 'urls.json'), 'utf8')) as Record<string, unknown>[];
      expect(urls).toEqual([
        { url: 'https://google.com/', expanded_url: null, timestamp: '2022-02-22 15:29:41.956000', source: 'sms' },
        { url: 'http://google.com', expanded_url: null, timestamp: '1970-01-19 06:45:31.789000', source: 'sms' },
      ]);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it('an encrypted one makes the acquisition locked; its password is asked once, and its SMS join the check', async () => {
    const tree = aqfWithBackup(encryptedAb());
    try {
      expect(detectAcquisition(tree.root)).toMatchObject({ answer: 'locked', kind: 'android-androidqf', needs: 'backup-password' });
      let asked = 0;
      const result = await check({ target: tree.root, iocs: [mvtTestStix()], userIocDir: null, credentials: async () => (asked++, { kind: 'password', password: '123456' }) });
      expect(asked).toBe(1);
      expect(result.acquisition.encrypted).toBe(true);
      expect(result.findings).toHaveLength(AQF_ALERTS.length);
      expect(result.containerNotes).toEqual([]);
      expect(result.coverage.find((c) => c.artifact === 'android.sms')).toMatchObject({ state: 'parsed', records: 1 });
    } finally {
      tree.remove();
    }
  });

  it.each(['zip', 'tar.gz'] as const)('packed in a %s with its encrypted backup.ab: locked, and its SMS read with the password', async (kind) => {
    const tree = aqfWithBackup(encryptedAb());
    try {
      const archive = await packAcquisition(tree.root, kind, join(tree.root, '..', `aqf.${kind}`), 'androidqf_2024');
      expect((await detectInput(archive)).detection).toMatchObject({ answer: 'locked', kind: 'android-androidqf' });
      const result = await check({ target: archive, iocs: [mvtTestStix()], userIocDir: null, credentials: async () => ({ kind: 'password', password: '123456' }) });
      expect(result.findings).toHaveLength(AQF_ALERTS.length);
      expect(result.containerNotes).toEqual([]);
      expect(result.coverage.find((c) => c.artifact === 'android.sms')).toMatchObject({ state: 'parsed', records: 1 });
      expect(result.coverage.find((c) => c.artifact === 'android.sms')!.files).toEqual([`androidqf_2024/backup.ab/apps/com.android.providers.telephony/d_f/000000_sms_backup inside ${archive}`]);
    } finally {
      tree.remove();
    }
  });

  it.each([
    ['without a password', undefined, /backup\.ab: this Android backup is encrypted; a password is needed: the SMS in it were not checked$/],
    ['with a wrong password', async () => ({ kind: 'password' as const, password: 'not-it' }), /backup\.ab: wrong backup password \(.*\): the SMS in it were not checked$/],
  ])('an encrypted one %s is a note of the acquisition, not a failed run: the other artifacts and MVT\'s 10 alerts stay', async (_, credentials, note) => {
    const tree = aqfWithBackup(encryptedAb());
    try {
      const result = await check({ target: tree.root, iocs: [mvtTestStix()], userIocDir: null, ...(credentials ? { credentials } : {}) });
      expect(result.findings).toHaveLength(AQF_ALERTS.length);
      expect(result.containerNotes).toHaveLength(1);
      expect(result.containerNotes[0]).toMatch(note);
      expect(result.coverage.find((c) => c.artifact === 'android.sms')).toMatchObject({ state: 'missing', records: 0 });
      expect(result.coverage.find((c) => c.artifact === 'android.aqf_packages')).toMatchObject({ state: 'parsed', records: 7 });
    } finally {
      tree.remove();
    }
  });

  it('a malformed (empty) one is a note naming it, as MVT\'s "Skipping backup modules as backup.ab is malformed"', async () => {
    const tree = aqfWithBackup(Buffer.alloc(0));
    try {
      expect(detectAcquisition(tree.root)).toMatchObject({ answer: 'match', kind: 'android-androidqf' });
      const result = await check({ target: tree.root, iocs: [], userIocDir: null });
      expect(result.containerNotes).toEqual([`${join(tree.root, 'backup.ab')}: Android backup: not an Android backup (expected a file starting with "ANDROID BACKUP"): malformed, the SMS in it were not checked`]);
      expect(result.coverage.find((c) => c.artifact === 'android.sms')).toMatchObject({ state: 'missing' });
    } finally {
      tree.remove();
    }
  });

  it('a backup.ab that is a link is not followed, and says so', async () => {
    const tree = aqfWithBackup(null);
    try {
      symlinkSync(shared('mvt-test-artifacts', 'android_backup', 'backup.ab'), join(tree.root, 'backup.ab'));
      const result = await check({ target: tree.root, iocs: [], userIocDir: null });
      expect(result.containerNotes).toEqual([expect.stringMatching(/backup\.ab: .*link.*: the SMS in it were not checked$/)]);
      expect(result.coverage.find((c) => c.artifact === 'android.sms')).toMatchObject({ state: 'missing' });
    } finally {
      tree.remove();
    }
  });

  it('without one, the SMS artifact is simply missing and nothing is noted', async () => {
    const tree = aqfWithBackup(null);
    try {
      const result = await check({ target: tree.root, iocs: [], userIocDir: null });
      expect(result.containerNotes).toEqual([]);
      expect(result.coverage.find((c) => c.artifact === 'android.sms')).toMatchObject({ state: 'missing', reason: 'not present in this acquisition' });
    } finally {
      tree.remove();
    }
  });
});

describe('check on MVT\'s androidqf folder packed as an archive', () => {
  it.each(['zip', 'tar.gz'] as const)('a %s with one top folder gives the folder\'s 16 findings, record counts and timeline', async (kind) => {
    const base = mkdtempSync(join(tmpdir(), 'tracehound-aqf-pack-'));
    try {
      const folder = await check({ target: mvtAndroidqf(), iocs: [mvtTestStix()], userIocDir: null });
      const archive = await packAcquisition(mvtAndroidqf(), kind, join(base, `androidqf.${kind}`), 'androidqf');
      const packed = await check({ target: archive, iocs: [mvtTestStix()], userIocDir: null });
      const seen = (r: typeof folder) => ({ findings: r.findings.map((f) => [f.level, f.artifact, f.message]), counts: r.coverage.map((c) => [c.artifact, c.state, c.records]), timeline: r.timelineEvents });
      expect(seen(packed)).toEqual(seen(folder));
      expect(packed.findings).toHaveLength(16);
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  });
});
