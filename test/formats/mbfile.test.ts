/**
 * The MBFile decoder of Manifest.db rows: the direct read of the usual shape gives exactly what un-archiving the
 * whole archive gives, on every row of a real backup and of a generated one, and any other shape goes to the
 * general decoder.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSqlite } from '../../src/evidence/sqlite.js';
import { FormatError } from '../../src/errors.js';
import { decodeMbFile, decodeMbFileByUnarchiving, decodeMbFileShape } from '../../src/formats/mbfile.js';
import { decodeMbFileDirect } from '../../src/formats/mbfile-direct.js';
import { generateIosBackup } from '../../src/synth/ios-backup.js';
import { tempDir } from '../fixtures/ios-backup.js';
import { mvtIosBackup } from '../helpers/data.js';
import { buildBinary } from 'plist';
import { UID } from '../../src/formats/plist.js';

function manifestBlobs(manifestPath: string): Buffer[] {
  const handle = openSqlite({ kind: 'buffer', data: readFileSync(manifestPath) }, 'Manifest.db');
  try {
    return (handle.db.prepare('SELECT file FROM Files ORDER BY rowid').all() as { file: unknown }[]).map((r) => r.file).filter((f): f is Buffer => Buffer.isBuffer(f));
  } finally {
    handle.close();
  }
}

/** An MBFile archive as iOS writes it, with the root's class and the key holder's class chosen by the test. */
function archive(rootClass: string, keyClass = 'NSMutableData'): Buffer {
  const objects = [
    '$null',
    { $class: new UID(3), Size: 42, Mode: 33188, LastModified: 1_700_000_000, UserID: 501, ProtectionClass: 3, EncryptionKey: new UID(4), RelativePath: new UID(2) },
    'Library/SMS/sms.db',
    { $classname: rootClass, $classes: [rootClass, 'NSObject'] },
    { $class: new UID(5), 'NS.data': Buffer.from('00112233', 'hex') },
    { $classname: keyClass, $classes: [keyClass, 'NSData', 'NSObject'] },
  ];
  const plist = { $version: 100000, $archiver: 'NSKeyedArchiver', $top: { root: new UID(1) }, $objects: objects };
  return Buffer.from(buildBinary(plist as unknown as Parameters<typeof buildBinary>[0]));
}

describe('MBFile archives', () => {
  it('every row of MVT\'s test backup is read by the direct path, with the values un-archiving gives', () => {
    const blobs = manifestBlobs(join(mvtIosBackup(), 'Manifest.db'));
    expect(blobs).toHaveLength(3721);
    for (const blob of blobs) {
      const direct = decodeMbFileShape(blob);
      expect(direct).toBeDefined();
      expect(direct).toEqual(decodeMbFileByUnarchiving(blob));
      // The one-pass read answers for every row iOS wrote, with the same fields.
      expect(decodeMbFileDirect(blob)).toEqual(direct);
    }
    expect(decodeMbFile(blobs[0]!).mode).toBeGreaterThan(0);
  });

  it('every row of a generated backup too', () => {
    const dir = tempDir('mbfile');
    generateIosBackup(dir, { seed: 5, manifestEntries: 500, messages: 10, visits: 10, processes: 10 });
    const blobs = manifestBlobs(join(dir, 'Manifest.db'));
    expect(blobs.length).toBeGreaterThanOrEqual(500);
    for (const blob of blobs) {
      expect(decodeMbFileShape(blob)).toEqual(decodeMbFileByUnarchiving(blob));
      expect(decodeMbFileDirect(blob)).toEqual(decodeMbFileByUnarchiving(blob));
    }
  });

  it('reads the wrapped key of an encrypted backup\'s row from its NSMutableData', () => {
    const mb = decodeMbFile(archive('MBFile'));
    expect(mb).toEqual({ size: 42, mode: 33188, modified: 1_700_000_000, owner: 501, protectionClass: 3, encryptionKey: Buffer.from('00112233', 'hex') });
    expect(decodeMbFileByUnarchiving(archive('MBFile'))).toEqual(mb);
    expect(decodeMbFileDirect(archive('MBFile'))).toEqual(mb);
  });

  it('leaves any other shape to the general decoder, which decides as it always did', () => {
    // A root of another class, a key held by something that is not NSData: the direct path declines.
    expect(decodeMbFileShape(archive('NSDictionary'))).toBeUndefined();
    expect(decodeMbFileShape(archive('MBFile', 'Evil'))).toBeUndefined();
    expect(decodeMbFileDirect(archive('NSDictionary'))).toBeUndefined();
    expect(decodeMbFileDirect(archive('MBFile', 'Evil'))).toBeUndefined();
    expect(decodeMbFile(archive('MBFile', 'Evil'))).toEqual(decodeMbFileByUnarchiving(archive('MBFile', 'Evil')));
    expect(decodeMbFileByUnarchiving(archive('MBFile', 'Evil')).encryptionKey).toBeUndefined();
    // Not an archive at all: the general decoder's reason.
    expect(() => decodeMbFile(Buffer.from(buildBinary({ Size: 1 })))).toThrow(FormatError);
    expect(() => decodeMbFile(Buffer.from('bplist00 truncated'))).toThrow(/truncated or corrupted binary plist/);
  });

  it('the one-pass read declines what it is not sure of, and the checked decoders decide as before', () => {
    const good = archive('MBFile');
    // Damaged: a truncated archive, a reference past the objects, a trailer pointing nowhere.
    const truncated = good.subarray(0, good.length - 5);
    const badRef = Buffer.from(good);
    badRef[badRef.length - 32 + 7] = 9; // object reference size 9: not a binary plist any decoder reads
    const badTable = Buffer.from(good);
    badTable.writeUInt32BE(good.length, badTable.length - 4); // offset table past the trailer
    for (const damaged of [truncated, badRef, badTable]) {
      expect(decodeMbFileDirect(damaged)).toBeUndefined();
      expect(() => decodeMbFile(damaged)).toThrow(/truncated or corrupted binary plist/);
    }
    // Intact but unusual: a field holding a string is ignored by the checked path, so the one-pass read declines.
    const odd = Buffer.from(buildBinary({ $version: 100000, $archiver: 'NSKeyedArchiver', $top: { root: new UID(1) }, $objects: ['$null', { $class: new UID(2), Size: 'big', Mode: 33188 }, { $classname: 'MBFile', $classes: ['MBFile', 'NSObject'] }] } as unknown as Parameters<typeof buildBinary>[0]));
    expect(decodeMbFileDirect(odd)).toBeUndefined();
    expect(decodeMbFile(odd)).toEqual({ mode: 33188 });
    expect(decodeMbFileDirect(Buffer.from('bplist00 truncated'))).toBeUndefined();
    expect(decodeMbFileDirect(Buffer.alloc(0))).toBeUndefined();
  });
});
