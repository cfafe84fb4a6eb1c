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

/** The parts of an entry every type has. */
export interface EntryBase {
  /** Normalised: relative, `/`-separated, no empty, `.` or `..` component, no leading or trailing `/`. */
  readonly path: string;
  /**
   * Milliseconds since the epoch, from the container (lstat, zip extended timestamp or DOS time, tar header);
   * absent when unknown. A number, not a Date: an archive's index holds one entry per member, hundreds of
   * thousands for a filesystem dump, and a Date costs six times the memory.
   */
  readonly mtimeMs?: number;
  /** Permission bits only (`mode & 0o7777`); the file type is `type`. Absent when the container has none. */
  readonly mode?: number;
}

export interface FileEntry extends EntryBase {
  readonly type: 'file';
  /** Bytes of content: fstat's for a folder, the declared uncompressed size for an archive (reads stop there). */
  readonly size: number;
}

export interface DirectoryEntry extends EntryBase {
  readonly type: 'directory';
}

/** A link is listed with its target, never followed: a link out of the layer cannot make us read elsewhere. */
export interface SymlinkEntry extends EntryBase {
  readonly type: 'symlink';
  readonly linkTarget: string;
}

/** Devices, FIFOs, sockets: listed so a walk is complete, never read. */
export interface OtherEntry extends EntryBase {
  readonly type: 'other';
}

/** One entry per path. Only files carry a size and only links a target, so neither can be read off the wrong kind. */
export type FsEntry = FileEntry | DirectoryEntry | SymlinkEntry | OtherEntry;

/*
 * Entries are made by these four, each one object literal with every key present, so all the entries of a type
 * share one V8 hidden class. Built by spreading optional parts, each entry of an archive's index got a hidden
 * class, descriptor array and property array of its own: about 300 bytes more per member, measured on a
 * 50,000-file dump.
 */
export const fileEntry = (base: EntryBase, size: number): FileEntry => ({ path: base.path, type: 'file', size, mtimeMs: base.mtimeMs, mode: base.mode });
export const directoryEntry = (base: EntryBase): DirectoryEntry => ({ path: base.path, type: 'directory', mtimeMs: base.mtimeMs, mode: base.mode });
export const symlinkEntry = (base: EntryBase, linkTarget: string): SymlinkEntry => ({ path: base.path, type: 'symlink', linkTarget, mtimeMs: base.mtimeMs, mode: base.mode });
export const otherEntry = (base: EntryBase): OtherEntry => ({ path: base.path, type: 'other', mtimeMs: base.mtimeMs, mode: base.mode });

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
