/**
 * A folder as a FileSystem. The walk uses `lstat` (a link is an entry, never followed); a read opens the file
 * with O_NOFOLLOW (a link swapped in after the walk is refused, not followed) and O_NONBLOCK (a FIFO planted
 * under a file's name cannot hang the run), checks every parent is a real folder inside the root, and takes
 * the size from `fstat` on the open descriptor. Nothing is ever created in or beside the folder.
 */
import { constants, createReadStream, type Stats } from 'node:fs';
import { lstat, open, readdir, readlink, realpath, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { FormatError, UserError } from '../../errors.js';
import { asFile, collectBounded, memberWhat, notAFile, serveFile, tooLarge, uniqueSorted } from './content.js';
import { directoryEntry, fileEntry, otherEntry, symlinkEntry, type EntryBase, type FileEntry, type FileSystem, type FsEntry, type OnFile, type ReadOptions, type RefusedEntry } from './file-system.js';
import { NAME_REASONS, normaliseQueryPath, printableName } from './member-names.js';

export async function openDirFileSystem(folder: string): Promise<FileSystem> {
  let root: string;
  try {
    root = await realpath(folder);
  } catch (err) {
    throw new UserError('not-found', `${folder}: no such folder`, { cause: err });
  }
  return new DirFileSystem(root);
}

// Names this layer cannot carry on one line; a folder is trusted otherwise (its names were made by a file system).
const CONTROL = /\p{Cc}/u;

class DirFileSystem implements FileSystem {
  readonly kind = 'dir' as const;
  readonly randomAccess = true;
  readonly damage = null;
  private readonly refusedByName = new Map<string, RefusedEntry>();
  private closed = false;

  constructor(readonly location: string) {}

  get refused(): readonly RefusedEntry[] {
    return [...this.refusedByName.values()];
  }

  async *entries(): AsyncIterable<FsEntry> {
    this.assertOpen();
    const pending: string[] = [''];
    while (pending.length > 0) {
      const rel = pending.pop()!;
      let names: string[];
      try {
        names = await readdir(join(this.location, rel));
      } catch (err) {
        this.refuse(rel || '.', `cannot list this folder (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
        continue;
      }
      const subfolders: string[] = [];
      for (const name of names.sort()) {
        const path = rel ? `${rel}/${name}` : name;
        if (CONTROL.test(name)) {
          this.refuse(path, NAME_REASONS.control);
          continue;
        }
        const entry = await this.entryAt(path);
        if (!entry) continue;
        yield entry;
        if (entry.type === 'directory') subfolders.push(path);
      }
      // Depth-first in sorted order: push in reverse so the first name is walked first.
      pending.push(...subfolders.reverse());
    }
  }

  async stat(path: string): Promise<FsEntry | null> {
    this.assertOpen();
    const rel = normaliseQueryPath(path);
    if (rel === null || !(await this.parentsAreFolders(rel))) return null;
    return this.entryAt(rel);
  }

  async openStream(path: string): Promise<Readable> {
    const { handle, file } = await this.openFile(path);
    return streamHandle(handle, file.size);
  }

  async read(path: string, options: ReadOptions): Promise<Buffer> {
    const { handle, file } = await this.openFile(path);
    if (file.size > options.maxBytes) {
      await handle.close();
      throw tooLarge(this.location, file, options.maxBytes);
    }
    return collectBounded(streamHandle(handle, file.size), options.maxBytes, memberWhat(this.location, file.path));
  }

  async readMany(paths: Iterable<string>, onFile: OnFile): Promise<string[]> {
    const unserved: string[] = [];
    for (const path of uniqueSorted(paths)) {
      const entry = await this.stat(path);
      if (entry?.type !== 'file') {
        unserved.push(path);
        continue;
      }
      const { handle, file } = await this.openFile(entry.path);
      await serveFile(onFile, file, streamHandle(handle, file.size));
    }
    return unserved;
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  private assertOpen(): void {
    if (this.closed) throw new FormatError(this.location, 'file system already closed');
  }

  private refuse(path: string, reason: string): void {
    this.refusedByName.set(path, { name: printableName(path), reason });
  }

  /** The entry at a normalised path whose parents are known to be folders, from `lstat`. */
  private async entryAt(rel: string): Promise<FsEntry | null> {
    let st: Stats;
    try {
      st = await lstat(join(this.location, rel));
    } catch {
      return null;
    }
    const common: EntryBase = { path: rel, mtimeMs: st.mtimeMs, mode: st.mode & 0o7777 };
    if (st.isFile()) return fileEntry(common, st.size);
    if (st.isDirectory()) return directoryEntry(common);
    if (st.isSymbolicLink()) {
      try {
        return symlinkEntry(common, await readlink(join(this.location, rel)));
      } catch {
        return null;
      }
    }
    return otherEntry(common);
  }

  /** False when a folder on the way is a link (or gone): such a path is not in this layer, as a walk never reaches it. */
  private async parentsAreFolders(rel: string): Promise<boolean> {
    const parent = dirname(rel);
    if (parent === '.') return true;
    try {
      return (await realpath(join(this.location, parent))) === join(this.location, parent);
    } catch {
      return false;
    }
  }

  /**
   * O_NOFOLLOW guards only the last component: a parent folder swapped for a link between the check and the
   * open would still be crossed. Where the kernel tells what a descriptor opened (Linux /proc), check it.
   */
  private async openedInside(handle: FileHandle, rel: string): Promise<boolean> {
    try {
      return (await readlink(`/proc/self/fd/${handle.fd}`)) === join(this.location, rel);
    } catch {
      return true; // no /proc: the parent check before the open is what we have
    }
  }

  private async openFile(path: string): Promise<{ handle: FileHandle; file: FileEntry }> {
    this.assertOpen();
    const rel = normaliseQueryPath(path);
    const entry = rel === null ? null : await this.stat(rel);
    const file = asFile(this.location, path, entry);
    let handle: FileHandle;
    try {
      handle = await open(join(this.location, file.path), constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ELOOP') throw notAFile(this.location, path, { path: file.path, type: 'symlink', linkTarget: '?' });
      throw new FormatError(memberWhat(this.location, file.path), `cannot open (${code ?? (err as Error).message})`, { cause: err });
    }
    if (!(await this.openedInside(handle, file.path))) {
      await handle.close();
      throw new FormatError(memberWhat(this.location, file.path), 'a folder on its path was swapped for a link: not read');
    }
    const st = await handle.stat();
    if (!st.isFile()) {
      await handle.close();
      throw notAFile(this.location, path, { path: file.path, type: 'other' });
    }
    // fstat's size, not the walk's: the file may have changed since, and reads stop at what was measured now.
    return { handle, file: { ...file, size: st.size } };
  }
}

/** The first `size` bytes through the open handle, which the stream closes. */
function streamHandle(handle: FileHandle, size: number): Readable {
  if (size === 0) {
    // `end: -1` would read the whole file: an empty range reads nothing at all.
    void handle.close();
    return Readable.from([]);
  }
  return createReadStream('', { fd: handle, start: 0, end: size - 1, autoClose: true });
}
