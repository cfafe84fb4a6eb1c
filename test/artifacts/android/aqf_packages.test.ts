import { describe, expect, it } from 'vitest';
import packages, { decodePackage, decodePackages, type AqfPackageRecord } from '../../../src/artifacts/android/aqf_packages.js';
import { mvtAndroidqf, parseAqfFiles, parseAqf } from './_aqf.js';

describe('android.aqf_packages on MVT\'s androidqf test acquisition', () => {
  it('reads the 7 packages with installer, flags, APK hashes and certificate, no timeline', async () => {
    const { records, items, coverage, timeline, observables } = await parseAqf<AqfPackageRecord>(packages, mvtAndroidqf());
    expect(coverage.state).toBe('parsed');
    expect(coverage.issues).toEqual([]);
    expect(records.map((r) => [r.name, r.installer, r.system])).toEqual([
      ['com.whatsapp', 'null', false],
      ['app.revanced.manager.flutter', 'com.google.android.packageinstaller', false],
      ['com.google.android.youtube', 'com.google.android.packageinstaller', true],
      ['org.fdroid.fdroid', 'com.google.android.packageinstaller', false],
      ['org.nuclearfog.apollo', 'org.fdroid.fdroid', false],
      ['com.malware.blah', 'null', true],
      ['com.malware.muahaha', 'null', true],
    ]);
    const whatsapp = records[0]!;
    expect(whatsapp).toMatchObject({ uid: 10271, disabled: false, third_party: true });
    expect(whatsapp.files).toHaveLength(1);
    expect(whatsapp.files[0]).toMatchObject({
      path: '/data/app/~~/com.whatsapp-~~/base.apk',
      sha256: '744ed47f8176ec423840344c33e88bd2c96e8988cda0797f3415bb5229efc12b',
      verified_certificate: true,
      trusted_certificate: true,
    });
    expect(whatsapp.files[0]!.certificate).toMatchObject({ Sha256: '3987d043d10aefaf5a8710b3671418fe57e0e19b653c9df82558feb5ffce5d44', SerialNumber: 1277507236, SignatureAlgorithm: 'DSA-SHA1' });
    expect(items[6]!.source.at).toEqual({ key: '[6]' });
    expect(timeline).toEqual([]);
    // MVT's indicator tests: the app id com.malware.blah, an APK sha256 and a certificate sha256 of com.malware.muahaha.
    const muahaha = packages.observables!(records[6]!);
    expect(muahaha).toContainEqual({ kind: 'sha256', value: '31037a27af59d4914906c01ad14a318eee2f3e31d48da8954dca62a99174e3fa', field: 'files.sha256' });
    expect(muahaha).toContainEqual({ kind: 'cert_hash', value: 'c7e56178748be1441370416d4c10e34817ea0c961eb636c8e9d98e0fd79bf730', field: 'files.certificate.Sha256' });
    expect(observables).toContainEqual({ kind: 'app_id', value: 'com.malware.blah', field: 'name' });
    // One app id, one APK hash and three certificate hashes per package.
    expect(observables).toHaveLength(7 * 5);
  });
});

describe('decodePackage', () => {
  it('reads fields of the wrong type as null and keeps the package', () => {
    expect(decodePackage({ name: 'com.x', installer: 7, system: 'yes', files: [{ path: '/a.apk', sha256: 12, certificate: [] }, 'junk'] })).toEqual({
      name: 'com.x',
      files: [{ path: '/a.apk', local_name: null, md5: null, sha1: null, sha256: null, sha512: null, error: null, verified_certificate: null, certificate: null, certificate_error: null, trusted_certificate: null }],
      installer: null,
      uid: null,
      disabled: null,
      system: null,
      third_party: null,
    });
  });

  it('refuses an item without a name', () => {
    expect(decodePackage({ installer: 'com.android.vending' })).toBe('no package name');
    expect(decodePackage('com.x')).toBe('expected an object, found a string');
  });

  it('refuses a packages.json that is not a list', () => {
    expect(decodePackages({ name: 'com.x' })).toBe('expected a list of packages, found an object');
  });
});

describe('android.aqf_packages on bad input', () => {
  it('truncated JSON is one issue naming the file, and no record', async () => {
    const { records, coverage } = await parseAqfFiles<AqfPackageRecord>(packages, { 'packages.json': '[{"name": "com.whatsapp", "files": [' });
    expect(records).toEqual([]);
    expect(coverage.state).toBe('failed');
    expect(coverage.issues).toHaveLength(1);
    expect(coverage.issues[0]!.message).toMatch(/^packages\.json: not valid JSON \(/);
  });

  it('an object instead of a list is one issue', async () => {
    const { records, coverage } = await parseAqfFiles<AqfPackageRecord>(packages, { 'packages.json': '{"com.whatsapp": {}}' });
    expect(records).toEqual([]);
    expect(coverage.issues.map((i) => i.message)).toEqual(['packages.json: expected a list of packages, found an object']);
  });

  it('broken items are counted in one issue; the others are read', async () => {
    const { records, coverage } = await parseAqfFiles<AqfPackageRecord>(packages, { 'packages.json': JSON.stringify([{ name: 'com.a' }, 42, { files: [] }, { name: 'com.b' }]) });
    expect(records.map((r) => r.name)).toEqual(['com.a', 'com.b']);
    expect(coverage.state).toBe('partial');
    expect(coverage.issues.map((i) => i.message)).toEqual(['packages.json: 2 item(s) not read, the first (item 1): expected an object, found a number']);
  });

  it('no packages.json: missing, not an error', async () => {
    const { records, coverage } = await parseAqfFiles<AqfPackageRecord>(packages, {});
    expect(records).toEqual([]);
    expect(coverage.state).toBe('missing');
  });
});
