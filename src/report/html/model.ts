/**
 * What the HTML report shows, as plain data: no classes, no methods, no project internals, so that any
 * store can fill it. Today `modelFromNativeOutput` fills it from the folder `tracehound check --output`
 * writes; the case store maps its own model onto it (one device at a time). `renderReport(model)` turns it
 * into one self-contained HTML file.
 *
 * Every string here may come from the phone (messages, URLs, process names, file paths) and is treated as
 * hostile by the renderer: escaped everywhere, never interpreted. Times are ISO 8601 strings in UTC
 * (`2021-12-03T19:33:13.000Z`) or null when the evidence has none.
 */

/** The five levels, lowest first (the same words as findings/finding.ts). */
export const reportLevels = ['informational', 'low', 'medium', 'high', 'critical'] as const;
export type ReportLevel = (typeof reportLevels)[number];

export interface ReportModel {
  /** When the report was made (ISO 8601); shown in the header and the footer. */
  readonly generatedAt: string;
  readonly subject: Subject;
  /** Every finding of the device, in any order: the renderer sorts by level, then time. */
  readonly findings: readonly ReportFinding[];
  /** One entry per artifact the check considered, read or not: this is what "nothing found" rests on. */
  readonly coverage: readonly CoverageEntry[];
  readonly timeline: TimelineModel;
  readonly provenance: Provenance;
}

/** Who and what was checked. Everything optional: a bare check knows the device, a case knows the person. */
export interface Subject {
  /** The person whose phone was checked (case store); absent from a bare check. */
  readonly person?: string;
  readonly organisation?: string;
  readonly device: DeviceFacts;
}

export interface DeviceFacts {
  /** The user-given device name (`Alice's iPhone`). */
  readonly name?: string;
  /** Hardware model as the acquisition names it (`iPhone9,3`, `Pixel 6`). */
  readonly model?: string;
  /** `iOS 14.3 (18C66)`, `Android 13`. */
  readonly os?: string;
  readonly serial?: string;
  /** UDID, IMEI or another stable id. */
  readonly id?: string;
}

export interface ReportFinding {
  readonly level: ReportLevel;
  /** One line saying what was seen (the finding's message). */
  readonly title: string;
  /** Why it matters and what innocent explanation exists, for a reader who is not an expert. */
  readonly explanation: string;
  /** The artifact id (`ios.sms`) that produced the record. */
  readonly artifact: string;
  /** When the evidence says it happened; null when the record carries no time. */
  readonly time: string | null;
  readonly evidence: EvidenceRef;
  /** What matched: an indicator (with its file and collection) or a heuristic rule. */
  readonly basis?: FindingBasis;
  /** The record came from a damaged file and was recovered: weaker evidence. */
  readonly recovered?: boolean;
}

export interface EvidenceRef {
  /** The file as a person would look for it (`HomeDomain/Library/SMS/sms.db`). */
  readonly file: string;
  /** Where inside it (`table message, row 3`, `key LDMGlobalEnabled`, `line 12`). */
  readonly locator?: string;
  /** How the acquisition stores the file, when that differs (`3d/3d0d7e5f…` in a backup). */
  readonly storedAs?: string;
}

export type FindingBasis =
  | {
      readonly kind: 'indicator';
      /** The indicator value that matched (`example.org`). */
      readonly value: string;
      /** The malware or report the indicator belongs to (`Pegasus`). */
      readonly collection: string;
      /** The indicator file's name and SHA-256, so a second lab can check the same version. */
      readonly file: string;
      readonly fileSha256?: string;
      /** What on the phone matched it (`https://example.org/news`), when it differs from the value. */
      readonly observed?: string;
    }
  | {
      readonly kind: 'rule';
      readonly id: string;
      readonly version?: number;
      /** The public report the heuristic comes from (a URL or a citation). */
      readonly source?: string;
    };

/** The project's coverage states (findings/coverage.ts). */
export type CoverageState = 'parsed' | 'partial' | 'empty' | 'missing' | 'failed' | 'skipped';

export interface CoverageEntry {
  readonly artifact: string;
  /** What the artifact is, in words (`SMS and iMessage`). */
  readonly title: string;
  readonly state: CoverageState;
  /** Records read (0 for empty, missing, failed). */
  readonly records?: number;
  /** Why an artifact was missing, failed, partial or skipped: one line. */
  readonly reason?: string;
}

export interface TimelineModel {
  /**
   * Events around the findings (the filler chooses the window; the native loader takes those within a day
   * of a dated finding), as many as it chose to keep. The renderer draws at most a bounded number.
   */
  readonly events: readonly TimelineEvent[];
  /** How many events the window held that are not in `events` (kept out to bound the report's size). */
  readonly omitted: number;
  /** The whole acquisition's timeline, for context: first and last event time and the number of events. */
  readonly span?: { readonly first: string; readonly last: string; readonly total: number };
}

export interface TimelineEvent {
  readonly time: string;
  readonly artifact: string;
  /** Short event name (`sms_received`, MACB `M--B`). */
  readonly event: string;
  readonly description: string;
}

export interface Provenance {
  readonly tool: { readonly name: string; readonly version: string };
  readonly startedAt?: string;
  readonly finishedAt?: string;
  /** The acquisition: its kind (`ios-backup`), where it was read, when it was made, whether encrypted. */
  readonly acquisition: {
    readonly kind: string;
    readonly target: string;
    readonly acquiredAt?: string;
    readonly encrypted?: boolean;
  };
  /** Input files with their SHA-256, as read. */
  readonly inputs: readonly { readonly path: string; readonly label?: string; readonly sha256: string; readonly bytes?: number }[];
  readonly indicatorFiles: readonly { readonly path: string; readonly sha256: string; readonly indicators: number }[];
  readonly rejectedIndicatorFiles: readonly { readonly path: string; readonly reason: string }[];
  /** Problems of the container itself (damaged archive, refused members): the check did not see everything. */
  readonly notes: readonly string[];
  /** Artifact and rule ids with their versions, for a second lab to reproduce the run. */
  readonly artifacts?: readonly { readonly id: string; readonly version: number }[];
  readonly rules?: readonly { readonly id: string; readonly version: number }[];
}
