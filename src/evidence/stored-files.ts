/**
 * The files of one acquisition, wherever they are stored: a folder on disk (`FolderFiles`, over
 * contained.ts: links out refused, O_NOFOLLOW, fstat sizes) or a zip, tar or tar.gz (`ArchiveFiles`, over the
 * file-system layer in fs/). Sources (ios-backup.ts, ios-fs.ts) address files by their path relative to the
 * acquisition root and never learn which container holds them; only refs and the input log name it.
 *
 * Nothing here writes beside the evidence. An archive member is read into memory (bounded by its declared
 * size, which the layer holds the stream to) or, for a large SQLite database, streamed into the private
 * temp folder (sqlite.ts's `private-file` input, removed when the handle closes). A tar.gz, which has no
 * random access, is read once for every file a run names (`prefetch`): in memory, or for files too large
 * for it, copied into the private temp folder for the run, sealed (sealed-scratch.ts: ciphertext under a key
 * only this object holds). In a sealed-scratch run no database goes to temp: `largeSqlite` reads it into memory.
 */
import { createHash } from 'node:crypto';
import { closeSync, constants, createWriteStream, openSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { FormatError } from '../errors.js';
import { openDirFileSystem } from './fs/dir.js';
import type { FileSystem, FsEntry } from './fs/file-system.js';
import { normaliseQueryPath, resolveLinkInside } from './fs/member-names.js';
import { ContainedRoot, LINK_IN_BACKUP, LINK_OUTSIDE, copyOpenedHashing, streamOpened, type LinkPolicy, type OpenedEvidence } from './contained.js';
import type { InputLog } from './input-log.js';
import { ScratchSealer, scratchIsSealed } from './sealed-scratch.js';
import { keepInMemory, sharedCopyOf, sqliteLimits, type SqliteInput } from './sqlite.js';
import type { ContainerLayer, MacbTimes } from './source.js';
import { privateTempDir, removeTempDir } from './temp.js';

/** Where a path relative to the acquisition root leads. Folders count as absent: callers look for files. */
export type StoredLocation =
  | { readonly kind: 'file' }
  | { readonly kind: 'absent' }
  | { readonly kind: 'refused'; readonly reason: string };

export type FolderLocation = { readonly kind: 'folder' } | { readonly kind: 'absent' } | { readonly kind: 'refused'; readonly reason: string };

export interface FileMeta {
  readonly size?: number;
  readonly mode?: number;
  readonly times?: MacbTimes;
}

/** A listed entry; `storedPath` when the view's path is not the stored one (fs-layout.ts) or is at hand anyway. */
export type StoredEntry = FsEntry & { readonly storedPath?: string };

/** A byte transform applied while a stored file is copied out (the CBC decryption of an encrypted backup). */
export type StreamTransform = () => Transform;

export interface StoredFiles {
  /** The acquisition root refs carry: the folder's real path, or the archive file's absolute path. */
  readonly root: string;
  /** The archive an acquisition sits in (undefined for a folder): the outer layer of every ref. */
  readonly layer: ContainerLayer | undefined;
  locate(rel: string): StoredLocation;
  /** The size reads are held to: fstat's on an opened descriptor (folder), the declared one (archive). */
  sizeOf(rel: string, what: string): number;
  locateFolder(rel: string): FolderLocation;
  /** Size, mode (file type bits included) and times of a file `locate` (or folder `locateFolder`) found, for EvidenceFile. */
  metaOf(rel: string): FileMeta;
  /** Names directly inside a folder, unsorted; empty when it is not a reachable folder. */
  namesIn(rel: string): string[];
  /** True for a tar.gz: every read costs a pass over the archive, so sources should `prefetch`. */
  readonly readsCostAPass: boolean;
  /** The path a stored file is named by in messages and the input log: on disk, or under the archive's path. */
  displayPath(rel: string): string;
  /** The whole file, bounded by its real (folder) or declared (archive) size. Not logged: the caller logs what it uses. */
  read(rel: string, what: string): Promise<Buffer>;
  /** The file as a stream, bounded like `read`, for files too large to hold (a 100 MB dumpstate). Not logged. */
  openStream?(rel: string, what: string): Promise<Readable>;
  /**
   * Bytes [start, end) of the file, read from `start` (only where the layer has random access: a folder's file).
   * Not logged: the caller has had the whole file through `openStream` already (a dumpstate's section, read
   * again by its offsets). Absent where only a stream from the start exists; `TreeSource.streamRange` then skips.
   */
  openRange?(rel: string, what: string, start: number, end: number): Promise<Readable>;
  /**
   * Streams the file into `dest`, a private (0600) file of ours, with `transform` applied on the way
   * (decryption); never through a link at `dest`. Logged under `label`, hashed from the stored bytes.
   * Returns the bytes written.
   */
  copyOut(rel: string, what: string, log: InputLog, label: string, dest: string, transform?: StreamTransform): Promise<number>;
  /**
   * A database too large for memory (and its sidecars) as an input sqlite.ts opens from a private copy: the
   * folder's file, copied by sqlite.ts, or the archive member streamed into a private temp folder. Logged.
   */
  largeSqlite(rel: string, what: string, log: InputLog, label: string, sidecars: { wal?: string; shm?: string }): Promise<SqliteInput>;
  /** Reads these files in one pass now (a tar.gz has no random access), so later reads cost no pass. */
  prefetch(rels: readonly string[]): Promise<void>;
  /**
   * Every entry under the acquisition root once, paths relative to it; links listed with their target, never
   * followed. From the member index for an archive (no pass over a tar.gz), a walk for a folder. An entry
   * may carry the path it is stored at when that differs or is known at no cost (refs name it).
   */
  list(): AsyncIterable<StoredEntry>;
  /** One line per refused member and for damage to the container, for the coverage of the acquisition. */
  notes(): string[];
  close(): Promise<void>;
  /**
   * Set by a layout that stores the device's tree elsewhere than at its own paths (fs-layout.ts): the stored
   * path refs name for a path of this view, and back (null for a stored path outside the view).
   */
  toStored?(rel: string): string;
  toDevice?(stored: string): string | null;
}

/** A folder on disk, read through contained.ts (see there for the link and size rules). */
export class FolderFiles implements StoredFiles {
  readonly layer = undefined;
  readonly readsCostAPass = false;
  readonly contained: ContainedRoot;
  /** Names the listing could not carry (control characters) and folders it could not read. */
  private readonly unlisted: string[] = [];

  constructor(
    readonly root: string,
    policy: LinkPolicy,
  ) {
    this.contained = new ContainedRoot(root, policy);
  }

  locate(rel: string): StoredLocation {
    const where = this.contained.locate(rel);
    return where.kind === 'file' ? { kind: 'file' } : where;
  }

  sizeOf(rel: string, what: string): number {
    const opened = this.contained.open(rel, what);
    closeSync(opened.fd);
    return opened.size;
  }

  locateFolder(rel: string): FolderLocation {
    return this.contained.locateFolder(rel);
  }

  metaOf(rel: string): FileMeta {
    const st = statSync(join(this.root, rel));
    return { size: st.size, mode: st.mode, times: { modified: st.mtimeMs / 1000, changed: st.ctimeMs / 1000, born: st.birthtimeMs / 1000 } };
  }

  namesIn(rel: string): string[] {
    try {
      return readdirSync(join(this.root, rel));
    } catch {
      return [];
    }
  }

  displayPath(rel: string): string {
    return join(this.root, rel);
  }

  async read(rel: string, what: string): Promise<Buffer> {
    return this.contained.read(rel, what);
  }

  async openStream(rel: string, what: string): Promise<Readable> {
    return streamOpened(this.contained.open(rel, what));
  }

  async openRange(rel: string, what: string, start: number, end: number): Promise<Readable> {
    return streamOpened(this.contained.open(rel, what), { start, end });
  }

  async copyOut(rel: string, what: string, log: InputLog, label: string, dest: string, transform?: StreamTransform): Promise<number> {
    const opened = this.contained.open(rel, what);
    if (transform) return spool(streamOpened(opened), opened.size, log, this.displayPath(rel), label, dest, transform);
    try {
      return await this.copyLogged(opened, rel, log, label, dest);
    } finally {
      closeSync(opened.fd);
    }
  }

  async largeSqlite(rel: string, what: string, log: InputLog, label: string, sidecars: { wal?: string; shm?: string }): Promise<SqliteInput> {
    const located = (r: string | undefined) => (r === undefined ? undefined : this.contained.locate(r));
    const wal = located(sidecars.wal);
    const shm = located(sidecars.shm);
    const main = this.contained.open(rel, what);
    try {
      // Alone (no -wal or -shm to copy with it, none shared by the pool's main thread, temp not sealed): copied
      // and hashed in one pass here, the copy's I/O on libuv's threads.
      if (wal?.kind !== 'file' && shm?.kind !== 'file' && !scratchIsSealed() && sharedCopyOf(main.path) === undefined) {
        return await this.privateCopy(main, rel, log, label);
      }
      log.hashOpened(this.displayPath(rel), label, main);
    } finally {
      closeSync(main.fd);
    }
    const walPath = wal?.kind === 'file' ? wal.path : undefined;
    if (walPath && sidecars.wal) log.hashFileSync(walPath, `${label}-wal`);
    return { kind: 'file', path: main.path, wal: walPath, shm: shm?.kind === 'file' ? shm.path : undefined };
  }

  /** The opened `rel` copied into a private temp folder, to be opened there. */
  private async privateCopy(main: OpenedEvidence, rel: string, log: InputLog, label: string): Promise<SqliteInput> {
    const dir = privateTempDir('sqlite');
    const path = join(dir, 'evidence.db');
    try {
      await this.copyLogged(main, rel, log, label, path);
    } catch (err) {
      removeTempDir(dir);
      throw err;
    }
    return { kind: 'private-file', dir, path, hasWal: false, copyOf: main.path };
  }

  /**
   * The opened `rel` copied to `dest` (0600) and logged with the hash of the bytes copied, in one pass whose reads and
   * writes run on libuv's threads (contained.ts); a stream pipeline takes nearly three times as long
   * (`npm run bench:private-copy`).
   */
  private copyLogged(opened: OpenedEvidence, rel: string, log: InputLog, label: string, dest: string): Promise<number> {
    return log.hashedBy(this.displayPath(rel), label, (hash) => copyOpenedHashing(opened, dest, hash));
  }

  async prefetch(): Promise<void> {}

  async *list(): AsyncIterable<StoredEntry> {
    const fs = await openDirFileSystem(this.root);
    try {
      yield* fs.entries();
    } finally {
      this.unlisted.push(...fs.refused.map((r) => `${join(this.root, r.name)}: ${r.reason}`));
      await fs.close();
    }
  }

  notes(): string[] {
    return [...this.unlisted];
  }

  async close(): Promise<void> {}
}

/** The phone's own links are followed inside an archive only this many times (a loop of links ends). */
const MAX_LINK_HOPS = 40;

/**
 * An acquisition inside a zip, tar or tar.gz, possibly below one leading folder (`<udid>/Manifest.db`). The
 * member index is read once when opened (archives index their members then, so this costs no pass).
 */
export class ArchiveFiles implements StoredFiles {
  readonly root: string;
  readonly layer: ContainerLayer;
  /** Bytes of members already read by `prefetch`, keyed by path relative to the acquisition root. */
  private readonly cached = new Map<string, Buffer>();
  /** Members `prefetch` found too large for memory, copied once, sealed, into a private temp folder (tar.gz only). */
  private readonly spooled = new Map<string, string>();
  private spoolDir: string | null = null;
  /** Seals the spooled members: their plaintext never reaches the temp folder. */
  private readonly sealer = new ScratchSealer();

  private constructor(
    container: ContainerLayer['container'],
    private readonly fs: FileSystem,
    private readonly prefix: string,
    private readonly policy: LinkPolicy,
    private readonly entries: ReadonlyMap<string, FsEntry>,
    private readonly children: ReadonlyMap<string, string[]>,
  ) {
    this.root = fs.location;
    this.layer = { container, archive: fs.location, prefix, ...(fs.encryption ? { encryption: fs.encryption } : {}) };
  }

  /** `prefix` is the folder holding the acquisition inside the archive ('' for the archive's root). */
  static async open(fs: FileSystem, prefix: string, policy: LinkPolicy): Promise<ArchiveFiles> {
    // A folder is read through FolderFiles, whose link rules (a dump's links followed inside) need the disk.
    if (fs.kind === 'dir') throw new Error('ArchiveFiles: a folder is read with FolderFiles');
    const container = fs.kind;
    const entries = new Map<string, FsEntry>();
    const children = new Map<string, string[]>();
    const lead = prefix ? `${prefix}/` : '';
    for await (const entry of fs.entries()) {
      if (lead && !entry.path.startsWith(lead)) continue;
      const rel = entry.path.slice(lead.length);
      entries.set(rel, entry);
      const cut = rel.lastIndexOf('/');
      const parent = cut === -1 ? '' : rel.slice(0, cut);
      const list = children.get(parent) ?? [];
      list.push(rel.slice(cut + 1));
      children.set(parent, list);
    }
    return new ArchiveFiles(container, fs, prefix, policy, entries, children);
  }

  /**
   * Follows the path component by component. A backup holds no links, so any link on the way is refused; a
   * dump's links are followed while they resolve inside the acquisition.
   */
  private walk(rel: string): { entry: FsEntry; path: string } | { refused: string } | null {
    const start = normaliseQueryPath(rel);
    if (start === null) return null;
    let pending = start.split('/');
    let done: string[] = [];
    for (let hops = 0; pending.length > 0; ) {
      const path = [...done, pending[0]!].join('/');
      const entry = this.entries.get(path);
      if (!entry) return null;
      if (entry.type === 'symlink') {
        const target = resolveLinkInside(path, entry.linkTarget);
        if (target === null) return { refused: LINK_OUTSIDE };
        if (this.policy === 'no-links') return { refused: LINK_IN_BACKUP };
        if (++hops > MAX_LINK_HOPS) return null;
        pending = [...target.split('/'), ...pending.slice(1)];
        done = [];
        continue;
      }
      done.push(pending.shift()!);
      if (pending.length === 0) return { entry, path };
      if (entry.type !== 'directory') return null;
    }
    return null;
  }

  locate(rel: string): StoredLocation {
    const hit = this.walk(rel);
    if (hit === null) return { kind: 'absent' };
    if ('refused' in hit) return { kind: 'refused', reason: hit.refused };
    if (hit.entry.type === 'directory') return { kind: 'absent' };
    if (hit.entry.type !== 'file') return { kind: 'refused', reason: 'not a regular file: not read' };
    return { kind: 'file' };
  }

  sizeOf(rel: string, what: string): number {
    return this.memberOf(rel, what).size;
  }

  locateFolder(rel: string): FolderLocation {
    const hit = this.walk(rel);
    if (hit === null) return { kind: 'absent' };
    if ('refused' in hit) return { kind: 'refused', reason: hit.refused };
    return hit.entry.type === 'directory' ? { kind: 'folder' } : { kind: 'absent' };
  }

  /** The archive's mode has permission bits only; the type bits are added so it reads as a folder's would. */
  metaOf(rel: string): FileMeta {
    const hit = this.walk(rel);
    if (hit === null || 'refused' in hit || (hit.entry.type !== 'file' && hit.entry.type !== 'directory')) return {};
    const { mode, mtimeMs } = hit.entry;
    const typeBits = hit.entry.type === 'file' ? 0o100000 : 0o040000;
    return {
      ...(hit.entry.type === 'file' ? { size: hit.entry.size } : {}),
      ...(mode !== undefined ? { mode: typeBits | mode } : {}),
      ...(mtimeMs !== undefined ? { times: { modified: mtimeMs / 1000 } } : {}),
    };
  }

  namesIn(rel: string): string[] {
    const hit = rel === '' ? { entry: { type: 'directory' } as FsEntry, path: '' } : this.walk(rel);
    if (hit === null || 'refused' in hit || hit.entry.type !== 'directory') return [];
    return [...(this.children.get(hit.path) ?? [])];
  }

  /** The member's path in the archive, after the acquisition's links: what the layer is asked for. */
  private memberOf(rel: string, what: string): { member: string; resolved: string; size: number } {
    const hit = this.walk(rel);
    if (hit === null) throw new FormatError(what, 'no such file in the acquisition');
    if ('refused' in hit) throw new FormatError(what, hit.refused);
    if (hit.entry.type !== 'file') throw new FormatError(what, 'not a regular file: not read');
    return { member: this.prefix ? `${this.prefix}/${hit.path}` : hit.path, resolved: hit.path, size: hit.entry.size };
  }

  get readsCostAPass(): boolean {
    return !this.fs.randomAccess;
  }

  displayPath(rel: string): string {
    return join(this.layer.archive, this.prefix, rel);
  }

  async read(rel: string, what: string): Promise<Buffer> {
    const { member, resolved, size } = this.memberOf(rel, what);
    const spooled = this.spooled.get(resolved);
    if (spooled) return this.sealer.readFile(spooled);
    return this.cached.get(resolved) ?? (await this.fs.read(member, { maxBytes: size }));
  }

  async openStream(rel: string, what: string): Promise<Readable> {
    const { member, resolved } = this.memberOf(rel, what);
    const cached = this.cached.get(resolved);
    const spooled = this.spooled.get(resolved);
    // The layer holds the member's stream to its declared size (a lying archive ends the stream with an error).
    return cached ? Readable.from([cached]) : spooled ? this.sealer.readStream(spooled) : this.fs.openStream(member);
  }

  async copyOut(rel: string, what: string, log: InputLog, label: string, dest: string, transform?: StreamTransform): Promise<number> {
    const { member, resolved, size } = this.memberOf(rel, what);
    const cached = this.cached.get(resolved);
    const spooled = this.spooled.get(resolved);
    const stream = cached ? Readable.from([cached]) : spooled ? this.sealer.readStream(spooled) : await this.fs.openStream(member);
    return spool(stream, size, log, this.displayPath(rel), label, dest, transform);
  }

  async largeSqlite(rel: string, what: string, log: InputLog, label: string, sidecars: { wal?: string; shm?: string }): Promise<SqliteInput> {
    const hasWal = sidecars.wal !== undefined && this.locate(sidecars.wal).kind === 'file';
    if (scratchIsSealed()) {
      // Declared sizes, which reads are held to, bound what is read into memory before a byte is read.
      keepInMemory(this.sizeOf(rel, what) + (hasWal ? this.sizeOf(sidecars.wal!, `${what}-wal`) : 0), what);
      const data = await this.read(rel, what);
      log.record(this.displayPath(rel), label, data);
      if (!hasWal) return { kind: 'buffer', data };
      const wal = await this.read(sidecars.wal!, `${what}-wal`);
      log.record(this.displayPath(sidecars.wal!), `${label}-wal`, wal);
      return { kind: 'buffer', data, wal };
    }
    const dir = privateTempDir('archived');
    const path = join(dir, 'evidence.db');
    try {
      await this.copyOut(rel, what, log, label, path);
      if (hasWal) await this.copyOut(sidecars.wal!, `${what}-wal`, log, `${label}-wal`, `${path}-wal`);
      return { kind: 'private-file', dir, path, hasWal };
    } catch (err) {
      removeTempDir(dir);
      throw err;
    }
  }

  /**
   * One `readMany` for every wanted file not yet held (a tar.gz only: a zip or a plain tar reads any member at
   * its offset). Files are kept in memory while their total stays under SQLite's in-memory limit; larger ones
   * are copied into a private temp folder in the same pass (as a folder's large database is copied before it
   * is opened), so no later read costs another pass. The copies are sealed: read back through `sealer`.
   */
  async prefetch(rels: readonly string[]): Promise<void> {
    if (this.fs.randomAccess) return;
    const wanted = new Map<string, string>();
    for (const rel of rels) {
      const hit = this.walk(rel);
      if (hit === null || 'refused' in hit || hit.entry.type !== 'file' || this.cached.has(hit.path) || this.spooled.has(hit.path)) continue;
      wanted.set(this.prefix ? `${this.prefix}/${hit.path}` : hit.path, hit.path);
    }
    if (wanted.size === 0) return;
    let budget = sqliteLimits.maxInMemoryBytes - [...this.cached.values()].reduce((sum, b) => sum + b.length, 0);
    await this.fs.readMany(wanted.keys(), async (file, content) => {
      const rel = wanted.get(file.path)!;
      if (file.size <= budget) {
        budget -= file.size;
        const chunks: Buffer[] = [];
        for await (const chunk of content) chunks.push(chunk as Buffer);
        this.cached.set(rel, Buffer.concat(chunks));
        return;
      }
      this.spoolDir ??= privateTempDir('prefetched');
      const path = join(this.spoolDir, `stored-${this.spooled.size}`);
      await pipeline(content, this.sealer.writeStream(path));
      this.spooled.set(rel, path);
    });
  }

  async *list(): AsyncIterable<StoredEntry> {
    for (const [rel, entry] of this.entries) yield { ...entry, path: rel, storedPath: rel };
  }

  notes(): string[] {
    const name = this.fs.location;
    const refused = this.fs.refused.map((r) => `${name}: member ${r.name} refused: ${r.reason}`);
    return this.fs.damage ? [...refused, `${name}: ${this.fs.damage}`] : refused;
  }

  async close(): Promise<void> {
    this.cached.clear();
    this.spooled.clear();
    if (this.spoolDir) removeTempDir(this.spoolDir);
    await this.fs.close();
  }
}

/**
 * Copies a stored file into a private (0600) file, hashing the stored bytes on the way for the input log,
 * with `transform` (decryption) between. Returns the bytes written.
 */
async function spool(stream: Readable, size: number, log: InputLog, path: string, label: string, dest: string, transform?: StreamTransform): Promise<number> {
  const hash = createHash('sha256');
  let stored = 0;
  let written = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      stored += chunk.length;
      done(null, chunk);
    },
  });
  const count = new Transform({
    transform(chunk: Buffer, _enc, done) {
      written += chunk.length;
      done(null, chunk);
    },
  });
  // Never through a link planted at `dest`; an existing file of ours (a re-export) is replaced.
  const fd = openSync(dest, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW, 0o600);
  const out = createWriteStream('', { fd, autoClose: true });
  if (transform) await pipeline(stream, tap, transform(), count, out);
  else await pipeline(stream, tap, count, out);
  if (stored > size) throw new FormatError(label, `grew past its size of ${size} bytes while read`);
  log.recordDigest(path, label, hash.digest('hex'), stored);
  return written;
}
