/**
 * What the main thread and the worker threads of a `--jobs` pool say to each other. Everything here survives
 * postMessage; records, findings and coverage travel packed (transfer.ts).
 */
import type { SourceKind } from '../../evidence/source.js';
import type { InputRecord } from '../../evidence/input-log.js';
import type { Collection } from '../../indicators/collection.js';
import type { RendererKind } from '../../report/output.js';

export interface WorkerSetup {
  /** The acquisition as the main thread opened it (its root) and its kind, so the worker opens the same. */
  readonly target: string;
  readonly kind: SourceKind;
  /** An encrypted backup's derived key (the main thread derived it once); memory only, never written. */
  readonly key: Uint8Array | null;
  /** The renderers of the sinks that take rendered records, in the order `rendered` lists their results. */
  readonly renderers: readonly RendererKind[];
  /** The main thread's private temp folder: SQLite copies go there, and the main thread removes it. */
  readonly tempRoot: string;
  /** The main thread's private copies of large databases (evidence path → copy), opened read-only instead of copied again. */
  readonly sqliteCopies: Readonly<Record<string, string>>;
  /**
   * The files the main thread read and hashed while opening the acquisition (Manifest.db, …): the worker opens it
   * again without hashing them again (Manifest.db of the 100k bench backup is 88 MB).
   */
  readonly openedInputs: readonly InputRecord[];
  /** The examiner's device time zone (`--device-time-zone`), already checked: the worker's source describes it too. */
  readonly deviceTimeZone?: string;
  /** Records per batch message (tests lower it to cover many batches). */
  readonly batchRecords: number;
}

export type ToWorker =
  /** First: the indicators the main thread loaded (compiled once per worker), sent once they are loaded. */
  | { readonly type: 'indicators'; readonly collections: readonly Collection[] }
  /** Run these artifacts, in this order (one artifact and those that need it, or each other). */
  | { readonly type: 'run'; readonly artifacts: readonly string[] }
  | { readonly type: 'close' };

export type FromWorker =
  | { readonly type: 'open-failed'; readonly message: string }
  | {
      readonly type: 'batch';
      readonly artifact: string;
      readonly recordCount: number;
      /**
       * Per renderer (as `WorkerSetup.renderers`), what it made of each record: packed values, or, when it made
       * strings, their UTF-8 bytes one after another (`ends[i]`: where record i ends), transferred, not copied.
       */
      readonly records: readonly (readonly unknown[] | EncodedTexts)[];
      /** Per renderer, the events' sort keys and their lines' UTF-8 bytes (transferred, not copied). */
      readonly timeline: readonly EncodedLines[];
      readonly timelineEvents: number;
      readonly findings: readonly unknown[];
    }
  | { readonly type: 'done'; readonly artifact: string; readonly coverage: unknown; readonly inputs: readonly InputRecord[] }
  | { readonly type: 'unit-done' }
  | {
      readonly type: 'closed';
      /** What this worker decrypted beyond its own opening of the backup. */
      readonly decrypted: { readonly filesDecrypted: number; readonly bytesDecrypted: number } | null;
      readonly notes: readonly string[];
    };

/** Timeline lines of a batch: line i, under `keys[i]`, is text i of `lines`. */
export interface EncodedLines {
  readonly keys: readonly string[];
  readonly lines: EncodedTexts;
}

/** Strings encoded as UTF-8 into one buffer: string i is `bytes[ends[i-1] .. ends[i])`. */
export interface EncodedTexts {
  readonly bytes: Uint8Array;
  readonly ends: Uint32Array;
}
