/**
 * A whole check of MVT's androidqf test acquisitions, against MVT's own end-to-end figures (reference-spec
 * §14.2) and its indicator tests (§13.5): the findings, their order and levels, and the timeline.
 */
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { check } from '../../../src/index.js';
import { shared, mvtTestStix } from '../../helpers/data.js';
import { stixBundle, tempTree } from '../../indicators/bundle.js';
import { MVT_AQF_ALERTS, MVT_AQF_COUNTS, mvtAndroidqf, mvtAndroidqfZip, writeAqf } from './_aqf.js';

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
  it('with MVT\'s test indicators: MVT\'s 10 alerts in its module order, and its record counts', async () => {
    const result = await check({ target: mvtAndroidqf(), iocs: [mvtTestStix()], userIocDir: null });
    expect(result.acquisition.kind).toBe('android-androidqf');
    expect(result.findings.map((f) => [f.level, f.artifact, f.message])).toEqual(MVT_AQF_ALERTS);
    const counts = Object.fromEntries(result.coverage.map((c) => [c.artifact, c.records]));
    expect(counts).toEqual(MVT_AQF_COUNTS);
    expect(result.coverage.every((c) => c.issues.length === 0)).toBe(true);
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
