/**
 * Decides what an input path is, as an ordered list of detectors. The input is a folder or a file; a file is
 * opened as a file system by its content (zip, tar, tar.gz: fs/open.ts), and the detectors look at its root
 * and at each top-level folder (`<udid>/Manifest.db`, as Finder, iTunes and zip tools pack a backup). Each
 * detector answers with its opener, or `null` for "not mine"; none throws to say so (STYLE.md §5). A locked
 * acquisition (an encrypted backup) says which credential it needs.
 */
import { existsSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { UserError } from '../errors.js';
import { openFileSystem, sniffContainer } from './fs/open.js';
import type { FileSystem } from './fs/file-system.js';
import type { AgeCredentialProvider } from './fs/age.js';
import { BACKUP_CONTAINER_FILES, isEncryptedBackup, isEncryptedBackupIn, looksLikeIosBackup, openIosBackup, openIosBackupIn } from './ios-backup.js';
import { InputLog } from './input-log.js';
import { dumpLayoutOf, layoutMarkerPaths, type DumpLayout } from './fs-layout.js';
import { iosFilesystemWithin, openIosFilesystem, openIosFilesystemIn } from './ios-fs.js';
import type { CredentialProvider } from './ios-backup-keys.js';
import { ANDROIDQF_MARKER, androidqfRootWithin, openAndroidqf, openAndroidqfIn } from './androidqf.js';
import { intrusionLogPrefixes, intrusionLogsRootWithin, openIntrusionLogs, openIntrusionLogsIn } from './intrusion-logs.js';
import { bugreportRootWithin, isLoneDumpstate, namesMakeBugreport, openBugreport, openBugreportIn, openLoneDumpstate } from './android-bugreport.js';
import { abHeaderOrNull, androidBackupFileKind, isPackageFolderName, looksLikeExtractedBackup, nestedBackupHeaderInFolder, NESTED_BACKUP, openAndroidBackupFile, openExtractedBackupIn } from './android-backup.js';
import { MAX_AB_HEADER_BYTES } from '../formats/android-backup.js';
import { SYSDIAGNOSE_MARKERS, openSysdiagnose, openSysdiagnoseIn, sysdiagnoseRootWithin } from './ios-sysdiagnose.js';
import type { Source, SourceKind } from './source.js';
import { ArchiveFiles, FolderFiles } from './stored-files.js';
import { realRoot } from './contained.js';

export type Detection =
  | { readonly answer: 'match'; readonly kind: SourceKind; readonly root: string; readonly note?: string }
  | { readonly answer: 'locked'; readonly kind: SourceKind; readonly root: string; readonly needs: 'backup-password'; readonly note?: string }
  /**
   * From the synchronous `detectAcquisition` only: a file, possibly a zip, tar or tar.gz holding an
   * acquisition, known once opened (`detectInput`). Treat it as possibly locked (outputs private) until then.
   */
  | { readonly answer: 'archive'; readonly root: string }
  | { readonly answer: 'no' };

/** What a detector found, and how to open it. */
export interface Found {
  readonly detection: Extract<Detection, { answer: 'match' | 'locked' }>;
  /** Opens it; on failure whatever detection opened (an archive) is released. */
  open(inputs: InputLog, credentials?: CredentialProvider): Promise<Source>;
}

/** An archive opened as a file system, with its top-level folders (where a packed acquisition may sit). */
interface ArchivePlace {
  readonly path: string;
  readonly fs: FileSystem;
  readonly tops: readonly string[];
}

interface Detector {
  readonly kind: SourceKind;
  /** What `--type` expects, for the one-line refusal. */
  readonly expected: string;
  /** A folder is recognised synchronously (callers validate an output folder before the slow part). */
  inFolder(path: string): Found | null;
  inArchive(place: ArchivePlace): Promise<Found | null>;
}

function backupDetection(locked: boolean, root: string, note: string | undefined): Found['detection'] {
  const base = locked ? ({ answer: 'locked', kind: 'ios-backup', root, needs: 'backup-password' } as const) : ({ answer: 'match', kind: 'ios-backup', root } as const);
  return note ? { ...base, note } : base;
}

const iosBackup: Detector = {
  kind: 'ios-backup',
  expected: 'an iOS backup (Manifest.db and Info.plist)',
  inFolder(path) {
    const root = backupRootWithin(path);
    if (root === null) return null;
    return {
      detection: backupDetection(isEncryptedBackup(root.dir), root.dir, root.note),
      open: (inputs, credentials) => openIosBackup(root.dir, inputs, credentials),
    };
  },
  async inArchive(place) {
    const prefixes = await prefixesHolding(place, (p) => [`${p}Manifest.db`, `${p}Info.plist`], 'file', 'all');
    if (prefixes.length > 1) throw new UserError('usage', `${place.path}: holds ${prefixes.length} iOS backups (${prefixes.join(', ')}); an archive of one backup is expected`);
    if (prefixes.length === 0) return null;
    const prefix = prefixes[0]!;
    const files = await ArchiveFiles.open(place.fs, prefix, 'no-links');
    // Read together now (one pass over a tar.gz): Manifest.plist says whether it is locked, the rest opens it.
    await files.prefetch(BACKUP_CONTAINER_FILES);
    const note = prefix ? `found an iOS backup in folder ${prefix} of ${place.path}` : undefined;
    return {
      detection: backupDetection(await isEncryptedBackupIn(files), place.path, note),
      open: (inputs, credentials) => openIosBackupIn(files, inputs, credentials),
    };
  },
};

const iosFilesystem: Detector = {
  kind: 'ios-fs',
  expected: 'an iOS filesystem dump (private/var/…, or filesystem1/ and filesystem2/)',
  inFolder(path) {
    const dump = iosFilesystemWithin(path);
    if (dump === null) return null;
    const detection = { answer: 'match', kind: 'ios-fs', root: dump.dir } as const;
    return { detection: dump.note ? { ...detection, note: dump.note } : detection, open: async (inputs) => openIosFilesystem(dump.dir, inputs, dump.layout) };
  },
  async inArchive(place) {
    const found: { prefix: string; layout: DumpLayout }[] = [];
    for (const top of ['', ...place.tops]) {
      const lead = top ? `${top}/` : '';
      const folders = new Set<string>();
      for (const marker of layoutMarkerPaths()) if ((await place.fs.stat(`${lead}${marker}`))?.type === 'directory') folders.add(marker);
      const layout = dumpLayoutOf((p) => folders.has(p));
      if (layout !== null) found.push({ prefix: top, layout });
    }
    // A dump at the root wins over one in a sub-folder of it (a dump's own folders never hold a second dump).
    const dumps = found.some((f) => f.prefix === '') ? found.filter((f) => f.prefix === '') : found;
    if (dumps.length > 1) throw new UserError('usage', `${place.path}: holds ${dumps.length} iOS filesystem dumps (${dumps.map((d) => d.prefix).join(', ')}); an archive of one dump is expected`);
    if (dumps.length === 0) return null;
    const { prefix, layout } = dumps[0]!;
    const files = await ArchiveFiles.open(place.fs, prefix, 'links-inside');
    const detection = { answer: 'match', kind: 'ios-fs', root: place.path } as const;
    return {
      detection: prefix ? { ...detection, note: `found an iOS filesystem dump in folder ${prefix} of ${place.path}` } : detection,
      open: async (inputs) => openIosFilesystemIn(files, inputs, layout),
    };
  },
};

const iosSysdiagnose: Detector = {
  kind: 'ios-sysdiagnose',
  expected: 'an iOS sysdiagnose (sysdiagnose.log, system_logs.logarchive)',
  inFolder(path) {
    const root = sysdiagnoseRootWithin(path);
    if (root === null) return null;
    const detection = { answer: 'match', kind: 'ios-sysdiagnose', root } as const;
    return {
      detection: root === path ? detection : { ...detection, note: `found a sysdiagnose in sub-folder ${root}` },
      open: async (inputs) => openSysdiagnose(root, inputs),
    };
  },
  async inArchive(place) {
    const prefixes: string[] = [];
    for (const top of ['', ...place.tops]) {
      const lead = top ? `${top}/` : '';
      const hits = await Promise.all(SYSDIAGNOSE_MARKERS.map(async (m) => (await place.fs.stat(`${lead}${m.path}`))?.type === m.type));
      if (hits.some(Boolean)) prefixes.push(top);
    }
    if (prefixes.length > 1) throw new UserError('usage', `${place.path}: holds ${prefixes.length} sysdiagnoses (${prefixes.join(', ')}); an archive of one is expected`);
    if (prefixes.length === 0) return null;
    const prefix = prefixes[0]!;
    const files = await ArchiveFiles.open(place.fs, prefix, 'no-links');
    // Apple's archive holds one folder named like the archive; the name carries the time and the build.
    const name = prefix || basename(place.path);
    return {
      detection: { answer: 'match', kind: 'ios-sysdiagnose', root: place.path },
      open: async (inputs) => openSysdiagnoseIn(files, inputs, name),
    };
  },
};

const androidqf: Detector = {
  kind: 'android-androidqf',
  expected: 'an androidqf acquisition (getprop.txt, packages.json…)',
  inFolder(path) {
    const root = androidqfRootWithin(path);
    if (root === null) return null;
    const detection = androidqfDetection(nestedBackupHeaderInFolder(root)?.encryption === 'AES-256', root);
    return {
      detection: root === path ? detection : { ...detection, note: `found an androidqf acquisition in sub-folder ${root}` },
      open: (inputs, credentials) => openAndroidqf(root, inputs, credentials),
    };
  },
  async inArchive(place) {
    // MVT reads an androidqf zip only below a top-level folder; one packed at the archive's root is read too.
    const prefixes = await prefixesHolding(place, (p) => [`${p}${ANDROIDQF_MARKER}`], 'file', 'all');
    if (prefixes.length > 1) throw new UserError('usage', `${place.path}: holds ${prefixes.length} androidqf acquisitions (${prefixes.join(', ')}); an archive of one is expected`);
    if (prefixes.length === 0) return null;
    const prefix = prefixes[0]!;
    const files = await ArchiveFiles.open(place.fs, prefix, 'no-links');
    const detection = androidqfDetection(await nestedBackupLockedIn(place, prefix), place.path);
    return {
      detection: prefix ? { ...detection, note: `found an androidqf acquisition in folder ${prefix} of ${place.path}` } : detection,
      open: (inputs, credentials) => openAndroidqfIn(files, inputs, credentials),
    };
  },
};

/**
 * After androidqf: an androidqf folder (getprop.txt at its root) may hold a bugreport.zip, never a bugreport's
 * root files, and a bugreport has no getprop.txt at its root.
 */
const androidBugreport: Detector = {
  kind: 'android-bugreport',
  expected: 'an Android bugreport (main_entry.txt or a dumpstate text, FS/…)',
  inFolder(path) {
    const root = bugreportRootWithin(path);
    if (root === null) return null;
    const detection = { answer: 'match', kind: 'android-bugreport', root } as const;
    return {
      detection: root === path ? detection : { ...detection, note: `found a bugreport in sub-folder ${root}` },
      open: (inputs) => openBugreport(root, inputs),
    };
  },
  async inArchive(place) {
    const names = new Map<string, string[]>();
    for await (const entry of place.fs.entries()) {
      if (entry.type !== 'file') continue;
      const cut = entry.path.lastIndexOf('/');
      const folder = cut === -1 ? '' : entry.path.slice(0, cut);
      if (folder.includes('/')) continue;
      names.set(folder, [...(names.get(folder) ?? []), entry.path.slice(cut + 1)]);
    }
    const holding = ['', ...place.tops].filter((top) => namesMakeBugreport(names.get(top) ?? []));
    const prefixes = holding.includes('') ? [''] : holding;
    if (prefixes.length > 1) throw new UserError('usage', `${place.path}: holds ${prefixes.length} bugreports (${prefixes.join(', ')}); an archive of one is expected`);
    if (prefixes.length === 0) return null;
    const prefix = prefixes[0]!;
    const files = await ArchiveFiles.open(place.fs, prefix, 'no-links');
    const detection = { answer: 'match', kind: 'android-bugreport', root: place.path } as const;
    return {
      detection: prefix ? { ...detection, note: `found a bugreport in folder ${prefix} of ${place.path}` } : detection,
      open: (inputs) => openBugreportIn(files, inputs),
    };
  },
};

const intrusionLogs: Detector = {
  kind: 'android-intrusion-logs',
  expected: 'Android intrusion logs (.txt files of JSON events)',
  inFolder(path) {
    const root = intrusionLogsRootWithin(path);
    if (root === null) return null;
    const detection = { answer: 'match', kind: 'android-intrusion-logs', root } as const;
    return {
      detection: root === path ? detection : { ...detection, note: `found intrusion logs in sub-folder ${root}` },
      open: async (inputs) => openIntrusionLogs(root, inputs),
    };
  },
  async inArchive(place) {
    const prefixes = await intrusionLogPrefixes(place.fs, place.tops);
    if (prefixes.length > 1) throw new UserError('usage', `${place.path}: holds intrusion logs in ${prefixes.length} folders (${prefixes.join(', ')}); an archive of one device's logs is expected`);
    if (prefixes.length === 0) return null;
    const prefix = prefixes[0]!;
    const files = await ArchiveFiles.open(place.fs, prefix, 'no-links');
    const detection = { answer: 'match', kind: 'android-intrusion-logs', root: place.path } as const;
    return {
      detection: prefix ? { ...detection, note: `found intrusion logs in folder ${prefix} of ${place.path}` } : detection,
      open: async (inputs) => openIntrusionLogsIn(files, inputs),
    };
  },
};

/** An androidqf acquisition whose backup.ab is encrypted is locked: the run will ask for its password (outputs private). */
function androidqfDetection(locked: boolean, root: string): Found['detection'] {
  return locked ? { answer: 'locked', kind: 'android-androidqf', root, needs: 'backup-password' } : { answer: 'match', kind: 'android-androidqf', root };
}

async function nestedBackupLockedIn(place: ArchivePlace, prefix: string): Promise<boolean> {
  const path = prefix ? `${prefix}/${NESTED_BACKUP}` : NESTED_BACKUP;
  const entry = await place.fs.stat(path);
  if (entry?.type !== 'file') return false;
  try {
    // Only the header: the stream is dropped once it is in hand.
    const stream = await place.fs.openStream(path);
    const parts: Buffer[] = [];
    let got = 0;
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      parts.push(chunk);
      got += chunk.length;
      if (got >= MAX_AB_HEADER_BYTES) break;
    }
    stream.destroy();
    return abHeaderOrNull(Buffer.concat(parts).subarray(0, MAX_AB_HEADER_BYTES))?.encryption === 'AES-256';
  } catch {
    // Unreadable here: opening it says why, as a note.
    return false;
  }
}

/**
 * An Android backup: a `.ab` file (recognised by its header, whatever its name; detectInput asks before
 * opening a file as an archive), or its extracted form, an `apps/` folder of package folders.
 */
const androidBackup: Detector = {
  kind: 'android-backup',
  expected: 'an Android backup (a .ab file, or its extracted apps/ folder)',
  inFolder(path) {
    if (!looksLikeExtractedBackup(path)) return null;
    return { detection: { answer: 'match', kind: 'android-backup', root: path }, open: async (inputs) => openExtractedBackupIn(new FolderFiles(realRoot(path), 'no-links'), inputs) };
  },
  async inArchive(place) {
    // One walk of the index: `apps/<package>` at the root, or `<top>/apps/<package>`.
    const prefixes = new Set<string>();
    for await (const entry of place.fs.entries()) {
      if (entry.type !== 'directory') continue;
      const parts = entry.path.split('/');
      if (parts.length === 2 && parts[0] === 'apps' && isPackageFolderName(parts[1]!)) prefixes.add('');
      else if (parts.length === 3 && parts[1] === 'apps' && isPackageFolderName(parts[2]!)) prefixes.add(parts[0]!);
    }
    const chosen = prefixes.has('') ? [''] : [...prefixes].sort();
    if (chosen.length > 1) throw new UserError('usage', `${place.path}: holds ${chosen.length} extracted Android backups (${chosen.join(', ')}); an archive of one is expected`);
    if (chosen.length === 0) return null;
    const files = await ArchiveFiles.open(place.fs, chosen[0]!, 'no-links');
    return { detection: { answer: 'match', kind: 'android-backup', root: place.path }, open: async (inputs) => openExtractedBackupIn(files, inputs) };
  },
};

/** A `.ab` file, known from its header; locked when it is encrypted. */
function androidBackupFile(given: string): Found | null {
  // The path the user gave may be a link (a case folder pointing at the evidence store): its target is read,
  // opened O_NOFOLLOW so nothing swapped in later is followed.
  let path: string;
  try {
    path = realpathSync(given);
  } catch {
    return null;
  }
  const kind = androidBackupFileKind(path);
  if (kind === null) return null;
  const detection = kind === 'encrypted' ? ({ answer: 'locked', kind: 'android-backup', root: path, needs: 'backup-password' } as const) : ({ answer: 'match', kind: 'android-backup', root: path } as const);
  return { detection, open: (inputs, credentials) => openAndroidBackupFile(path, inputs, credentials) };
}


/** Tried in this order; the first that recognises the input opens it. */
const detectors: readonly Detector[] = [iosBackup, iosFilesystem, iosSysdiagnose, androidqf, androidBugreport, androidBackup, intrusionLogs];

/**
 * The archive's root ('') and top-level folders (`name/`) where every path `wanted` names (or, with
 * `any`, at least one) is an entry of type `type`. Returned without the trailing `/`.
 */
async function prefixesHolding(place: ArchivePlace, wanted: (prefix: string) => string[], type: 'file' | 'directory', mode: 'all' | 'any'): Promise<string[]> {
  const found: string[] = [];
  for (const top of ['', ...place.tops]) {
    const prefix = top ? `${top}/` : '';
    const hits = await Promise.all(wanted(prefix).map(async (p) => (await place.fs.stat(p))?.type === type));
    if (mode === 'all' ? hits.every(Boolean) : hits.some(Boolean)) found.push(top);
  }
  // A backup at the root wins over one in a sub-folder of it (its own files never include a second backup).
  return found.includes('') ? [''] : found;
}

/**
 * A backup folder, or a folder holding exactly one backup (`MobileSync/Backup` with one device), as MVT
 * accepts. Several backups in one folder is a usage error: we would not know which device to check.
 */
function backupRootWithin(path: string): { dir: string; note?: string } | null {
  if (looksLikeIosBackup(path)) return { dir: path };
  let children: string[];
  try {
    children = readdirSync(path, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => join(path, d.name))
      .filter(looksLikeIosBackup);
  } catch {
    return null;
  }
  if (children.length === 1) return { dir: children[0]!, note: `found an iOS backup in sub-folder ${children[0]}` };
  if (children.length > 1) {
    throw new UserError('usage', `${path}: holds ${children.length} iOS backups (${children.map((c) => c.split('/').pop()).join(', ')}); pass one of them`);
  }
  return null;
}

function expectedOf(forced: SourceKind | undefined): string {
  const wanted = detectors.filter((d) => !forced || d.kind === forced).map((d) => d.expected);
  return wanted.length > 1 ? `${wanted.slice(0, -1).join(', ')} or ${wanted.at(-1)!}` : wanted[0]!;
}

/**
 * What `input` is, answered without opening an archive (synchronous: callers validate an output folder
 * before the slow part). A folder is detected fully; any file answers `archive`, for `detectInput` to open.
 */
export function detectAcquisition(input: string, forced?: SourceKind): Detection {
  const path = resolve(input);
  if (!existsSync(path)) throw new UserError('not-found', `${input}: no such file or folder`);
  if (!statSync(path).isDirectory()) {
    const ab = !forced || forced === 'android-backup' ? androidBackupFile(path) : null;
    return ab ? ab.detection : { answer: 'archive', root: path };
  }
  return detectFolder(input, path, forced).detection;
}

function detectFolder(input: string, path: string, forced: SourceKind | undefined): Found {
  for (const d of detectors) {
    if (forced && d.kind !== forced) continue;
    const found = d.inFolder(path);
    if (found) return found;
  }
  throw new UserError('not-an-acquisition', `${input}: not a supported acquisition (expected ${expectedOf(forced)})`);
}

/**
 * Detects the acquisition at `input` (a folder, or a zip, tar or tar.gz holding one) and returns its opener.
 * Anything else is one line naming the input and what was expected.
 */
export async function detectInput(input: string, forced?: SourceKind, age?: AgeCredentialProvider): Promise<Found> {
  const path = resolve(input);
  if (!existsSync(path)) throw new UserError('not-found', `${input}: no such file or folder`);
  if (statSync(path).isDirectory()) return detectFolder(input, path, forced);
  // An old bugreport is one text file, the dumpstate itself: known by its banner, before any archive sniffing.
  if ((!forced || forced === 'android-bugreport') && isLoneDumpstate(path)) {
    return { detection: { answer: 'match', kind: 'android-bugreport', root: path, note: `${input} is a lone dumpstate text (an old-format bugreport): only its text is read; tombstones and file times need a full bugreport` }, open: (inputs) => openLoneDumpstate(path, inputs) };
  }
  if (!forced || forced === 'android-backup') {
    const ab = androidBackupFile(path);
    if (ab) return ab;
  }
  const kind = await containerOf(input, path, forced);
  const container = kind === 'age' ? 'zip in an age-encrypted file' : kind;
  const fs = await openFileSystem(path, age ? { age } : {});
  try {
    const tops: string[] = [];
    for await (const entry of fs.entries()) if (entry.type === 'directory' && !entry.path.includes('/')) tops.push(entry.path);
    const place: ArchivePlace = { path, fs, tops: tops.sort() };
    for (const d of detectors) {
      if (forced && d.kind !== forced) continue;
      const found = await d.inArchive(place);
      if (found) return found;
    }
  } catch (err) {
    await fs.close();
    throw err;
  }
  await fs.close();
  const damage = fs.damage ? ` The archive is damaged: ${fs.damage}.` : '';
  throw new UserError(
    'not-an-acquisition',
    `${input}: a ${container} holding no supported acquisition at its root or in a top-level folder (expected ${expectedOf(forced)}).${damage}`,
  );
}

const FS_EXPECTED = / ?\(expected a folder, a zip, a tar or a tar\.gz\)|; expected a folder, a zip, a tar or a tar\.gz/;

/** The archive's kind, or one line saying the file is none of what is accepted (fs/open.ts says what its bytes are). */
async function containerOf(input: string, path: string, forced: SourceKind | undefined): Promise<'zip' | 'tar' | 'tar.gz' | 'age'> {
  let kind;
  try {
    kind = await sniffContainer(path);
  } catch (err) {
    if (!(err instanceof UserError)) throw err;
    const why = err.message.replace(`${path}: `, '').replace(FS_EXPECTED, '');
    throw new UserError('not-an-acquisition', `${input}: not a supported acquisition: ${why} (expected a folder, or a zip, tar or tar.gz holding ${expectedOf(forced)})`, { cause: err });
  }
  if (kind === 'dir') throw new UserError('not-an-acquisition', `${input}: became a folder while read`);
  return kind;
}

/**
 * Detects and opens an acquisition. A locked one (an encrypted backup) asks `credentials` for its password
 * or key, and only then; an age-encrypted file asks `age` for its identities or passphrase.
 */
export async function openAcquisition(
  input: string,
  forced?: SourceKind,
  credentials?: CredentialProvider,
  age?: AgeCredentialProvider,
  inputs = new InputLog(),
): Promise<{ source: Source; inputs: InputLog; note?: string }> {
  const found = await detectInput(input, forced, age);
  const source = await found.open(inputs, credentials);
  const note = found.detection.note;
  return { source, inputs, ...(note ? { note } : {}) };
}
