/**
 * An iTunes/Finder backup folder: Info.plist, Manifest.plist, Manifest.db (domain + relativePath → fileID)
 * and the hashed files in `<id[0:2]>/<id>`. Files are addressed through Manifest.db, queried in place of an
 * in-memory index so that a million-entry backup costs no more memory than a small one.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Statement } from 'better-sqlite3';
import { FormatError, UserError, errorMessage } from '../errors.js';
import { isDict, parsePlist, type PlistDict } from '../formats/plist.js';
import { decodeMbFile } from '../formats/mbfile.js';
import { hasWildcard, segmentGlobToRegExp, segmentGlobToSqliteGlob } from './_glob.js';
import { ContainedRoot, realRoot } from './contained.js';
import { cellKind, manifestCell } from './manifest-cells.js';
import { scratchIsSealed } from './sealed-scratch.js';
import { isSqliteImage, keepInMemory, openSqlite, sqliteLimits, type SqliteHandle } from './sqlite.js';
import type { AcquisitionInfo, EvidenceFile, EvidenceRef, FileSpec, ManifestRow, Source, UnreadableManifestRow } from './source.js';
import { InputLog } from './input-log.js';
import { createDecryptStream, decryptWithKey, fileKey, manifestDbKey } from './backup-crypto.js';
import { encryptionInfoFrom, unlockBackup, type BackupCredential, type BackupKeys, type CredentialProvider } from './ios-backup-keys.js';
import { FolderFiles, type StoredFiles, type StoredLocation } from './stored-files.js';
import { privateTempDir } from './temp.js';

const FILE_ID = /^[0-9a-f]{40}$/i;

/** `ios decrypt` streams files above this size; smaller ones are decrypted in one piece. */
const EXPORT_STREAM_BYTES = 8 * 1024 * 1024;

export function looksLikeIosBackup(dir: string): boolean {
  return existsSync(join(dir, 'Manifest.db')) && existsSync(join(dir, 'Info.plist'));
}

/** Reads Manifest.plist's IsEncrypted without opening anything else (detection: never throws). */
export function isEncryptedBackup(dir: string): boolean {
  try {
    const files = new ContainedRoot(realRoot(dir), 'no-links');
    const where = files.locate('Manifest.plist');
    return where.kind === 'file' && encryptionFlagOf(files.read('Manifest.plist', 'Manifest.plist')) === true;
  } catch {
    return false;
  }
}

/** Whether a backup's Manifest.plist says it is encrypted (false also when there is none, as in old backups). */
export async function isEncryptedBackupIn(files: StoredFiles): Promise<boolean> {
  try {
    return (await encryptionFlag(files)) === true;
  } catch {
    return false;
  }
}

/**
 * Manifest.plist's IsEncrypted: true or false (false also when there is no Manifest.plist, as in old
 * backups), or why it could not be read.
 */
async function encryptionFlag(files: StoredFiles): Promise<boolean | { readonly unreadable: string }> {
  const where = files.locate('Manifest.plist');
  if (where.kind === 'absent') return false;
  if (where.kind === 'refused') return { unreadable: where.reason };
  try {
    return encryptionFlagOf(await files.read('Manifest.plist', 'Manifest.plist'));
  } catch (err) {
    if (err instanceof FormatError) return { unreadable: err.message.replace(/^Manifest\.plist: /, '') };
    throw err;
  }
}

function encryptionFlagOf(manifestPlist: Buffer): boolean {
  const plist = parsePlist(manifestPlist, 'Manifest.plist');
  return isDict(plist) && plist.IsEncrypted === true;
}

/** The files a backup is opened from, read together (one pass over a tar.gz). */
export const BACKUP_CONTAINER_FILES: readonly string[] = ['Manifest.plist', 'Manifest.db', 'Info.plist'];

/**
 * Opens a backup folder. An encrypted one is unlocked with the credential `credentials` supplies (asked
 * only then); without a provider it is refused with a message saying what is needed.
 */
export async function openIosBackup(given: string, log = new InputLog(), credentials?: CredentialProvider): Promise<IosBackupSource> {
  if (!looksLikeIosBackup(given)) {
    throw new UserError('not-an-acquisition', `${given}: not an iOS backup (expected Manifest.db and Info.plist)`);
  }
  // The real path, resolved once: every stored file must resolve inside it (a backup given through a link works).
  return openIosBackupIn(new FolderFiles(realRoot(given), 'no-links'), log, credentials);
}

/** Opens a backup wherever its files are stored: a folder, or inside a zip, tar or tar.gz. The source closes `files`. */
export async function openIosBackupIn(files: StoredFiles, log = new InputLog(), credentials?: CredentialProvider): Promise<IosBackupSource> {
  try {
    return await openBackupFiles(files, log, credentials);
  } catch (err) {
    await files.close();
    throw err;
  }
}

async function openBackupFiles(files: StoredFiles, log: InputLog, credentials?: CredentialProvider): Promise<IosBackupSource> {
  const root = files.root;
  await files.prefetch(BACKUP_CONTAINER_FILES);
  const encrypted = await encryptionFlag(files);
  let keys: BackupKeys | null = null;
  if (encrypted === true) {
    if (!credentials) {
      throw new UserError('encrypted-backup', `${root}: this backup is encrypted; give its password (prompt or TRACEHOUND_BACKUP_PASSWORD) or --key-file`);
    }
    const info = encryptionInfoFrom(files.displayPath('Manifest.plist'), await files.read('Manifest.plist', 'Manifest.plist'));
    keys = await unlockBackup(root, info, await credentials(root));
  }
  const stats = { filesDecrypted: 0, bytesDecrypted: 0 };
  const manifest = await openManifest(files, log, keys, stats, encrypted);
  try {
    checkManifestSchema(manifest, files.displayPath('Manifest.db'));
  } catch (err) {
    manifest.close();
    throw err;
  }
  let info: PlistDict = {};
  try {
    if (files.locate('Info.plist').kind === 'file') {
      const parsed = parsePlist(await readLogged(files, log, 'Info.plist'), 'Info.plist');
      if (isDict(parsed)) info = parsed;
    }
  } catch {
    // BackupInfo reports an unreadable Info.plist as its own coverage entry; the rest of the check goes on.
  }
  return new IosBackupSource(root, manifest, info, log, keys, stats, files);
}

/** Files must be a real table (a view could run forever: sqlite-schema.ts) with the five columns read. */
function checkManifestSchema(manifest: SqliteHandle, manifestPath: string): void {
  try {
    const notATable = manifest.notATable('Files');
    if (notATable) throw new UserError('bad-format', `${manifestPath}: ${notATable} (expected an iOS backup manifest)`);
    if (!manifest.hasTable('Files') || !['fileID', 'domain', 'relativePath', 'flags', 'file'].every((c) => manifest.columns('Files').has(c))) {
      throw new UserError('bad-format', `${manifestPath}: no Files(fileID, domain, relativePath, flags, file) table (expected an iOS backup manifest)`);
    }
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw new UserError('bad-format', `${manifestPath}: damaged SQLite database (${errorMessage(err)}) (expected an iOS backup manifest)`, { cause: err });
  }
}

/** A container file (Manifest.db, Info.plist) read whole, bounded by its real size, and logged. */
async function readLogged(files: StoredFiles, log: InputLog, name: string): Promise<Buffer> {
  const data = await files.read(name, name);
  log.record(files.displayPath(name), name, data);
  return data;
}

async function openManifest(
  files: StoredFiles,
  log: InputLog,
  keys: BackupKeys | null,
  stats: DecryptionStats,
  encrypted: boolean | { readonly unreadable: string },
): Promise<SqliteHandle> {
  const manifestPath = files.displayPath('Manifest.db');
  try {
    const bytes = files.sizeOf('Manifest.db', 'Manifest.db'); // fstat's or the archive's, never a recorded one
    if (keys?.manifestKey) {
      const key = manifestDbKey(keys.manifestKey, keys.classKeys);
      stats.filesDecrypted++;
      stats.bytesDecrypted += bytes;
      if (keepInMemory(bytes, 'Manifest.db')) {
        const data = await readLogged(files, log, 'Manifest.db');
        return openSqlite({ kind: 'buffer', data: decryptWithKey(key, data, undefined, 'Manifest.db') }, 'Manifest.db');
      }
      // A large manifest is streamed into a private 0600 temp file rather than held (twice) in memory (never in a
      // sealed-scratch run: keepInMemory said so above).
      const dir = privateTempDir('manifest');
      const plaintext = join(dir, 'Manifest.db');
      await files.copyOut('Manifest.db', 'Manifest.db', log, 'Manifest.db', plaintext, () => createDecryptStream(key, bytes, 'Manifest.db'));
      return openSqlite({ kind: 'private-file', dir, path: plaintext, hasWal: false }, 'Manifest.db');
    }
    if (keys) {
      // Backups made before iOS 10.2 have a plaintext Manifest.db and no ManifestKey; later ones need it.
      const head = await readLogged(files, log, 'Manifest.db');
      if (!isSqliteImage(head)) throw new UserError('bad-format', `${files.displayPath('Manifest.plist')}: no ManifestKey, and Manifest.db is encrypted (expected the key of Manifest.db)`);
      return openSqlite({ kind: 'buffer', data: head }, 'Manifest.db');
    }
    if (keepInMemory(bytes, 'Manifest.db')) {
      const data = await readLogged(files, log, 'Manifest.db');
      if (typeof encrypted === 'object' && !isSqliteImage(data)) throw unreadableManifestPlist(files, encrypted.unreadable);
      return openSqlite({ kind: 'buffer', data }, 'Manifest.db');
    }
    return openSqlite(await files.largeSqlite('Manifest.db', 'Manifest.db', log, 'Manifest.db', {}), 'Manifest.db');
  } catch (err) {
    if (err instanceof UserError) throw err;
    // An unreadable Manifest.plist hides whether Manifest.db is encrypted: the blame goes to Manifest.plist.
    if (typeof encrypted === 'object') throw unreadableManifestPlist(files, encrypted.unreadable, err);
    throw new UserError('bad-format', `${manifestPath}: ${badManifestReason(err)} (expected an iOS backup manifest)`, { cause: err });
  }
}

function unreadableManifestPlist(files: StoredFiles, reason: string, cause?: unknown): UserError {
  return new UserError(
    'bad-format',
    `${files.displayPath('Manifest.plist')}: ${reason} (expected a property list saying whether the backup is encrypted; Manifest.db is not a plain SQLite database)`,
    { cause },
  );
}

/** The decoder's reason without its own file name: the caller names the file. */
function badManifestReason(err: unknown): string {
  return errorMessage(err).replace(/^Manifest\.db: /, '');
}

/** A Files row as SQLite gives it: any cell may hold any type in a hostile or damaged Manifest.db. */
interface FileRow {
  fileID: unknown;
  domain: unknown;
  relativePath: unknown;
  flags: unknown;
  file: unknown;
}

/** A row whose addressing cells have the types a real manifest has. */
interface AddressedRow {
  fileID: string;
  domain: string;
  relativePath: string;
  flags: number;
  file: unknown;
}

function isAddressed(row: FileRow): row is AddressedRow {
  return typeof row.fileID === 'string' && typeof row.domain === 'string' && typeof row.relativePath === 'string' && typeof row.flags === 'number';
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
    private readonly files: StoredFiles = new FolderFiles(root, 'no-links'),
  ) {}

  private lastDecrypted: { readonly fileId: string; readonly plaintext: Buffer } | null = null;
  private metaQuery: Statement | undefined;

  get encrypted(): boolean {
    return this.keys !== null;
  }

  /**
   * A plain backup in a folder: its databases are opened from a private copy whatever their size (sqlite.ts,
   * `copyFromFolders`), not held in memory. Plaintext of an encrypted backup, and members of an archive (never
   * extracted), stay in memory up to `maxInMemoryBytes`; in a sealed-scratch run nothing is copied to temp.
   */
  private get copiedFromDisk(): boolean {
    return sqliteLimits.copyFromFolders && !scratchIsSealed() && this.keys === null && this.files.layer === undefined;
  }

  /** The derived key, so a worker thread opens the backup without the seconds of key derivation again. */
  reopenCredential(): BackupCredential | undefined {
    return this.keys ? { kind: 'key', key: this.keys.derivedKey } : undefined;
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
      ...(this.files.layer ? { container: this.files.layer } : {}),
    };
  }

  /**
   * Reads every stored file the specs name (and the `-wal` beside each) in one pass when reads cost a pass
   * (a tar.gz); a no-op for a folder, a zip or a plain tar.
   */
  async prepare(specs: readonly FileSpec[]): Promise<void> {
    if (!this.files.readsCostAPass) return;
    const paths = new Set<string>();
    for (const spec of specs) {
      if (spec.by === 'container') {
        paths.add(spec.name);
        continue;
      }
      for (const { file, present } of this.resolve(spec)) {
        if (!present) continue;
        paths.add(file.ref.storedPath);
        const wal = this.sidecar(file, '-wal');
        if (wal) paths.add(wal.ref.storedPath);
      }
    }
    await this.files.prefetch([...paths]);
  }

  notes(): readonly string[] {
    return this.files.notes();
  }

  async find(spec: FileSpec): Promise<EvidenceFile[]> {
    if (spec.by === 'container') return this.files.locate(spec.name).kind === 'file' ? [{ ...this.containerFile(spec.name), size: this.files.sizeOf(spec.name, spec.name) }] : [];
    return this.resolve(spec).filter((f) => f.present).map((f) => f.file);
  }

  /** Listed but not readable: absent, or refused (a link) with the reason in `refused`. */
  async missing(spec: FileSpec): Promise<EvidenceFile[]> {
    if (spec.by === 'container') {
      const where = this.files.locate(spec.name);
      if (where.kind === 'file') return [];
      return [{ ...this.containerFile(spec.name), ...(where.kind === 'refused' ? { refused: where.reason } : {}) }];
    }
    return this.resolve(spec).filter((f) => !f.present).map((f) => f.file);
  }

  /** The backup's own files (Info.plist, Manifest.db, …), addressed by name at the root. */
  private containerFile(name: string): EvidenceFile {
    return { ref: this.refTo(name) };
  }

  /** A ref to a stored file, with the archive as its outer layer when there is one. */
  private refTo(storedPath: string, backup?: EvidenceRef['backup']): EvidenceRef {
    return { root: this.root, storedPath, ...(backup ? { backup } : {}), ...(this.files.layer ? { container: this.files.layer } : {}) };
  }

  async read(file: EvidenceFile): Promise<Buffer> {
    // The stored path is checked again by `files`: a ref from anywhere never reads outside the backup.
    const stored = await this.files.read(file.ref.storedPath, describeForMessages(file));
    this.inputs.record(this.files.displayPath(file.ref.storedPath), refLabel(file), stored);
    return this.keys && file.ref.backup ? this.decrypt(file, stored) : stored;
  }

  async openSqlite(file: EvidenceFile): Promise<SqliteHandle> {
    const what = describeForMessages(file);
    const wal = file.ref.backup ? this.sidecar(file, '-wal') : undefined;
    // Real sizes (fstat or the archive's, database and -wal together) decide memory or a temp copy (always memory
    // in a sealed-scratch run): Manifest.db's recorded Size is the backup's word, not the disk's.
    const size = this.files.sizeOf(file.ref.storedPath, what);
    const walSize = wal ? this.files.sizeOf(wal.ref.storedPath, describeForMessages(wal)) : 0;
    if (!(wal === undefined && this.copiedFromDisk) && keepInMemory(size + walSize, what)) {
      const data = await this.read(file);
      const walData = wal ? await this.read(wal) : undefined;
      return openSqlite({ kind: 'buffer', data, wal: walData }, what);
    }
    const key = this.keys ? this.keyOf(file) : null;
    if (!key) {
      const sidecars = wal ? { wal: wal.ref.storedPath } : {};
      return openSqlite(await this.files.largeSqlite(file.ref.storedPath, what, this.inputs, refLabel(file), sidecars), what);
    }
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
    const key = this.keys && file.ref.backup ? this.keyOf(file) : null;
    if (!key) return this.files.copyOut(file.ref.storedPath, describeForMessages(file), this.inputs, refLabel(file), dest);
    // Most backup files are small: one read, one decryption, one write costs far less than a stream pipeline.
    if ((file.size ?? 0) > EXPORT_STREAM_BYTES) return this.streamDecrypted(file, key, dest);
    const stored = await this.files.read(file.ref.storedPath, describeForMessages(file));
    const plaintext = decryptWithKey(key, stored, file.size, describeForMessages(file));
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
    return this.manifestQuery(() => this.manifest.db.prepare('SELECT count(*) FROM Files WHERE flags = 1').pluck().get() as number);
  }

  /**
   * Every stored file the manifest lists, with its metadata, in manifest order (for `ios decrypt`). Read in
   * pages, so the connection is free between them for the key lookups of the files being exported.
   */
  *storedFiles(): IterableIterator<EvidenceFile> {
    const page = this.manifest.db.prepare('SELECT rowid AS rid, fileID, domain, relativePath, flags, file FROM Files WHERE flags = 1 AND rowid > ? ORDER BY rowid LIMIT 1000');
    for (let after = -1; ; ) {
      const rows = this.manifestQuery(() => page.all(after) as (FileRow & { rid: number })[]);
      if (rows.length === 0) return;
      after = rows[rows.length - 1]!.rid;
      for (const row of rows) {
        if (!isAddressed(row) || !FILE_ID.test(row.fileID)) continue;
        const stored = this.storedPathOf(row.fileID);
        if (stored.where.kind === 'file') yield this.fileOf(row, stored.storedPath);
      }
    }
  }

  /** One CBC pass from the stored file to `dest` (0600), truncated to the plaintext size; the stored bytes are logged. */
  private async streamDecrypted(file: EvidenceFile, key: Buffer, dest: string): Promise<number> {
    const size = file.size ?? 0;
    const what = describeForMessages(file);
    await this.files.copyOut(file.ref.storedPath, what, this.inputs, refLabel(file), dest, () => createDecryptStream(key, size, what));
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
    const query = this.metaQuery;
    const row = this.manifestQuery(() => query.get(file.ref.backup!.fileId) as { file: unknown } | undefined);
    const meta = decodeFileMeta(row?.file ?? null);
    if (!meta.encryptionKey) return null;
    return fileKey(meta.encryptionKey, meta.protectionClass ?? 0, this.keys!.classKeys);
  }

  /**
   * Every Files row in stored order. A row whose fileID, domain, relativePath or flags has the wrong type
   * comes as an unreadable row naming the cell and what was expected; the metadata cell is passed on as
   * stored, for the reader to check (`decodeFileMetaCell`).
   */
  *manifestRows(): IterableIterator<ManifestRow | UnreadableManifestRow> {
    // Rows as arrays (better-sqlite3's `raw`): a row object per Files row costs about as much as reading it.
    const stmt = this.manifest.db.prepare('SELECT rowid, fileID, domain, relativePath, flags, file FROM Files ORDER BY rowid').raw(true);
    const rows = this.manifestQuery(() => stmt.iterate() as IterableIterator<unknown[]>);
    try {
      for (;;) {
        const next = this.manifestQuery(() => rows.next());
        if (next.done) return;
        const [rowid, fileId, domain, relativePath, flags, file] = next.value as [number, unknown, unknown, unknown, unknown, unknown];
        const problem = manifestCell('fileID', fileId, 'text') ?? manifestCell('domain', domain, 'text') ?? manifestCell('relativePath', relativePath, 'text') ?? manifestCell('flags', flags, 'an integer');
        if (problem !== null || typeof fileId !== 'string' || typeof domain !== 'string' || typeof relativePath !== 'string' || typeof flags !== 'number') {
          yield { rowid, unreadable: problem ?? 'unexpected cell types' };
          continue;
        }
        yield { rowid, fileId, domain, relativePath, flags, file };
      }
    } finally {
      // A consumer that stops early (an artifact that fails mid-way) must not leave the statement running: the
      // connection would stay busy and closing the source would throw.
      rows.return?.();
    }
  }

  /** A damaged page met mid-run is one line naming Manifest.db, not an internal error in whichever artifact asked. */
  private manifestQuery<T>(run: () => T): T {
    try {
      return run();
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      if (typeof code === 'string' && code.startsWith('SQLITE_')) {
        throw new FormatError('Manifest.db', `damaged SQLite database (${errorMessage(err)}; expected an iOS backup manifest)`, { cause: err });
      }
      throw err;
    }
  }

  async close(): Promise<void> {
    try {
      this.manifest.close();
    } finally {
      await this.files.close();
    }
  }

  /** A `-wal` that iOS backed up as its own file beside a database (same domain, path + suffix). */
  private sidecar(file: EvidenceFile, suffix: '-wal'): EvidenceFile | undefined {
    const b = file.ref.backup!;
    return this.resolve({ by: 'backup', domain: b.domain, relativePath: b.relativePath + suffix }).find((f) => f.present)?.file;
  }

  private resolve(spec: FileSpec): { file: EvidenceFile; present: boolean }[] {
    const rows = this.manifestQuery(() => this.query(spec));
    if (rows.length === 0 && spec.by === 'backup-file-id' && spec.unlisted && FILE_ID.test(spec.fileId)) return this.unlisted(spec.fileId, spec.unlisted);
    const out: { file: EvidenceFile; present: boolean }[] = [];
    for (const row of rows) {
      // Cells of the wrong type cannot address a file (the manifest artifact reports them row by row).
      if (!isAddressed(row)) continue;
      if (!FILE_ID.test(row.fileID)) continue; // a hostile fileID must never become a path
      if (row.flags !== 1) continue; // directories and symlinks have no stored content
      const stored = this.storedPathOf(row.fileID);
      const file = this.fileOf(row, stored.storedPath);
      const refused = stored.where.kind === 'refused' ? { refused: stored.where.reason } : {};
      out.push({ file: { ...file, ...refused }, present: stored.where.kind === 'file' });
    }
    return out;
  }

  /** A stored file Manifest.db does not list: present at its hash path, or nothing (never "missing": no index names it). */
  private unlisted(fileId: string, device: { readonly domain: string; readonly relativePath: string }): { file: EvidenceFile; present: boolean }[] {
    const stored = this.storedPathOf(fileId);
    if (stored.where.kind !== 'file') return [];
    return [{ file: { ref: this.refTo(stored.storedPath, { ...device, fileId }) }, present: true }];
  }

  /** An EvidenceFile for a Manifest.db row, with public metadata only: the wrapped key stays in the row. */
  private fileOf(row: AddressedRow, storedPath: string): EvidenceFile {
    const { size, mode, times } = decodeFileMeta(row.file);
    return {
      ref: this.refTo(storedPath, { domain: row.domain, relativePath: row.relativePath, fileId: row.fileID }),
      ...(size !== undefined ? { size } : {}),
      ...(mode !== undefined ? { mode } : {}),
      ...(times ? { times } : {}),
    };
  }

  /**
   * Where a fileID's content is: `xx/<id>`, or `<id>` at the root in backups made before iOS 10 (flat). A
   * link at either place (or an `xx` folder that is a link) is refused: a real backup holds no links.
   */
  private storedPathOf(fileId: string): { storedPath: string; where: StoredLocation } {
    const nested = `${fileId.slice(0, 2)}/${fileId}`;
    const inFolder = this.files.locate(nested);
    if (inFolder.kind !== 'absent') return { storedPath: nested, where: inFolder };
    const flat = this.files.locate(fileId);
    if (flat.kind !== 'absent') return { storedPath: fileId, where: flat };
    return { storedPath: nested, where: inFolder };
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
      case 'path-glob':
      case 'dumpstate':
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
    return rows.filter((r) => typeof r.relativePath === 'string' && pathRe.test(r.relativePath) && (domainRe === null || (typeof r.domain === 'string' && domainRe.test(r.domain))));
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

/** Per-file metadata from the MBFile archive in Manifest.db's `file` column. Undecodable cells give none. */
export function decodeFileMeta(cell: unknown): FileMeta {
  return decodeFileMetaCell(cell).meta;
}

/**
 * The metadata and, when the cell holds no usable MBFile archive, what was wrong with it ("`file` is text,
 * expected an MBFile archive (a binary plist blob)"). NULL and an empty blob are simply no metadata.
 */
export function decodeFileMetaCell(cell: unknown): { meta: FileMeta; problem?: string } {
  if (cell === null || cell === undefined) return { meta: {} };
  if (!Buffer.isBuffer(cell)) return { meta: {}, problem: `\`file\` is ${cellKind(cell)}, expected an MBFile archive (a binary plist blob)` };
  if (cell.length === 0) return { meta: {} };
  try {
    return { meta: fileMetaOf(cell) };
  } catch (err) {
    if (err instanceof FormatError) return { meta: {}, problem: `\`file\` is not an MBFile archive (${err.message})` };
    throw err;
  }
}

function fileMetaOf(blob: Buffer): FileMeta {
  const mb = decodeMbFile(blob);
  const times: FileMeta['times'] = {};
  if (mb.modified !== undefined) times.modified = mb.modified;
  if (mb.changed !== undefined) times.changed = mb.changed;
  if (mb.born !== undefined) times.born = mb.born;
  const meta: FileMeta = { times };
  if (mb.size !== undefined) meta.size = mb.size;
  if (mb.mode !== undefined) meta.mode = mb.mode;
  if (mb.owner !== undefined) meta.owner = mb.owner;
  if (mb.protectionClass !== undefined) meta.protectionClass = mb.protectionClass;
  if (mb.encryptionKey !== undefined) meta.encryptionKey = mb.encryptionKey;
  return meta;
}

export function fileIdOf(domain: string, relativePath: string): string {
  return createHash('sha1').update(`${domain}-${relativePath}`).digest('hex');
}
