/**
 * An iTunes/Finder backup folder: Info.plist, Manifest.plist, Manifest.db (domain + relativePath → fileID)
 * and the hashed files in `<id[0:2]>/<id>`. Files are addressed through Manifest.db, queried in place of an
 * in-memory index so that a million-entry backup costs no more memory than a small one.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FormatError, UserError, errorMessage } from '../errors.js';
import { isDict, parsePlist, type PlistDict } from '../formats/plist.js';
import { unarchive } from '../formats/nskeyed.js';
import { hasWildcard, segmentGlobToRegExp, segmentGlobToSqliteGlob } from './_glob.js';
import { maxInMemorySqliteBytes, openSqlite, type SqliteHandle } from './sqlite.js';
import type { AcquisitionInfo, EvidenceFile, FileSpec, ManifestRow, Source } from './source.js';
import { InputLog } from './input-log.js';

const FILE_ID = /^[0-9a-f]{40}$/i;

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

export async function openIosBackup(root: string, log = new InputLog()): Promise<IosBackupSource> {
  if (!looksLikeIosBackup(root)) {
    throw new UserError('not-an-acquisition', `${root}: not an iOS backup (expected Manifest.db and Info.plist)`);
  }
  if (isEncryptedBackup(root)) {
    throw new UserError(
      'encrypted-backup',
      `${root}: this backup is encrypted (Manifest.plist IsEncrypted is true); checking encrypted backups is not supported yet`,
    );
  }
  const manifestPath = join(root, 'Manifest.db');
  const manifestBytes = statSync(manifestPath).size;
  let manifest: SqliteHandle;
  try {
    manifest =
      manifestBytes <= maxInMemorySqliteBytes
        ? openSqlite({ kind: 'buffer', data: log.readSync(manifestPath, 'Manifest.db') }, 'Manifest.db')
        : openSqlite({ kind: 'file', path: manifestPath }, 'Manifest.db');
    if (manifestBytes > maxInMemorySqliteBytes) log.hashFileSync(manifestPath, 'Manifest.db');
  } catch (err) {
    throw new UserError('bad-format', `${manifestPath}: ${badManifestReason(err)} (expected an iOS backup manifest)`, { cause: err });
  }
  if (!manifest.hasTable('Files') || !['fileID', 'domain', 'relativePath', 'flags', 'file'].every((c) => manifest.columns('Files').has(c))) {
    manifest.close();
    throw new UserError('bad-format', `${manifestPath}: no Files(fileID, domain, relativePath, flags, file) table (expected an iOS backup manifest)`);
  }
  let info: PlistDict = {};
  try {
    const parsed = parsePlist(log.readSync(join(root, 'Info.plist'), 'Info.plist'), 'Info.plist');
    if (isDict(parsed)) info = parsed;
  } catch {
    // BackupInfo reports an unreadable Info.plist as its own coverage entry; the rest of the check goes on.
  }
  return new IosBackupSource(root, manifest, info, log);
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

export class IosBackupSource implements Source {
  readonly kind = 'ios-backup' as const;

  constructor(
    readonly root: string,
    private readonly manifest: SqliteHandle,
    private readonly info: PlistDict,
    readonly inputs: InputLog,
  ) {}

  describe(): AcquisitionInfo {
    const s = (k: string) => (typeof this.info[k] === 'string' ? (this.info[k]) : undefined);
    const last = this.info['Last Backup Date'];
    return {
      kind: this.kind,
      root: this.root,
      encrypted: false,
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
    const data = await readFile(path);
    this.inputs.record(path, file.ref.backup ? `${file.ref.backup.domain}/${file.ref.backup.relativePath}` : file.ref.storedPath, data);
    return data;
  }

  async openSqlite(file: EvidenceFile): Promise<SqliteHandle> {
    const what = describeForMessages(file);
    const wal = file.ref.backup ? this.sidecar(file, '-wal') : undefined;
    const size = file.size ?? statSync(join(this.root, file.ref.storedPath)).size;
    if (size > maxInMemorySqliteBytes) {
      const path = join(this.root, file.ref.storedPath);
      this.inputs.hashFileSync(path, refLabel(file));
      const walPath = wal ? join(this.root, wal.ref.storedPath) : undefined;
      if (walPath) this.inputs.hashFileSync(walPath, refLabel(wal!));
      return openSqlite({ kind: 'file', path, wal: walPath }, what);
    }
    const data = await this.read(file);
    const walData = wal ? await this.read(wal) : undefined;
    return openSqlite({ kind: 'buffer', data, wal: walData }, what);
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
      const meta = decodeFileMeta(row.file);
      const file: EvidenceFile = {
        ref: { root: this.root, storedPath: storedPath ?? `${row.fileID.slice(0, 2)}/${row.fileID}`, backup: { domain: row.domain, relativePath: row.relativePath, fileId: row.fileID } },
        ...meta,
      };
      out.push({ file, present: storedPath !== null });
    }
    return out;
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
    return meta;
  } catch (err) {
    if (err instanceof FormatError) return {};
    throw err;
  }
}

export function fileIdOf(domain: string, relativePath: string): string {
  return createHash('sha1').update(`${domain}-${relativePath}`).digest('hex');
}
