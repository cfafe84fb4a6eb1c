/**
 * A zip as a FileSystem, through yauzl: the central directory is read once into an index, and each member
 * is read by random access. yauzl is opened with `decodeStrings: false` (with its default, one hostile name
 * aborts the whole listing, stack-notes §3) and `validateEntrySizes: false` (its stored-size check also
 * aborts the listing); names are decoded and checked here, and sizes are enforced on every read (ExactSize).
 *
 * Refused, listed with a reason, never exposed: unsafe or duplicate names (member-names.ts,
 * member-index.ts), encrypted members, compression methods other than stored and deflate, and members whose
 * sizes break `archiveLimits` (a zip bomb by ratio, or by total size against the limit or the file's size).
 */
import { open as openFile, type FileHandle } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import yauzl, { type Entry, type ZipFile } from 'yauzl';
import { FormatError, UserError, errorMessage } from '../../errors.js';
import { asFile, collectBounded, ExactSize, memberWhat, serveFile, tooLarge, uniqueSorted } from './content.js';
import { directoryEntry, fileEntry, otherEntry, symlinkEntry, type EntryBase, type FileEntry, type FileSystem, type FsEntry, type OnFile, type ReadOptions, type RefusedEntry } from './file-system.js';
import { archiveLimits } from './limits.js';
import { MemberIndex } from './member-index.js';
import { normaliseQueryPath } from './member-names.js';
import { WindowedReader } from './zip-reader.js';

export const ZIP_REASONS = {
  encrypted: 'encrypted member: not read',
  compression: (method: number) => `unsupported compression method ${method}: not read`,
  storedSizes: (compressed: number, uncompressed: number) =>
    `stored member whose sizes disagree (${compressed} stored, ${uncompressed} declared): not read`,
  ratio: (ratio: number, limit: number) => `compression ratio ${ratio}:1 above the limit of ${limit}:1 (zip bomb?): not read`,
  total: (limit: number) => `would bring the members' total size past ${limit} bytes (zip bomb?): not read`,
  totalRatio: (limit: number, fileBytes: number) =>
    `would bring the members' total size past ${limit} bytes, ${archiveLimits.maxCompressionRatio}x the ${fileBytes}-byte archive (zip bomb?): not read`,
  linkTooLong: (limit: number) => `symbolic link target longer than ${limit} bytes: not read`,
  tooManyMembers: (limit: number) => `more than ${limit} members: the rest are not listed`,
} as const;

const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;
const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
/** Central-directory "version made by" high byte for Unix: only then do the external attributes hold a mode. */
const MADE_BY_UNIX = 3;
const DOS_DIRECTORY = 0x10;

export async function openZipFileSystem(location: string): Promise<FileSystem> {
  let handle: FileHandle;
  let fileBytes: number;
  try {
    handle = await openFile(location, 'r');
    fileBytes = (await handle.stat()).size;
  } catch (err) {
    throw new UserError('not-found', `${location}: cannot open (${errorMessage(err)})`, { cause: err });
  }
  let zip: ZipFile;
  try {
    zip = await yauzl.fromRandomAccessReaderPromise(new WindowedReader(handle), fileBytes, {
      autoClose: false,
      lazyEntries: true,
      decodeStrings: false,
      validateEntrySizes: false,
      strictFileNames: false,
    });
  } catch (err) {
    await handle.close();
    throw new UserError('bad-format', `${location}: not a readable zip (${errorMessage(err)})`, { cause: err });
  }
  const fs = new ZipFileSystem(location, zip, fileBytes);
  try {
    await fs.buildIndex();
  } catch (err) {
    zip.close();
    throw err;
  }
  return fs;
}

class ZipFileSystem implements FileSystem {
  readonly kind = 'zip' as const;
  readonly randomAccess = true;
  damage: string | null = null;
  private readonly index = new MemberIndex<ZipLocator>('zip');
  private closed = false;

  constructor(
    readonly location: string,
    private readonly zip: ZipFile,
    private readonly fileBytes: number,
  ) {}

  get refused(): readonly RefusedEntry[] {
    return this.index.refused;
  }

  async buildIndex(): Promise<void> {
    const links: { path: string; rawName: string; entry: ZipLocator; common: EntryBase }[] = [];
    let totalBytes = 0;
    let seen = 0;
    for (;;) {
      let entry: Entry | null;
      try {
        entry = await nextEntry(this.zip);
      } catch (err) {
        this.damage = `central directory damaged after ${seen} of its ${this.zip.entryCount} records (${errorMessage(err)}): the rest are not listed`;
        break;
      }
      if (entry === null) break;
      if (seen++ >= archiveLimits.maxMembers) {
        this.damage = ZIP_REASONS.tooManyMembers(archiveLimits.maxMembers);
        break;
      }
      // strictFileNames=true only stops yauzl turning `\` into `/`: the stored name is kept for `refused`, and member-names.ts does the turning.
      const rawName = yauzl.getFileNameLowLevel(entry.generalPurposeBitFlag, entry.fileName as unknown as Buffer, entry.extraFields, true);
      const claimed = this.index.claim(rawName);
      if (!claimed) continue;
      const unixMode = entry.versionMadeBy >> 8 === MADE_BY_UNIX ? entry.externalFileAttributes >>> 16 : 0;
      // DOS times carry no zone: read as UTC so a listing is the same on every machine (the extended timestamp, a real UTC time, wins when present).
      const common: EntryBase = { path: claimed.path, mtimeMs: entry.getLastModDate({ timezone: 'UTC' }).getTime(), mode: unixMode ? unixMode & 0o7777 : undefined };
      const format = unixMode & S_IFMT;
      if (claimed.isDirectory || format === S_IFDIR || (entry.externalFileAttributes & DOS_DIRECTORY) !== 0) {
        this.index.put(directoryEntry(common), null);
        continue;
      }
      if (format !== 0 && format !== S_IFREG && format !== S_IFLNK) {
        this.index.put(otherEntry(common), null);
        continue;
      }
      const why = this.refusal(entry, totalBytes);
      if (why) {
        this.index.refuse(rawName, why);
        continue;
      }
      totalBytes += entry.uncompressedSize;
      if (format === S_IFLNK) {
        if (entry.uncompressedSize > archiveLimits.maxLinkTargetBytes) this.index.refuse(rawName, ZIP_REASONS.linkTooLong(archiveLimits.maxLinkTargetBytes));
        else links.push({ path: claimed.path, rawName, entry: locatorOf(entry), common });
        continue;
      }
      this.index.put(fileEntry(common, entry.uncompressedSize), locatorOf(entry));
    }
    // Link targets are the members' content: read after the listing, each bounded and held to its declared size.
    for (const link of links) {
      try {
        const target = await collectBounded(await this.stream(link.entry, link.path), archiveLimits.maxLinkTargetBytes, memberWhat(this.location, link.path));
        this.index.put(symlinkEntry(link.common, target.toString('utf8')), null);
      } catch (err) {
        this.index.refuse(link.rawName, `symbolic link target unreadable (${errorMessage(err)})`);
      }
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
    const { file, entry } = this.fileAt(path);
    return this.stream(entry, file.path);
  }

  async read(path: string, options: ReadOptions): Promise<Buffer> {
    const { file, entry } = this.fileAt(path);
    if (file.size > options.maxBytes) throw tooLarge(this.location, file, options.maxBytes);
    return collectBounded(await this.stream(entry, file.path), options.maxBytes, memberWhat(this.location, file.path));
  }

  async readMany(paths: Iterable<string>, onFile: OnFile): Promise<string[]> {
    this.assertOpen();
    const unserved: string[] = [];
    const wanted: { file: FileEntry; entry: ZipLocator }[] = [];
    for (const path of uniqueSorted(paths)) {
      const rel = normaliseQueryPath(path);
      const slot = rel === null ? undefined : this.index.get(rel);
      if (slot?.entry.type === 'file' && slot.locator) wanted.push({ file: slot.entry, entry: slot.locator });
      else unserved.push(path);
    }
    // In the order of the data in the file: one forward sweep over the disk.
    wanted.sort((a, b) => a.entry.localHeaderOffset - b.entry.localHeaderOffset);
    for (const { file, entry } of wanted) {
      await serveFile(onFile, file, await this.stream(entry, file.path));
    }
    return unserved;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.zip.close();
  }

  private assertOpen(): void {
    if (this.closed) throw new FormatError(this.location, 'file system already closed');
  }

  /** Why a file or link member cannot be served, judged from its central-directory record alone. */
  private refusal(entry: Entry, totalBytes: number): string | null {
    if (entry.isEncrypted()) return ZIP_REASONS.encrypted;
    if (entry.compressionMethod !== 0 && entry.compressionMethod !== 8) return ZIP_REASONS.compression(entry.compressionMethod);
    if (entry.compressionMethod === 0 && entry.compressedSize !== entry.uncompressedSize) {
      return ZIP_REASONS.storedSizes(entry.compressedSize, entry.uncompressedSize);
    }
    const ratio = entry.uncompressedSize / Math.max(entry.compressedSize, 1);
    if (ratio > archiveLimits.maxCompressionRatio) return ZIP_REASONS.ratio(Math.round(ratio), archiveLimits.maxCompressionRatio);
    const after = totalBytes + entry.uncompressedSize;
    if (after > archiveLimits.maxTotalUncompressedBytes) return ZIP_REASONS.total(archiveLimits.maxTotalUncompressedBytes);
    const ratioLimit = archiveLimits.maxCompressionRatio * this.fileBytes;
    if (after > ratioLimit) return ZIP_REASONS.totalRatio(ratioLimit, this.fileBytes);
    return null;
  }

  private fileAt(path: string): { file: FileEntry; entry: ZipLocator } {
    this.assertOpen();
    const rel = normaliseQueryPath(path);
    const slot = rel === null ? undefined : this.index.get(rel);
    const file = asFile(this.location, path, slot?.entry ?? null);
    return { file, entry: slot!.locator! };
  }

  /** The member's bytes, held to its declared size; decompression errors become one-line FormatErrors. */
  private async stream(entry: ZipLocator, path: string): Promise<Readable> {
    const what = memberWhat(this.location, path);
    let raw: Readable;
    try {
      raw = await this.zip.openReadStreamPromise(asYauzlEntry(entry));
    } catch (err) {
      throw new FormatError(what, `cannot read (${errorMessage(err)})`, { cause: err });
    }
    const guard = new ExactSize(entry.uncompressedSize, what, entry.crc32);
    raw.on('error', (err) => guard.destroy(new FormatError(what, `cannot decompress (${errorMessage(err)})`, { cause: err })));
    guard.on('close', () => raw.destroy());
    return raw.pipe(guard);
  }
}

/**
 * What a read needs of a member, kept instead of yauzl's Entry: an Entry holds its raw name, extra fields and
 * comment as Buffers, and keeping 70,000 of them made listing spend most of its time in the garbage collector.
 */
interface ZipLocator {
  readonly localHeaderOffset: number;
  readonly compressedSize: number;
  readonly uncompressedSize: number;
  readonly compressionMethod: number;
  readonly generalPurposeBitFlag: number;
  /** From the central directory: a member whose bytes do not match it is damaged (or was altered). */
  readonly crc32: number;
}

function locatorOf(entry: Entry): ZipLocator {
  return {
    localHeaderOffset: entry.relativeOffsetOfLocalHeader,
    compressedSize: entry.compressedSize,
    uncompressedSize: entry.uncompressedSize,
    compressionMethod: entry.compressionMethod,
    generalPurposeBitFlag: entry.generalPurposeBitFlag,
    crc32: entry.crc32,
  };
}

/** An Entry with exactly the fields `openReadStream` reads (checked against yauzl 3.4: sizes, method, flags, local header offset). */
function asYauzlEntry(l: ZipLocator): Entry {
  return Object.assign(Object.create(yauzl.Entry.prototype) as Entry, {
    relativeOffsetOfLocalHeader: l.localHeaderOffset,
    compressedSize: l.compressedSize,
    uncompressedSize: l.uncompressedSize,
    compressionMethod: l.compressionMethod,
    generalPurposeBitFlag: l.generalPurposeBitFlag,
  });
}

/** The next central-directory record, or null after the last one. */
function nextEntry(zip: ZipFile): Promise<Entry | null> {
  return new Promise((resolve, reject) => {
    const onEntry = (entry: Entry) => {
      cleanup();
      resolve(entry);
    };
    const onEnd = () => {
      cleanup();
      resolve(null);
    };
    const onError = (err: Error) => {
      cleanup();
      reject(err);
    };
    const cleanup = () => {
      zip.off('entry', onEntry);
      zip.off('end', onEnd);
      zip.off('error', onError);
    };
    zip.on('entry', onEntry);
    zip.on('end', onEnd);
    zip.on('error', onError);
    zip.readEntry();
  });
}
