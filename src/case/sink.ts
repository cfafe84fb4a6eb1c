/**
 * The case store as a sink of a check: one acquisition and one run added to a case, fed as things happen.
 * The whole check is one transaction: a check that fails or is interrupted leaves the case as it was (SQLite
 * spills the transaction's pages to the database file, so memory stays bounded however big the check).
 * Records with observables are stored with them and each observable's match keys (indicators/match-keys.ts),
 * which is what `recheck` joins new indicators against without reading the evidence again; a record without
 * observables is stored only when a finding is about it.
 */
import type { AnyArtifact, Locator, Observable, Parsed, TimelineEvent } from '../artifacts/artifact.js';
import { refKey, type AcquisitionInfo, type EvidenceRef } from '../evidence/source.js';
import type { Coverage } from '../findings/coverage.js';
import type { Finding } from '../findings/finding.js';
import { observableKeys, type ObservableKey } from '../indicators/match-keys.js';
import { nativeTimelineFields, type NativeTimelineFields } from '../report/native.js';
import type { RunInfo, RunStart, Sink } from '../report/output.js';
import { TimelineStore, readBackText, timelineLine } from '../report/timeline-store.js';
import { DEFAULT_WINDOW_MS, TimelineWindow } from '../report/timeline-window.js';
import type { Statement } from './db.js';
import { toJson } from './json.js';
import { createFieldIds, createRecordWriter, type RecordWriter } from './record-store.js';
import type { OpenCase } from './store.js';
import { createKeyWriter, ensureDevice, insertFinding, insertRun, type DeviceLabels } from './write.js';

export interface CaseSinkOptions extends DeviceLabels {
  /** Keep each record's data (JSON) for reports: on by default; off keeps only where it was read. */
  readonly keepRecords?: boolean;
}

export class CaseSink implements Sink {
  private runId = 0;
  private acquisitionId = 0;
  private finished = false;
  /** Record objects to their row, for the findings about them; weak, so records the check drops are not kept. */
  private readonly recordIds = new WeakMap<object, number>();
  /**
   * The check's timeline, sorted (and spilled to the private temp folder when large) until the end, when the
   * findings' times say which events the report will draw: only those are stored (schema v2).
   */
  private readonly timelineEvents = new TimelineStore();
  private readonly findingTimes: string[] = [];
  private stmts: {
    records: RecordWriter;
    fieldId: (o: Observable) => number;
    observable: Statement;
    keys: (observableId: number, keys: readonly ObservableKey[]) => void;
    coverage: Statement;
  } | null = null;

  constructor(
    private readonly store: OpenCase,
    private readonly options: CaseSinkOptions = {},
  ) {}

  start(run: RunStart): void {
    const { db } = this.store;
    db.begin();
    const deviceId = ensureDevice(db, this.options, defaultDeviceName(run.acquisition));
    const a = run.acquisition;
    this.acquisitionId = Number(
      db
        .prepare('INSERT INTO acquisitions (device_id, kind, target, encrypted, acquired_at, metadata, added_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
        .run(deviceId, a.kind, a.root, a.encrypted ? 1 : 0, a.acquiredAt?.toISOString() ?? null, toJson({ ...(a.device ?? {}), ...(a.container ? { container: a.container } : {}) }), new Date().toISOString()).lastInsertRowid,
    );
    this.runId = insertRun(db, 'check', new Date(), [this.acquisitionId]);
    this.stmts = {
      records: createRecordWriter(db, this.acquisitionId),
      fieldId: createFieldIds(db),
      observable: db.prepare('INSERT INTO observables (record_id, field_id, value) VALUES (?, ?, ?)'),
      keys: createKeyWriter(db),
      coverage: db.prepare('INSERT INTO coverage (run_id, acquisition_id, artifact, title, state, records, files, issues, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)'),
    };
  }

  /**
   * Only records with something to match are stored when read: the others (most Manifest rows, messages without
   * links) can never gain an indicator finding, and are stored only if a finding is about them.
   */
  record(artifact: AnyArtifact, item: Parsed<unknown>, observables: readonly Observable[]): void {
    const s = this.statements();
    const kept = observables.filter((o) => typeof o.value === 'string' && o.value !== '');
    if (kept.length === 0) return;
    const recordId = this.storeRecord(artifact.id, item.record, item.source.file.ref, item.source.at);
    for (const obs of kept) {
      const obsId = Number(s.observable.run(recordId, s.fieldId(obs), obs.value).lastInsertRowid);
      s.keys(obsId, observableKeys(obs));
    }
  }

  /** Kept as the native timeline keeps it (UTC instant when the zone is known), so a case's chart is the output folder's. */
  timeline(artifact: AnyArtifact, e: TimelineEvent): void {
    if (e.time === null) return;
    const f = nativeTimelineFields(artifact, e);
    this.timelineEvents.add(timelineLine(f.time, JSON.stringify({ ...f, description: readBackText(f.description) })));
  }

  finding(finding: Finding): void {
    if (finding.eventTime) this.findingTimes.push(finding.eventTime.iso());
    const isObject = typeof finding.record === 'object' && finding.record !== null;
    let recordId = isObject ? (this.recordIds.get(finding.record) ?? null) : null;
    if (recordId === null && isObject) recordId = this.storeRecord(finding.artifact, finding.record, finding.evidence.ref, finding.evidence.at);
    insertFinding(this.store.db, this.runId, this.acquisitionId, recordId, finding);
  }

  private storeRecord(artifactId: string, record: unknown, ref: EvidenceRef, at: Locator): number {
    const id = this.statements().records.add(artifactId, ref, at, record, this.options.keepRecords !== false);
    if (typeof record === 'object' && record !== null) this.recordIds.set(record, id);
    return id;
  }

  artifactFinished(_artifact: AnyArtifact, c: Coverage): void {
    const issues = c.issues.map((i) => ({ code: i.code, message: i.message, ...(i.file ? { file: refKey(i.file.ref) } : {}) }));
    this.statements().coverage.run(this.runId, this.acquisitionId, c.artifact, c.title, c.state, c.records, toJson(c.files), toJson(issues), c.reason ?? null);
  }

  async finish(info: RunInfo): Promise<readonly string[]> {
    const { db } = this.store;
    this.statements().records.flush();
    const input = db.prepare('INSERT INTO acquisition_inputs (acquisition_id, path, label, sha256, bytes) VALUES (?, ?, ?, ?, ?)');
    for (const i of info.inputs) input.run(this.acquisitionId, i.path, i.label, i.sha256, i.bytes);
    const file = db.prepare('INSERT INTO run_indicator_files (run_id, path, sha256, indicators, collections) VALUES (?, ?, ?, ?, ?)');
    for (const f of info.indicatorFiles) if (f.duplicateOf === undefined) file.run(this.runId, f.path, f.sha256, f.indicators, f.collections);
    const component = db.prepare('INSERT INTO run_components (run_id, kind, component_id, version) VALUES (?, ?, ?, ?)');
    for (const a of info.artifacts) component.run(this.runId, 'artifact', a.id, a.version);
    for (const r of info.rules) component.run(this.runId, 'rule', r.id, r.version);
    await this.storeTimelineWindow();
    db.prepare('UPDATE runs SET tool_name = ?, tool_version = ?, options = ?, started_at = ?, finished_at = ? WHERE id = ?').run(
      info.tool.name,
      info.tool.version,
      toJson({ ...info.options, containerNotes: info.containerNotes, rejectedIndicatorFiles: info.rejectedIndicatorFiles }),
      info.startedAt.toISOString(),
      info.finishedAt.toISOString(),
      this.runId,
    );
    db.commit();
    this.finished = true;
    return [this.store.dbPath];
  }

  /** The events around this check's dated findings, and the span of its whole timeline. */
  private async storeTimelineWindow(): Promise<void> {
    const window = new TimelineWindow(this.findingTimes, DEFAULT_WINDOW_MS);
    let n = 0;
    for (const line of this.timelineEvents.sorted()) {
      window.offer(JSON.parse(line.bytes.toString('utf8')) as NativeTimelineFields);
      // A timeline of millions of events takes seconds: Ctrl-C is still honoured.
      if (++n % 50_000 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    const { events, omitted, span } = window.result();
    const { db } = this.store;
    const insert = db.prepare('INSERT INTO timeline_events (acquisition_id, event_time, artifact, event, description) VALUES (?, ?, ?, ?, ?)');
    for (const e of events) insert.run(this.acquisitionId, e.time, e.artifact, e.event, e.description);
    db.prepare('INSERT INTO acquisition_timelines (acquisition_id, first_time, last_time, total, omitted, window_ms) VALUES (?, ?, ?, ?, ?, ?)').run(
      this.acquisitionId,
      span?.first ?? null,
      span?.last ?? null,
      span?.total ?? 0,
      omitted,
      DEFAULT_WINDOW_MS,
    );
  }

  /** A run that did not finish leaves nothing in the case. */
  dispose(): void {
    this.timelineEvents.dispose();
    if (!this.finished) this.store.db.rollback();
  }

  /** The ids given to this check's acquisition and run (0 before `start`). */
  get ids(): { readonly acquisition: number; readonly run: number } {
    return { acquisition: this.acquisitionId, run: this.runId };
  }

  private statements() {
    if (this.stmts === null) throw new Error('case sink used before start');
    return this.stmts;
  }
}

/** The phone's own name when the acquisition says it, else its serial or UDID, else the folder checked. */
function defaultDeviceName(a: AcquisitionInfo): string {
  return a.device?.name ?? a.device?.serialNumber ?? a.device?.udid ?? a.root;
}
