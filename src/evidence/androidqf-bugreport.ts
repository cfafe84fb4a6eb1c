/**
 * The bugreport androidqf takes (its `bugreport` module writes `bugreport.zip` at the acquisition's root), opened
 * as a bugreport source of its own so the bugreport artifacts (the dumpstate's sections, FS/ file times,
 * tombstones) run on it, as MVT's check-androidqf runs its bugreport command on it (reference-spec §9.1).
 *
 * Its files are addressed below `bugreport.zip/` in the androidqf acquisition, as the nested backup's are below
 * `backup.ab/`: a ref is `bugreport.zip/FS/data/tombstones/tombstone_00` of the androidqf folder (or `…inside`
 * its zip), i.e. member `FS/data/tombstones/tombstone_00` of bugreport.zip of that androidqf acquisition.
 *
 * Reading: from a folder the zip is read in place by position (memory stays flat whatever its size); from an
 * archive (an androidqf zip, age-encrypted or not) the member is read into memory, bounded, and the zip read
 * from there. Nothing is written. A zip that cannot be read is one note of the acquisition and the rest of the
 * acquisition is checked.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { errorMessage } from '../errors.js';
import type { FileSystem } from './fs/file-system.js';
import { BufferFile } from './fs/byte-source.js';
import { openZipFileSystem, openZipOver } from './fs/zip.js';
import { namesMakeBugreport, openBugreportIn } from './android-bugreport.js';
import type { InputLog } from './input-log.js';
import type { ContainerLayer, Source } from './source.js';
import { ArchiveFiles, type FileMeta, type FolderLocation, type StoredEntry, type StoredFiles, type StoredLocation, type StreamTransform } from './stored-files.js';
import type { SqliteInput } from './sqlite.js';

/** The name androidqf gives the bugreport it takes. */
export const NESTED_BUGREPORT = 'bugreport.zip';

export const nestedBugreportLimits = {
  /** A bugreport zip is 10 to 100 MB; one inside an archive is held in memory while the run lasts. */
  maxInMemoryBytes: 1024 * 1024 * 1024,
};

/** The nested bugreport, or the one line saying why it was not checked. */
export type NestedBugreport = { readonly source: Source } | { readonly note: string };

/** The folder inside the zip that holds the bugreport: its root, or its one top folder that does (null: neither). */
async function bugreportPrefix(fs: FileSystem): Promise<string | null> {
  const names = new Map<string, string[]>();
  for await (const entry of fs.entries()) {
    if (entry.type !== 'file') continue;
    const cut = entry.path.lastIndexOf('/');
    const folder = cut === -1 ? '' : entry.path.slice(0, cut);
    if (folder.includes('/')) continue;
    names.set(folder, [...(names.get(folder) ?? []), entry.path.slice(cut + 1)]);
  }
  if (namesMakeBugreport(names.get('') ?? [])) return '';
  const tops = [...names.keys()].filter((f) => f !== '' && namesMakeBugreport(names.get(f) ?? []));
  return tops.length === 1 ? tops[0]! : null;
}

/**
 * Opens `bugreport.zip` of an androidqf acquisition, or null when it has none. Never throws for what the zip
 * holds: a damaged or foreign zip is a note.
 */
export async function openNestedBugreport(outer: StoredFiles, inputs: InputLog): Promise<NestedBugreport | null> {
  const where = outer.locate(NESTED_BUGREPORT);
  const what = outer.displayPath(NESTED_BUGREPORT);
  const skipped = 'the bugreport\'s modules were not run on it';
  if (where.kind === 'refused') return { note: `${what}: ${where.reason}: ${skipped}` };
  if (where.kind !== 'file') return null;
  let fs: FileSystem;
  try {
    if (outer.layer === undefined) {
      // A folder: locate() has refused links, so this is the acquisition's own regular file, read in place.
      // Hashed as a stream for the input log (its members are logged too, as they are read).
      await logDigest(outer, inputs, what);
      fs = await openZipFileSystem(join(outer.root, NESTED_BUGREPORT));
    } else {
      const size = outer.sizeOf(NESTED_BUGREPORT, what);
      if (size > nestedBugreportLimits.maxInMemoryBytes) return { note: `${what}: ${size} bytes, above the ${nestedBugreportLimits.maxInMemoryBytes}-byte limit for a bugreport inside an archive: ${skipped}` };
      const data = await outer.read(NESTED_BUGREPORT, what);
      inputs.record(what, NESTED_BUGREPORT, data);
      fs = await openZipOver(what, new BufferFile(data), data.length);
    }
  } catch (err) {
    return { note: `${oneLine(errorMessage(err), what)}: ${skipped}` };
  }
  let files: ArchiveFiles;
  try {
    const prefix = await bugreportPrefix(fs);
    if (prefix === null) {
      await fs.close();
      return { note: `${what}: no dumpstate (main_entry.txt, dumpState_*.log, bugreport-*.txt or dumpstate.txt) at its root or in one folder: not a bugreport; ${skipped}` };
    }
    files = await ArchiveFiles.open(fs, prefix, 'no-links');
  } catch (err) {
    await fs.close();
    return { note: `${oneLine(errorMessage(err), what)}: ${skipped}` };
  }
  try {
    // The input log names the zip's members under the zip's own path; refs name them below bugreport.zip/.
    return { source: await openBugreportIn(new NestedFiles(outer, files, what), inputs) };
  } catch (err) {
    return { note: `${oneLine(errorMessage(err), what)}: ${skipped}` };
  }
}

/** The zip's SHA-256 into the input log, read as a stream (never held whole). */
async function logDigest(outer: StoredFiles, inputs: InputLog, what: string): Promise<void> {
  const stream = outer.openStream ? await outer.openStream(NESTED_BUGREPORT, what) : Readable.from([await outer.read(NESTED_BUGREPORT, what)]);
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    hash.update(chunk);
    bytes += chunk.length;
  }
  inputs.recordDigest(what, NESTED_BUGREPORT, hash.digest('hex'), bytes);
}

/** The message of a failure, starting with the zip's name once (the zip layer names it already). */
function oneLine(message: string, what: string): string {
  const line = message.split('\n')[0] ?? '';
  return line.startsWith(what) ? line : `${what}: ${line}`;
}

/**
 * The nested zip's files, seen from the androidqf acquisition: refs keep the acquisition's root and container and
 * name each file `bugreport.zip/<member>`; reads go to the nested zip.
 */
class NestedFiles implements StoredFiles {
  readonly root: string;
  readonly layer: ContainerLayer | undefined;
  readonly readsCostAPass = false;

  constructor(
    outer: StoredFiles,
    private readonly inner: ArchiveFiles,
    private readonly zipPath: string,
  ) {
    this.root = outer.root;
    this.layer = outer.layer;
  }

  toStored(rel: string): string {
    return `${NESTED_BUGREPORT}/${rel}`;
  }

  toDevice(stored: string): string | null {
    return stored.startsWith(`${NESTED_BUGREPORT}/`) ? stored.slice(NESTED_BUGREPORT.length + 1) : null;
  }

  locate(rel: string): StoredLocation {
    return this.inner.locate(rel);
  }

  sizeOf(rel: string, what: string): number {
    return this.inner.sizeOf(rel, what);
  }

  locateFolder(rel: string): FolderLocation {
    return this.inner.locateFolder(rel);
  }

  metaOf(rel: string): FileMeta {
    return this.inner.metaOf(rel);
  }

  namesIn(rel: string): string[] {
    return this.inner.namesIn(rel);
  }

  displayPath(rel: string): string {
    return rel ? `${this.zipPath}/${rel}` : this.zipPath;
  }

  read(rel: string, what: string): Promise<Buffer> {
    return this.inner.read(rel, what);
  }

  openStream(rel: string, what: string): Promise<Readable> {
    return this.inner.openStream(rel, what);
  }

  copyOut(rel: string, what: string, log: InputLog, label: string, dest: string, transform?: StreamTransform): Promise<number> {
    return this.inner.copyOut(rel, what, log, label, dest, transform);
  }

  largeSqlite(rel: string, what: string, log: InputLog, label: string, sidecars: { wal?: string; shm?: string }): Promise<SqliteInput> {
    return this.inner.largeSqlite(rel, what, log, label, sidecars);
  }

  prefetch(rels: readonly string[]): Promise<void> {
    return this.inner.prefetch(rels);
  }

  /** Entries as the acquisition addresses them: `path` inside the bugreport, `storedPath` below bugreport.zip/. */
  async *list(): AsyncIterable<StoredEntry> {
    for await (const entry of this.inner.list()) yield { ...entry, storedPath: this.toStored(entry.path) };
  }

  notes(): string[] {
    return this.inner.notes();
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
