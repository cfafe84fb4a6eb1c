/**
 * Writes iTunes/Finder backups the way iOS lays them out (Info.plist, Manifest.plist, Status.plist,
 * Manifest.db with MBFile archives, files at `<id[0:2]>/<id>`), for tests, the demo and the benchmarks.
 * Entries stream into Manifest.db in batched transactions, so a million-entry backup needs no more
 * memory than a small one.
 *
 * With `encryption`, the backup is written as iOS writes an encrypted one (reference-spec §8.2): a backup
 * keybag whose class keys are wrapped with the password-derived key, each file encrypted (AES-256-CBC, zero
 * IV, PKCS#7) with its own key, wrapped with its protection class key into the MBFile `EncryptionKey`, and
 * Manifest.db built in a private temp folder and encrypted into the backup at close (ManifestKey).
 */
import Database from 'better-sqlite3';
import { createHash, randomBytes, type Cipher } from 'node:crypto';
import { chmodSync, closeSync, copyFileSync, mkdirSync, mkdtempSync, openSync, readSync, renameSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, buildBinary } from 'plist';
import { UID } from '../formats/plist.js';
import { createEncryptStream, deriveBackupKeySync, wrapKey } from '../evidence/backup-crypto.js';
import { fileIdOf } from '../evidence/ios-backup.js';
import { encodeKeybag, type ClassKey, type Keybag } from '../formats/keybag.js';

type PlistInput = Parameters<typeof buildBinary>[0];

export interface BackupEntry {
  readonly domain: string;
  readonly relativePath: string;
  /** Unix seconds; also used for Birth and LastStatusChange. */
  readonly mtime?: number;
  readonly mode?: number;
  /** Data-protection class of the file (encrypted backups wrap its key with this class's key). Default 3. */
  readonly protectionClass?: number;
}

export interface DeviceInfo {
  readonly deviceName?: string;
  readonly productType?: string;
  readonly productVersion?: string;
  readonly buildVersion?: string;
  readonly serialNumber?: string;
  readonly udid?: string;
  readonly lastBackup?: Date;
}

export interface EncryptionOptions {
  readonly password: string;
  /** PBKDF2-HMAC-SHA256 iterations (keybag DPIC). iOS uses 10,000,000 (≈ 3.5 s to derive); tests use ~1,000. */
  readonly dpic?: number;
  /** PBKDF2-HMAC-SHA1 iterations (keybag ITER). iOS uses 10,000. */
  readonly iter?: number;
  /** Seeds every salt, UUID and key, so the encrypted bytes repeat run to run; random keys when absent. */
  readonly seed?: number;
}

export interface WriterOptions {
  readonly encryption?: EncryptionOptions;
  /**
   * Info.plist as iTunes/Finder writes it: XML, with `extra` keys (Applications, Installed Applications, phone
   * identifiers, iTunes settings) beside the device keys. Without it, a binary Info.plist with the device keys
   * only, as before (existing seeds keep their bytes).
   */
  readonly info?: { readonly xml: boolean; readonly extra?: Readonly<Record<string, unknown>> };
}

const BATCH = 5_000;
const DEFAULT_PROTECTION_CLASS = 3;
/** Manifest.db is protected with class 4 (NSFileProtectionNone), as in backups made by iOS ≥ 10.2. */
const MANIFEST_PROTECTION_CLASS = 4;
/** iOS backup keybags carry class keys 1–11, each wrapped with the passcode-derived key (WRAP 3). */
const CLASS_KEY_CLASSES = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11] as const;
const STREAM_CHUNK_BYTES = 8 * 1024 * 1024;

export class IosBackupWriter {
  private readonly db: Database.Database;
  private readonly insert: Database.Statement;
  private readonly crypto: BackupEncryption | null;
  /** Encrypted backups build Manifest.db here, never in the output folder. */
  private readonly manifestScratch: string | null;
  private pending = 0;
  private inode = 1000;
  private closed = false;

  constructor(
    readonly dir: string,
    device: DeviceInfo = {},
    options: WriterOptions = {},
  ) {
    mkdirSync(dir, { recursive: true });
    this.crypto = options.encryption ? new BackupEncryption(options.encryption) : null;
    const productVersion = device.productVersion ?? '17.5.1';
    const info = { ...(infoPlist(device) as Record<string, unknown>), ...options.info?.extra } as PlistInput;
    writeFileSync(join(dir, 'Info.plist'), options.info?.xml ? appleXmlPlist(info) : Buffer.from(buildBinary(info)));
    writeFileSync(join(dir, 'Manifest.plist'), Buffer.from(buildBinary(manifestPlist(device, productVersion, this.crypto))));
    writeFileSync(join(dir, 'Status.plist'), Buffer.from(buildBinary({ IsFullBackup: false, Version: '3.3', BackupState: 'new', SnapshotState: 'finished' })));
    this.manifestScratch = this.crypto ? mkdtempSync(join(tmpdir(), 'tracehound-manifest-')) : null;
    if (this.manifestScratch) chmodSync(this.manifestScratch, 0o700);
    this.db = new Database(join(this.manifestScratch ?? dir, 'Manifest.db'));
    this.db.pragma('journal_mode = DELETE');
    this.db.exec(`
      CREATE TABLE Files (fileID TEXT PRIMARY KEY, domain TEXT, relativePath TEXT, flags INTEGER, file BLOB);
      CREATE INDEX FilesDomainIdx ON Files(domain);
      CREATE INDEX FilesRelativePathIdx ON Files(relativePath);
      CREATE INDEX FilesFlagsIdx ON Files(flags);
      CREATE TABLE Properties (key TEXT PRIMARY KEY, value BLOB);
    `);
    this.insert = this.db.prepare('INSERT OR REPLACE INTO Files (fileID, domain, relativePath, flags, file) VALUES (?, ?, ?, ?, ?)');
    this.db.exec('BEGIN');
  }

  get encrypted(): boolean {
    return this.crypto !== null;
  }

  /** A file with content, stored at its hashed path. Returns the fileID. */
  addFile(entry: BackupEntry, data: Buffer): string {
    const id = fileIdOf(entry.domain, entry.relativePath);
    mkdirSync(join(this.dir, id.slice(0, 2)), { recursive: true });
    const key = this.crypto?.newFileKey(entry.protectionClass ?? DEFAULT_PROTECTION_CLASS) ?? null;
    writeFileSync(join(this.dir, id.slice(0, 2), id), key ? encryptWhole(key.key, data) : data);
    this.row(id, entry, 1, data.length, entry.mode ?? 0o100644, key?.wrapped ?? null);
    return id;
  }

  /**
   * A file with content taken from `sourcePath`, which is moved into place (copied when on another file system);
   * in an encrypted backup it is encrypted chunk by chunk into place and then removed. Large generated databases
   * thus never pass through memory. Returns the fileID.
   */
  addFileFrom(entry: BackupEntry, sourcePath: string): string {
    if (this.crypto) {
      const id = this.addFileChunks(entry, readChunks(sourcePath));
      rmSync(sourcePath);
      return id;
    }
    const id = fileIdOf(entry.domain, entry.relativePath);
    const dest = join(this.dir, id.slice(0, 2), id);
    mkdirSync(join(this.dir, id.slice(0, 2)), { recursive: true });
    try {
      renameSync(sourcePath, dest);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
      copyFileSync(sourcePath, dest);
      rmSync(sourcePath);
    }
    this.row(id, entry, 1, statSync(dest).size, entry.mode ?? 0o100644, null);
    return id;
  }

  /**
   * A file whose content is produced piece by piece (a multi-gigabyte benchmark file, say), written, and in an
   * encrypted backup encrypted, as it comes: only one chunk is in memory at a time. Returns the fileID.
   */
  addFileChunks(entry: BackupEntry, chunks: Iterable<Buffer>): string {
    const id = fileIdOf(entry.domain, entry.relativePath);
    mkdirSync(join(this.dir, id.slice(0, 2)), { recursive: true });
    const key = this.crypto?.newFileKey(entry.protectionClass ?? DEFAULT_PROTECTION_CLASS) ?? null;
    const size = writeChunks(join(this.dir, id.slice(0, 2), id), chunks, key ? createEncryptStream(key.key) as Cipher : null);
    this.row(id, entry, 1, size, entry.mode ?? 0o100644, key?.wrapped ?? null);
    return id;
  }

  /** A Manifest.db entry whose content is not in the backup (as in partial backups), or a directory. */
  addEntry(entry: BackupEntry, kind: 'file' | 'directory' = 'file', size = 0): string {
    const id = fileIdOf(entry.domain, entry.relativePath);
    // iOS gives every file entry a key in an encrypted backup, stored content or not; folders have none.
    const wrapped = kind === 'file' ? (this.crypto?.newFileKey(entry.protectionClass ?? DEFAULT_PROTECTION_CLASS).wrapped ?? null) : null;
    this.row(id, entry, kind === 'file' ? 1 : 2, kind === 'file' ? size : 0, entry.mode ?? (kind === 'file' ? 0o100644 : 0o40755), wrapped);
    return id;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.db.exec('COMMIT');
    this.db.close();
    if (this.crypto && this.manifestScratch) {
      try {
        const plain = join(this.manifestScratch, 'Manifest.db');
        writeChunks(join(this.dir, 'Manifest.db'), readChunks(plain), createEncryptStream(this.crypto.manifestKey) as Cipher);
      } finally {
        rmSync(this.manifestScratch, { recursive: true, force: true });
      }
    }
  }

  private row(id: string, entry: BackupEntry, flags: number, size: number, mode: number, encryptionKey: Buffer | null): void {
    const archive = mbFileArchive(entry, size, mode, this.inode++, entry.protectionClass ?? DEFAULT_PROTECTION_CLASS, encryptionKey);
    this.insert.run(id, entry.domain, entry.relativePath, flags, archive);
    if (++this.pending >= BATCH) {
      this.db.exec('COMMIT; BEGIN');
      this.pending = 0;
    }
  }
}

/**
 * The keys of one encrypted backup: the derived key (from the password through the keybag's own PBKDF2
 * parameters), one random key per protection class wrapped with it, the Manifest.db key and a fresh key per file.
 */
class BackupEncryption {
  readonly keybag: Keybag;
  readonly manifestKey: Buffer;
  /** ManifestKey as stored in Manifest.plist: class (4 bytes, little-endian) + wrapped key. */
  readonly storedManifestKey: Buffer;
  private readonly classKeys = new Map<number, Buffer>();
  private readonly bytes: (n: number) => Buffer;

  constructor(options: EncryptionOptions) {
    this.bytes = options.seed === undefined ? (n) => randomBytes(n) : seededBytes(options.seed);
    const bag = {
      version: 5,
      type: 1,
      uuid: this.bytes(16),
      hmck: this.bytes(40),
      wrap: 0,
      salt: this.bytes(20),
      iter: options.iter ?? 10_000,
      dpwt: 1,
      dpic: options.dpic ?? 10_000_000,
      dpsl: this.bytes(20),
    };
    const derived = deriveBackupKeySync(options.password, { ...bag, classKeys: new Map() });
    const classKeys = new Map<number, ClassKey>();
    for (const clas of CLASS_KEY_CLASSES) {
      const key = this.bytes(32);
      this.classKeys.set(clas, key);
      classKeys.set(clas, { clas, uuid: this.bytes(16), wrap: 3, ktyp: 0, wpky: wrapKey(derived, key) });
    }
    this.keybag = { ...bag, classKeys };
    this.manifestKey = this.bytes(32);
    this.storedManifestKey = withClassPrefix(MANIFEST_PROTECTION_CLASS, wrapKey(this.classKey(MANIFEST_PROTECTION_CLASS), this.manifestKey));
  }

  /** A new file key and its 44-byte EncryptionKey (class prefix + key wrapped with the class key). */
  newFileKey(protectionClass: number): { key: Buffer; wrapped: Buffer } {
    const key = this.bytes(32);
    return { key, wrapped: withClassPrefix(protectionClass, wrapKey(this.classKey(protectionClass), key)) };
  }

  private classKey(clas: number): Buffer {
    const k = this.classKeys.get(clas);
    if (!k) throw new Error(`no class key for protection class ${clas} (the generator makes classes 1–11)`);
    return k;
  }
}

function withClassPrefix(protectionClass: number, wrapped: Buffer): Buffer {
  const prefix = Buffer.alloc(4);
  prefix.writeUInt32LE(protectionClass, 0);
  return Buffer.concat([prefix, wrapped]);
}

/** A deterministic byte stream (SHA-256 in counter mode over the seed): synthetic keys that repeat run to run. */
function seededBytes(seed: number): (n: number) => Buffer {
  let counter = 0;
  let pool = Buffer.alloc(0);
  return (n) => {
    while (pool.length < n) {
      const block = createHash('sha256').update(`tracehound-synth-keys:${seed >>> 0}:${counter++}`).digest();
      pool = Buffer.concat([pool, block]);
    }
    const out = Buffer.from(pool.subarray(0, n));
    pool = pool.subarray(n);
    return out;
  };
}

function encryptWhole(key: Buffer, data: Buffer): Buffer {
  const c = createEncryptStream(key) as Cipher;
  return Buffer.concat([c.update(data), c.final()]);
}

function* readChunks(path: string): Generator<Buffer> {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(STREAM_CHUNK_BYTES);
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) return;
      yield buf.subarray(0, n);
    }
  } finally {
    closeSync(fd);
  }
}

/** Writes chunks to `path` (through `cipher` when given, one CBC context for the whole file); returns the plaintext size. */
function writeChunks(path: string, chunks: Iterable<Buffer>, cipher: Cipher | null): number {
  const fd = openSync(path, 'w');
  let size = 0;
  try {
    for (const chunk of chunks) {
      size += chunk.length;
      const out = cipher ? cipher.update(chunk) : chunk;
      if (out.length > 0) writeSync(fd, out);
    }
    if (cipher) writeSync(fd, cipher.final());
  } finally {
    closeSync(fd);
  }
  return size;
}

function manifestPlist(device: DeviceInfo, productVersion: string, crypto: BackupEncryption | null): PlistInput {
  const base = { Version: '10.0', Date: device.lastBackup ?? new Date(0), Lockdown: { ProductVersion: productVersion } };
  if (!crypto) return { IsEncrypted: false, ...base };
  return { BackupKeyBag: encodeKeybag(crypto.keybag), ManifestKey: crypto.storedManifestKey, IsEncrypted: true, WasPasscodeSet: true, ...base };
}

/**
 * An XML plist laid out as CoreFoundation writes it: every dictionary's keys sorted, `<dict>` at the left margin
 * under `<plist>`, one tab per level below.
 */
function appleXmlPlist(value: PlistInput): Buffer {
  const xml = build(sortedKeys(value) as PlistInput, { indent: '\t' });
  return Buffer.from(xml.split('\n').map((line) => (line.startsWith('\t') ? line.slice(1) : line)).join('\n'), 'utf8');
}

function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (value === null || typeof value !== 'object' || value instanceof Date || ArrayBuffer.isView(value)) return value;
  const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(entries.map(([k, v]) => [k, sortedKeys(v)]));
}

function infoPlist(d: DeviceInfo): PlistInput {
  const udid = d.udid ?? '00008030-001A2B3C4D5E802E';
  return {
    'Build Version': d.buildVersion ?? '21F90',
    'Device Name': d.deviceName ?? 'Demo iPhone',
    'Display Name': d.deviceName ?? 'Demo iPhone',
    GUID: '5F6B0E8A0C3D4A1B9E2F7C6D5A4B3C2D',
    'Last Backup Date': d.lastBackup ?? new Date(Date.UTC(2024, 5, 1, 12, 0, 0)),
    'Product Name': 'iPhone',
    'Product Type': d.productType ?? 'iPhone14,2',
    'Product Version': d.productVersion ?? '17.5.1',
    'Serial Number': d.serialNumber ?? 'F00DF00DF00D',
    'Target Identifier': udid,
    'Target Type': 'Device',
    'Unique Identifier': udid.toUpperCase(),
    'iTunes Version': '12.13',
  };
}

/**
 * The NSKeyedArchiver MBFile blob iOS stores per Manifest.db row (reference-spec §6.1). In an encrypted backup the
 * file's wrapped key follows the path as an NSMutableData object, laid out as in the real MVT test backup.
 */
function mbFileArchive(entry: BackupEntry, size: number, mode: number, inode: number, protectionClass: number, encryptionKey: Buffer | null): Buffer {
  const t = entry.mtime ?? 1_700_000_000;
  const mbFile = {
    $class: new UID(encryptionKey ? 5 : 3),
    RelativePath: new UID(2),
    LastModified: t,
    LastStatusChange: t,
    Birth: t,
    Mode: mode,
    UserID: 501,
    GroupID: 501,
    InodeNumber: inode,
    Size: size,
    Flags: 0,
    ProtectionClass: protectionClass,
    ...(encryptionKey ? { EncryptionKey: new UID(3) } : {}),
  };
  const objects = encryptionKey
    ? [
        '$null',
        mbFile,
        entry.relativePath,
        { 'NS.data': encryptionKey, $class: new UID(4) },
        { $classname: 'NSMutableData', $classes: ['NSMutableData', 'NSData', 'NSObject'] },
        { $classname: 'MBFile', $classes: ['MBFile', 'NSObject'] },
      ]
    : ['$null', mbFile, entry.relativePath, { $classname: 'MBFile', $classes: ['MBFile', 'NSObject'] }];
  return Buffer.from(
    buildBinary({
      $version: 100000,
      $archiver: 'NSKeyedArchiver',
      $top: { root: new UID(1) },
      $objects: objects,
    } as unknown as PlistInput),
  );
}
