/**
 * An Android bugreport (`adb bugreport`, the phone's "Take bug report"): a zip, or the folder it unpacks to,
 * holding the dumpstate text (named by `main_entry.txt`: `bugreport-<device>-<date>.txt`), `FS/` (copies of
 * device files: tombstones, ANR traces…) and more. Read as a folder, a folder holding it, or a zip, tar or
 * tar.gz with the files at its root or below one folder; files are addressed by their path inside it
 * (`path-glob`), and the dumpstate by `{ by: 'dumpstate' }` wherever this bugreport keeps it.
 *
 * An old bugreport (Android 2.3 era) is one text file: a lone dumpstate, detected by its banner
 * (`== dumpstate: <time>`), is a bugreport with no `FS/` tree.
 *
 * `describe()` carries the device facts of the dumpstate's header and its `SYSTEM PROPERTIES` section, read
 * once at open as a stream that stops at the section's end (a dumpstate can be 100 MB+).
 */
import { closeSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { propertyValue } from '../formats/android-getprop.js';
import { DumpstateFactsReader, looksLikeDumpstateHead, MAX_DUMPSTATE_LINE, parseFingerprint, type DumpstateFacts } from '../formats/dumpstate-facts.js';
import { parseWallClock, wallClockToUnix } from '../formats/device-time.js';
import { forEachLine } from '../formats/lines.js';
import { segmentGlobToRegExp } from './_glob.js';
import { realRoot } from './contained.js';
import type { InputLog } from './input-log.js';
import type { AcquisitionInfo, EvidenceFile, FileSpec, Source } from './source.js';
import { FolderFiles, type FileMeta, type FolderLocation, type StoredEntry, type StoredFiles, type StoredLocation } from './stored-files.js';
import { TreeSource } from './tree-source.js';
import { folderOrOnlySubfolder } from './folder-root.js';

/** Names that make a folder (or an archive's root or top folder) a bugreport, in the order the dumpstate is looked for. */
export const BUGREPORT_MAIN_ENTRY = 'main_entry.txt';
/** Root names that are the dumpstate itself, after main_entry.txt, in MVT's order (reference-spec §9.2) then newer names. */
export const DUMPSTATE_NAME_GLOBS = ['dumpState_*.log', 'bugreport-*.txt', 'dumpstate.txt'] as const;

/** main_entry.txt holds one file name. */
const MAX_MAIN_ENTRY_BYTES = 4096;
/** Bytes read to tell a lone dumpstate file from any other text file. */
const HEAD_BYTES = 4096;

const dumpstateRes = DUMPSTATE_NAME_GLOBS.map(segmentGlobToRegExp);

/** True when the names at a folder's root make it a bugreport. */
export function namesMakeBugreport(names: readonly string[]): boolean {
  return names.includes(BUGREPORT_MAIN_ENTRY) || names.some((n) => dumpstateRes.some((re) => re.test(n)));
}

function looksLikeBugreport(dir: string): boolean {
  try {
    if (statSync(join(dir, BUGREPORT_MAIN_ENTRY), { throwIfNoEntry: false })?.isFile()) return true;
    return readdirSync(dir, { withFileTypes: true }).some((d) => d.isFile() && dumpstateRes.some((re) => re.test(d.name)));
  } catch {
    return false;
  }
}

/** The folder itself, or its one sub-folder that is a bugreport (a zip unpacked into a folder of its own). */
export function bugreportRootWithin(dir: string): string | null {
  return folderOrOnlySubfolder(dir, looksLikeBugreport);
}

/** A regular file whose first bytes are a dumpstate's banner (a single-file bugreport of old Android versions). */
export function isLoneDumpstate(path: string): boolean {
  let fd: number | undefined;
  try {
    if (!statSync(path).isFile()) return false;
    fd = openSync(path, 'r');
    const head = Buffer.alloc(HEAD_BYTES);
    const n = readSync(fd, head, 0, HEAD_BYTES, 0);
    return looksLikeDumpstateHead(head.subarray(0, n));
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Where the dumpstate is, and what went wrong finding it (a main_entry.txt naming a missing file). */
export interface DumpstateLocation {
  readonly rel: string | null;
  readonly notes: readonly string[];
}

/**
 * The dumpstate of a bugreport: the file `main_entry.txt` names (a plain name inside the bugreport), else
 * the first root `dumpState_*.log`, `bugreport-*.txt`, `dumpstate.txt`.
 */
export async function locateDumpstate(files: StoredFiles, inputs: InputLog): Promise<DumpstateLocation> {
  const notes: string[] = [];
  if (files.locate(BUGREPORT_MAIN_ENTRY).kind === 'file') {
    const size = files.sizeOf(BUGREPORT_MAIN_ENTRY, BUGREPORT_MAIN_ENTRY);
    if (size > MAX_MAIN_ENTRY_BYTES) {
      notes.push(`${files.displayPath(BUGREPORT_MAIN_ENTRY)}: ${size} bytes, more than the one file name it holds; not read`);
    } else {
      const data = await files.read(BUGREPORT_MAIN_ENTRY, BUGREPORT_MAIN_ENTRY);
      inputs.record(files.displayPath(BUGREPORT_MAIN_ENTRY), BUGREPORT_MAIN_ENTRY, data);
      const named = data.toString('utf8').trim();
      const where = named ? files.locate(named) : ({ kind: 'absent' } as const);
      if (where.kind === 'file') return { rel: named, notes };
      const why = where.kind === 'refused' ? where.reason : 'absent from the bugreport';
      notes.push(`${files.displayPath(BUGREPORT_MAIN_ENTRY)} names the dumpstate ${JSON.stringify(named.slice(0, 200))}, which is ${why}`);
    }
  }
  const root = files.namesIn('').sort((a, b) => a.localeCompare(b));
  for (const re of dumpstateRes) {
    const hit = root.find((n) => re.test(n) && files.locate(n).kind === 'file');
    if (hit) return { rel: hit, notes };
  }
  notes.push(`${files.displayPath('')}: no dumpstate file (main_entry.txt, dumpState_*.log, bugreport-*.txt or dumpstate.txt); its sections are not read`);
  return { rel: null, notes };
}

/** The device as the dumpstate names it: system properties first, the header's build lines as a fallback. */
export function deviceFromDumpstate(facts: DumpstateFacts): NonNullable<AcquisitionInfo['device']> {
  const props = facts.properties;
  const pick = (...names: string[]) => names.map((n) => propertyValue(props, n)).find((v) => v !== undefined && v !== '');
  const fp = facts.fingerprint ? parseFingerprint(facts.fingerprint) : null;
  const fields = {
    name: pick('ro.product.marketname', 'ro.product.vendor.marketname'),
    productType: pick('ro.product.model', 'ro.product.vendor.model'),
    productVersion: pick('ro.build.version.release') ?? fp?.release,
    buildVersion: pick('ro.build.id', 'ro.build.display.id') ?? fp?.buildId ?? facts.build,
    serialNumber: pick('ro.serialno', 'ro.boot.serialno'),
    securityPatch: pick('ro.build.version.security_patch'),
    timeZone: pick('persist.sys.timezone'),
  };
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
}

/** When the report was taken, as an instant: only with the device's time zone (the banner is local wall time). */
export function takenAtOf(facts: DumpstateFacts, zone: string | undefined): Date | undefined {
  if (facts.takenAt === undefined || zone === undefined) return undefined;
  const wall = parseWallClock(facts.takenAt);
  const unix = wall ? wallClockToUnix(wall, zone) : null;
  return unix === null ? undefined : new Date(unix * 1000);
}

/** Reads the dumpstate's facts as a stream that stops after the properties section. */
export async function readDumpstateFacts(open: () => Promise<Readable>): Promise<DumpstateFacts> {
  const reader = new DumpstateFactsReader();
  await forEachLine(await open(), MAX_DUMPSTATE_LINE, (line) => reader.push(line));
  return reader.result();
}

/**
 * A bugreport: a tree source whose `{ by: 'dumpstate' }` spec finds the dumpstate file. `notes()` adds what
 * was wrong with finding it (a coverage entry of the acquisition, which makes the check incomplete).
 */
class BugreportSource extends TreeSource {
  constructor(
    files: StoredFiles,
    inputs: InputLog,
    private readonly dumpstate: DumpstateLocation,
    context: Partial<Pick<AcquisitionInfo, 'device' | 'acquiredAt'>>,
  ) {
    super(files, inputs, { kind: 'android-bugreport', specKind: 'path-glob', describe: () => context });
  }

  override async find(spec: FileSpec): Promise<EvidenceFile[]> {
    if (spec.by !== 'dumpstate') return super.find(spec);
    return this.dumpstate.rel === null ? [] : [this.fileAt(this.dumpstate.rel)];
  }

  override async prepare(specs: readonly FileSpec[]): Promise<void> {
    await super.prepare(specs);
    if (this.dumpstate.rel !== null && specs.some((s) => s.by === 'dumpstate')) await this.files.prefetch([this.dumpstate.rel]);
  }

  override notes(): readonly string[] {
    return [...this.dumpstate.notes, ...super.notes()];
  }
}

/** The device facts, read once; a damaged dumpstate gives none (the artifacts reading it say what is wrong). */
async function readContext(files: StoredFiles, rel: string | null): Promise<Partial<Pick<AcquisitionInfo, 'device' | 'acquiredAt'>>> {
  if (rel === null) return {};
  let facts: DumpstateFacts;
  try {
    facts = await readDumpstateFacts(async () => (files.openStream ? files.openStream(rel, rel) : Readable.from([await files.read(rel, rel)])));
  } catch {
    return {};
  }
  const device = deviceFromDumpstate(facts);
  const acquiredAt = takenAtOf(facts, device.timeZone);
  return { ...(Object.keys(device).length > 0 ? { device } : {}), ...(acquiredAt ? { acquiredAt } : {}) };
}

export function openBugreport(root: string, inputs: InputLog): Promise<Source> {
  return openBugreportIn(new FolderFiles(realRoot(root), 'no-links'), inputs);
}

/** The source closes `files` (also when opening fails). */
export async function openBugreportIn(files: StoredFiles, inputs: InputLog): Promise<Source> {
  try {
    // One pass over a tar.gz for main_entry.txt and every root file that may be the dumpstate it names.
    await files.prefetch([BUGREPORT_MAIN_ENTRY, ...files.namesIn('').filter((n) => dumpstateRes.some((re) => re.test(n)))]);
    const dumpstate = await locateDumpstate(files, inputs);
    if (dumpstate.rel !== null) await files.prefetch([dumpstate.rel]);
    const context = await readContext(files, dumpstate.rel);
    return new BugreportSource(files, inputs, dumpstate, context);
  } catch (err) {
    await files.close();
    throw err;
  }
}

/** A single dumpstate text file given as the bugreport (old Android versions wrote nothing else). */
export async function openLoneDumpstate(path: string, inputs: InputLog): Promise<Source> {
  const name = basename(path);
  const files = new OneFile(new FolderFiles(realRoot(dirname(path)), 'no-links'), name);
  const context = await readContext(files, name);
  return new BugreportSource(files, inputs, { rel: name, notes: [] }, context);
}

/**
 * A folder seen as holding only one of its files: a lone dumpstate is read through its folder (for the link
 * and size rules of FolderFiles) without the folder's other files (a Downloads folder) joining the acquisition.
 */
class OneFile implements StoredFiles {
  readonly root: string;
  readonly layer = undefined;
  readonly readsCostAPass = false;

  constructor(
    private readonly inner: FolderFiles,
    private readonly name: string,
  ) {
    // Refs and describe() name the file itself: the acquisition is the file, not its folder.
    this.root = join(inner.root, name);
  }

  private own(rel: string): boolean {
    return rel === this.name;
  }

  locate(rel: string): StoredLocation {
    return this.own(rel) ? this.inner.locate(rel) : { kind: 'absent' };
  }

  sizeOf(rel: string, what: string): number {
    return this.inner.sizeOf(this.checked(rel), what);
  }

  locateFolder(rel: string): FolderLocation {
    return rel === '' ? { kind: 'folder' } : { kind: 'absent' };
  }

  metaOf(rel: string): FileMeta {
    return this.own(rel) ? this.inner.metaOf(rel) : {};
  }

  namesIn(rel: string): string[] {
    return rel === '' ? [this.name] : [];
  }

  displayPath(rel: string): string {
    return this.inner.displayPath(rel);
  }

  read(rel: string, what: string): Promise<Buffer> {
    return this.inner.read(this.checked(rel), what);
  }

  openStream(rel: string, what: string): Promise<Readable> {
    return this.inner.openStream(this.checked(rel), what);
  }

  openRange(rel: string, what: string, start: number, end: number): Promise<Readable> {
    return this.inner.openRange(this.checked(rel), what, start, end);
  }

  copyOut(...args: Parameters<StoredFiles['copyOut']>): Promise<number> {
    return this.inner.copyOut(this.checked(args[0]), ...(args.slice(1) as [string, InputLog, string, string]));
  }

  largeSqlite(...args: Parameters<StoredFiles['largeSqlite']>): ReturnType<StoredFiles['largeSqlite']> {
    return this.inner.largeSqlite(this.checked(args[0]), args[1], args[2], args[3], {});
  }

  async prefetch(): Promise<void> {}

  async *list(): AsyncIterable<StoredEntry> {
    const meta = this.inner.metaOf(this.name);
    yield { type: 'file', path: this.name, size: meta.size ?? 0, ...(meta.times?.modified !== undefined ? { mtime: new Date(meta.times.modified * 1000) } : {}) };
  }

  notes(): string[] {
    return [];
  }

  async close(): Promise<void> {}

  private checked(rel: string): string {
    if (!this.own(rel)) throw new Error(`${rel}: not the dumpstate file of this acquisition`);
    return rel;
  }
}
