/**
 * What a report shows about a case, as plain data read from the case store: the HTML report (and later the web
 * UI) renders this object and never queries the database itself, so the store can change (issue #12 encrypts
 * it) without touching the report.
 */
import type { CoverageState } from '../findings/coverage.js';
import type { Level, MatchKind } from '../findings/finding.js';
import type { EventsAround } from '../report/timeline-window.js';

export interface CaseReport {
  /** The case folder, absolute. */
  readonly path: string;
  readonly schemaVersion: number;
  readonly createdAt: string;
  /** The device the report is restricted to (`--device`), or null for the whole case. */
  readonly device: string | null;
  readonly devices: readonly ReportDevice[];
  readonly acquisitions: readonly ReportAcquisition[];
  readonly runs: readonly ReportRun[];
  /** The current findings of each acquisition: its check's rule findings and the indicator findings of the latest run over it. */
  readonly findings: readonly ReportFinding[];
  /** Per artifact, per acquisition, from the check that read it: what was and was not read. */
  readonly coverage: readonly ReportCoverage[];
  /** Finding counts by level over `findings`. */
  readonly counts: Readonly<Record<Level, number>>;
}

export interface ReportDevice {
  readonly id: number;
  readonly name: string;
  readonly person: string | null;
  readonly organisation: string | null;
}

export interface ReportAcquisition {
  readonly id: number;
  readonly deviceId: number;
  readonly device: string;
  /** Source kind: `ios-backup`, `androidqf`, … */
  readonly kind: string;
  /** The path that was checked, as given. */
  readonly target: string;
  readonly encrypted: boolean;
  /** ISO 8601, when the acquisition says when it was made. */
  readonly acquiredAt: string | null;
  /** ISO 8601: when it was added to the case. */
  readonly addedAt: string;
  /** What the acquisition says of the phone (name, model, OS version, serial, UDID), as read. */
  readonly metadata: Readonly<Record<string, string>>;
  readonly inputs: readonly ReportInput[];
  /** The events stored around the findings of the check that read it; null when the case kept none (schema 1). */
  readonly timeline: EventsAround | null;
}

export interface ReportInput {
  readonly path: string;
  readonly label: string;
  readonly sha256: string;
  readonly bytes: number;
}

export interface ReportRun {
  readonly id: number;
  /** `check` read the evidence; `recheck` re-matched stored observables against the indicators of its time. */
  readonly kind: 'check' | 'recheck';
  readonly tool: { readonly name: string; readonly version: string };
  readonly startedAt: string;
  readonly finishedAt: string | null;
  readonly options: Readonly<Record<string, unknown>>;
  readonly indicatorFiles: readonly ReportIndicatorFile[];
  /** Versions of the artifacts and rules a check ran (empty for a recheck, which runs no parser). */
  readonly components: readonly { readonly kind: 'artifact' | 'rule'; readonly id: string; readonly version: number }[];
  readonly acquisitionIds: readonly number[];
}

export interface ReportIndicatorFile {
  readonly path: string;
  readonly sha256: string;
  readonly indicators: number;
  readonly collections: number;
}

export interface ReportFinding {
  readonly id: number;
  readonly acquisitionId: number;
  readonly device: string;
  /** The run that produced it (a check, or the recheck that found it with newer indicators). */
  readonly runId: number;
  readonly level: Level;
  readonly artifact: string;
  readonly message: string;
  readonly explanation: string;
  /** ISO 8601, when the finding is about a moment (a rule's event time). */
  readonly eventTime: string | null;
  readonly evidence: {
    /** The file as the device knew it (`HomeDomain/Library/SMS/sms.db`) or its path in the acquisition. */
    readonly file: string;
    readonly storedPath: string;
    /** Where in the file: `{table,rowid}`, `{key}`, `{line}` or `{whole:true}`. */
    readonly at: Readonly<Record<string, unknown>>;
  };
  readonly indicator: {
    readonly value: string;
    readonly key: string;
    /** MVT's bucket name for the kind (`domains`, `processes`, …). */
    readonly bucket: string;
    readonly collectionId: string;
    readonly collection: string;
    readonly file: string;
    readonly sha256: string;
    readonly stixId: string | null;
  } | null;
  readonly match: { readonly kind: MatchKind; readonly observed: string; readonly field: string } | null;
  readonly rule: { readonly id: string; readonly version: number; readonly source: string } | null;
  readonly recovered: boolean;
  /** The record the finding is about, as stored (JSON), or null when it was not kept. */
  readonly record: unknown;
}

export interface ReportCoverage {
  readonly acquisitionId: number;
  readonly artifact: string;
  readonly title: string;
  readonly state: CoverageState;
  readonly records: number;
  readonly reason: string | null;
  readonly files: readonly string[];
  readonly issues: readonly { readonly code: string; readonly message: string }[];
}

/** Reads a case for a report; `device` restricts everything to that device's acquisitions. */
export { loadCaseReport } from './report-load.js';
