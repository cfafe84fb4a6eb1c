/** `loadCaseReport`: a case read into the plain object of report-model.ts. */
import { levels, type Level, type MatchKind } from '../findings/finding.js';
import type { CoverageState } from '../findings/coverage.js';
import { currentFindings, deviceIdOf } from './current.js';
import type { CaseDb, Row } from './db.js';
import { CaseError } from './errors.js';
import { fromJson, objectFromJson } from './json.js';
import { createRecordReader } from './record-store.js';
import type { CaseReport, ReportAcquisition, ReportCoverage, ReportDevice, ReportFinding, ReportRun } from './report-model.js';
import { schemaVersion } from './schema.js';
import type { EventsAround, WindowEvent } from '../report/timeline-window.js';
import type { CaseSeal } from './sealed.js';
import { openCase } from './store.js';

/** `seal`: the key of an encrypted case (store.ts `unlockSeal`). */
export function loadCaseReport(dir: string, device?: string, seal?: CaseSeal): CaseReport {
  const store = openCase(dir, seal ? { seal } : {});
  try {
    return readCase(store.db, store.dir, device ?? null);
  } finally {
    store.close();
  }
}

export function readCase(db: CaseDb, path: string, device: string | null): CaseReport {
  const deviceId = device === null ? null : deviceIdOf(db, device);
  if (device !== null && deviceId === null) throw new CaseError('unknown-device', `${path}: no device named "${device}" in this case (\`tracehound case list ${path}\` lists them)`);
  const devices: ReportDevice[] = db
    .prepare('SELECT d.id, d.name, p.name AS person, d.organisation FROM devices d LEFT JOIN people p ON p.id = d.person_id WHERE (? IS NULL OR d.id = ?) ORDER BY d.id')
    .all(deviceId, deviceId)
    .map((r) => ({ id: Number(r.id), name: str(r.name), person: strOrNull(r.person), organisation: strOrNull(r.organisation) }));

  const inputsByAcq = new Map<number, ReportAcquisition['inputs'][number][]>();
  for (const r of db.prepare('SELECT acquisition_id, path, label, sha256, bytes FROM acquisition_inputs ORDER BY rowid').iterate()) {
    const list = inputsByAcq.get(Number(r.acquisition_id)) ?? [];
    list.push({ path: str(r.path), label: str(r.label), sha256: str(r.sha256), bytes: Number(r.bytes) });
    inputsByAcq.set(Number(r.acquisition_id), list);
  }
  const timelines = timelinesOf(db, deviceId);
  const acquisitions: ReportAcquisition[] = db
    .prepare('SELECT a.*, d.name AS device_name FROM acquisitions a JOIN devices d ON d.id = a.device_id WHERE (? IS NULL OR a.device_id = ?) ORDER BY a.id')
    .all(deviceId, deviceId)
    .map((r) => ({
      id: Number(r.id),
      deviceId: Number(r.device_id),
      device: str(r.device_name),
      kind: str(r.kind),
      target: str(r.target),
      encrypted: Number(r.encrypted) === 1,
      acquiredAt: strOrNull(r.acquired_at),
      addedAt: str(r.added_at),
      metadata: stringValues(objectFromJson(r.metadata)),
      inputs: inputsByAcq.get(Number(r.id)) ?? [],
      timeline: timelines.get(Number(r.id)) ?? null,
    }));
  const acqIds = new Set(acquisitions.map((a) => a.id));

  const runs: ReportRun[] = [];
  const runAcqs = new Map<number, number[]>();
  for (const r of db.prepare('SELECT run_id, acquisition_id FROM run_acquisitions ORDER BY run_id, acquisition_id').iterate()) {
    const list = runAcqs.get(Number(r.run_id)) ?? [];
    list.push(Number(r.acquisition_id));
    runAcqs.set(Number(r.run_id), list);
  }
  const filesByRun = new Map<number, ReportRun['indicatorFiles'][number][]>();
  for (const r of db.prepare('SELECT run_id, path, sha256, indicators, collections FROM run_indicator_files ORDER BY rowid').iterate()) {
    const list = filesByRun.get(Number(r.run_id)) ?? [];
    list.push({ path: str(r.path), sha256: str(r.sha256), indicators: Number(r.indicators), collections: Number(r.collections) });
    filesByRun.set(Number(r.run_id), list);
  }
  const componentsByRun = new Map<number, ReportRun['components'][number][]>();
  for (const r of db.prepare('SELECT run_id, kind, component_id, version FROM run_components ORDER BY rowid').iterate()) {
    const list = componentsByRun.get(Number(r.run_id)) ?? [];
    list.push({ kind: r.kind === 'rule' ? 'rule' : 'artifact', id: str(r.component_id), version: Number(r.version) });
    componentsByRun.set(Number(r.run_id), list);
  }
  for (const r of db.prepare('SELECT * FROM runs WHERE finished_at IS NOT NULL ORDER BY id').iterate()) {
    const over = (runAcqs.get(Number(r.id)) ?? []).filter((id) => acqIds.has(id));
    if (over.length === 0) continue;
    runs.push({
      id: Number(r.id),
      kind: r.kind === 'recheck' ? 'recheck' : 'check',
      tool: { name: str(r.tool_name), version: str(r.tool_version) },
      startedAt: str(r.started_at),
      finishedAt: strOrNull(r.finished_at),
      options: objectFromJson(r.options),
      indicatorFiles: filesByRun.get(Number(r.id)) ?? [],
      components: componentsByRun.get(Number(r.id)) ?? [],
      acquisitionIds: over,
    });
  }

  const findings = currentFindings(db, deviceId).map(findingOf(db));
  const counts = Object.fromEntries(levels.map((l) => [l, 0])) as Record<Level, number>;
  for (const f of findings) counts[f.level]++;

  const coverage: ReportCoverage[] = db
    .prepare('SELECT c.* FROM coverage c JOIN acquisitions a ON a.id = c.acquisition_id WHERE (? IS NULL OR a.device_id = ?) ORDER BY c.acquisition_id, c.rowid')
    .all(deviceId, deviceId)
    .map((r) => ({
      acquisitionId: Number(r.acquisition_id),
      artifact: str(r.artifact),
      title: str(r.title),
      state: str(r.state) as CoverageState,
      records: Number(r.records),
      reason: strOrNull(r.reason),
      files: stringList(fromJson(r.files)),
      issues: issueList(fromJson(r.issues)),
    }));

  const created = db.prepare(`SELECT value FROM case_info WHERE name = 'created_at'`).get();
  return { path, schemaVersion: schemaVersion(db), createdAt: strOrNull(created?.value) ?? '', device, devices, acquisitions, runs, findings, coverage, counts };
}

/** Per acquisition (of one device, or all): the events stored around its findings and its timeline's span. */
function timelinesOf(db: CaseDb, deviceId: number | null): Map<number, EventsAround & { events: WindowEvent[] }> {
  const out = new Map<number, EventsAround & { events: WindowEvent[] }>();
  const scoped = 'acquisition_id IN (SELECT id FROM acquisitions WHERE ? IS NULL OR device_id = ?)';
  for (const r of db.prepare(`SELECT * FROM acquisition_timelines WHERE ${scoped} ORDER BY acquisition_id`).iterate(deviceId, deviceId)) {
    const total = Number(r.total);
    out.set(Number(r.acquisition_id), {
      events: [],
      omitted: Number(r.omitted),
      ...(total > 0 ? { span: { first: str(r.first_time), last: str(r.last_time), total } } : {}),
    });
  }
  for (const r of db.prepare(`SELECT * FROM timeline_events WHERE ${scoped} ORDER BY acquisition_id, event_time, rowid`).iterate(deviceId, deviceId)) {
    out.get(Number(r.acquisition_id))?.events.push({ time: str(r.event_time), artifact: str(r.artifact), event: str(r.event), description: str(r.description) });
  }
  return out;
}

function findingOf(db: CaseDb): (r: Row) => ReportFinding {
  const readRecord = createRecordReader(db);
  return (r) => {
    const ref = objectFromJson(r.evidence_ref);
    return {
      id: Number(r.id),
      acquisitionId: Number(r.acquisition_id),
      device: str(r.device_name),
      runId: Number(r.run_id),
      level: str(r.level) as Level,
      artifact: str(r.artifact),
      message: str(r.message),
      explanation: str(r.explanation),
      eventTime: strOrNull(r.event_time),
      evidence: { file: str(r.evidence_file), storedPath: typeof ref.storedPath === 'string' ? ref.storedPath : '', at: objectFromJson(r.locator) },
      indicator:
        r.indicator_value === null
          ? null
          : {
              value: str(r.indicator_value),
              key: str(r.indicator_key),
              bucket: str(r.indicator_bucket),
              collectionId: str(r.indicator_collection_id),
              collection: str(r.indicator_collection),
              file: str(r.indicator_file),
              sha256: str(r.indicator_sha256),
              stixId: strOrNull(r.indicator_stix_id),
            },
      match: r.match_kind === null ? null : { kind: str(r.match_kind) as MatchKind, observed: str(r.match_observed), field: str(r.match_field) },
      rule: r.rule_id === null ? null : { id: str(r.rule_id), version: Number(r.rule_version), source: str(r.rule_source) },
      recovered: Number(r.recovered) === 1,
      record: r.record_id === null || r.record_id === undefined ? null : (readRecord(Number(r.record_id))?.data ?? null),
    };
  };
}

const str = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'bigint' ? v.toString() : '');
const strOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : str(v));

function stringValues(o: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(o)) if (typeof v === 'string' || typeof v === 'number') out[k] = String(v);
  return out;
}

function stringList(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

function issueList(v: unknown): { code: string; message: string }[] {
  if (!Array.isArray(v)) return [];
  return v.flatMap((x: unknown) => {
    if (typeof x !== 'object' || x === null) return [];
    const o = x as Record<string, unknown>;
    return [{ code: str(o.code), message: str(o.message) }];
  });
}
