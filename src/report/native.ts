/**
 * Tracehound's own output: one JSON file per artifact (records with their evidence source), a sorted
 * timeline.csv, alerts.json with every finding explained, coverage.json and info.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AnyArtifact, Parsed, RecordSource, TimelineEvent } from '../artifacts/artifact.js';
import { renderDescription, type Description, type Value } from '../artifacts/describe.js';
import { refKey, type EvidenceFile } from '../evidence/source.js';
import { Moment } from '../formats/time.js';
import type { Finding } from '../findings/finding.js';
import { JsonArrayWriter, indentedArrayLayout, writeJson as renderJson } from './json-stream.js';
import { neutraliseFormula } from './csv-safety.js';
import { PlanRanks, type RecordRenderer, type RunInfo, type RunStart, type Sink } from './output.js';
import { TimelineStore, timelineLine, type TimelineLine } from './timeline-store.js';

/**
 * A timeline description in our own plain style: a missing value reads `unknown`, numbers as numbers (`12`,
 * not Python's `12.0`), times in ISO 8601.
 */
export function plainDescription(description: string | Description): string {
  return renderDescription(description, plainText);
}

function plainText(value: Value): string {
  if (value === null || value === undefined) return 'unknown';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  if (value instanceof Moment) return value.iso();
  return value.real === null ? 'unknown' : String(value.real);
}

/**
 * A record's line in `<artifact>.json`: `{"record": …, "source": …}`, as JSON.stringify writes that object, with
 * the source's file part rendered once per evidence file (every record of a database shares it).
 */
function recordLine(item: Parsed<unknown>): string {
  const record = JSON.stringify(item.record) as string | undefined;
  const source = sourceJson(item.source);
  return record === undefined ? `{"source":${source}}` : `{"record":${record},"source":${source}}`;
}

const fileJson = new WeakMap<EvidenceFile, string>();

/** `{"file": …, …locator}`: the evidence file (rendered once per file) and where in it the record is. */
function sourceJson(s: RecordSource): string {
  let file = fileJson.get(s.file);
  if (file === undefined) fileJson.set(s.file, (file = JSON.stringify(describeFile(s.file))));
  const at = JSON.stringify(s.at);
  return at === '{}' ? `{"file":${file}}` : `{"file":${file},${at.slice(1)}`;
}

function describeFile(file: EvidenceFile): Record<string, unknown> {
  const b = file.ref.backup;
  return b ? { domain: b.domain, relative_path: b.relativePath, file_id: b.fileId, stored_path: file.ref.storedPath } : { path: file.ref.storedPath };
}

export function findingJson(f: Finding): Record<string, unknown> {
  return {
    level: f.level,
    artifact: f.artifact,
    message: f.message,
    explanation: f.explanation,
    event_time: f.eventTime,
    ...(f.indicator ? { indicator: f.indicator } : {}),
    ...(f.match ? { match: f.match } : {}),
    ...(f.rule ? { rule: f.rule } : {}),
    evidence: { file: refKey(f.evidence.ref), stored_path: f.evidence.ref.storedPath, ...f.evidence.at },
    ...(f.recovered ? { recovered: true } : {}),
    record: f.record,
  };
}

/** A timeline event's fields as the native timeline (and a case's) shows them. */
export interface NativeTimelineFields {
  /** ISO 8601, '' when the event has none; the sort key. */
  readonly time: string;
  readonly artifact: string;
  readonly event: string;
  readonly description: string;
}

export function nativeTimelineFields(artifact: AnyArtifact, e: TimelineEvent): NativeTimelineFields {
  // The instant when there is one (a device-local reading with its zone), so the timeline is in UTC and sorts
  // as time; a reading without its zone stays as read, with no designator.
  const time = e.time ? (e.time.instant() ?? e.time).iso() : '';
  return { time, artifact: artifact.id, event: e.event, description: plainDescription(e.description) };
}

/**
 * What the native files make of a record and a timeline event, as pure functions (run in a worker thread with
 * `--jobs`): the record's line in `<artifact>.json`, and the event's row of timeline.csv.
 */
export const nativeRenderer: RecordRenderer = {
  record: (_artifact, item): string => recordLine(item),
  timeline(artifact, e): TimelineLine {
    const f = nativeTimelineFields(artifact, e);
    // Only the description carries phone content; time, artifact and event are our own vocabulary (MACB
    // markers such as `--CB` stay as they are for scripts).
    return timelineLine(f.time, csvRow([f.time, f.artifact, f.event, neutraliseFormula(f.description)]));
  },
};

export class NativeOutput implements Sink {
  readonly rendering = 'native';
  private readonly writers = new Map<string, JsonArrayWriter>();
  private readonly timelineStore = new TimelineStore();
  /** Each artifact's place in the plan: records and events of several artifacts may arrive interleaved (`--jobs`). */
  private readonly ranks = new PlanRanks();
  /** Findings are written as they come, in the order detection produced them. */
  private readonly alerts: JsonArrayWriter;

  /** `fileMode` 0600 when the evidence was encrypted (the results hold its plaintext), else 0644. */
  constructor(
    private readonly dir: string,
    private readonly fileMode = 0o644,
  ) {
    mkdirSync(dir, { recursive: true });
    // Laid out as JSON.stringify(list, null, 2) would write the whole list.
    this.alerts = JsonArrayWriter.streaming(join(dir, 'alerts.json'), (out, f) => renderJson(out, findingJson(f as Finding), 2, 1), indentedArrayLayout(2), fileMode);
  }

  start(run: RunStart): void {
    this.ranks.set(run.artifacts);
  }

  finding(f: Finding): void {
    this.alerts.write(f);
  }

  record(artifact: AnyArtifact, item: Parsed<unknown>): void {
    this.renderedRecord(artifact, nativeRenderer.record(artifact, item));
  }

  renderedRecord(artifact: AnyArtifact, line: unknown): void {
    let w = this.writers.get(artifact.id);
    if (!w) {
      w = new JsonArrayWriter(join(this.dir, `${artifact.id}.json`), (v) => v as string, ',\n', '[\n', '\n]\n', this.fileMode);
      this.writers.set(artifact.id, w);
    }
    // From a worker thread, a record's line arrives as its UTF-8 bytes (transferred, not copied).
    if (line instanceof Uint8Array) w.writeEncoded(line);
    else w.write(line);
  }

  timeline(artifact: AnyArtifact, e: TimelineEvent): void {
    this.renderedTimeline(artifact, nativeRenderer.timeline(artifact, e));
  }

  renderedTimeline(artifact: AnyArtifact, line: TimelineLine): void {
    this.timelineStore.add(line, this.ranks.of(artifact));
  }

  artifactFinished(artifact: AnyArtifact): void {
    this.writers.get(artifact.id)?.close();
  }

  async finish(info: RunInfo): Promise<string[]> {
    const files = this.ranks.inPlanOrder(this.writers, ([id]) => id).map(([, w]) => w.path);
    for (const w of this.writers.values()) w.close();

    const timelinePath = join(this.dir, 'timeline.csv');
    await this.timelineStore.writeTo(timelinePath, 'time,artifact,event,description\n', this.fileMode);
    files.push(timelinePath);

    this.alerts.close();
    files.push(this.alerts.path);
    files.push(writeJson(this.fileMode, join(this.dir, 'coverage.json'), info.coverage));
    files.push(
      writeJson(this.fileMode, join(this.dir, 'info.json'), {
        tool: info.tool,
        started_at: info.startedAt,
        finished_at: info.finishedAt,
        target: info.target,
        acquisition: info.acquisition,
        container_notes: info.containerNotes,
        options: info.options,
        inputs: info.inputs.map((i) => ({ path: i.path, label: i.label, sha256: i.sha256, bytes: i.bytes })),
        indicator_files: info.indicatorFiles,
        rejected_indicator_files: info.rejectedIndicatorFiles,
        artifacts: info.artifacts,
        rules: info.rules,
      }),
    );
    return files;
  }

  dispose(): void {
    for (const w of this.writers.values()) w.close();
    this.alerts.close();
    this.timelineStore.dispose();
  }
}

function writeJson(mode: number, path: string, value: unknown): string {
  writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`, { mode });
  return path;
}

/** RFC 4180: quote only when needed, double embedded quotes. */
export function csvRow(fields: readonly string[]): string {
  return `${fields.map((f) => (/[",\n\r]/.test(f) ? `"${f.replace(/"/g, '""')}"` : f)).join(',')}\n`;
}

