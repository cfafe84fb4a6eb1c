import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { buildBinary } from 'plist';
import { describe, expect, it } from 'vitest';
import applications, { purchaseDate, type ApplicationRecord } from '../../../src/artifacts/ios/applications.js';
import { buildBackup } from '../../fixtures/ios-backup.js';
import { parseBackup } from '../../helpers/artifacts.js';
import { mvtIosBackup } from '../../helpers/data.js';

type PlistInput = Parameters<typeof buildBinary>[0];
const bplist = (v: unknown) => Buffer.from(buildBinary(v as PlistInput));
const icon = Buffer.from('\x89PNG fake icon bytes', 'latin1');

const sideloaded = {
  softwareVersionBundleId: 'com.example.tracker',
  itemName: 'Tracker',
  artistName: 'Example Ltd',
  bundleShortVersionString: '1.2',
  sourceApp: 'com.example.store',
  'com.apple.iTunesStore.downloadInfo': { purchaseDate: '2021-05-20T12:34:56Z', accountInfo: { AppleID: 'someone@example.org' } },
};

/** A backup whose Info.plist lists three apps, as Finder writes it (iTunesMetadata is a nested binary plist). */
function backupWithApps(): string {
  const backup = buildBackup([]);
  writeFileSync(
    join(backup, 'Info.plist'),
    bplist({
      'Product Version': '17.5.1',
      Applications: {
        'com.example.tracker': { iTunesMetadata: bplist(sideloaded), PlaceholderIcon: icon },
        'com.apple.Pages': { iTunesMetadata: bplist({ softwareVersionBundleId: 'com.apple.Pages', itemName: 'Pages', artistName: 'Apple', bundleShortVersionString: '13.0' }) },
        'com.example.nometa': { ApplicationSINF: Buffer.from([0]) },
      },
    }),
  );
  return backup;
}

describe('ios.applications on the MVT test backup', () => {
  it('reads Info.plist, which has no Applications: 0 records, coverage empty', async () => {
    const { records, coverage } = await parseBackup<ApplicationRecord>(applications, mvtIosBackup());
    expect(records).toEqual([]);
    expect(coverage.state).toBe('empty');
    expect(coverage.issues).toEqual([]);
  });
});

describe('ios.applications on a built backup', () => {
  it('gives one record per app: its bundle id as name, the App Store metadata, the icon hash and the purchase date in UTC', async () => {
    const { records, items, coverage } = await parseBackup<ApplicationRecord>(applications, backupWithApps());
    expect(coverage.state).toBe('parsed');
    expect(coverage.issues).toEqual([]);
    expect(records).toHaveLength(3);
    expect({ ...records[0]!, isodate: records[0]!.isodate?.mvt() }).toEqual({
      name: 'com.example.tracker',
      ...sideloaded,
      icon_sha256: createHash('sha256').update(icon).digest('hex'),
      isodate: '2021-05-20 12:34:56.000000',
    });
    expect(items[0]!.source.at).toEqual({ key: 'Applications/com.example.tracker' });
    expect(records[1]).toMatchObject({ name: 'com.apple.Pages', softwareVersionBundleId: 'com.apple.Pages', isodate: null });
    expect(records[2]).toEqual({ name: 'com.example.nometa', isodate: null });
  });

  it('dates the install in the timeline and offers each bundle id as app id and process', async () => {
    const { timeline, observables } = await parseBackup<ApplicationRecord>(applications, backupWithApps());
    expect(timeline.map((e) => [e.time?.mvt(), e.event, e.description])).toEqual([
      ['2021-05-20 12:34:56.000000', 'app_installed', 'App com.example.tracker version 1.2 from Example Ltd installed from com.example.store'],
    ]);
    expect(observables.slice(0, 2)).toEqual([
      { kind: 'app_id', value: 'com.example.tracker', field: 'softwareVersionBundleId' },
      { kind: 'process', value: 'com.example.tracker', field: 'softwareVersionBundleId' },
    ]);
    expect(observables.filter((o) => o.value === 'com.example.nometa').map((o) => [o.kind, o.field])).toEqual([
      ['app_id', 'name'],
      ['process', 'name'],
    ]);
  });

  it('reports damaged app metadata by app, and keeps the app', async () => {
    const backup = buildBackup([]);
    writeFileSync(join(backup, 'Info.plist'), bplist({ Applications: { 'com.example.broken': { iTunesMetadata: bplist(sideloaded).subarray(0, 40) } } }));
    const { records, coverage } = await parseBackup<ApplicationRecord>(applications, backup);
    expect(records).toEqual([{ name: 'com.example.broken', isodate: null }]);
    expect(coverage.state).toBe('partial');
    expect(coverage.issues.map((i) => i.code)).toEqual(['bad-plist']);
    expect(coverage.issues[0]!.message).toMatch(/^Info\.plist Applications\/com\.example\.broken\/iTunesMetadata: truncated or corrupted binary plist/);
  });

  it('fails with a message naming Info.plist when it is corrupted', async () => {
    const backup = buildBackup([]);
    writeFileSync(join(backup, 'Info.plist'), Buffer.from('<?xml version="1.0"?><plist><dict><key>x</key>'));
    const { coverage } = await parseBackup<ApplicationRecord>(applications, backup);
    expect(coverage.state).toBe('failed');
    expect(coverage.reason).toMatch(/^Info\.plist: malformed XML plist/);
  });
});

describe('purchase dates', () => {
  it.each([
    [{ 'com.apple.iTunesStore.downloadInfo': { purchaseDate: '2021-05-20T23:59:59Z' } }, '2021-05-20 23:59:59.000000'],
    [{ purchaseDate: new Date(Date.UTC(2015, 0, 2, 3, 4, 5)) }, '2015-01-02 03:04:05.000000'],
    [{ 'com.apple.iTunesStore.downloadInfo': { purchaseDate: '20 May 2021' } }, null],
    [{}, null],
  ])('%j → %s, whatever the machine\'s time zone', (metadata, expected) => {
    expect(purchaseDate(metadata as never)?.mvt() ?? null).toBe(expected);
  });
});
