/**
 * An androidqf acquisition: the folder androidqf writes on the analyst's computer (`getprop.txt`,
 * `packages.json`, `ps.txt`, `settings_*.txt`, `files.json`, `root_binaries.json`, `dumpsys.txt`, `backup.ab`,
 * `acquisition.json`…), read as a folder, a folder holding it, or a zip, tar or tar.gz with the files at its
 * root or in one top-level folder (MVT finds them only below a folder: its patterns are `*\/name`). Files are
 * addressed by their path inside that folder (`path-glob` specs). A host tool wrote it, so any link is refused.
 *
 * `describe()` carries what the acquisition says of itself, read once at open: the start time from
 * `acquisition.json` and the device from `getprop.txt`.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { FormatError } from '../errors.js';
import { decodeGetprop, propertyValue } from '../formats/android-getprop.js';
import { NESTED_BACKUP, openNestedBackup, type NestedBackup } from './android-backup.js';
import { NESTED_BUGREPORT, openNestedBugreport, type NestedBugreport } from './androidqf-bugreport.js';
import { realRoot } from './contained.js';
import type { CredentialProvider } from './ios-backup-keys.js';
import type { InputLog } from './input-log.js';
import type { Readable } from 'node:stream';
import type { SqliteHandle } from './sqlite.js';
import type { AcquisitionInfo, EvidenceFile, FileSpec, ListedEntry, Source } from './source.js';
import { FolderFiles, type StoredFiles } from './stored-files.js';
import { TreeSource, type TreeShape } from './tree-source.js';
import { folderOrOnlySubfolder } from './folder-root.js';

/**
 * androidqf always writes `getprop.txt` (its first module); MVT's own zipped test acquisition holds nothing
 * else, so it is the one marker. The iOS detectors run first, and no iOS acquisition has it at its root.
 */
export const ANDROIDQF_MARKER = 'getprop.txt';
/** The files `describe()` reads when the acquisition is opened. */
export const ANDROIDQF_CONTEXT_FILES = ['acquisition.json', 'getprop.txt', 'adb_host_key.pub'] as const;

/** Both context files are small (a getprop dump is tens of KB); more is not an androidqf file. */
const MAX_CONTEXT_BYTES = 4 * 1024 * 1024;

export function looksLikeAndroidqf(dir: string): boolean {
  try {
    return statSync(join(dir, ANDROIDQF_MARKER)).isFile();
  } catch {
    return false;
  }
}

/** The folder itself, or its one sub-folder that is an androidqf acquisition (a zip unpacked into a folder of its own). */
export function androidqfRootWithin(dir: string): string | null {
  return folderOrOnlySubfolder(dir, looksLikeAndroidqf);
}

/** What acquisition.json says: when androidqf started, and the adb key of the computer it ran on. */
export interface AndroidqfAcquisitionContext {
  readonly started?: Date;
  readonly adbHostPublicKey?: string;
}

/** acquisition.json's useful fields; anything that is not a JSON object, or a field of another type, is ignored. */
export function decodeAcquisitionJson(text: string): AndroidqfAcquisitionContext {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return {};
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return {};
  const o = value as Record<string, unknown>;
  const started = typeof o.started === 'string' ? new Date(o.started) : undefined;
  return {
    ...(started && !Number.isNaN(started.getTime()) ? { started } : {}),
    ...(typeof o.adb_host_public_key === 'string' && o.adb_host_public_key ? { adbHostPublicKey: o.adb_host_public_key } : {}),
  };
}

/** The device as getprop.txt names it. */
export function deviceFromGetprop(text: string): NonNullable<AcquisitionInfo['device']> {
  const props = decodeGetprop(text).properties;
  const pick = (...names: string[]) => names.map((n) => propertyValue(props, n)).find((v) => v !== undefined && v !== '');
  const fields = {
    name: pick('ro.product.marketname', 'ro.product.vendor.marketname'),
    productType: pick('ro.product.model', 'ro.product.vendor.model'),
    productVersion: pick('ro.build.version.release'),
    buildVersion: pick('ro.build.id', 'ro.build.display.id'),
    serialNumber: pick('ro.serialno', 'ro.boot.serialno'),
    // Device-local times (dumpsys.txt) convert to UTC with it (docs/dev/time.md).
    timeZone: pick('persist.sys.timezone'),
  };
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
}

async function readContext(files: StoredFiles, inputs: InputLog): Promise<Partial<Pick<AcquisitionInfo, 'device' | 'acquiredAt' | 'adbHostKey'>>> {
  const present = ANDROIDQF_CONTEXT_FILES.filter((rel) => files.locate(rel).kind === 'file' && files.sizeOf(rel, rel) <= MAX_CONTEXT_BYTES);
  await files.prefetch(present);
  const text: Partial<Record<(typeof ANDROIDQF_CONTEXT_FILES)[number], string>> = {};
  for (const rel of present) {
    let data: Buffer;
    try {
      data = await files.read(rel, rel);
    } catch {
      // The context is a courtesy: the artifact that reads the same file reports its damage.
      continue;
    }
    inputs.record(files.displayPath(rel), rel, data);
    text[rel] = data.toString('utf8');
  }
  const acquisition = text['acquisition.json'] !== undefined ? decodeAcquisitionJson(text['acquisition.json']) : {};
  const device = text['getprop.txt'] !== undefined ? deviceFromGetprop(text['getprop.txt']) : {};
  // MVT's fallback when acquisition.json names no key: the whole text of adb_host_key.pub (reference-spec §9.1).
  const adbHostKey = acquisition.adbHostPublicKey ?? (text['adb_host_key.pub'] || undefined);
  return {
    ...(Object.keys(device).length > 0 ? { device } : {}),
    ...(acquisition.started ? { acquiredAt: acquisition.started } : {}),
    ...(adbHostKey !== undefined ? { adbHostKey } : {}),
  };
}

export function openAndroidqf(root: string, inputs: InputLog, credentials?: CredentialProvider): Promise<Source> {
  return openAndroidqfIn(new FolderFiles(realRoot(root), 'no-links'), inputs, credentials);
}

/**
 * The source closes `files` (also when reading the context fails). An encrypted `backup.ab` asks `credentials`
 * for its password once, here; without one it becomes a note and the rest of the acquisition is checked.
 */
export async function openAndroidqfIn(files: StoredFiles, inputs: InputLog, credentials?: CredentialProvider): Promise<Source> {
  let context;
  let nested;
  let bugreport: NestedBugreport | null = null;
  try {
    context = await readContext(files, inputs);
    nested = await openNestedBackup(files, inputs, credentials);
    bugreport = await openNestedBugreport(files, inputs);
  } catch (err) {
    if (bugreport && 'source' in bugreport) await bugreport.source.close();
    await files.close();
    throw err;
  }
  // getprop.txt without persist.sys.timezone: the bugreport's SYSTEM PROPERTIES may name it (the same phone, the same minutes).
  const bugreportZone = bugreport && 'source' in bugreport ? bugreport.source.describe().device?.timeZone : undefined;
  if (context.device?.timeZone === undefined && bugreportZone !== undefined) context = { ...context, device: { ...context.device, timeZone: bugreportZone } };
  const described = context;
  return new AndroidqfSource(files, inputs, { kind: 'android-androidqf', specKind: 'path-glob', describe: () => described }, nested, bugreport);
}

/**
 * The acquisition's own files, plus the members of its `backup.ab` below `backup.ab/` (read in one pass at
 * open, android-backup.ts), so an artifact reads SMS backups from a `.ab` and from androidqf with one decoder,
 * and the files of its `bugreport.zip` below `bugreport.zip/` (androidqf-bugreport.ts), its dumpstate found by
 * `{ by: 'dumpstate' }` as in a bugreport, so the bugreport artifacts run on it.
 */
class AndroidqfSource extends TreeSource {
  private readonly bugreport: Source | null;

  constructor(
    files: StoredFiles,
    inputs: InputLog,
    shape: TreeShape,
    private readonly nested: NestedBackup | null,
    private readonly nestedBugreport: NestedBugreport | null,
  ) {
    super(files, inputs, shape);
    this.bugreport = nestedBugreport && 'source' in nestedBugreport ? nestedBugreport.source : null;
  }

  /** The nested bugreport's source when `file` is one of its files. */
  private bugreportOf(file: EvidenceFile): Source | null {
    return this.bugreport && file.ref.storedPath.startsWith(`${NESTED_BUGREPORT}/`) ? this.bugreport : null;
  }

  /** Encrypted when its container is (an age-encrypted zip) or its nested backup is: either way the results hold plaintext of encrypted evidence. */
  override describe(): AcquisitionInfo {
    const own = super.describe();
    return { ...own, encrypted: own.encrypted || (this.nested?.encrypted ?? false) };
  }

  override async find(spec: FileSpec): Promise<EvidenceFile[]> {
    const inBugreport = bugreportSpec(spec);
    if (inBugreport !== null) return this.bugreport ? this.bugreport.find(inBugreport) : [];
    const inner = nestedSpec(spec);
    if (inner === null) return super.find(spec);
    return this.nested && 'source' in this.nested ? this.nested.source.find(inner) : [];
  }

  override async missing(spec: FileSpec): Promise<EvidenceFile[]> {
    const inBugreport = bugreportSpec(spec);
    if (inBugreport !== null) return this.bugreport ? this.bugreport.missing(inBugreport) : [];
    const inner = nestedSpec(spec);
    if (inner === null) return super.missing(spec);
    return this.nested && 'source' in this.nested ? this.nested.source.missing(inner) : [];
  }

  override async read(file: EvidenceFile): Promise<Buffer> {
    const bugreport = this.bugreportOf(file);
    if (bugreport) return bugreport.read(file);
    if (this.nested && 'source' in this.nested && file.ref.storedPath.startsWith(`${NESTED_BACKUP}/`)) return this.nested.source.read(file);
    return super.read(file);
  }

  override async stream(file: EvidenceFile): Promise<Readable> {
    const bugreport = this.bugreportOf(file);
    if (bugreport?.stream) return bugreport.stream(file);
    return super.stream(file);
  }

  override async streamRange(file: EvidenceFile, start: number, end: number): Promise<Readable> {
    const bugreport = this.bugreportOf(file);
    if (bugreport?.streamRange) return bugreport.streamRange(file, start, end);
    if (bugreport) throw new FormatError(file.ref.storedPath, 'the nested bugreport gives no ranged read');
    return super.streamRange(file, start, end);
  }

  override async openSqlite(file: EvidenceFile): Promise<SqliteHandle> {
    const bugreport = this.bugreportOf(file);
    if (bugreport) return bugreport.openSqlite(file);
    return super.openSqlite(file);
  }

  /** The acquisition's entries, then the nested bugreport's, each named below `bugreport.zip/` (path and stored path). */
  override async *listing(): AsyncIterable<ListedEntry> {
    yield* super.listing();
    if (!this.bugreport?.listing) return;
    for await (const entry of this.bugreport.listing()) yield { ...entry, path: entry.storedPath };
  }

  override notes(): readonly string[] {
    const nested = this.nested === null ? [] : 'note' in this.nested ? [this.nested.note] : this.nested.source.notes();
    const bugreport = this.nestedBugreport === null ? [] : 'note' in this.nestedBugreport ? [this.nestedBugreport.note] : (this.nestedBugreport.source.notes?.() ?? []);
    return [...super.notes(), ...nested, ...bugreport];
  }

  override async close(): Promise<void> {
    try {
      await this.bugreport?.close();
    } finally {
      await super.close();
    }
  }
}

/**
 * A spec addressing the nested bugreport, as a spec inside it: its dumpstate (`{ by: 'dumpstate' }`, which only a
 * bugreport answers) or a path below `bugreport.zip/`; null for any other.
 */
function bugreportSpec(spec: FileSpec): FileSpec | null {
  if (spec.by === 'dumpstate') return spec;
  if (spec.by !== 'path-glob' || !spec.pattern.startsWith(`${NESTED_BUGREPORT}/`)) return null;
  return { ...spec, pattern: spec.pattern.slice(NESTED_BUGREPORT.length + 1) };
}

/** A spec addressing the nested backup's members (`backup.ab/apps/…`), as a spec inside that backup; null for any other. */
function nestedSpec(spec: FileSpec): FileSpec | null {
  if (spec.by !== 'path-glob' || !spec.pattern.startsWith(`${NESTED_BACKUP}/`)) return null;
  return { ...spec, pattern: spec.pattern.slice(NESTED_BACKUP.length + 1) };
}
