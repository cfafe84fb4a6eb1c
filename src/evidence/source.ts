/**
 * The read-only view every artifact reads through, whatever the container. There is no write method:
 * evidence cannot be modified through a Source by construction.
 */
import type { Readable } from 'node:stream';
import type { FsEntry } from './fs/file-system.js';
import type { SourceKind } from './kinds.js';
import type { SqliteHandle } from './sqlite.js';
import type { BackupCredential } from './ios-backup-keys.js';

export { sourceKinds, type SourceKind } from './kinds.js';

/**
 * The archive an acquisition was read from, the outermost layer of a ref: `container` is the archive's kind,
 * `archive` its absolute path, `prefix` the folder inside it that holds the acquisition ('' at its root).
 */
export interface ContainerLayer {
  readonly container: 'zip' | 'tar' | 'tar.gz';
  readonly archive: string;
  readonly prefix: string;
  /** The archive is the plaintext of this encryption of the file `archive` (decrypted in memory, never on disk). */
  readonly encryption?: 'age';
}

/**
 * Where a file came from, as a chain of layers, innermost first: the device file (`backup`: domain and path),
 * the stored file (`storedPath`, relative to the acquisition root), and for an acquisition read from an
 * archive, the archive (`container`). The row or offset inside the file is the finding's `at`. Rendered in
 * one place: `refKey` (the key used in outputs) and `describeFile` (for people).
 */
export interface EvidenceRef {
  /** The acquisition root as given by the user (absolute): its folder's real path, or the archive file. */
  readonly root: string;
  /** Path of the stored file relative to the root (`3d/3d0d7e…`, `private/var/mobile/…`). */
  readonly storedPath: string;
  /** For backups: the domain and path the file had on the device. */
  readonly backup?: { readonly domain: string; readonly relativePath: string; readonly fileId: string };
  /** Absent for a folder: then every rendering is what it was before archives were read. */
  readonly container?: ContainerLayer;
}

export interface MacbTimes {
  /** Unix seconds, as MBFile stores them. */
  readonly modified?: number;
  readonly accessed?: number;
  readonly changed?: number;
  readonly born?: number;
}

export interface EvidenceFile {
  readonly ref: EvidenceRef;
  /** The path the file had on the device, when known (`/private/var/mobile/Library/SMS/sms.db`). */
  readonly devicePath?: string;
  readonly size?: number;
  readonly mode?: number;
  readonly times?: MacbTimes;
  /**
   * Set on a file `missing()` returns because it was refused, not absent: "link to outside the acquisition:
   * not read". Such a file is never read.
   */
  readonly refused?: string;
}

/**
 * What an artifact asks for. Exactly one way of addressing per spec, so a bad combination does not compile.
 * Backup relative paths may contain `*` (any run of characters within one path segment).
 */
export type FileSpec =
  | { readonly by: 'backup'; readonly domain: string; readonly relativePath: string }
  | { readonly by: 'backup-any-domain'; readonly relativePath: string }
  | { readonly by: 'backup-domain-glob'; readonly domain: string; readonly relativePath: string }
  /**
   * The Manifest.db row with this fileID. With `unlisted`, a file iOS stores under its hash but leaves out of
   * Manifest.db (WhatsApp's LID.sqlite) is found at its hash path too, and addressed as `unlisted` says.
   */
  | { readonly by: 'backup-file-id'; readonly fileId: string; readonly unlisted?: { readonly domain: string; readonly relativePath: string } }
  | { readonly by: 'container'; readonly name: 'Info.plist' | 'Manifest.plist' | 'Manifest.db' | 'Status.plist' }
  /**
   * A path on the device (no leading `/`), `*` within one segment: a filesystem dump, whatever its layout.
   * With `folders`, the pattern names folders instead of files (WebKit's per-site folders, whose names and
   * times are the evidence); a folder is never read, only described.
   */
  | { readonly by: 'device-glob'; readonly pattern: string; readonly folders?: true }
  /** A path inside the acquisition's own folder tree (a sysdiagnose's `logs/…`), `*` within one segment. */
  | { readonly by: 'path-glob'; readonly pattern: string; readonly folders?: true }
  /**
   * A bugreport's main dumpstate text, wherever the bugreport keeps it (`main_entry.txt` names it, else a root
   * `dumpState_*.log`, `bugreport-*.txt` or `dumpstate.txt`; a lone dumpstate file is itself). Large (100 MB+):
   * read it with `stream`.
   */
  | { readonly by: 'dumpstate' };

export interface AcquisitionInfo {
  readonly kind: SourceKind;
  readonly root: string;
  readonly encrypted: boolean;
  readonly device?: {
    readonly name?: string;
    readonly productType?: string;
    readonly productVersion?: string;
    readonly buildVersion?: string;
    readonly serialNumber?: string;
    readonly udid?: string;
    /** Android's `ro.build.version.security_patch` (`2024-01-05`). */
    readonly securityPatch?: string;
    /** The device's time zone (`persist.sys.timezone`, an IANA name): device-local times convert to UTC with it. */
    readonly timeZone?: string;
  };
  readonly acquiredAt?: Date;
  /** androidqf: the adb public key of the computer that made the acquisition (acquisition.json, else adb_host_key.pub). */
  readonly adbHostKey?: string;
  /** Set when the acquisition was read from inside an archive. */
  readonly container?: ContainerLayer;
  /**
   * The device's time zone as the examiner gave it (`--device-time-zone`), not read from the acquisition: used
   * only when the acquisition names no zone this tool knows (`deviceTimeZone`, device-zone.ts).
   */
  readonly givenTimeZone?: string;
}

export interface Source {
  readonly kind: SourceKind;
  readonly root: string;
  describe(): AcquisitionInfo;
  /** Files matching the spec, in a stable order. A file the index names but the acquisition lacks is not returned. */
  find(spec: FileSpec): Promise<EvidenceFile[]>;
  /** Index entries the spec names whose stored file is absent (a partial backup). */
  missing(spec: FileSpec): Promise<EvidenceFile[]>;
  read(file: EvidenceFile): Promise<Buffer>;
  /**
   * The file as a stream, for inputs too large to hold (a 100 MB dumpstate); bounded by its real (folder) or
   * declared (archive) size. Logged in the input log with its hash once read to the end.
   */
  stream?(file: EvidenceFile): Promise<Readable>;
  /**
   * Bytes [start, end) of a file already read whole through `stream` (a section of a dumpstate, by the offsets
   * the first pass found): from `start` where the layer has random access, else by skipping. Not logged again.
   */
  streamRange?(file: EvidenceFile, start: number, end: number): Promise<Readable>;
  /** A private, read-only SQLite handle. The caller closes it; the source removes any temp copy on close. */
  openSqlite(file: EvidenceFile): Promise<SqliteHandle>;
  /** For encrypted acquisitions: how much was decrypted so far. */
  stats?(): { readonly filesDecrypted: number; readonly bytesDecrypted: number } | undefined;
  /**
   * Tells the source every FileSpec the run will ask for, before the first artifact. A source inside a tar.gz
   * (no random access) then reads them all in one pass; without it every read still works, at a pass each.
   */
  prepare?(specs: readonly FileSpec[]): Promise<void>;
  /**
   * Problems of the container itself, one line each: archive members refused (hostile names, links, bombs)
   * and where the archive broke. Nothing to say for a folder. Coverage entries of the acquisition.
   */
  notes?(): readonly string[];
  /**
   * Every entry of a tree-shaped acquisition (a dump, a sysdiagnose) once, folders, links and files alike, with
   * paths as its specs address them (device paths without the leading `/` for a dump). Links are listed, never
   * followed. Absent for a backup (its Manifest.db is the listing).
   */
  listing?(): AsyncIterable<ListedEntry>;
  /**
   * The base names of every file and link in the listing, gathered in one walk the first time it is asked
   * and shared by every artifact that asks (is there a binary named like this process anywhere?).
   */
  fileNames?(): Promise<ReadonlySet<string>>;
  /** Manifest.db rows in stored order, streamed (only backups have one). */
  manifestRows?(): IterableIterator<ManifestRow | UnreadableManifestRow>;
  /**
   * The credential that opens this acquisition again without asking anyone or deriving anything (the key an
   * encrypted backup's password derived): each worker thread of a `--jobs` pool opens its own. Memory only.
   */
  reopenCredential?(): BackupCredential | undefined;
  close(): Promise<void>;
}

/** A listing entry: its path as the source addresses it (a device path in a dump), and the path it is stored at (refs name that). */
export type ListedEntry = FsEntry & { readonly storedPath: string };

export interface ManifestRow {
  readonly rowid: number;
  readonly fileId: string;
  readonly domain: string;
  readonly relativePath: string;
  readonly flags: number;
  /** The MBFile archive as stored: normally a blob or NULL, but any type in a damaged manifest. */
  readonly file: unknown;
}

/** A Files row whose addressing cells have the wrong type: "`domain` is NULL, expected text". */
export interface UnreadableManifestRow {
  readonly rowid: number;
  readonly unreadable: string;
}

export function refKey(ref: EvidenceRef): string {
  return ref.backup ? `${ref.backup.domain}/${ref.backup.relativePath}` : ref.storedPath;
}

/**
 * "HomeDomain/Library/SMS/sms.db (3d/3d0d…)"; a refused file says why: "(3d/3d0d…: link to outside the
 * acquisition: not read)"; from an archive, the member and the archive: "(00008030…/3d/3d0d… inside
 * /cases/backup.zip)"; from an age-encrypted one, "getprop.txt inside the age-encrypted zip /cases/aqf.zip.age".
 */
export function describeFile(file: EvidenceFile): string {
  const r = file.ref;
  const stored = storedIn(r);
  if (r.backup) return `${r.backup.domain}/${r.backup.relativePath} (${stored}${file.refused ? `: ${file.refused}` : ''})`;
  if (file.refused) return `${stored} (${file.refused})`;
  return stored;
}

/** The stored path, and for an archive the member path and the archive holding it. */
function storedIn(ref: EvidenceRef): string {
  const c = ref.container;
  if (!c) return ref.storedPath;
  const archive = c.encryption ? `the age-encrypted ${c.container} ${c.archive}` : c.archive;
  return `${c.prefix ? `${c.prefix}/${ref.storedPath}` : ref.storedPath} inside ${archive}`;
}
