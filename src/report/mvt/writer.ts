/**
 * `--format mvt`: files named and shaped as MVT v3 writes them (reference-spec §3), for users whose
 * scripts read MVT output: `<module>.json`, `<module>_detected.json`, `alerts.json`, `alerts_timeline.csv`,
 * `timeline.csv`, `urls.json`, `info.json`. Names, shapes and spellings come from each artifact's `mvt`
 * declaration; an artifact MVT does not have is written under its own id, so its findings are never dropped.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AnyArtifact, Parsed, TimelineEvent } from '../../artifacts/artifact.js';
import type { Finding, Level } from '../../findings/finding.js';
import { Moment } from '../../formats/time.js';
import { JsonArrayWriter, StringSink, indentedArrayLayout } from '../json-stream.js';
import { PlanRanks, type RecordRenderer, type RunInfo, type RunStart, type Sink } from '../output.js';
import { neutraliseFormula } from '../csv-safety.js';
import { TimelineStore, timelineLine, type TimelineLine } from '../timeline-store.js';
import { mvtNamesOf, pythonDescription, toMvtRecord } from './compat.js';
import { pyCsvRow, pyJson, pyRepr, writePyJson } from './python.js';

const MVT_LEVELS: Record<Level, string> = {
  informational: 'INFORMATIONAL',
  low: 'LOW',
  medium: 'MEDIUM',
  high: 'HIGH',
  critical: 'CRITICAL',
};

/** A finding as MVT writes an alert. */
function alertJson(f: Finding, artifact: Pick<AnyArtifact, 'id' | 'mvt'>) {
  return {
    level: MVT_LEVELS[f.level],
    module: mvtNamesOf(artifact).module,
    message: f.message,
    event_time: f.eventTime ? f.eventTime.mvt() : '',
    event: toMvtRecord(artifact, f.record),
    matched_indicator: f.indicator ? { value: f.indicator.value, type: f.indicator.bucket, name: f.indicator.collection.name, stix2_file_name: f.indicator.file.name } : null,
  };
}

function alertTimelineRow(a: MvtAlert): string {
  return pyCsvRow([a.event_time, a.module, neutraliseFormula(a.message), neutraliseFormula(pyRepr(a.event))]);
}

type MvtAlert = ReturnType<typeof alertJson>;

/** MVT's lists: `json.dump(list, indent=4)`, without a final line break. */
const mvtListLayout = indentedArrayLayout(4, '\n]');

type MvtUrl = { readonly url: string; readonly expanded_url: null; readonly timestamp: string; readonly source: string };

/**
 * A record as the MVT files take it, made by `mvtRenderer` (in a worker thread with `--jobs`): a list module's
 * element already rendered as MVT writes it; the other shapes' value, placed when the file is written at the end;
 * and the links that go to urls.json.
 */
type MvtRecord = { readonly urls: readonly MvtUrl[] | null } & (
  | { readonly shape: 'list'; readonly text: string }
  | { readonly shape: 'object'; readonly value: unknown }
  | { readonly shape: 'by-path'; readonly key: string; readonly value: unknown }
  | { readonly shape: 'grouped'; readonly group: string; readonly key: string; readonly value: unknown }
);

/** What the MVT files make of a record and a timeline event, as pure functions. */
export const mvtRenderer: RecordRenderer = {
  record(artifact, item): MvtRecord | string {
    let record = toMvtRecord(artifact, item.record);
    const pathField = artifact.mvt?.storedPathField;
    if (pathField && typeof record === 'object' && record !== null) record = { ...record, [pathField]: item.source.file.ref.storedPath };
    const urlSource = artifact.mvt?.urlSource;
    const urls = urlSource ? urlsOf(record, urlSource) : null;
    const shape = artifact.mvt?.shape ?? 'list';
    if (shape === 'object') return { shape, value: record, urls };
    if (typeof shape === 'object') {
      const fields = record as Record<string, unknown>;
      return { shape: 'grouped', group: String(fields[shape.group]), key: String(fields[shape.key]), value: fields[shape.value], urls };
    }
    if (shape === 'by-path') {
      // A backup's hashed file by its full path, as MVT writes it; a dump's file by its path inside the dump
      // (MVT's relpath for cache_files), never the analyst's folder or archive.
      const { ref, devicePath } = item.source.file;
      const key = ref.backup ? `${ref.root}/${ref.storedPath}` : (devicePath?.replace(/^\//, '') ?? ref.storedPath);
      return { shape, key, value: record, urls };
    }
    const text = new StringSink();
    writePyJson(text, record, 4, 1);
    // A list element without links is its text alone: a worker thread hands that over as UTF-8 bytes, uncopied.
    return urls ? { shape: 'list', text: text.text, urls } : text.text;
  },
  timeline(artifact, e): TimelineLine {
    const time = e.time ? e.time.mvt() : '';
    return timelineLine(time, pyCsvRow([time, mvtNamesOf(artifact).className, e.event, neutraliseFormula(pythonDescription(e.description))]));
  },
};

function urlsOf(record: unknown, source: string): MvtUrl[] | null {
  const r = record as { links?: unknown; isodate?: unknown };
  if (!Array.isArray(r.links)) return null;
  const timestamp = r.isodate instanceof Moment ? r.isodate.mvt() : '';
  const urls: MvtUrl[] = [];
  for (const url of r.links) if (typeof url === 'string') urls.push({ url, expanded_url: null, timestamp, source });
  return urls;
}

export class MvtOutput implements Sink {
  readonly rendering = 'mvt';
  private readonly lists = new Map<string, JsonArrayWriter>();
  /** Modules MVT writes as one object (`object`) or as a dict of lists keyed by file (`by-path`). */
  private readonly objects = new Map<AnyArtifact, unknown>();
  private readonly byPath = new Map<AnyArtifact, Map<string, unknown[]>>();
  private readonly grouped = new Map<AnyArtifact, Map<string, Map<string, unknown>>>();
  private readonly timelineStore = new TimelineStore();
  /** urls.json's entries, per artifact: written in plan order whatever order artifacts ran in (`--jobs`). */
  private readonly urls = new Map<string, MvtUrl[]>();
  private readonly ranks = new PlanRanks();
  /** The artifacts of the run, by id: a finding names its artifact by id, and MVT's names are on the artifact. */
  private readonly artifacts = new Map<string, AnyArtifact>();
  /** alerts.json and one `<module>_detected.json` per module, opened at a module's first finding (MVT writes none for a module without). */
  private alerts: JsonArrayWriter | null = null;
  private readonly detected = new Map<string, JsonArrayWriter>();
  /**
   * alerts_timeline.csv is sorted by event time, so its rows wait until the end: only the rendered row and its
   * time, not the finding and its record.
   */
  private readonly timedAlerts: { readonly time: string; readonly row: string }[] = [];
  /**
   * MVT titles the first timeline column "UTC Timestamp" for iOS and "Device Local Timestamp" for every Android
   * command (reference-spec §3.4), whatever the times really are: a reader of MVT's files expects the title.
   */
  private timeColumn = 'UTC Timestamp';

  /** `fileMode` 0600 when the evidence was encrypted (the results hold its plaintext), else 0644. */
  constructor(
    private readonly dir: string,
    private readonly fileMode = 0o644,
  ) {
    mkdirSync(dir, { recursive: true });
  }

  start(run: RunStart): void {
    for (const a of run.artifacts) this.artifacts.set(a.id, a);
    this.ranks.set(run.artifacts);
    if (run.acquisition.kind.startsWith('android-')) this.timeColumn = 'Device Local Timestamp';
  }

  record(artifact: AnyArtifact, item: Parsed<unknown>): void {
    this.renderedRecord(artifact, mvtRenderer.record(artifact, item));
  }

  renderedRecord(artifact: AnyArtifact, rendered: unknown): void {
    if (typeof rendered === 'string' || rendered instanceof Uint8Array) return this.listElement(artifact, rendered);
    const r = rendered as MvtRecord;
    if (r.shape === 'object') {
      this.objects.set(artifact, r.value);
    } else if (r.shape === 'grouped') {
      let groups = this.grouped.get(artifact);
      if (!groups) this.grouped.set(artifact, (groups = new Map<string, Map<string, unknown>>()));
      let group = groups.get(r.group);
      // Maps, not objects: a key the phone wrote (`__proto__`) stays a key.
      if (!group) groups.set(r.group, (group = new Map<string, unknown>()));
      group.set(r.key, r.value);
    } else if (r.shape === 'by-path') {
      let byPath = this.byPath.get(artifact);
      if (!byPath) this.byPath.set(artifact, (byPath = new Map<string, unknown[]>()));
      let list = byPath.get(r.key);
      if (!list) byPath.set(r.key, (list = []));
      list.push(r.value);
    } else {
      this.listElement(artifact, r.text);
    }
    if (r.urls) {
      const urls = this.urls.get(artifact.id);
      if (urls) urls.push(...r.urls);
      else this.urls.set(artifact.id, [...r.urls]);
    }
  }

  /** An element of a list module's file, as text or (from a worker thread) as its UTF-8 bytes. */
  private listElement(artifact: AnyArtifact, element: string | Uint8Array): void {
    let w = this.lists.get(artifact.id);
    if (!w) {
      w = JsonArrayWriter.streaming(join(this.dir, `${mvtNamesOf(artifact).module}.json`), (out, text) => out.write(text as string), mvtListLayout, this.fileMode);
      this.lists.set(artifact.id, w);
    }
    if (typeof element === 'string') w.write(element);
    else w.writeEncoded(element);
  }

  timeline(artifact: AnyArtifact, e: TimelineEvent): void {
    this.renderedTimeline(artifact, mvtRenderer.timeline(artifact, e));
  }

  renderedTimeline(artifact: AnyArtifact, line: TimelineLine): void {
    this.timelineStore.add(line, this.ranks.of(artifact));
  }

  finding(f: Finding): void {
    const alert = alertJson(f, this.artifacts.get(f.artifact) ?? { id: f.artifact });
    (this.alerts ??= this.listWriter('alerts.json')).write(alert);
    let detected = this.detected.get(alert.module);
    if (!detected) this.detected.set(alert.module, (detected = this.listWriter(`${alert.module}_detected.json`)));
    detected.write(alert);
    if (alert.event_time !== '') this.timedAlerts.push({ time: alert.event_time, row: alertTimelineRow(alert) });
  }

  artifactFinished(artifact: AnyArtifact): void {
    this.lists.get(artifact.id)?.close();
  }

  async finish(info: RunInfo): Promise<string[]> {
    const files: string[] = [];
    for (const [, w] of this.ranks.inPlanOrder(this.lists, ([id]) => id)) {
      w.close();
      files.push(w.path);
    }
    for (const [artifact, value] of this.ranks.inPlanOrder(this.objects, ([a]) => a.id)) files.push(this.write(`${mvtNamesOf(artifact).module}.json`, pyJson(value)));
    for (const [artifact, value] of this.ranks.inPlanOrder(this.byPath, ([a]) => a.id)) files.push(this.write(`${mvtNamesOf(artifact).module}.json`, pyJson(Object.fromEntries(value))));
    for (const [artifact, groups] of this.ranks.inPlanOrder(this.grouped, ([a]) => a.id)) files.push(this.write(`${mvtNamesOf(artifact).module}.json`, pyJson(Object.fromEntries([...groups].map(([name, group]) => [name, Object.fromEntries(group)])))));

    for (const w of this.detected.values()) {
      w.close();
      files.push(w.path);
    }

    const timelinePath = join(this.dir, 'timeline.csv');
    if (!this.timelineStore.isEmpty) {
      await this.timelineStore.writeTo(timelinePath, pyCsvRow([this.timeColumn, 'Plugin', 'Event', 'Description']), this.fileMode);
      files.push(timelinePath);
    }

    // A stable sort: findings with the same time keep the order detection produced them in.
    const timed = this.timedAlerts.sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0));
    files.push(this.write('alerts_timeline.csv', pyCsvRow(['Event Time', 'Module', 'Message', 'Event']) + timed.map((a) => a.row).join('')));
    if (this.alerts) {
      this.alerts.close();
      files.push(this.alerts.path);
    }
    const urls = this.ranks.inPlanOrder(this.urls, ([id]) => id).flatMap(([, list]) => list);
    if (urls.length > 0) files.push(this.write('urls.json', pyJson(urls)));
    files.push(
      this.write(
        'info.json',
        pyJson({
          target_path: info.target,
          mvt_version: null,
          tracehound_version: info.tool.version,
          date: info.startedAt.toISOString(),
          ioc_files: info.indicatorFiles.map((f) => f.path),
          hashes: info.inputs.map((i) => ({ file_path: i.path, sha256: i.sha256 })),
        }),
      ),
    );
    return files;
  }

  dispose(): void {
    for (const w of [...this.lists.values(), ...this.detected.values()]) w.close();
    this.alerts?.close();
    this.timelineStore.dispose();
  }

  private listWriter(name: string): JsonArrayWriter {
    return JsonArrayWriter.streaming(join(this.dir, name), (out, v) => writePyJson(out, v, 4, 1), mvtListLayout, this.fileMode);
  }

  private write(name: string, text: string): string {
    const path = join(this.dir, name);
    writeFileSync(path, text, { mode: this.fileMode });
    return path;
  }
}
