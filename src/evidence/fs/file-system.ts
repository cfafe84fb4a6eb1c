/**
 * The lower of the two evidence layers (dfVFS's "file system" layer): a read-only tree of paths inside a
 * folder, a zip, a tar or a gzip-compressed tar. Acquisition sources (iOS backup, iOS filesystem dump,
 * later sysdiagnose, androidqf, bugreport) sit on top of any FileSystem and never touch `node:fs`
 * themselves, so one source serves every container.
 *
 * Nothing in this layer extracts to disk, follows a link, or trusts a name or a size written in the
 * container: names are normalised or refused (member-names.ts), sizes are cut at what was declared, and
 * container-level bounds live in one settings object (`archiveLimits`, limits.ts).
 */
import type { Readable } from 'node:stream';

/**
 * `tar.gz` is its own kind because it behaves differently: there is no random access, so each `read`
 * re-streams the archive up to the member and sources should batch their reads with `readMany`.
 */
export type FileSystemKind = 'dir' | 'zip' | 'tar' | 'tar.gz';

interface EntryCommon {
  /** Normalised: relative, `/`-separated, no empty, `.` or `..` component, no leading or trailing `/`. */
  readonly path: string;
  /** From the container (lstat, zip extended timestamp or DOS time, tar header); absent when unknown. */
  readonly mtime?: Date;
  /** Permission bits only (`mode & 0o7777`); the file type is `type`. Absent when the container has none. */
  readonly mode?: number;
}

export interface FileEntry extends EntryCommon {
  readonly type: 'file';
  /** Bytes of content: fstat's for a folder, the declared uncompressed size for an archive (reads stop there). */
  readonly size: number;
}

export interface DirectoryEntry extends EntryCommon {
  readonly type: 'directory';
}

/** A link is listed with its target, never followed: a link out of the layer cannot make us read elsewhere. */
export interface SymlinkEntry extends EntryCommon {
  readonly type: 'symlink';
  readonly linkTarget: string;
}

/** Devices, FIFOs, sockets: listed so a walk is complete, never read. */
export interface OtherEntry extends EntryCommon {
  readonly type: 'other';
}

/** One entry per path. Only files carry a size and only links a target, so neither can be read off the wrong kind. */
export type FsEntry = FileEntry | DirectoryEntry | SymlinkEntry | OtherEntry;

/** A member that is never exposed, with why; sources turn these into coverage entries. */
export interface RefusedEntry {
  /** The member's name as stored, with control characters escaped (`\x00`) so it prints on one line. */
  readonly name: string;
  /** One line: "absolute name", "duplicate name: the first member with this name is used", … */
  readonly reason: string;
}

export interface ReadOptions {
  /** Required, so every whole-file read states its bound; a larger file fails before anything is read. */
  readonly maxBytes: number;
}

/**
 * Called once per served file, in container order. The callback reads `content` (or destroys it) before its
 * promise settles; what it leaves unread is skipped. Errors from `content` (a lying size, a broken stream)
 * reach the callback through the stream; a rejection from the callback ends `readMany` with that error.
 */
export type OnFile = (file: FileEntry, content: Readable) => Promise<void>;

export interface FileSystem {
  readonly kind: FileSystemKind;
  /** Absolute path of the folder (its real path) or of the archive file: the outer layer of every reference. */
  readonly location: string;
  /** `age` for a container read from an age-encrypted file (decrypted in memory, chunk by chunk: fs/age.ts). */
  readonly encryption?: 'age';
  /** False for tar.gz: a read costs a pass over the archive up to the member, so batch with `readMany`. */
  readonly randomAccess: boolean;
  /**
   * Members refused with a reason; the rest stay readable. Archives fill it when opened; a folder fills it
   * as `entries()` walks (a folder has no hostile names, only names this layer cannot represent).
   */
  readonly refused: readonly RefusedEntry[];
  /**
   * Where the container broke (a truncated tar.gz, a damaged central directory, a gzip bomb cut short), as
   * one line; the members before the damage are still listed and readable. Null when whole.
   */
  readonly damage: string | null;
  /** Every entry once, in container order (archives) or sorted depth-first order (folders). Parent folders of members are listed too. */
  entries(): AsyncIterable<FsEntry>;
  /** Null for a path this layer does not hold (absent, refused, below a link, or not in normalised form). */
  stat(path: string): Promise<FsEntry | null>;
  /** The content of a file; fails with one line for anything but a file. The stream ends with an error if the container lies about the size. */
  openStream(path: string): Promise<Readable>;
  read(path: string, options: ReadOptions): Promise<Buffer>;
  /**
   * Serves every file among `paths` in one pass over the container (what a tar.gz needs; on the others it is
   * a loop). Resolves with the requested paths that were not served (absent, refused, not a file), sorted.
   */
  readMany(paths: Iterable<string>, onFile: OnFile): Promise<string[]>;
  /** Releases descriptors. Further calls fail. */
  close(): Promise<void>;
}
