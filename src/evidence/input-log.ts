/**
 * Every input file a run read, with its SHA-256, so that info.json lets a second lab verify that it
 * looked at the same bytes. Small files are hashed from the bytes already read, large ones by one
 * streamed pass, never by holding them whole.
 */
import { createHash, type Hash } from 'node:crypto';
import { closeSync } from 'node:fs';
import { eachChunk, openRegular, readOpened, type OpenedEvidence } from './contained.js';

export interface InputRecord {
  readonly path: string;
  readonly label: string;
  readonly sha256: string;
  readonly bytes: number;
}

export class InputLog {
  private readonly byPath = new Map<string, InputRecord>();
  /**
   * While watched: every file read (first time or again), in order of first read. A worker thread of the pool
   * reports these per artifact, and the main thread logs them in plan order, so info.json lists the inputs in
   * the order one thread would have read them.
   */
  private touched: Map<string, InputRecord> | null = null;
  /**
   * While watched with `hold`: files read for the first time, not yet in the log. The main thread runs artifacts
   * beside the pool's workers; what one of them reads is logged when its turn in the plan comes (`logInTurn`).
   */
  private held: Map<string, InputRecord> | null = null;

  /**
   * A log that already holds `records`, hashed by another thread of the run (the pool's main thread, which opened
   * the acquisition first): reading those files again does not hash them again.
   */
  static knowing(records: readonly InputRecord[]): InputLog {
    const log = new InputLog();
    for (const record of records) log.byPath.set(record.path, record);
    return log;
  }

  record(path: string, label: string, data: Buffer): void {
    if (this.known(path)) return;
    this.add({ path, label, sha256: createHash('sha256').update(data).digest('hex'), bytes: data.length });
  }

  /** A file hashed by whoever streamed it (an archive member copied into the private temp folder). */
  recordDigest(path: string, label: string, sha256: string, bytes: number): void {
    if (this.known(path)) return;
    this.add({ path, label, sha256, bytes });
  }

  /**
   * Starts (or restarts) noting every file read; `takeTouched` returns them. With `hold`, a file read for the first
   * time is logged only when `logInTurn` names it (or at `unwatch`).
   */
  watch(options: { readonly hold?: boolean } = {}): void {
    this.touched = new Map();
    if (options.hold) this.held ??= new Map();
  }

  /** Stops noting reads; what is still held is logged, in the order it was read. */
  unwatch(): void {
    for (const record of this.held?.values() ?? []) this.byPath.set(record.path, record);
    this.held = null;
    this.touched = null;
  }

  /** Logs files an artifact read (here, held; or in a worker thread), when that artifact's turn in the plan comes. */
  logInTurn(records: readonly InputRecord[]): void {
    for (const record of records) {
      if (this.byPath.has(record.path)) continue;
      this.held?.delete(record.path);
      this.byPath.set(record.path, record);
    }
  }

  /** The files read since `watch` or the last take, each once. */
  takeTouched(): InputRecord[] {
    const touched = [...(this.touched?.values() ?? [])];
    if (this.touched) this.touched = new Map();
    return touched;
  }

  private known(path: string): boolean {
    const logged = this.byPath.get(path) ?? this.held?.get(path);
    if (logged && this.touched && !this.touched.has(path)) this.touched.set(path, logged);
    return logged !== undefined;
  }

  private add(record: InputRecord): void {
    if (this.held) this.held.set(record.path, record);
    else this.byPath.set(record.path, record);
    this.touched?.set(record.path, record);
  }

  /** Reads a file the caller already checked is inside the acquisition (bounded by its real size). */
  readSync(path: string, label: string): Buffer {
    const opened = openRegular(path, label);
    try {
      const data = readOpened(opened);
      this.record(path, label, data);
      return data;
    } finally {
      closeSync(opened.fd);
    }
  }

  hashFileSync(path: string, label: string): void {
    if (this.known(path)) return;
    const opened = openRegular(path, label);
    try {
      this.hashOpened(path, label, opened);
    } finally {
      closeSync(opened.fd);
    }
  }

  /** Hashes an open evidence file (up to its fstat size) in one streamed pass; `path` is the name it is logged under. */
  hashOpened(path: string, label: string, opened: OpenedEvidence): void {
    if (this.known(path)) return;
    const hash = createHash('sha256');
    const bytes = eachChunk(opened, (chunk) => hash.update(chunk));
    this.add({ path, label, sha256: hash.digest('hex'), bytes });
  }

  /**
   * Logs a file hashed by a pass that reads it for its own purpose (a copy into the private temp folder): `pass` gets
   * the hash to feed, or null when the file is logged already, and returns the bytes it read, which this returns.
   */
  async hashedBy(path: string, label: string, pass: (hash: Hash | null) => Promise<number>): Promise<number> {
    const hash = this.known(path) ? null : createHash('sha256');
    const bytes = await pass(hash);
    if (hash) this.add({ path, label, sha256: hash.digest('hex'), bytes });
    return bytes;
  }

  all(): InputRecord[] {
    return [...this.byPath.values()];
  }
}
