/**
 * An iTunes/Finder backup folder: Info.plist, Manifest.plist, Manifest.db (domain + relativePath → fileID)
 * and the hashed files in `<id[0:2]>/<id>`. Files are addressed through Manifest.db, queried in place of an
 * in-memory index so that a million-entry backup costs no more memory than a small one.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, readFileSync, statSync } from 'node:fs';
import { copyFile, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Statement } from 'better-sqlite3';
import { FormatError, UserError, errorMessage } from '../errors.js';
import { isDict, parsePlist, type PlistDict } from '../formats/plist.js';
import { unarchive } from '../formats/nskeyed.js';
import { hasWildcard, segmentGlobToRegExp, segmentGlobToSqliteGlob } from './_glob.js';
import { isSqliteImage, sqliteLimits, openSqlite, type SqliteHandle } from './sqlite.js';
import type { AcquisitionInfo, EvidenceFile, FileSpec, ManifestRow, Source } from './source.js';
import { InputLog } from './input-log.js';
import { createDecryptStream, decryptWithKey, fileKey, manifestDbKey } from './backup-crypto.js';
import { readEncryptionInfo, unlockBackup, type BackupKeys, type CredentialProvider } from './ios-backup-keys.js';
import { privateTempDir } from './temp.js';

const FILE_ID = /^[0-9a-f]{40}$/i;

/** `ios decrypt` streams files above this size; smaller ones are decrypted in one piece. */
const EXPORT_STREAM_BYTES = 8 * 1024 * 1024;

export function looksLikeIosBackup(dir: string): boolean {
  return existsSync(join(dir, 'Manifest.db')) && existsSync(join(dir, 'Info.plist'));
}

/** Reads Manifest.plist's IsEncrypted without opening anything else. */
export function isEncryptedBackup(dir: string): boolean {
  const path = join(dir, 'Manifest.plist');
  if (!existsSync(path)) return false;
  try {
    const plist = parsePlist(readFileSync(path), 'Manifest.plist');
    return isDict(plist) && plist.IsEncrypted === true;
  } catch {
    return false;
  }
}

/**
 * Opens a backup folder. An encrypted one is unlocked with the credential `credentials` supplies (asked
 * only then); without a provider it is refused with a message saying what is needed.
 */
export async function openIosBackup(root: string, log = new InputLog(), credentials?: CredentialProvider): Promise<IosBackupSource> {
  if (!looksLikeIosBackup(root)) {
    throw new UserError('not-an-acquisition', `${root}: not an iOS backup (expected Manifest.db and Info.plist)`);
  }
  let keys: BackupKeys | null = null;
  if (isEncryptedBackup(root)) {
    if (!credentials) {
      throw new UserError('encrypted-backup', `${root}: this backup is encrypted; give its password (prompt or TRACEHOUND_BACKUP_PASSWORD) or --key-file`);
    }
    const info = readEncryptionInfo(root);
    keys = await unlockBackup(root, info, await credentials(root));
  }
  const stats = { filesDecrypted: 0, bytesDecrypted: 0 };
  const manifest = await openManifest(root, log, keys, stats);
  if (!manifest.hasTable('Files') || !['fileID', 'domain', 'relativePath', 'flags', 'file'].every((c) => manifest.columns('Files').has(c))) {
    manifest.close();
    throw new UserError('bad-format', `${join(root, 'Manifest.db')}: no Files(fileID, domain, relativePath, flags, file) table (expected an iOS backup manifest)`);
  }
  let info: PlistDict = {};
  try {
    const parsed = parsePlist(log.readSync(join(root, 'Info.plist'), 'Info.plist'), 'Info.plist');
    if (isDict(parsed)) info = parsed;
  } catch {
    // BackupInfo reports an unreadable Info.plist as its own coverage entry; the rest of the check goes on.
  }
  return new IosBackupSource(root, manifest, info, log, keys, stats);
}

async function openManifest(root: string, log: InputLog, keys: BackupKeys | null, stats: DecryptionStats): Promise<SqliteHandle> {
  const manifestPath = join(root, 'Manifest.db');
  const bytes = statSync(manifestPath).size;
  try {
    if (keys?.manifestKey) {
      const key = manifestDbKey(keys.manifestKey, keys.classKeys);
      stats.filesDecrypted++;
      stats.bytesDecrypted += bytes;
      if (bytes <= sqliteLimits.maxInMemoryBytes) return openSqlite({ kind: 'buffer', data: decryptWithKey(key, log.readSync(manifestPath, 'Manifest.db'), undefined, 'Manifest.db') }, 'Manifest.db');
      // A large manifest is streamed into a private 0600 temp file rather than held (twice) in memory.
      log.hashFileSync(manifestPath, 'Manifest.db');
      const dir = privateTempDir('manifest');
      const plaintext = join(dir, 'Manifest.db');
      await pipeline(createReadStream(manifestPath), createDecryptStream(key, bytes, 'Manifest.db'), createWriteStream(plaintext, { mode: 0o600 }));
      return openSqlite({ kind: 'private-file', dir, path: plaintext, hasWal: false }, 'Manifest.db');
    }
    if (keys) {
      // Backups made before iOS 10.2 have a plaintext Manifest.db and no ManifestKey; later ones need it.
      const head = log.readSync(manifestPath, 'Manifest.db');
      if (!isSqliteImage(head)) throw new UserError('bad-format', `${join(root, 'Manifest.plist')}: no ManifestKey, and Manifest.db is encrypted (expected the key of Manifest.db)`);
      return openSqlite({ kind: 'buffer', data: head }, 'Manifest.db');
    }
    if (bytes <= sqliteLimits.maxInMemoryBytes) return openSqlite({ kind: 'buffer', data: log.readSync(manifestPath, 'Manifest.db') }, 'Manifest.db');
    log.hashFileSync(manifestPath, 'Manifest.db');
    return openSqlite({ kind: 'file', path: manifestPath }, 'Manifest.db');
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw new UserError('bad-format', `${manifestPath}: ${badManifestReason(err)} (expected an iOS backup manifest)`, { cause: err });
  }
}

function badManifestReason(err: unknown): string {
  const msg = errorMessage(err);
  return msg.replace(/^Manifest\.db: /, '');
}

interface FileRow {
  fileID: string;
  domain: string;
  relativePath: string;
  flags: number;
  file: Buffer | null;
}

export interface DecryptionStats {
  filesDecrypted: number;
  bytesDecrypted: number;
}

export class IosBackupSource implements Source {
  readonly kind = 'ios-backup' as const;

  constructor(
    readonly root: string,
    private readonly manifest: SqliteHandle,
    private readonly info: PlistDict,
    readonly inputs: InputLog,
    /** Null for an unencrypted backup. */
    private readonly keys: BackupKeys | null = null,
    private readonly decrypted: DecryptionStats = { filesDecrypted: 0, bytesDecrypted: 0 },
  ) {}

  private lastDecrypted: { readonly fileId: string; readonly plaintext: Buffer } | null = null;
  private metaQuery: Statement | undefined;

  get encrypted(): boolean {
    return this.keys !== null;
  }

  /** How much was decrypted so far (`check` decrypts only what its parsers read); none for a plain backup. */
  stats(): Readonly<DecryptionStats> | undefined {
    return this.keys ? { ...this.decrypted } : undefined;
  }

  describe(): AcquisitionInfo {
    const s = (k: string) => (typeof this.info[k] === 'string' ? (this.info[k]) : undefined);
    const last = this.info['Last Backup Date'];
    return {
      kind: this.kind,
      root: this.root,
      encrypted: this.encrypted,
      device: {
        name: s('Device Name'),
        productType: s('Product Type'),
        productVersion: s('Product Version'),
        buildVersion: s('Build Version'),
        serialNumber: s('Serial Number'),
        udid: s('Unique Identifier') ?? s('Target Identifier'),
      },
      ...(last instanceof Date ? { acquiredAt: last } : {}),
    };
  }

  async find(spec: FileSpec): Promise<EvidenceFile[]> {
    if (spec.by === 'container') return isFile(join(this.root, spec.name)) ? [this.containerFile(spec.name)] : [];
    return this.resolve(spec).filter((f) => f.present).map((f) => f.file);
  }

  async missing(spec: FileSpec): Promise<EvidenceFile[]> {
    if (spec.by === 'container') return isFile(join(this.root, spec.name)) ? [] : [this.containerFile(spec.name)];
    return this.resolve(spec).filter((f) => !f.present).map((f) => f.file);
  }

  /** The backup's own files (Info.plist, Manifest.db, …), addressed by name at the root. */
  private containerFile(name: string): EvidenceFile {
    return { ref: { root: this.root, storedPath: name } };
  }

  async read(file: EvidenceFile): Promise<Buffer> {
    const path = join(this.root, file.ref.storedPath);
    const stored = await readFile(path);
    this.inputs.record(path, refLabel(file), stored);
    return this.keys && file.ref.backup ? this.decrypt(file, stored) : stored;
  }

  async openSqlite(file: EvidenceFile): Promise<SqliteHandle> {
    const what = describeForMessages(file);
    const wal = file.ref.backup ? this.sidecar(file, '-wal') : undefined;
    const size = file.size ?? statSync(join(this.root, file.ref.storedPath)).size;
    if (size <= sqliteLimits.maxInMemoryBytes) {
      const data = await this.read(file);
      const walData = wal ? await this.read(wal) : undefined;
      return openSqlite({ kind: 'buffer', data, wal: walData }, what);
    }
    const stored = join(this.root, file.ref.storedPath);
    this.inputs.hashFileSync(stored, refLabel(file));
    if (wal) this.inputs.hashFileSync(join(this.root, wal.ref.storedPath), refLabel(wal));
    const key = this.keys ? this.keyOf(file) : null;
    if (!key) return openSqlite({ kind: 'file', path: stored, wal: wal ? join(this.root, wal.ref.storedPath) : undefined }, what);
    // Too large for memory: the plaintext (and its -wal) go to a private 0600 temp folder, removed on close.
    const dir = privateTempDir('decrypted');
    const path = join(dir, 'evidence.db');
    await this.streamDecrypted(file, key, path);
    const walKey = wal ? this.keyOf(wal) : null;
    if (wal && walKey) await this.streamDecrypted(wal, walKey, `${path}-wal`);
    return openSqlite({ kind: 'private-file', dir, path, hasWal: wal !== undefined }, what);
  }

  /**
   * Streams a file's plaintext to `dest` (for `ios decrypt`), never holding it whole; an unencrypted file is
   * copied. Returns the plaintext size.
   */
  async exportFile(file: EvidenceFile, dest: string): Promise<number> {
    const stored = join(this.root, file.ref.storedPath);
    const key = this.keys && file.ref.backup ? this.keyOf(file) : null;
    if (!key) {
      await copyFile(stored, dest);
      return (await stat(dest)).size;
    }
    // Most backup files are small: one read, one decryption, one write costs far less than a stream pipeline.
    if ((file.size ?? 0) > EXPORT_STREAM_BYTES) return this.streamDecrypted(file, key, dest);
    const plaintext = decryptWithKey(key, await readFile(stored), file.size, describeForMessages(file));
    await writeFile(dest, plaintext, { mode: 0o600 });
    this.decrypted.filesDecrypted++;
    this.decrypted.bytesDecrypted += plaintext.length;
    return plaintext.length;
  }

  /** The (decrypted) Manifest.db as a standard database image. */
  manifestImage(): Buffer {
    return this.manifest.db.serialize();
  }

  /** How many files (not folders or links) Manifest.db lists. */
  listedFileCount(): number {
    return this.manifest.db.prepare('SELECT count(*) FROM Files WHERE flags = 1').pluck().get() as number;
  }

  /**
   * Every stored file the manifest lists, with its metadata, in manifest order (for `ios decrypt`). Read in
   * pages, so the connection is free between them for the key lookups of the files being exported.
   */
  *storedFiles(): IterableIterator<EvidenceFile> {
    const page = this.manifest.db.prepare('SELECT rowid AS rid, fileID, domain, relativePath, file FROM Files WHERE flags = 1 AND rowid > ? ORDER BY rowid LIMIT 1000');
    for (let after = -1; ; ) {
      const rows = page.all(after) as (FileRow & { rid: number })[];
      if (rows.length === 0) return;
      after = rows[rows.length - 1]!.rid;
      for (const row of rows) {
        if (!FILE_ID.test(row.fileID)) continue;
        const storedPath = this.storedPathOf(row.fileID);
        if (storedPath !== null) yield this.fileOf(row.fileID, row.domain, row.relativePath, row.file, storedPath);
      }
    }
  }

  /** One CBC pass from the stored file to `dest` (0600), truncated to the plaintext size. */
  private async streamDecrypted(file: EvidenceFile, key: Buffer, dest: string): Promise<number> {
    const size = file.size ?? 0;
    await pipeline(createReadStream(join(this.root, file.ref.storedPath)), createDecryptStream(key, size, describeForMessages(file)), createWriteStream(dest, { mode: 0o600 }));
    this.decrypted.filesDecrypted++;
    this.decrypted.bytesDecrypted += size;
    return size;
  }

  private decrypt(file: EvidenceFile, stored: Buffer): Buffer {
    // Consecutive artifacts often read the same database (sms.db: messages, then attachments): keep the last one.
    const id = file.ref.backup!.fileId;
    if (this.lastDecrypted?.fileId === id) return this.lastDecrypted.plaintext;
    let plaintext: Buffer;
    try {
      const key = this.keyOf(file);
      if (!key) return stored; // iOS stores some files (empty ones) without a key: they are not encrypted
      plaintext = decryptWithKey(key, stored, file.size);
    } catch (err) {
      if (err instanceof FormatError) throw new FormatError(describeForMessages(file), err.message, { cause: err });
      throw err;
    }
    this.decrypted.filesDecrypted++;
    this.decrypted.bytesDecrypted += plaintext.length;
    this.lastDecrypted = { fileId: id, plaintext };
    return plaintext;
  }

  /** The file's own key, unwrapped from its MBFile archive with its protection class key. */
  private keyOf(file: EvidenceFile): Buffer | null {
    this.metaQuery ??= this.manifest.db.prepare('SELECT file FROM Files WHERE fileID = ?');
    const row = this.metaQuery.get(file.ref.backup!.fileId) as { file: Buffer | null } | undefined;
    const meta = decodeFileMeta(row?.file ?? null);
    if (!meta.encryptionKey) return null;
    return fileKey(meta.encryptionKey, meta.protectionClass ?? 0, this.keys!.classKeys);
  }

  *manifestRows(): IterableIterator<ManifestRow> {
    const stmt = this.manifest.db.prepare('SELECT fileID, domain, relativePath, flags, file FROM Files ORDER BY rowid');
    for (const row of stmt.iterate() as IterableIterator<FileRow>) {
      yield { fileId: row.fileID, domain: row.domain, relativePath: row.relativePath, flags: row.flags, file: row.file };
    }
  }

  async close(): Promise<void> {
    this.manifest.close();
  }

  /** A `-wal` that iOS backed up as its own file beside a database (same domain, path + suffix). */
  private sidecar(file: EvidenceFile, suffix: '-wal'): EvidenceFile | undefined {
    const b = file.ref.backup!;
    return this.resolve({ by: 'backup', domain: b.domain, relativePath: b.relativePath + suffix }).find((f) => f.present)?.file;
  }

  private resolve(spec: FileSpec): { file: EvidenceFile; present: boolean }[] {
    const rows = this.query(spec);
    const out: { file: EvidenceFile; present: boolean }[] = [];
    for (const row of rows) {
      if (!FILE_ID.test(row.fileID)) continue; // a hostile fileID must never become a path
      if (row.flags !== 1) continue; // directories and symlinks have no stored content
      const storedPath = this.storedPathOf(row.fileID);
      const file = this.fileOf(row.fileID, row.domain, row.relativePath, row.file, storedPath ?? `${row.fileID.slice(0, 2)}/${row.fileID}`);
      out.push({ file, present: storedPath !== null });
    }
    return out;
  }

  /** An EvidenceFile for a Manifest.db row, with public metadata only: the wrapped key stays in the row. */
  private fileOf(fileId: string, domain: string, relativePath: string, blob: Buffer | null, storedPath: string): EvidenceFile {
    const { size, mode, times } = decodeFileMeta(blob);
    return {
      ref: { root: this.root, storedPath, backup: { domain, relativePath, fileId } },
      ...(size !== undefined ? { size } : {}),
      ...(mode !== undefined ? { mode } : {}),
      ...(times ? { times } : {}),
    };
  }

  private storedPathOf(fileId: string): string | null {
    const nested = `${fileId.slice(0, 2)}/${fileId}`;
    if (isFile(join(this.root, nested))) return nested;
    if (isFile(join(this.root, fileId))) return fileId; // backups made before iOS 10 are flat
    return null;
  }

  private query(spec: FileSpec): FileRow[] {
    const cols = 'fileID, domain, relativePath, flags, file';
    const db = this.manifest.db;
    switch (spec.by) {
      case 'backup':
        return db.prepare(`SELECT ${cols} FROM Files WHERE domain = ? AND relativePath = ? ORDER BY rowid`).all(spec.domain, spec.relativePath) as FileRow[];
      case 'backup-any-domain':
        if (!hasWildcard(spec.relativePath)) {
          return db.prepare(`SELECT ${cols} FROM Files WHERE relativePath = ? ORDER BY rowid`).all(spec.relativePath) as FileRow[];
        }
        return this.globRows(cols, null, spec.relativePath);
      case 'backup-domain-glob':
        return this.globRows(cols, spec.domain, spec.relativePath);
      case 'backup-file-id':
        return db.prepare(`SELECT ${cols} FROM Files WHERE fileID = ?`).all(spec.fileId) as FileRow[];
      case 'container':
      case 'device-glob':
        return [];
    }
  }

  private globRows(cols: string, domain: string | null, relativePath: string): FileRow[] {
    const pathRe = segmentGlobToRegExp(relativePath);
    const domainRe = domain === null ? null : segmentGlobToRegExp(domain);
    const where = ['relativePath GLOB ?'];
    const args: string[] = [segmentGlobToSqliteGlob(relativePath)];
    if (domain !== null) {
      where.push('domain GLOB ?');
      args.push(segmentGlobToSqliteGlob(domain));
    }
    const rows = this.manifest.db.prepare(`SELECT ${cols} FROM Files WHERE ${where.join(' AND ')} ORDER BY rowid`).all(...args) as FileRow[];
    return rows.filter((r) => pathRe.test(r.relativePath) && (domainRe === null || domainRe.test(r.domain)));
  }
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function refLabel(file: EvidenceFile): string {
  const b = file.ref.backup;
  return b ? `${b.domain}/${b.relativePath}` : file.ref.storedPath;
}

function describeForMessages(file: EvidenceFile): string {
  const b = file.ref.backup;
  return b ? `${b.relativePath.split('/').pop()} (${b.domain}/${b.relativePath}, ${file.ref.storedPath})` : file.ref.storedPath;
}

export interface FileMeta {
  size?: number;
  mode?: number;
  times?: { modified?: number; changed?: number; born?: number };
  owner?: number;
  /**
   * Encrypted backups only: the file's wrapped key (NSData, 44 bytes: a 4-byte little-endian class copy and the
   * 40-byte RFC 3394-wrapped key). Secret-adjacent: never copy it into refs, records or outputs.
   */
  encryptionKey?: Buffer;
  /** Data-protection class whose key wraps `encryptionKey` (iOS NSFileProtection class, 1–11). */
  protectionClass?: number;
}

/** Per-file metadata from the MBFile archive in Manifest.db's `file` column. Undecodable blobs give none. */
export function decodeFileMeta(blob: Buffer | null): FileMeta {
  if (!blob || blob.length === 0) return {};
  try {
    const mb = unarchive(blob, 'Manifest.db file metadata');
    if (typeof mb !== 'object' || mb === null || Array.isArray(mb) || Buffer.isBuffer(mb) || mb instanceof Date) return {};
    const num = (k: string): number | undefined => {
      const v = mb[k];
      return typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : undefined;
    };
    const times: FileMeta['times'] = {};
    const m = num('LastModified');
    const c = num('LastStatusChange');
    const b = num('Birth');
    if (m !== undefined) times.modified = m;
    if (c !== undefined) times.changed = c;
    if (b !== undefined) times.born = b;
    const meta: FileMeta = { times };
    const size = num('Size');
    const mode = num('Mode');
    const owner = num('UserID');
    if (size !== undefined) meta.size = size;
    if (mode !== undefined) meta.mode = mode;
    if (owner !== undefined) meta.owner = owner;
    const protectionClass = num('ProtectionClass');
    if (protectionClass !== undefined) meta.protectionClass = protectionClass;
    const key = mb.EncryptionKey;
    if (Buffer.isBuffer(key)) meta.encryptionKey = key;
    return meta;
  } catch (err) {
    if (err instanceof FormatError) return {};
    throw err;
  }
}

export function fileIdOf(domain: string, relativePath: string): string {
  return createHash('sha1').update(`${domain}-${relativePath}`).digest('hex');
}
