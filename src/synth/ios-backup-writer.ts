/**
 * Writes iTunes/Finder backups the way iOS lays them out (Info.plist, Manifest.plist, Status.plist,
 * Manifest.db with MBFile archives, files at `<id[0:2]>/<id>`), for tests, the demo and the benchmarks.
 * Entries stream into Manifest.db in batched transactions, so a million-entry backup needs no more
 * memory than a small one.
 */
import Database from 'better-sqlite3';
import { copyFileSync, mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildBinary } from 'plist';
import { UID } from 'bplist-parser';
import { fileIdOf } from '../evidence/ios-backup.js';

type PlistInput = Parameters<typeof buildBinary>[0];

export interface BackupEntry {
  readonly domain: string;
  readonly relativePath: string;
  /** Unix seconds; also used for Birth and LastStatusChange. */
  readonly mtime?: number;
  readonly mode?: number;
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

const BATCH = 5_000;

export class IosBackupWriter {
  private readonly db: Database.Database;
  private readonly insert: Database.Statement;
  private pending = 0;
  private inode = 1000;
  private closed = false;

  constructor(
    readonly dir: string,
    device: DeviceInfo = {},
  ) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'Info.plist'), Buffer.from(buildBinary(infoPlist(device))));
    writeFileSync(
      join(dir, 'Manifest.plist'),
      Buffer.from(buildBinary({ IsEncrypted: false, Version: '10.0', Date: device.lastBackup ?? new Date(0), Lockdown: { ProductVersion: device.productVersion ?? '17.5.1' } })),
    );
    writeFileSync(join(dir, 'Status.plist'), Buffer.from(buildBinary({ IsFullBackup: false, Version: '3.3', BackupState: 'new', SnapshotState: 'finished' })));
    this.db = new Database(join(dir, 'Manifest.db'));
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

  /** A file with content, stored at its hashed path. Returns the fileID. */
  addFile(entry: BackupEntry, data: Buffer): string {
    const id = fileIdOf(entry.domain, entry.relativePath);
    mkdirSync(join(this.dir, id.slice(0, 2)), { recursive: true });
    writeFileSync(join(this.dir, id.slice(0, 2), id), data);
    this.row(id, entry, 1, data.length, entry.mode ?? 0o100644);
    return id;
  }

  /**
   * A file with content taken from `sourcePath`, which is moved into place (copied when on another file system).
   * Large generated databases thus never pass through memory. Returns the fileID.
   */
  addFileFrom(entry: BackupEntry, sourcePath: string): string {
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
    this.row(id, entry, 1, statSync(dest).size, entry.mode ?? 0o100644);
    return id;
  }

  /** A Manifest.db entry whose content is not in the backup (as in partial backups), or a directory. */
  addEntry(entry: BackupEntry, kind: 'file' | 'directory' = 'file', size = 0): string {
    const id = fileIdOf(entry.domain, entry.relativePath);
    this.row(id, entry, kind === 'file' ? 1 : 2, kind === 'file' ? size : 0, entry.mode ?? (kind === 'file' ? 0o100644 : 0o40755));
    return id;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.db.exec('COMMIT');
    this.db.close();
  }

  private row(id: string, entry: BackupEntry, flags: number, size: number, mode: number): void {
    this.insert.run(id, entry.domain, entry.relativePath, flags, mbFileArchive(entry, size, mode, this.inode++));
    if (++this.pending >= BATCH) {
      this.db.exec('COMMIT; BEGIN');
      this.pending = 0;
    }
  }
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

/** The NSKeyedArchiver MBFile blob iOS stores per Manifest.db row (reference-spec §6.1). */
function mbFileArchive(entry: BackupEntry, size: number, mode: number, inode: number): Buffer {
  const t = entry.mtime ?? 1_700_000_000;
  return Buffer.from(
    buildBinary({
      $version: 100000,
      $archiver: 'NSKeyedArchiver',
      $top: { root: new UID(1) },
      $objects: [
        '$null',
        {
          $class: new UID(3),
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
          ProtectionClass: 3,
        },
        entry.relativePath,
        { $classname: 'MBFile', $classes: ['MBFile', 'NSObject'] },
      ],
    } as unknown as PlistInput),
  );
}
