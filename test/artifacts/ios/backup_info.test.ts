import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildBinary } from 'plist';
import { describe, expect, it } from 'vitest';
import backupInfo, { backupInfoKeys, type BackupInfoRecord } from '../../../src/artifacts/ios/backup_info.js';
import { openIosBackup } from '../../../src/evidence/ios-backup.js';
import { Moment } from '../../../src/formats/time.js';
import { buildBackup } from '../../fixtures/ios-backup.js';
import { parseBackup, parseSource } from '../../helpers/artifacts.js';
import { mvtIosBackup } from '../../helpers/data.js';

describe('ios.backup_info on the MVT test backup', () => {
  it('gives one record with MVT\'s 18 keys: build 18C66, IMEI 42, absent keys null', async () => {
    const { records, items, coverage, timeline, observables } = await parseBackup<BackupInfoRecord>(backupInfo, mvtIosBackup());
    expect(coverage.state).toBe('parsed');
    expect(coverage.issues).toEqual([]);
    expect(records).toHaveLength(1);
    const info = records[0]!;
    expect(Object.keys(info)).toEqual([...backupInfoKeys]);
    expect(Object.keys(info)).toHaveLength(18);
    expect(info['Last Backup Date']).toBeInstanceOf(Moment);
    expect({ ...info, 'Last Backup Date': (info['Last Backup Date'] as Moment).mvt() }).toEqual({
      'Build Version': '18C66',
      'Device Name': 'iPhone',
      'Display Name': 'iPhone',
      GUID: 'DDDDDDDDDD',
      ICCID: '63847829383904849',
      IMEI: '42',
      MEID: null,
      'Installed Applications': ['ph.telegra.Telegraph', 'com.google.Gmail', 'ch.icoaching.typewise', 'com.google.chrome.ios', 'net.whatsapp.WhatsApp', 'org.mozilla.ios.Firefox'],
      'Last Backup Date': '2021-12-03 19:33:13.000000',
      'Phone Number': null,
      'Product Name': null,
      'Product Type': 'iPhone9,3',
      'Product Version': '14.3',
      'Serial Number': 'F1234567890',
      'Target Identifier': '1cb128eafa77c5be74283e9a3a2130af36a3c059',
      'Target Type': 'Device',
      'Unique Identifier': '1CB128EAFA77C5BE74283E9A3A2130AF36A3C059',
      'iTunes Version': '12.5.0',
    });
    expect(items[0]!.source).toMatchObject({ file: { ref: { storedPath: 'Info.plist' } }, at: { whole: true } });
    expect(timeline).toEqual([]);
    expect(observables).toEqual([]);
  });
});

describe('ios.backup_info on bad input', () => {
  it('fails with a message naming Info.plist when it is truncated', async () => {
    const backup = buildBackup([]);
    const whole = Buffer.from(buildBinary({ 'Build Version': '21F90', 'Product Version': '17.5.1' }));
    writeFileSync(join(backup, 'Info.plist'), whole.subarray(0, whole.length - 12));
    const { records, coverage } = await parseBackup<BackupInfoRecord>(backupInfo, backup);
    expect(records).toEqual([]);
    expect(coverage.state).toBe('failed');
    expect(coverage.issues.map((i) => i.code)).toEqual(['bad-plist']);
    expect(coverage.reason).toMatch(/^Info\.plist: truncated or corrupted binary plist/);
  });

  it('fails when Info.plist holds something other than a dictionary', async () => {
    const backup = buildBackup([]);
    writeFileSync(join(backup, 'Info.plist'), Buffer.from(buildBinary(['not', 'a', 'dict'])));
    const { records, coverage } = await parseBackup<BackupInfoRecord>(backupInfo, backup);
    expect(records).toEqual([]);
    expect(coverage.state).toBe('failed');
    expect(coverage.reason).toBe('Info.plist: expected a dictionary of backup properties at the top level');
  });

  it('reports Info.plist as missing when it disappears from the backup folder', async () => {
    const backup = buildBackup([]);
    const source = await openIosBackup(backup);
    try {
      rmSync(join(backup, 'Info.plist'));
      const { records, coverage } = await parseSource<BackupInfoRecord>(backupInfo, source);
      expect(records).toEqual([]);
      expect(coverage.state).toBe('missing');
      expect(coverage.issues.map((i) => [i.code, i.file?.ref.storedPath])).toEqual([['file-missing', 'Info.plist']]);
      expect(coverage.reason).toBe(`Info.plist is missing from ${backup}`);
    } finally {
      await source.close();
    }
  });
});
