/**
 * The encrypted backup generator, opened the way an examiner's tool opens an iOS backup (reference-spec §8.2):
 * parse the keybag, derive the key from the password, unlock the class keys, decrypt Manifest.db with the
 * ManifestKey, then each file with the key in its MBFile metadata.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  createDecryptStream,
  decryptWithKey,
  deriveBackupKey,
  fileKey,
  manifestDbKey,
  unlockClassKeys,
  WrongKeyError,
} from '../../src/evidence/backup-crypto.js';
import { decodeFileMeta, fileIdOf } from '../../src/evidence/ios-backup.js';
import { isSqliteImage, openSqlite } from '../../src/evidence/sqlite.js';
import { parseKeybag, type Keybag } from '../../src/formats/keybag.js';
import { isDict, parsePlist, type PlistDict } from '../../src/formats/plist.js';
import { IosBackupWriter } from '../../src/synth/ios-backup-writer.js';
import { generateIosBackup, SYNTH_FILES, type GenerateOptions } from '../../src/synth/ios-backup.js';
import { tempDir } from '../fixtures/ios-backup.js';
import { snapshotTree } from '../helpers/tree.js';

const PASSWORD = 'correct horse battery staple';
const encryption = { password: PASSWORD, dpic: 1000, iter: 10 };
const sizes: GenerateOptions = { seed: 11, manifestEntries: 600, messages: 120, visits: 90, processes: 25 };

interface FileRow {
  fileID: string;
  domain: string;
  relativePath: string;
  flags: number;
  file: Buffer;
}

interface Unlocked {
  keybag: Keybag;
  classKeys: ReadonlyMap<number, Buffer>;
  manifestPlist: PlistDict;
  /** Manifest.db, decrypted in memory. */
  manifest: Buffer;
}

function readManifestPlist(dir: string): PlistDict {
  const plist = parsePlist(readFileSync(join(dir, 'Manifest.plist')), 'Manifest.plist');
  if (!isDict(plist)) throw new Error('Manifest.plist is not a dictionary');
  return plist;
}

async function unlock(dir: string, password = PASSWORD): Promise<Unlocked> {
  const manifestPlist = readManifestPlist(dir);
  const keybag = parseKeybag(manifestPlist.BackupKeyBag as Buffer);
  const classKeys = unlockClassKeys(keybag, await deriveBackupKey(password, keybag));
  const key = manifestDbKey(manifestPlist.ManifestKey as Buffer, classKeys);
  return { keybag, classKeys, manifestPlist, manifest: decryptWithKey(key, readFileSync(join(dir, 'Manifest.db'))) };
}

function rowsOf(manifest: Buffer): FileRow[] {
  const h = openSqlite({ kind: 'buffer', data: manifest }, 'Manifest.db');
  try {
    return h.db.prepare('SELECT fileID, domain, relativePath, flags, file FROM Files ORDER BY rowid').all() as FileRow[];
  } finally {
    h.close();
  }
}

const stored = (dir: string, id: string): string => join(dir, id.slice(0, 2), id);

function decryptStored(dir: string, row: FileRow, classKeys: ReadonlyMap<number, Buffer>): Buffer {
  const meta = decodeFileMeta(row.file);
  return decryptWithKey(fileKey(meta.encryptionKey!, meta.protectionClass!, classKeys), readFileSync(stored(dir, row.fileID)), meta.size);
}

const manifestScratchFolders = (): string[] => readdirSync(tmpdir()).filter((n) => n.startsWith('tracehound-manifest-'));

let plain: string;
let encrypted: string;
let unlocked: Unlocked;
let scratchBefore: string[];

beforeAll(async () => {
  const base = tempDir('encgen');
  plain = join(base, 'plain');
  encrypted = join(base, 'encrypted');
  scratchBefore = manifestScratchFolders();
  generateIosBackup(plain, sizes);
  generateIosBackup(encrypted, { ...sizes, encryption });
  unlocked = await unlock(encrypted);
});

describe('an encrypted generated backup', () => {
  it('has a Manifest.plist that says encrypted, with a keybag, a ManifestKey and the iOS version', () => {
    const m = unlocked.manifestPlist;
    expect(m.IsEncrypted).toBe(true);
    expect(m.Lockdown).toEqual({ ProductVersion: '17.5.1' });
    expect((m.ManifestKey as Buffer).length).toBe(44);
    expect((m.ManifestKey as Buffer).subarray(0, 4).toString('hex')).toBe('04000000'); // class 4, little-endian
    expect(readManifestPlist(plain).IsEncrypted).toBe(false);
    expect(readManifestPlist(plain).BackupKeyBag).toBeUndefined();
  });

  it('has a backup keybag as iOS ≥ 10.2 writes it: TYPE 1, VERS 5, both PBKDF2 stages, class keys 1–11 wrapped with the password key', () => {
    const k = unlocked.keybag;
    expect({ version: k.version, type: k.type, wrap: k.wrap, iter: k.iter, dpwt: k.dpwt, dpic: k.dpic }).toEqual({ version: 5, type: 1, wrap: 0, iter: 10, dpwt: 1, dpic: 1000 });
    expect([k.uuid.length, k.salt.length, k.dpsl?.length, k.hmck?.length]).toEqual([16, 20, 20, 40]);
    expect([...k.classKeys.keys()]).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    for (const ck of k.classKeys.values()) expect({ wrap: ck.wrap, ktyp: ck.ktyp, uuid: ck.uuid.length, wpky: ck.wpky.length }).toEqual({ wrap: 3, ktyp: 0, uuid: 16, wpky: 40 });
    expect(unlocked.classKeys.size).toBe(11);
  });

  it('stores Manifest.db encrypted, and it decrypts to a Manifest.db with the same rows as the unencrypted backup', () => {
    const raw = readFileSync(join(encrypted, 'Manifest.db'));
    expect(isSqliteImage(raw)).toBe(false);
    expect(raw.length % 16).toBe(0);
    expect(isSqliteImage(unlocked.manifest)).toBe(true);
    const enc = rowsOf(unlocked.manifest);
    const pl = rowsOf(readFileSync(join(plain, 'Manifest.db')));
    expect(enc).toHaveLength(600);
    expect(enc.map((r) => [r.fileID, r.domain, r.relativePath, r.flags])).toEqual(pl.map((r) => [r.fileID, r.domain, r.relativePath, r.flags]));
    const sms = enc.find((r) => r.relativePath === SYNTH_FILES.sms.relativePath)!;
    expect(sms).toMatchObject({ fileID: '3d0d7e5fb2ce288813306e4d4636395e047a3d28', domain: 'HomeDomain', flags: 1 });
  });

  it('gives every file entry a 44-byte EncryptionKey and its ProtectionClass, folders none; sizes are the plaintext sizes', () => {
    const pl = new Map(rowsOf(readFileSync(join(plain, 'Manifest.db'))).map((r) => [r.fileID, decodeFileMeta(r.file)]));
    for (const row of rowsOf(unlocked.manifest)) {
      const meta = decodeFileMeta(row.file);
      const { encryptionKey, ...rest } = meta;
      expect(rest).toEqual(pl.get(row.fileID)); // same size, mode, times, owner, class as unencrypted
      expect(meta.protectionClass).toBe(3);
      if (row.flags === 1) {
        expect(encryptionKey).toHaveLength(44);
        expect(encryptionKey!.readUInt32LE(0)).toBe(3);
      } else {
        expect(encryptionKey).toBeUndefined();
      }
    }
  });

  it('lays the MBFile archive out as the real backup does: the key as an NSMutableData object after the path', () => {
    const row = rowsOf(unlocked.manifest).find((r) => r.relativePath === SYNTH_FILES.tcc.relativePath)!;
    const archive = parsePlist(row.file, 'MBFile') as PlistDict;
    const objects = archive.$objects as unknown[];
    expect(objects).toHaveLength(6);
    expect(objects[2]).toBe('Library/TCC/TCC.db');
    expect((objects[3] as PlistDict)['NS.data']).toHaveLength(44);
    expect(objects[4]).toEqual({ $classname: 'NSMutableData', $classes: ['NSMutableData', 'NSData', 'NSObject'] });
    expect(objects[5]).toEqual({ $classname: 'MBFile', $classes: ['MBFile', 'NSObject'] });
  });

  it('decrypts every stored file to exactly the bytes of the unencrypted backup with the same seed', () => {
    const rows = rowsOf(unlocked.manifest).filter((r) => existsSync(stored(encrypted, r.fileID)));
    expect(rows.length).toBe(rowsOf(readFileSync(join(plain, 'Manifest.db'))).filter((r) => existsSync(stored(plain, r.fileID))).length);
    expect(rows.length).toBeGreaterThan(5);
    for (const row of rows) {
      const ciphertext = readFileSync(stored(encrypted, row.fileID));
      const original = readFileSync(stored(plain, row.fileID));
      expect(ciphertext.length).toBe((Math.floor(original.length / 16) + 1) * 16); // PKCS#7
      expect(ciphertext.equals(original)).toBe(false);
      expect(decryptStored(encrypted, row, unlocked.classKeys).equals(original)).toBe(true);
    }
    const sms = rows.find((r) => r.relativePath === SYNTH_FILES.sms.relativePath)!;
    const smsDb = openSqlite({ kind: 'buffer', data: decryptStored(encrypted, sms, unlocked.classKeys) }, 'sms.db');
    expect(smsDb.db.prepare('SELECT count(*) FROM message').pluck().get()).toBe(120);
    smsDb.close();
  });

  it('leaves no plaintext behind: nothing in the backup is a SQLite file, and the Manifest.db scratch folder is gone', () => {
    for (const rel of readdirSync(encrypted, { recursive: true }) as string[]) {
      const path = join(encrypted, rel);
      if (statSync(path).isFile() && !rel.endsWith('.plist')) expect(isSqliteImage(readFileSync(path).subarray(0, 16))).toBe(false);
    }
    expect(manifestScratchFolders()).toEqual(scratchBefore);
  });

  it('refuses a wrong password with WrongKeyError, after one derivation', async () => {
    await expect(unlock(encrypted, 'Tr0ub4dor&3')).rejects.toBeInstanceOf(WrongKeyError);
  });

  it('repeats byte for byte with the same seed; another encryption seed changes every ciphertext but no plaintext', async () => {
    const again = join(tempDir('encgen2'), 'b');
    generateIosBackup(again, { ...sizes, encryption });
    expect(snapshotTree(again)).toEqual(snapshotTree(encrypted));

    const reseeded = join(tempDir('encgen3'), 'b');
    generateIosBackup(reseeded, { ...sizes, encryption: { ...encryption, seed: 99 } });
    const other = await unlock(reseeded);
    expect(readFileSync(join(reseeded, 'Manifest.db')).equals(readFileSync(join(encrypted, 'Manifest.db')))).toBe(false);
    const id = fileIdOf(SYNTH_FILES.sms.domain, SYNTH_FILES.sms.relativePath);
    expect(readFileSync(stored(reseeded, id)).equals(readFileSync(stored(encrypted, id)))).toBe(false);
    const row = rowsOf(other.manifest).find((r) => r.fileID === id)!;
    expect(decryptStored(reseeded, row, other.classKeys).equals(readFileSync(stored(plain, id)))).toBe(true);
  });
});

describe('generateIosBackup with stored media (benchmark weight)', () => {
  it('adds camera-roll videos of the requested total size within manifestEntries, identical encrypted and not', async () => {
    const mediaBytes = 33 * 1024 * 1024 + 3; // a full 32 MiB file and a 1 MiB + 3 bytes one
    const base = tempDir('media');
    const a = generateIosBackup(join(base, 'plain'), { ...sizes, manifestEntries: 100, mediaBytes });
    const b = generateIosBackup(join(base, 'enc'), { ...sizes, manifestEntries: 100, mediaBytes, encryption });
    expect([a.mediaFiles, a.mediaBytes, a.manifestEntries]).toEqual([2, mediaBytes, 100]);
    expect([b.mediaFiles, b.mediaBytes, b.manifestEntries]).toEqual([2, mediaBytes, 100]);
    const { classKeys, manifest } = await unlock(b.dir);
    const videos = rowsOf(manifest).filter((r) => r.relativePath.startsWith('Media/DCIM/999APPLE/'));
    expect(videos.map((r) => [r.relativePath, decodeFileMeta(r.file).size])).toEqual([
      ['Media/DCIM/999APPLE/IMG_9000.MOV', 32 * 1024 * 1024],
      ['Media/DCIM/999APPLE/IMG_9001.MOV', 1024 * 1024 + 3],
    ]);
    for (const v of videos) expect(decryptStored(b.dir, v, classKeys).equals(readFileSync(stored(a.dir, v.fileID)))).toBe(true);
    // The default is none.
    expect(generateIosBackup(join(base, 'none'), { ...sizes, manifestEntries: 100 }).mediaFiles).toBe(0);
  });
});

describe('IosBackupWriter with encryption: large files', () => {
  it('encrypts a file given as chunks and one moved in from a path, streaming, and removes the source', async () => {
    const dir = join(tempDir('encbig'), 'b');
    const w = new IosBackupWriter(dir, {}, { encryption: { ...encryption, seed: 5 } });
    expect(w.encrypted).toBe(true);
    const chunk = (i: number) => Buffer.alloc(1_000_003, i & 0xff); // odd sizes: chunks never align with AES blocks
    const big = { domain: 'CameraRollDomain', relativePath: 'Media/DCIM/100APPLE/IMG_0001.MOV' };
    const bigId = w.addFileChunks(
      big,
      (function* () {
        for (let i = 0; i < 24; i++) yield chunk(i);
      })(),
    );
    const source = join(tempDir('encsrc'), 'History.db');
    writeFileSync(source, Buffer.alloc(70_000, 7));
    const movedId = w.addFileFrom({ domain: 'HomeDomain', relativePath: 'Library/Safari/History.db' }, source);
    w.close();
    expect(existsSync(source)).toBe(false);

    const { classKeys, manifest } = await unlock(dir);
    const rows = rowsOf(manifest);
    const bigRow = rows.find((r) => r.fileID === bigId)!;
    const meta = decodeFileMeta(bigRow.file);
    expect(meta.size).toBe(24 * 1_000_003);
    expect(statSync(stored(dir, bigId)).size).toBe((Math.floor((24 * 1_000_003) / 16) + 1) * 16);

    // Streamed back through createDecryptStream, compared chunk by chunk without building the whole file.
    const key = fileKey(meta.encryptionKey!, meta.protectionClass!, classKeys);
    const hash = createHash('sha256');
    await pipeline(Readable.from([readFileSync(stored(dir, bigId))]), createDecryptStream(key, meta.size!), async (src: AsyncIterable<Buffer>) => {
      for await (const c of src) hash.update(c);
    });
    const expected = createHash('sha256');
    for (let i = 0; i < 24; i++) expected.update(chunk(i));
    expect(hash.digest('hex')).toBe(expected.digest('hex'));

    const moved = rows.find((r) => r.fileID === movedId)!;
    expect(decryptStored(dir, moved, classKeys).equals(Buffer.alloc(70_000, 7))).toBe(true);
  });
});
