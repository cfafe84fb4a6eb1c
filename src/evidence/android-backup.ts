/**
 * An Android backup (`adb backup`'s `.ab` file, reference-spec §9.3 and §11) as a Source of kind
 * `android-backup`, and the same backup nested in an androidqf acquisition (its `backup.ab`).
 *
 * A backup is a tar behind a header, a cipher and a zlib stream (formats/android-backup.ts), so it has no random
 * access. It is read in ONE streamed pass at open: every member is listed (name, size, time), and only the
 * members an artifact reads (the telephony provider's `*_sms_backup` / `*_mms_backup`, a few KB each) are kept,
 * in memory and bounded. Plaintext never reaches the disk: not the tar, not a member, not a temp file.
 *
 * The extracted folder form (`apps/<package>/…`, as Android Backup Extractor writes it) is an ordinary tree
 * (TreeSource over the folder or archive), addressed by the same paths.
 */
import { createHash } from 'node:crypto';
import { closeSync, constants, openSync, readSync, readdirSync, statSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { UserError, errorMessage, FormatError } from '../errors.js';
import { abTarStream, looksLikeAndroidBackup, parseAbHeader, slices, unlockAbMasterKey, WrongBackupPasswordError, MAX_AB_HEADER_BYTES, type AbHeader, type AbMasterKey } from '../formats/android-backup.js';
import { segmentGlobToRegExp } from './_glob.js';
import { StreamSource, readRange } from './fs/byte-source.js';
import { directoryEntry, fileEntry, otherEntry, symlinkEntry, type FileEntry, type FsEntry } from './fs/file-system.js';
import { archiveLimits } from './fs/limits.js';
import { normaliseMemberName, printableName } from './fs/member-names.js';
import { walkTar, type DataSink } from './fs/tar-walk.js';
import type { CredentialProvider } from './ios-backup-keys.js';
import type { InputLog } from './input-log.js';
import type { SqliteHandle } from './sqlite.js';
import type { AcquisitionInfo, ContainerLayer, EvidenceFile, EvidenceRef, FileSpec, ListedEntry, Source } from './source.js';
import type { StoredFiles } from './stored-files.js';
import { TreeSource } from './tree-source.js';

/** Where Android's telephony provider writes its SMS and MMS backups inside the tar (reference-spec §11.3). */
export const TELEPHONY_BACKUP_DIR = 'apps/com.android.providers.telephony/d_f';

/** The members kept in memory during the pass: the SMS and MMS backups, directly in the telephony folder. */
export function isKeptMember(path: string): boolean {
  if (!path.startsWith(`${TELEPHONY_BACKUP_DIR}/`)) return false;
  const name = path.slice(TELEPHONY_BACKUP_DIR.length + 1);
  return !name.includes('/') && /_(?:sms|mms)_backup$/.test(name);
}

/** Bounds of the one pass. Mutable so tests can lower them (restore afterwards); nothing else changes them. */
export const androidBackupLimits = {
  /** A real SMS backup file is a few KB to a few MB (zlib-compressed JSON); larger is listed, not kept. */
  maxKeptMemberBytes: 64 * 1024 * 1024,
  /** All kept members together. */
  maxKeptTotalBytes: 512 * 1024 * 1024,
  /** A backup.ab inside an androidqf acquisition is read into memory first (androidqf backs up SMS only: KBs). */
  maxNestedBytes: 1024 * 1024 * 1024,
};

/** The path inside an androidqf acquisition where its nested backup's members are addressed. */
export const NESTED_BACKUP = 'backup.ab';

interface KeptMember {
  readonly data: Buffer;
  readonly entry: FileEntry;
}

/** What one pass over a backup's tar found. */
export interface BackupContents {
  readonly entries: readonly FsEntry[];
  readonly kept: ReadonlyMap<string, KeptMember>;
  /** Refused members, members too large to keep, and where the tar or its streams broke. */
  readonly notes: readonly string[];
}

/**
 * Walks the tar the payload holds (decrypted and inflated as a stream): lists every member, keeps the wanted
 * ones. Damage never throws: it is a note, and the members before it stay.
 */
export async function readBackupContents(what: string, header: AbHeader, payload: AsyncIterable<Buffer> | Iterable<Buffer>, payloadBytes: number, masterKey?: AbMasterKey): Promise<BackupContents> {
  const entries: FsEntry[] = [];
  const kept = new Map<string, KeptMember>();
  const seen = new Set<string>();
  const notes: string[] = [];
  let keptBytes = 0;
  const tar = abTarStream(header, payload, {
    ...(masterKey ? { masterKey } : {}),
    payloadBytes,
    maxRatio: archiveLimits.maxCompressionRatio,
    maxBytes: archiveLimits.maxTotalUncompressedBytes,
  });
  const chunks = tar[Symbol.asyncIterator]();
  const end = await walkTar(new StreamSource(chunks), {
    member(m): DataSink | 'skip' | 'stop' {
      if (entries.length >= archiveLimits.maxMembers) {
        notes.push(`${what}: more than ${archiveLimits.maxMembers} members: the rest are not listed`);
        return 'stop';
      }
      const verdict = normaliseMemberName(m.name, 'tar');
      if (verdict.ok === 'root') return 'skip';
      if (verdict.ok === false) {
        notes.push(`${what}: member "${printableName(m.name)}" refused: ${verdict.reason}`);
        return 'skip';
      }
      const path = verdict.path;
      if (seen.has(path)) {
        notes.push(`${what}: member "${printableName(m.name)}" refused: duplicate name: the first member with this name is used`);
        return 'skip';
      }
      seen.add(path);
      const base = { path, mtimeMs: m.mtime?.getTime(), mode: m.mode };
      if (m.type === 'Directory' || verdict.isDirectory) {
        entries.push(directoryEntry(base));
        return 'skip';
      }
      if (m.type === 'SymbolicLink') {
        entries.push(symlinkEntry(base, m.linkpath ?? ''));
        return 'skip';
      }
      if (m.type !== 'File' && m.type !== 'OldFile' && m.type !== 'ContiguousFile') {
        entries.push(otherEntry(base));
        return 'skip';
      }
      const entry = fileEntry(base, m.size);
      entries.push(entry);
      if (!isKeptMember(path)) return 'skip';
      if (m.size > androidBackupLimits.maxKeptMemberBytes || keptBytes + m.size > androidBackupLimits.maxKeptTotalBytes) {
        notes.push(`${what}: member "${path}" is ${m.size} bytes, above the limit for an SMS/MMS backup (${androidBackupLimits.maxKeptMemberBytes} bytes, ${androidBackupLimits.maxKeptTotalBytes} in all): not read`);
        return 'skip';
      }
      keptBytes += m.size;
      const parts: Buffer[] = [];
      return {
        write: (chunk) => void parts.push(Buffer.from(chunk)),
        end: () => void kept.set(path, { data: Buffer.concat(parts), entry }),
        fail: () => undefined,
      };
    },
  });
  // A walk that ended before the streams did (the end-of-archive marker, a stop) releases them now.
  await chunks.return?.();
  if (end.damage) notes.push(`${what}: ${end.damage}`);
  return { entries, kept, notes };
}

/**
 * The members of one backup as a Source. `prefix` is '' for a `.ab` checked on its own, `backup.ab/` for the
 * backup inside an androidqf acquisition, whose members are addressed below that path.
 */
export class BackupMembersSource implements Source {
  readonly kind = 'android-backup' as const;

  constructor(
    readonly root: string,
    private readonly contents: BackupContents,
    private readonly encrypted: boolean,
    private readonly prefix = '',
    private readonly container?: ContainerLayer,
  ) {}

  describe(): AcquisitionInfo {
    return { kind: this.kind, root: this.root, encrypted: this.encrypted, ...(this.container ? { container: this.container } : {}) };
  }

  /** Kept members matching a `path-glob` (relative to the backup's tar), in tar order. */
  async find(spec: FileSpec): Promise<EvidenceFile[]> {
    if (spec.by !== 'path-glob' || spec.folders) return [];
    const matches = globMatcher(spec.pattern);
    const out: EvidenceFile[] = [];
    for (const [path, member] of this.contents.kept) {
      if (!matches(path)) continue;
      out.push({ ref: this.refTo(path), size: member.entry.size, ...(member.entry.mode !== undefined ? { mode: member.entry.mode } : {}), ...(member.entry.mtimeMs !== undefined ? { times: { modified: member.entry.mtimeMs / 1000 } } : {}) });
    }
    return out;
  }

  /** Members listed but not kept (above the size bound): present, not read, with why. */
  async missing(spec: FileSpec): Promise<EvidenceFile[]> {
    if (spec.by !== 'path-glob' || spec.folders) return [];
    const matches = globMatcher(spec.pattern);
    return this.contents.entries
      .filter((e) => e.type === 'file' && matches(e.path) && isKeptMember(e.path) && !this.contents.kept.has(e.path))
      .map((e) => ({ ref: this.refTo(e.path), refused: 'too large for an SMS/MMS backup: not read' }));
  }

  async read(file: EvidenceFile): Promise<Buffer> {
    const path = file.ref.storedPath.slice(this.prefix.length);
    const member = file.ref.storedPath.startsWith(this.prefix) ? this.contents.kept.get(path) : undefined;
    if (!member) throw new FormatError(file.ref.storedPath, 'not a member this backup kept in memory');
    return member.data;
  }

  /** No artifact reads a database from a backup; opening one would mean writing decrypted data to disk. */
  async openSqlite(file: EvidenceFile): Promise<SqliteHandle> {
    throw new FormatError(file.ref.storedPath, 'databases inside an Android backup are not opened (only the SMS/MMS backups are read)');
  }

  notes(): readonly string[] {
    return this.contents.notes;
  }

  async *listing(): AsyncIterable<ListedEntry> {
    for (const e of this.contents.entries) yield { ...e, path: `${this.prefix}${e.path}`, storedPath: `${this.prefix}${e.path}` };
  }

  async close(): Promise<void> {
    // Nothing open: the pass ended at open; the kept members go with this object.
  }

  private refTo(path: string): EvidenceRef {
    return { root: this.root, storedPath: `${this.prefix}${path}`, ...(this.container ? { container: this.container } : {}) };
  }
}

function globMatcher(pattern: string): (path: string) => boolean {
  const segments = pattern.split('/').filter(Boolean).map(segmentGlobToRegExp);
  return (path) => {
    const parts = path.split('/');
    return parts.length === segments.length && parts.every((p, i) => segments[i]!.test(p));
  };
}

/** The first bytes of a file (for detection), or null when it cannot be read as a regular file. */
export function fileHead(path: string, bytes = MAX_AB_HEADER_BYTES): Buffer | null {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW);
  } catch {
    return null;
  }
  try {
    const buf = Buffer.alloc(bytes);
    const n = readSync(fd, buf, 0, bytes, 0);
    return buf.subarray(0, n);
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}

/** The header, or null when the bytes are not a backup or its header is unreadable (detection's "not mine"). */
export function abHeaderOrNull(head: Buffer | null): AbHeader | null {
  if (head === null) return null;
  try {
    return parseAbHeader(head);
  } catch {
    return null;
  }
}

/**
 * The master key for an encrypted backup, from the run's credential provider (the CLI: env, prompt…). One
 * line for everything the user can act on: no password to be had, a key file (an iOS thing), a wrong password.
 */
async function masterKeyFor(what: string, header: AbHeader, credentials: CredentialProvider | undefined): Promise<AbMasterKey | undefined> {
  if (!header.crypto) return undefined;
  if (!credentials) throw new UserError('encrypted-backup', `${what}: this Android backup is encrypted; a password is needed`);
  const credential = await credentials(what);
  if (credential.kind !== 'password') throw new UserError('usage', `${what}: an Android backup is opened with its password; a key file is for iOS backups`);
  try {
    return await unlockAbMasterKey(header, credential.password);
  } catch (err) {
    if (err instanceof WrongBackupPasswordError) throw new UserError('wrong-password', `${what}: wrong backup password (${err.message})`, { cause: err });
    throw err;
  }
}

function headerOrUserError(what: string, head: Buffer): AbHeader {
  try {
    const header = parseAbHeader(head);
    if (header.encryption !== 'none' && header.encryption !== 'AES-256') {
      throw new FormatError('Android backup', `encryption ${JSON.stringify(header.encryption.slice(0, 40))} is not supported (expected none or AES-256)`);
    }
    return header;
  } catch (err) {
    if (err instanceof FormatError) throw new UserError('bad-format', `${what}: ${err.message}`, { cause: err });
    throw err;
  }
}

/**
 * Opens a `.ab` file: header, password (an encrypted backup asks `credentials`; a wrong one is a UserError,
 * exit 2 as for iOS), then the one streamed pass from disk. The file is hashed for the input log on the way.
 */
export async function openAndroidBackupFile(path: string, inputs: InputLog, credentials?: CredentialProvider): Promise<Source> {
  let handle: FileHandle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (err) {
    throw new UserError('not-found', `${path}: cannot be read (${(err as NodeJS.ErrnoException).code ?? errorMessage(err)}; expected an Android backup file)`, { cause: err });
  }
  try {
    const size = (await handle.stat()).size;
    const head = Buffer.alloc(Math.min(size, MAX_AB_HEADER_BYTES));
    await handle.read(head, 0, head.length, 0);
    const header = headerOrUserError(path, head);
    const masterKey = await masterKeyFor(path, header, credentials);
    const hash = createHash('sha256').update(head.subarray(0, header.payloadOffset));
    let hashed = header.payloadOffset;
    async function* payload(): AsyncIterable<Buffer> {
      for await (const chunk of readRange(handle, header.payloadOffset, size - header.payloadOffset)) {
        hash.update(chunk);
        hashed += chunk.length;
        yield chunk;
      }
    }
    const contents = await readBackupContents(path, header, payload(), size - header.payloadOffset, masterKey);
    // The pass may stop early (damage): the rest is hashed too, so info.json names the whole file.
    for await (const chunk of readRange(handle, hashed, size - hashed)) {
      hash.update(chunk);
      hashed += chunk.length;
    }
    inputs.recordDigest(path, 'backup.ab', hash.digest('hex'), hashed);
    return new BackupMembersSource(path, contents, header.encryption === 'AES-256');
  } finally {
    await handle.close();
  }
}

/** What became of an androidqf acquisition's backup.ab: its members, or why they could not be read. */
export type NestedBackup = { readonly source: BackupMembersSource; readonly encrypted: boolean } | { readonly note: string; readonly encrypted: boolean };

/**
 * The `backup.ab` of an androidqf acquisition (reference-spec §9.1 finish(), step 2). Unlike MVT, nothing here
 * stops the run: a missing password, a wrong one or a malformed file is one note (a coverage entry of the
 * acquisition), and every other androidqf artifact runs as usual.
 */
export async function openNestedBackup(files: StoredFiles, inputs: InputLog, credentials?: CredentialProvider): Promise<NestedBackup | null> {
  const where = files.locate(NESTED_BACKUP);
  const what = files.displayPath(NESTED_BACKUP);
  // A link (out of the acquisition or not) is never followed: said, not silently skipped.
  if (where.kind === 'refused') return { note: `${what}: ${where.reason}: the SMS in it were not checked`, encrypted: false };
  if (where.kind !== 'file') return null;
  const size = files.sizeOf(NESTED_BACKUP, NESTED_BACKUP);
  if (size > androidBackupLimits.maxNestedBytes) return { note: `${what}: ${size} bytes, above the ${androidBackupLimits.maxNestedBytes}-byte limit for a nested backup: the SMS in it were not checked`, encrypted: false };
  let data: Buffer;
  try {
    data = await files.read(NESTED_BACKUP, NESTED_BACKUP);
  } catch (err) {
    return { note: `${what}: ${errorMessage(err)}: the SMS in it were not checked`, encrypted: false };
  }
  inputs.record(what, NESTED_BACKUP, data);
  let header: AbHeader;
  try {
    header = headerOrUserError(what, data.subarray(0, MAX_AB_HEADER_BYTES));
  } catch (err) {
    return { note: `${errorMessage(err)}: malformed, the SMS in it were not checked`, encrypted: false };
  }
  const encrypted = header.encryption === 'AES-256';
  let masterKey: AbMasterKey | undefined;
  try {
    masterKey = await masterKeyFor(what, header, credentials);
  } catch (err) {
    if (!(err instanceof UserError)) throw err;
    return { note: `${err.message}: the SMS in it were not checked`, encrypted };
  }
  const payload = data.subarray(header.payloadOffset);
  const contents = await readBackupContents(what, header, slices(payload), payload.length, masterKey);
  return { source: new BackupMembersSource(files.root, contents, encrypted, `${NESTED_BACKUP}/`, files.layer), encrypted };
}

/** The nested backup's header, read synchronously from a folder for detection (is it locked?); null when absent or unreadable. */
export function nestedBackupHeaderInFolder(root: string): AbHeader | null {
  return abHeaderOrNull(fileHead(join(root, NESTED_BACKUP)));
}

/**
 * Is this file an Android backup, and is it encrypted? From its first bytes (synchronous, for detection). A
 * file with the magic but a broken header is still one: opening it says what is wrong, in one line.
 */
export function androidBackupFileKind(path: string): 'plain' | 'encrypted' | null {
  try {
    if (!statSync(path).isFile()) return null;
  } catch {
    return null;
  }
  const head = fileHead(path);
  if (head === null || !looksLikeAndroidBackup(head)) return null;
  return abHeaderOrNull(head)?.encryption === 'AES-256' ? 'encrypted' : 'plain';
}

/** A package folder name, as Android names them (`com.android.providers.telephony`). */
const PACKAGE = /^[A-Za-z][\w]*(?:\.[\w]+)+$/;

/** The extracted form: an `apps` folder holding at least one package folder. */
export function looksLikeExtractedBackup(dir: string): boolean {
  try {
    return readdirSync(join(dir, 'apps'), { withFileTypes: true }).some((d) => d.isDirectory() && PACKAGE.test(d.name));
  } catch {
    return false;
  }
}

export function isPackageFolderName(name: string): boolean {
  return PACKAGE.test(name);
}

/** The extracted form as a tree source (a folder, or an archive's files: stored-files.ts). */
export function openExtractedBackupIn(files: StoredFiles, inputs: InputLog): Source {
  return new TreeSource(files, inputs, { kind: 'android-backup', specKind: 'path-glob' });
}
