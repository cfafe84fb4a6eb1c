import { isDict, type PlistDict } from '../../formats/plist.js';
import { defineArtifact } from '../artifact.js';
import { at, readPlists } from '../_read.js';
import { plainValue, type PlainValue } from './_plist_values.js';

/** The Info.plist keys MVT reports, in its order (reference-spec §6.1, §7.1.1). */
export const backupInfoKeys = [
  'Build Version',
  'Device Name',
  'Display Name',
  'GUID',
  'ICCID',
  'IMEI',
  'MEID',
  'Installed Applications',
  'Last Backup Date',
  'Phone Number',
  'Product Name',
  'Product Type',
  'Product Version',
  'Serial Number',
  'Target Identifier',
  'Target Type',
  'Unique Identifier',
  'iTunes Version',
] as const;

export type BackupInfoKey = (typeof backupInfoKeys)[number];

/**
 * The device and backup facts from the backup's Info.plist, under MVT's key names. Absent keys are null;
 * `Last Backup Date` is a Moment, `Installed Applications` a list of bundle ids.
 */
export type BackupInfoRecord = { readonly [K in BackupInfoKey]: PlainValue };

export function decodeBackupInfo(info: PlistDict): BackupInfoRecord {
  const out = {} as Record<BackupInfoKey, PlainValue>;
  for (const key of backupInfoKeys) out[key] = plainValue(info[key]);
  return out;
}

export default defineArtifact<BackupInfoRecord>({
  id: 'ios.backup_info',
  version: 1,
  title: 'Backup information (Info.plist)',
  mvt: { module: 'backup_info', className: 'BackupInfo', shape: 'object' },
  doc: "The backup's Info.plist: device model, iOS version and build, serial number, phone identifiers and the date of the backup, which date every other finding and tell whether the iOS version was outdated.",
  inputs: { 'ios-backup': [{ by: 'container', name: 'Info.plist' }] },
  async *parse(ctx) {
    yield* readPlists(ctx, function* (plist, file) {
      if (!isDict(plist)) {
        ctx.warn({ code: 'bad-plist', file, message: 'Info.plist: expected a dictionary of backup properties at the top level' });
        return;
      }
      yield { record: decodeBackupInfo(plist), source: at(file, { whole: true }) };
    });
  },
});
