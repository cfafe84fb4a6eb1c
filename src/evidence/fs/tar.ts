/**
 * A tar or gzip-compressed tar as a FileSystem. Opening walks the headers once and indexes the members
 * (for a plain tar by seeking from header to header, without reading the data). A plain tar is then read
 * by offset through one descriptor. A tar.gz has no random access: a read decompresses from the start up
 * to its member, and `readMany` serves every requested member in one pass, stopping after the last one.
 *
 * Decompressed bytes are counted against `archiveLimits` (total, and ratio to the compressed file): a
 * gzip bomb stops the walk there, as damage, with the members before it still readable.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { PassThrough, Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { constants as zlibConstants, createGunzip } from 'node:zlib';
import { FormatError, UserError, errorMessage } from '../../errors.js';
import { HandleSource, readRange, StreamSource, type ByteSource } from './byte-source.js';
import { asFile, collectBounded, ExactSize, memberWhat, serveFile, tooLarge, uniqueSorted } from './content.js';
import { directoryEntry, fileEntry, otherEntry, symlinkEntry, type EntryBase, type FileEntry, type FileSystem, type FsEntry, type OnFile, type ReadOptions, type RefusedEntry } from './file-system.js';
import { archiveLimits } from './limits.js';
import { MemberIndex } from './member-index.js';
import { normaliseMemberName, normaliseQueryPath, printableName } from './member-names.js';
import { walkTar, type DataSink, type TarMember } from './tar-walk.js';

/**
 * Where a file's bytes start in the uncompressed tar (a hard link shares its target's); the length is the
 * entry's size. A bare number: the index keeps one per member.
 */
type TarLocator = number;

const FILE_TYPES = new Set(['File', 'OldFile', 'ContiguousFile']);
const OTHER_TYPES = new Set(['CharacterDevice', 'BlockDevice', 'FIFO']);

export const TAR_REASONS = {
  sparse: 'GNU sparse member: not supported, not read',
  hardLinkDangling: (target: string) => `hard link to ${printableName(target)}, which is not an earlier file in this archive`,
  unsupported: (type: string) => `unsupported member type (${type})`,
  tooManyMembers: (limit: number) => `more than ${limit} members: the rest are not listed`,
  bomb: (limit: number, compressed: number) =>
    `decompressed past ${limit} bytes (${Math.round(limit / Math.max(compressed, 1))}x the ${compressed}-byte file), above the limits: stopped (gzip bomb?)`,
} as const;

export async function openTarFileSystem(location: string, gzip: boolean): Promise<FileSystem> {
  let handle: FileHandle;
  try {
    handle = await open(location, 'r');
  } catch (err) {
    throw new UserError('not-found', `${location}: cannot open (${errorMessage(err)})`, { cause: err });
  }
  try {
    const fileBytes = (await handle.stat()).size;
    const fs = new TarFileSystem(location, handle, fileBytes, gzip);
    await fs.buildIndex();
    return fs;
  } catch (err) {
    await handle.close();
    throw err;
  }
}

class TarFileSystem implements FileSystem {
  readonly kind: 'tar' | 'tar.gz';
  readonly randomAccess: boolean;
  damage: string | null = null;
  private readonly index = new MemberIndex<TarLocator>('tar');
  private closed = false;

  constructor(
    readonly location: string,
    private readonly handle: FileHandle,
    private readonly fileBytes: number,
    private readonly gzip: boolean,
  ) {
    this.kind = gzip ? 'tar.gz' : 'tar';
    this.randomAccess = !gzip;
  }

  get refused(): readonly RefusedEntry[] {
    return this.index.refused;
  }

  async buildIndex(): Promise<void> {
    const { source, release } = this.openSource();
    try {
      const end = await walkTar(source, {
        member: () => {
          if (this.index.size >= archiveLimits.maxMembers) {
            this.damage = TAR_REASONS.tooManyMembers(archiveLimits.maxMembers);
            return 'stop';
          }
          return 'skip';
        },
        complete: (member) => this.addMember(member),
      });
      this.damage ??= end.damage;
    } finally {
      release();
    }
    this.index.finish();
  }

  async *entries(): AsyncIterable<FsEntry> {
    this.assertOpen();
    yield* this.index.entries();
  }

  async stat(path: string): Promise<FsEntry | null> {
    this.assertOpen();
    return this.index.lookup(path);
  }

  async openStream(path: string): Promise<Readable> {
    const { file, locator } = this.fileAt(path);
    if (!this.gzip) return this.streamAt(file, locator);
    const out = new PassThrough();
    this.pass([{ file, locator }], async (_file, content) => {
      await pipeline(content, out);
    }).catch((err: unknown) => out.destroy(err instanceof Error ? err : new Error(String(err))));
    return out;
  }

  async read(path: string, options: ReadOptions): Promise<Buffer> {
    const { file } = this.fileAt(path);
    if (file.size > options.maxBytes) throw tooLarge(this.location, file, options.maxBytes);
    return collectBounded(await this.openStream(path), options.maxBytes, memberWhat(this.location, file.path));
  }

  async readMany(paths: Iterable<string>, onFile: OnFile): Promise<string[]> {
    this.assertOpen();
    const unserved: string[] = [];
    const wanted: { file: FileEntry; locator: TarLocator }[] = [];
    for (const path of uniqueSorted(paths)) {
      const rel = normaliseQueryPath(path);
      const slot = rel === null ? undefined : this.index.get(rel);
      if (slot?.entry.type === 'file' && slot.locator !== null) wanted.push({ file: slot.entry, locator: slot.locator });
      else unserved.push(path);
    }
    if (this.gzip) {
      await this.pass(wanted, onFile);
      return unserved;
    }
    // By offset: one forward sweep over the disk, in archive order.
    wanted.sort((a, b) => a.locator - b.locator);
    for (const { file, locator } of wanted) {
      await serveFile(onFile, file, this.streamAt(file, locator));
    }
    return unserved;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.handle.close();
  }

  private assertOpen(): void {
    if (this.closed) throw new FormatError(this.location, 'file system already closed');
  }

  private fileAt(path: string): { file: FileEntry; locator: TarLocator } {
    this.assertOpen();
    const rel = normaliseQueryPath(path);
    const slot = rel === null ? undefined : this.index.get(rel);
    const file = asFile(this.location, path, slot?.entry ?? null);
    return { file, locator: slot!.locator! };
  }

  private addMember(member: TarMember): void {
    const claimed = this.index.claim(member.name);
    if (!claimed) return;
    const common: EntryBase = { path: claimed.path, mtimeMs: member.mtime?.getTime(), mode: member.mode };
    const type = member.type;
    if (FILE_TYPES.has(type)) {
      this.index.put(fileEntry(common, member.size), member.dataOffset);
    } else if (type === 'Directory' || type === 'GNUDumpDir') {
      this.index.put(directoryEntry(common), null);
    } else if (type === 'SymbolicLink') {
      this.index.put(symlinkEntry(common, member.linkpath ?? ''), null);
    } else if (type === 'Link') {
      const target = normaliseMemberName(member.linkpath ?? '', 'tar');
      const slot = target.ok === true ? this.index.get(target.path) : undefined;
      if (slot?.entry.type === 'file' && slot.locator !== null) this.index.put(fileEntry(common, slot.entry.size), slot.locator);
      else this.index.refuse(member.name, TAR_REASONS.hardLinkDangling(member.linkpath ?? ''));
    } else if (OTHER_TYPES.has(type)) {
      this.index.put(otherEntry(common), null);
    } else if (type === 'SparseFile') {
      this.index.refuse(member.name, TAR_REASONS.sparse);
    } else {
      this.index.refuse(member.name, TAR_REASONS.unsupported(type));
    }
  }

  /** A plain tar member by offset, held to its size (a file that shrank since opening ends with an error). */
  private streamAt(file: FileEntry, locator: TarLocator): Readable {
    if (file.size === 0) return Readable.from([]);
    const raw = Readable.from(readRange(this.handle, locator, file.size));
    const guard = new ExactSize(file.size, memberWhat(this.location, file.path));
    raw.on('error', (err) => guard.destroy(err));
    return raw.pipe(guard);
  }

  /** The uncompressed tar bytes from the start: by descriptor for a plain tar, through a bounded gunzip otherwise. */
  private openSource(): { source: ByteSource; release: () => void } {
    if (!this.gzip) return { source: new HandleSource(this.handle, this.fileBytes), release: () => {} };
    const raw = Readable.from(readRange(this.handle, 0, this.fileBytes));
    // Z_SYNC_FLUSH: a truncated stream yields everything before the cut instead of failing (stack-notes §4).
    const gunzip = createGunzip({ finishFlush: zlibConstants.Z_SYNC_FLUSH });
    raw.on('error', (err) => gunzip.destroy(err));
    raw.pipe(gunzip);
    const iterator = bounded(gunzip, this.fileBytes)[Symbol.asyncIterator]();
    return {
      source: new StreamSource(iterator),
      release: () => {
        raw.unpipe(gunzip);
        raw.destroy();
        gunzip.destroy();
      },
    };
  }

  /** One pass over a tar.gz serving `wanted` in archive order; stops after the last one. */
  private async pass(wanted: readonly { file: FileEntry; locator: TarLocator }[], onFile: OnFile): Promise<void> {
    const byOffset = new Map<number, FileEntry[]>();
    for (const { file, locator } of wanted) byOffset.set(locator, [...(byOffset.get(locator) ?? []), file]);
    if (byOffset.size === 0) return;
    let failure: unknown = null;
    const { source, release } = this.openSource();
    try {
      const end = await walkTar(source, {
        member: (member) => {
          if (failure !== null || byOffset.size === 0) return 'stop';
          const files = byOffset.get(member.dataOffset);
          if (!files) return 'skip';
          byOffset.delete(member.dataOffset);
          return fanOut(this.location, member, files, onFile, (err) => (failure ??= err));
        },
      });
      if (failure !== null) throw failure instanceof Error ? failure : new Error(errorMessage(failure));
      if (byOffset.size > 0) {
        const missing = [...byOffset.values()].flat().map((f) => f.path);
        throw new FormatError(this.location, `${missing.join(', ')} not reached on a second pass (${end.damage ?? 'the archive changed since it was opened'})`);
      }
    } finally {
      release();
    }
  }
}

/** Decompressed chunks, stopped with an error once past the total or ratio limit. */
async function* bounded(stream: AsyncIterable<Buffer>, compressedBytes: number): AsyncIterable<Buffer> {
  const limit = Math.min(archiveLimits.maxTotalUncompressedBytes, archiveLimits.maxCompressionRatio * compressedBytes);
  let total = 0;
  for await (const chunk of stream) {
    total += chunk.length;
    if (total > limit) throw new Error(TAR_REASONS.bomb(limit, compressedBytes));
    yield chunk;
  }
}

/**
 * Hands one member's data to every requester (a file and the hard links to it), with backpressure. A callback
 * that settles before reading everything is detached and the rest of its data dropped.
 */
function fanOut(location: string, member: TarMember, files: readonly FileEntry[], onFile: OnFile, onError: (err: unknown) => void): DataSink {
  const readers = files.map((file) => {
    const content = new ExactSize(member.size, memberWhat(location, file.path));
    let settled = false;
    const done = onFile(file, content).then(
      () => {
        settled = true;
      },
      (err: unknown) => {
        settled = true;
        onError(err);
      },
    );
    return { file, content, done, isSettled: () => settled };
  });
  return {
    async write(chunk) {
      for (const r of readers) {
        if (r.isSettled() || r.content.destroyed) continue;
        if (!r.content.write(chunk)) await drainOrSettle(r.content, r.done);
      }
    },
    async end() {
      // A reader that already settled skipped data: ending its stream would report a truncation nobody listens to.
      for (const r of readers) {
        if (r.isSettled()) r.content.destroy();
        else if (!r.content.destroyed) r.content.end();
      }
      await Promise.all(readers.map((r) => r.done));
      for (const r of readers) r.content.destroy();
    },
    async fail(reason) {
      for (const r of readers) r.content.destroy(new FormatError(memberWhat(location, r.file.path), reason));
      await Promise.all(readers.map((r) => r.done));
    },
  };
}

function drainOrSettle(stream: ExactSize, settled: Promise<void>): Promise<void> {
  return new Promise((resolve) => {
    const finish = () => {
      stream.off('drain', finish);
      stream.off('close', finish);
      resolve();
    };
    stream.once('drain', finish);
    stream.once('close', finish);
    void settled.then(finish);
  });
}
