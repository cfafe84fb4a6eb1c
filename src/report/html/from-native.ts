/**
 * `modelFromNativeOutput(dir)`: the report model from a folder written by `tracehound check --output DIR`
 * (report/native.ts: info.json, alerts.json, coverage.json, timeline.csv). The folder may have been copied
 * from elsewhere, so its files are read as untrusted input: bounded in size, shape-checked value by value,
 * and a file that is missing or malformed is a UserError naming it and what was expected.
 */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { FormatError, UserError, errorMessage } from '../../errors.js';
import { DEFAULT_MAX_EVENTS, DEFAULT_WINDOW_MS, TimelineWindow } from '../timeline-window.js';
import { readCsvFile } from './_csv.js';
import { deviceFacts } from './device-facts.js';
import { reportLevels, type CoverageEntry, type CoverageState, type DeviceFacts, type EvidenceRef, type FindingBasis, type ReportFinding, type ReportLevel, type ReportModel } from './model.js';

/** The JSON files of an output folder are read whole; alerts.json of a real phone is a few MB. */
export const MAX_JSON_BYTES = 256_000_000;

export interface NativeLoadOptions {
  /** Events within this distance of a dated finding are kept for the chart (default: one day either side). */
  readonly windowMs?: number;
  /** Events kept at most; the rest of the window is counted in `omitted`. */
  readonly maxEvents?: number;
  readonly now?: () => Date;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Obj = { [key: string]: Json };

export async function modelFromNativeOutput(dir: string, opts: NativeLoadOptions = {}): Promise<ReportModel> {
  const info = asObj(await readJson(dir, 'info.json', 'the info.json of `tracehound check --output`'), join(dir, 'info.json'), 'an object');
  const alertsPath = join(dir, 'alerts.json');
  const alerts = await readJson(dir, 'alerts.json', 'a list of findings');
  if (!Array.isArray(alerts)) throw bad(alertsPath, 'a list of findings');
  const coveragePath = join(dir, 'coverage.json');
  const coverageJson = await readJson(dir, 'coverage.json', 'a list of coverage entries');
  if (!Array.isArray(coverageJson)) throw bad(coveragePath, 'a list of coverage entries');

  const findings = alerts.map((a, i) => findingFrom(asObj(a, alertsPath, `finding ${i + 1} to be an object`), alertsPath, i));
  const coverage = coverageJson.map((c, i) => coverageFrom(asObj(c, coveragePath, `entry ${i + 1} to be an object`), coveragePath, i));
  const timeline = await timelineFrom(join(dir, 'timeline.csv'), findings, opts.windowMs ?? DEFAULT_WINDOW_MS, opts.maxEvents ?? DEFAULT_MAX_EVENTS);

  const acquisition = obj(info.acquisition) ?? {};
  const tool = obj(info.tool) ?? {};
  const kind = str(acquisition.kind) ?? 'unknown';
  return {
    generatedAt: (opts.now ?? (() => new Date()))().toISOString(),
    subject: { device: deviceFrom(obj(acquisition.device) ?? {}, kind) },
    findings,
    coverage,
    timeline,
    provenance: {
      tool: { name: str(tool.name) ?? 'tracehound', version: str(tool.version) ?? 'unknown' },
      ...optional('startedAt', str(info.started_at)),
      ...optional('finishedAt', str(info.finished_at)),
      acquisition: {
        kind,
        target: str(info.target) ?? str(acquisition.root) ?? '',
        ...optional('acquiredAt', str(acquisition.acquiredAt)),
        ...optional('encrypted', typeof acquisition.encrypted === 'boolean' ? acquisition.encrypted : undefined),
      },
      inputs: list(info.inputs).flatMap((i) => {
        const o = obj(i);
        const path = str(o?.path);
        const sha256 = str(o?.sha256);
        if (o === undefined || path === undefined || sha256 === undefined) return [];
        return [{ path, sha256, ...optional('label', str(o.label)), ...optional('bytes', num(o.bytes)) }];
      }),
      indicatorFiles: list(info.indicator_files).flatMap((i) => {
        const o = obj(i);
        const path = str(o?.path);
        if (o === undefined || path === undefined) return [];
        return [{ path, sha256: str(o.sha256) ?? '', indicators: num(o.indicators) ?? 0 }];
      }),
      rejectedIndicatorFiles: list(info.rejected_indicator_files).flatMap((r) => {
        const o = obj(r);
        return o && str(o.reason) !== undefined ? [{ path: str(o.path) ?? '', reason: str(o.reason) ?? '' }] : [];
      }),
      notes: list(info.container_notes).flatMap((n) => (typeof n === 'string' ? [n] : [])),
      artifacts: versions(info.artifacts),
      rules: versions(info.rules),
    },
  };
}

async function readJson(dir: string, name: string, expected: string): Promise<Json> {
  const path = join(dir, name);
  let size: number;
  try {
    const s = await stat(path);
    if (!s.isFile()) throw bad(path, `a file (${expected})`);
    size = s.size;
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw new UserError('not-found', `${path}: missing (expected ${expected}: is ${dir} an output folder of \`tracehound check --output\`?)`);
  }
  if (size > MAX_JSON_BYTES) throw new UserError('bad-format', `${path}: ${size} bytes, over the ${MAX_JSON_BYTES}-byte limit for a report input`);
  try {
    return JSON.parse(await readFile(path, 'utf8')) as Json;
  } catch (err) {
    throw new UserError('bad-format', `${path}: not valid JSON (${errorMessage(err).replace(/\s+/g, ' ')}; expected ${expected})`);
  }
}

function bad(path: string, expected: string): UserError {
  return new UserError('bad-format', `${path}: unexpected content (expected ${expected})`);
}

function findingFrom(a: Obj, path: string, i: number): ReportFinding {
  const level = str(a.level);
  if (level === undefined || !(reportLevels as readonly string[]).includes(level)) throw bad(path, `finding ${i + 1} to have a level (informational … critical)`);
  const message = str(a.message);
  if (message === undefined) throw bad(path, `finding ${i + 1} to have a message`);
  const evidence = obj(a.evidence) ?? {};
  return {
    level: level as ReportLevel,
    title: message,
    explanation: str(a.explanation) ?? '',
    artifact: str(a.artifact) ?? '',
    time: validTime(str(a.event_time)),
    evidence: evidenceFrom(evidence),
    ...optional('basis', basisFrom(a)),
    ...(a.recovered === true ? { recovered: true } : {}),
  };
}

/** `{file, stored_path, table, rowid}` → file, "table message, row 3", stored path. */
function evidenceFrom(e: Obj): EvidenceRef {
  const file = str(e.file) ?? '';
  const storedAs = str(e.stored_path);
  const rest = Object.entries(e).filter(([k]) => k !== 'file' && k !== 'stored_path');
  const parts: string[] = [];
  const table = str(e.table);
  if (table !== undefined) parts.push(`table ${table}${e.rowid !== undefined && e.rowid !== null ? `, row ${scalarText(e.rowid)}` : ''}`);
  for (const [k, v] of rest) {
    if (k === 'table' || k === 'rowid') continue;
    parts.push(`${k.replace(/_/g, ' ')} ${scalarText(v)}`);
  }
  return { file, ...optional('locator', parts.length ? parts.join(', ') : undefined), ...optional('storedAs', storedAs) };
}

function basisFrom(a: Obj): FindingBasis | undefined {
  const indicator = obj(a.indicator);
  if (indicator !== undefined) {
    const collection = obj(indicator.collection);
    const file = obj(indicator.file);
    const match = obj(a.match);
    return {
      kind: 'indicator',
      value: str(indicator.value) ?? '',
      collection: str(collection?.name) ?? str(collection?.id) ?? '',
      file: str(file?.name) ?? str(file?.path) ?? '',
      ...optional('fileSha256', str(file?.sha256)),
      ...optional('observed', str(match?.observed)),
    };
  }
  const rule = obj(a.rule);
  if (rule !== undefined && str(rule.id) !== undefined) {
    return { kind: 'rule', id: str(rule.id) ?? '', ...optional('version', num(rule.version)), ...optional('source', str(rule.source)) };
  }
  return undefined;
}

const STATES: readonly CoverageState[] = ['parsed', 'partial', 'empty', 'missing', 'failed', 'skipped'];

function coverageFrom(c: Obj, path: string, i: number): CoverageEntry {
  const state = str(c.state);
  const artifact = str(c.artifact);
  if (artifact === undefined || state === undefined || !(STATES as readonly string[]).includes(state)) throw bad(path, `entry ${i + 1} to name an artifact and a state (${STATES.join(', ')})`);
  return { artifact, title: str(c.title) ?? artifact, state: state as CoverageState, ...optional('records', num(c.records)), ...optional('reason', str(c.reason)) };
}

function deviceFrom(d: Obj, kind: string): DeviceFacts {
  const text = (k: string) => str(d[k]);
  return deviceFacts({ name: text('name'), productType: text('productType'), productVersion: text('productVersion'), buildVersion: text('buildVersion'), serialNumber: text('serialNumber'), udid: text('udid') }, kind);
}

/**
 * Streams timeline.csv once, keeping the events within the window of a dated finding (bounded in number)
 * and the span of the whole timeline. A missing timeline is not an error: older or partial folders lack it.
 */
async function timelineFrom(path: string, findings: readonly ReportFinding[], windowMs: number, maxEvents: number): Promise<ReportModel['timeline']> {
  const window = new TimelineWindow(findings.map((f) => f.time), windowMs, maxEvents);
  try {
    await stat(path);
  } catch {
    return { events: [], omitted: 0 };
  }
  try {
    await readCsvFile(path, (row, n) => {
      if (n === 1 && row[0] === 'time') return; // the header
      const [time = '', artifact = '', event = '', description = ''] = row;
      window.offer({ time, artifact, event, description });
    });
  } catch (err) {
    if (err instanceof FormatError) throw new UserError('bad-format', `${path}: ${err.message} (expected the timeline.csv of \`tracehound check --output\`)`);
    throw new UserError('bad-format', `${path}: cannot read (${errorMessage(err)})`);
  }
  return window.result();
}

function validTime(s: string | undefined): string | null {
  return s !== undefined && Number.isFinite(Date.parse(s)) ? s : null;
}

function versions(v: Json | undefined): { id: string; version: number }[] {
  return list(v).flatMap((x) => {
    const o = obj(x);
    const id = str(o?.id);
    return id !== undefined ? [{ id, version: num(o?.version) ?? 0 }] : [];
  });
}

function asObj(v: Json, path: string, expected: string): Obj {
  const o = obj(v);
  if (o === undefined) throw bad(path, expected);
  return o;
}
function obj(v: Json | undefined): Obj | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? v : undefined;
}
function str(v: Json | undefined): string | undefined {
  return typeof v === 'string' ? v : undefined;
}
function num(v: Json | undefined): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}
function list(v: Json | undefined): Json[] {
  return Array.isArray(v) ? v : [];
}
function scalarText(v: Json): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}
/** `{key: value}` when the value is defined, else `{}`: keeps exactOptionalPropertyTypes happy without undefined fields. */
function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
