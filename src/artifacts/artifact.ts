/**
 * What an artifact parser is: a plain, declared object. It names the files it reads (data, not code),
 * turns them into typed records, and says which fields are timeline events and which are observables.
 * It never sees indicators, levels or outputs (STYLE.md §2).
 */
import type { EvidenceFile, FileSpec, Source, SourceKind } from '../evidence/source.js';
import type { SqliteHandle } from '../evidence/sqlite.js';
import type { Moment } from '../formats/time.js';
import type { Description } from './describe.js';

export type ObservableKind =
  | 'url' // a URL or a bare host name, as found (matched on its host and, exactly, as a URL)
  | 'domain'
  | 'process'
  | 'email'
  | 'file_path'
  | 'file_name'
  | 'sha256'
  | 'sha1'
  | 'md5'
  | 'app_id'
  | 'cert_hash'
  | 'profile_id'
  | 'android_property';

/**
 * How the value relates to the device. A `mention` (a name in a file path, a domain in a backup path,
 * a path in an attachment name) is weaker evidence than the thing itself: the level policy in
 * `indicators/` uses this, never the parser.
 */
export type ObservableRole = 'direct' | 'mention';

export interface Observable {
  readonly kind: ObservableKind;
  readonly value: string;
  /** The record field it came from (`links`, `client`, `relative_path`). */
  readonly field: string;
  readonly role?: ObservableRole;
}

export interface TimelineEvent {
  readonly time: Moment | null;
  /** Short event name (`sms_received`, `visit`, `M--B`). */
  readonly event: string;
  /** Plain text, or text with typed values that each output renders in its own style (`describe.ts`). */
  readonly description: string | Description;
}

/** Where in a file a record came from. */
export type Locator =
  | { readonly table: string; readonly rowid: number | null; readonly inWal?: boolean }
  | { readonly key: string }
  | { readonly line: number }
  | { readonly whole: true };

export interface RecordSource {
  readonly file: EvidenceFile;
  readonly at: Locator;
}

export interface Parsed<R> {
  readonly record: R;
  readonly source: RecordSource;
}

export type IssueCode =
  | 'missing-table'
  | 'missing-column'
  | 'bad-plist'
  | 'bad-sqlite'
  | 'corrupted'
  | 'truncated'
  | 'row-skipped'
  | 'file-missing'
  | 'unsupported-schema'
  /** A view or virtual table where a table is read: refused, since a query on it could run forever. */
  | 'not-a-table'
  /** A cell of the wrong type; the row is kept without that value. */
  | 'bad-cell'
  /** A text file read whole that lacks the section an artifact reads (a dumpstate without `SYSTEM PROPERTIES`): nothing to read, nothing missing. */
  | 'section-missing';

export interface ParseIssue {
  readonly code: IssueCode;
  readonly file?: EvidenceFile;
  readonly message: string;
}

export interface ParseContext {
  readonly source: Pick<Source, 'kind' | 'find' | 'read' | 'stream' | 'streamRange' | 'openSqlite' | 'describe' | 'manifestRows' | 'listing' | 'fileNames'>;
  /** Finds the first files the artifact's inputs name for this source kind, recording what was missing. */
  findInputs(): Promise<EvidenceFile[]>;
  /** Opens a database after checking `requires`; a mismatch is reported as an issue and gives null. */
  openDatabase(file: EvidenceFile): Promise<SqliteHandle | null>;
  /** Records of an artifact named in `needs`. */
  dependency<T>(artifactId: string): readonly T[];
  warn(issue: ParseIssue): void;
  readonly signal: AbortSignal;
}

/** What an artifact reads, per acquisition kind; the keys come from `sourceKinds` (source.ts), so a new kind needs no edit here. */
export type ArtifactInputs = { readonly [K in SourceKind]?: readonly FileSpec[] };

/**
 * The MVT module an artifact mirrors, for the MVT-compatible output: MVT's own names and shapes, written down
 * (STYLE.md §7: never derived from our identifiers). An artifact MVT does not have declares none.
 */
/** The record fields that make MVT's grouped shape: `{[record[group]]: {[record[key]]: record[value]}}`. */
export interface MvtGrouped {
  readonly group: string;
  readonly key: string;
  readonly value: string;
}

export interface MvtCounterpart {
  /** MVT's output file name: `sms` → `sms.json`, `sms_detected.json`. */
  readonly module: string;
  /** The class name MVT's timeline shows in its Plugin column (`SMS`). */
  readonly className: string;
  /**
   * MVT writes one object, a dict of record lists keyed by file path, or a dict of groups each mapping a key to
   * its value (`{random: {samsung_errorlog_agree: "0"}}` for androidqf's settings), instead of a list.
   */
  readonly shape?: 'list' | 'object' | 'by-path' | MvtGrouped;
  /** Record fields MVT spells differently (its typos kept for the scripts that read them). */
  readonly renames?: Readonly<Record<string, string>>;
  /**
   * Record fields MVT writes as the phone's wall clock when the device's zone is known (intrusion logs with
   * `-t ZONE` or `persist.sys.timezone`): field → the record's field holding that wall clock, used when it is a
   * string (else the field is written as it is, in UTC).
   */
  readonly wallClockFields?: Readonly<Record<string, string>>;
  /** MVT lists the records' `links` in urls.json under this source label. */
  readonly urlSource?: string;
  /** The record field where MVT writes the database's stored path (the hashed file in a backup). */
  readonly storedPathField?: string;
}

export interface Artifact<R> {
  /** Stable id mirroring the file path: `ios.sms` for `src/artifacts/ios/sms.ts`. */
  readonly id: string;
  /** Bumped whenever the records it produces change. */
  readonly version: number;
  readonly title: string;
  /** One sentence for the docs and the coverage table: what this is and why it matters. */
  readonly doc: string;
  readonly references?: readonly string[];
  /** Its MVT counterpart, when MVT has one. */
  readonly mvt?: MvtCounterpart;
  readonly inputs: ArtifactInputs;
  /**
   * `first`: the first input that exists is read (one database per device). `all`: every match is read
   * (profiles, per-app WebKit stores).
   */
  readonly inputMode?: 'first' | 'all';
  /** Tables and the columns the queries use (plaso's REQUIRED_STRUCTURE). */
  readonly requires?: Readonly<Record<string, readonly string[]>>;
  readonly needs?: readonly string[];
  parse(ctx: ParseContext): AsyncIterable<Parsed<R>>;
  timeline?(record: R): TimelineEvent[];
  observables?(record: R): Observable[];
}

export type AnyArtifact = Artifact<any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Identity helper for type inference (citty's defineCommand). */
export function defineArtifact<R>(artifact: Artifact<R>): Artifact<R> {
  return artifact;
}

export function sourcesOf(artifact: AnyArtifact): SourceKind[] {
  return Object.keys(artifact.inputs) as SourceKind[];
}
