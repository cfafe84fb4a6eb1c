/**
 * Evidence files opened without ever leaving the acquisition. A stored file, or a folder on its path, may be
 * a link planted to make the tool read (and hash, under the evidence's name) a file from elsewhere. Every
 * path is resolved against the acquisition root's real path before it is opened: a link that leads out is
 * refused with a reason, the file is opened with O_NOFOLLOW, and its size is the one `fstat` gives on the
 * open descriptor, never a size some index recorded. Reads stop at that size.
 */
import type { Hash } from 'node:crypto';
import { closeSync, constants, createReadStream, fstatSync, lstatSync, openSync, read, readSync, realpathSync, write, writeSync } from 'node:fs';
import { Readable } from 'node:stream';
import { isAbsolute, join, relative, sep } from 'node:path';
import { promisify } from 'node:util';
import { FormatError, UserError } from '../errors.js';

/**
 * `no-links`: a backup holds no links at all (the host wrote every stored file), so any link is refused.
 * `links-inside`: a filesystem dump keeps the phone's own links (`/var` → `/private/var`, app containers),
 * which are followed only while they stay inside the dump.
 */
export type LinkPolicy = 'no-links' | 'links-inside';

export const LINK_OUTSIDE = 'link to outside the acquisition: not read';
export const LINK_IN_BACKUP = 'a link, and a backup holds none: not read';
const NOT_REGULAR = 'not a regular file: not read';

/** Where a relative path leads: a readable file (by its real path), nothing, or something refused. */
export type Located =
  | { readonly kind: 'file'; readonly path: string }
  | { readonly kind: 'absent' }
  | { readonly kind: 'refused'; readonly reason: string };

/** An evidence file open for reading; `size` is fstat's, and nothing past it is ever read. */
export interface OpenedEvidence {
  readonly path: string;
  readonly fd: number;
  readonly size: number;
}

/** The real path of an acquisition root given by the user (possibly through a link), resolved once. */
export function realRoot(root: string): string {
  try {
    return realpathSync(root);
  } catch (err) {
    throw new UserError('not-found', `${root}: cannot resolve the acquisition folder (${(err as Error).message})`, { cause: err });
  }
}

export function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

export class ContainedRoot {
  constructor(
    /** Real path (already resolved with `realRoot`). */
    readonly root: string,
    private readonly policy: LinkPolicy,
  ) {}

  /** Where `rel` leads, without opening it. Directories count as absent: callers look for files. */
  locate(rel: string): Located {
    const lexical = join(this.root, rel);
    let target: string;
    try {
      target = realpathSync(lexical);
    } catch {
      // Absent, or a dangling link: in a backup any link is refused; in a dump a dangling link is just absent.
      return this.policy === 'no-links' && isDanglingLink(lexical) ? { kind: 'refused', reason: LINK_IN_BACKUP } : { kind: 'absent' };
    }
    if (!isInside(this.root, target)) return { kind: 'refused', reason: LINK_OUTSIDE };
    if (target !== lexical && this.policy === 'no-links') return { kind: 'refused', reason: LINK_IN_BACKUP };
    const st = lstatSync(target, { throwIfNoEntry: false });
    if (!st || st.isDirectory()) return { kind: 'absent' };
    if (!st.isFile()) return { kind: 'refused', reason: NOT_REGULAR };
    return { kind: 'file', path: target };
  }

  /** Like `locate`, for a folder: reachable (links inside allowed by policy), absent, or refused with why. */
  locateFolder(rel: string): { readonly kind: 'folder' } | { readonly kind: 'absent' } | { readonly kind: 'refused'; readonly reason: string } {
    const lexical = join(this.root, rel);
    let target: string;
    try {
      target = realpathSync(lexical);
    } catch {
      return { kind: 'absent' };
    }
    if (!isInside(this.root, target)) return { kind: 'refused', reason: LINK_OUTSIDE };
    if (target !== lexical && this.policy === 'no-links') return { kind: 'refused', reason: LINK_IN_BACKUP };
    return lstatSync(target, { throwIfNoEntry: false })?.isDirectory() ? { kind: 'folder' } : { kind: 'absent' };
  }

  /** Opens `rel` for reading; anything but a contained regular file is a FormatError naming `what`. */
  open(rel: string, what: string): OpenedEvidence {
    const where = this.locate(rel);
    if (where.kind === 'absent') throw new FormatError(what, 'no such file in the acquisition');
    if (where.kind === 'refused') throw new FormatError(what, where.reason);
    return openRegular(where.path, what);
  }

  /** The whole file, bounded by its real size. */
  read(rel: string, what: string): Buffer {
    const opened = this.open(rel, what);
    try {
      return readOpened(opened);
    } finally {
      closeSync(opened.fd);
    }
  }
}

function isDanglingLink(path: string): boolean {
  return lstatSync(path, { throwIfNoEntry: false })?.isSymbolicLink() ?? false;
}

/** Opens a real path (no link in its last component) and checks it is a regular file. */
export function openRegular(path: string, what: string): OpenedEvidence {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK); // a FIFO must not block the open
  } catch (err) {
    const code = (err as { code?: string }).code;
    throw new FormatError(what, code === 'ELOOP' ? LINK_IN_BACKUP : `cannot open (${(err as Error).message})`, { cause: err });
  }
  const st = fstatSync(fd);
  if (!st.isFile()) {
    closeSync(fd);
    throw new FormatError(what, NOT_REGULAR);
  }
  return { path, fd, size: st.size };
}

const CHUNK_BYTES = 4 * 1024 * 1024;

/** Reads at most `opened.size` bytes: a file that grows while read is cut there, one that shrinks ends early. */
export function readOpened(opened: OpenedEvidence): Buffer {
  const buf = Buffer.allocUnsafe(opened.size);
  let got = 0;
  while (got < opened.size) {
    const n = readSync(opened.fd, buf, got, Math.min(CHUNK_BYTES, opened.size - got), got);
    if (n === 0) break;
    got += n;
  }
  return got === opened.size ? buf : buf.subarray(0, got);
}

/** Feeds `opened.size` bytes at most to `sink`, in chunks (hashing and copying large files). */
export function eachChunk(opened: OpenedEvidence, sink: (chunk: Buffer) => void): number {
  const chunk = Buffer.allocUnsafe(Math.min(CHUNK_BYTES, Math.max(opened.size, 1)));
  let done = 0;
  while (done < opened.size) {
    const n = readSync(opened.fd, chunk, 0, Math.min(chunk.length, opened.size - done), done);
    if (n === 0) break;
    sink(chunk.subarray(0, n));
    done += n;
  }
  return done;
}

/** Copies at most `opened.size` bytes into a private (0600) file, never through a link at `dest`. */
export function copyOpened(opened: OpenedEvidence, dest: string): number {
  const out = openSync(dest, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW, 0o600);
  try {
    return eachChunk(opened, (chunk) => {
      for (let off = 0; off < chunk.length; ) off += writeSync(out, chunk, off, chunk.length - off);
    });
  } finally {
    closeSync(out);
  }
}

const readAt = promisify(read);
const writeAt = promisify(write);

/**
 * `copyOpened` in one pass that also feeds `hash` (null: nothing to hash) with exactly the bytes copied. Reads and
 * writes run on libuv's threads, a chunk being written while the next is read, and this thread only hashes, so it
 * is free for other work meanwhile (`npm run bench:private-copy`, 90 MB: a median of 75 ms, against 92 ms hashing
 * and then copying on this thread and 215 ms through a stream pipeline; bench/README.md).
 */
export async function copyOpenedHashing(opened: OpenedEvidence, dest: string, hash: Hash | null): Promise<number> {
  const out = openSync(dest, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW, 0o600);
  const chunkBytes = Math.min(CHUNK_BYTES, Math.max(opened.size, 1));
  const buffers = [Buffer.allocUnsafe(chunkBytes), Buffer.allocUnsafe(chunkBytes)];
  // A buffer is read into again only once its previous chunk is written. A failed write is kept, not left as a
  // rejection nobody awaits yet, and ends the copy at the next chunk.
  const writing: Promise<void>[] = [Promise.resolve(), Promise.resolve()];
  let failure: Error | undefined;
  let done = 0;
  try {
    for (let turn = 0; done < opened.size; turn = 1 - turn) {
      await writing[turn];
      if (failure !== undefined) throw failure;
      const buffer = buffers[turn]!;
      const { bytesRead } = await readAt(opened.fd, buffer, 0, Math.min(chunkBytes, opened.size - done), done);
      if (bytesRead === 0) break;
      const chunk = buffer.subarray(0, bytesRead);
      writing[turn] = writeAllAt(out, chunk, done).catch((err: unknown) => void (failure ??= err instanceof Error ? err : new Error(String(err))));
      hash?.update(chunk);
      done += bytesRead;
    }
  } finally {
    // Never left writing into a file its caller may remove (a failed read, a failed write).
    await Promise.all(writing);
    closeSync(out);
  }
  if (failure !== undefined) throw failure;
  return done;
}

async function writeAllAt(fd: number, chunk: Buffer, position: number): Promise<void> {
  for (let off = 0; off < chunk.length; ) off += (await writeAt(fd, chunk, off, chunk.length - off, position + off)).bytesWritten;
}

/** A stream over the first `opened.size` bytes; it closes the descriptor when done. */
export function streamOpened(opened: OpenedEvidence, range?: { readonly start: number; readonly end: number }): Readable {
  // Held to the size fstat gave when opened (a file that grows is not read past it).
  const start = Math.min(range?.start ?? 0, opened.size);
  const end = Math.min(range?.end ?? opened.size, opened.size);
  if (end <= start) {
    // `end: -1` would mean "to the end of the file": an empty range reads nothing at all.
    closeSync(opened.fd);
    return Readable.from([]);
  }
  return createReadStream('', { fd: opened.fd, start, end: end - 1, autoClose: true });
}
