/**
 * What a result bundle holds, as a plain typed object (`BundleContent`), and a loader that builds it from a
 * native output folder (`tracehound check --output DIR`). The bundle writer takes only this object, so a case
 * store (or anything else) can feed it the same way. The layout of the zip is in docs/bundle-format.md.
 */
import { createHash } from 'node:crypto';
import { lstatSync, readFileSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { UserError, errorMessage } from '../errors.js';

/** Version of the bundle layout, written in provenance.json; bumped when a file or field changes meaning. */
export const BUNDLE_FORMAT = 1;

/** A finding as alerts.json writes it (src/report/native.ts `findingJson`). */
export type FindingJson = Readonly<Record<string, unknown>>;

/** An observable of the phone that matched an indicator: what a reviewer needs to re-match it by hand. */
export interface MatchedObservable {
  readonly artifact: string;
  /** Kind of match (`domain`, `subdomain`, `process`, …) and the value seen on the phone. */
  readonly kind: string;
  readonly observed: string;
  /** The record field it came from. */
  readonly field: string | null;
  readonly indicator: { readonly value: string; readonly key: string; readonly stix_id: string | null; readonly collection: string | null; readonly file_sha256: string | null };
  /** Where on the phone (evidence reference, as in findings). */
  readonly evidence: unknown;
}

export interface InputFile {
  readonly path: string;
  readonly label: string;
  readonly sha256: string;
  readonly bytes: number;
}

export interface IndicatorFileRef {
  readonly path: string;
  readonly sha256: string;
  readonly indicators: number;
}

export interface Provenance {
  readonly bundle_format: number;
  readonly tool: { readonly name: string; readonly version: string };
  readonly started_at: string;
  readonly finished_at: string;
  readonly target: string;
  readonly acquisition: unknown;
  readonly container_notes: readonly string[];
  readonly options: Readonly<Record<string, unknown>>;
  readonly inputs: readonly InputFile[];
  readonly indicator_files: readonly IndicatorFileRef[];
  readonly artifacts: readonly { readonly id: string; readonly version: number }[];
  readonly rules: readonly { readonly id: string; readonly version: number }[];
  /** Exported from a case: which case, device, acquisition and runs. */
  readonly case?: { readonly path: string; readonly device: string; readonly acquisition_id: number; readonly runs: readonly { readonly id: number; readonly kind: string; readonly finished_at: string | null }[] };
}

/** An indicator file carried whole, so `verify --acquisition` re-runs with exactly the indicators used. */
export interface IndicatorFileContent {
  readonly sha256: string;
  /** The file's base name at check time (kept for people; the bundle names it by hash). */
  readonly name: string;
  readonly content: Buffer;
}

export interface BundleContent {
  readonly findings: readonly FindingJson[];
  readonly coverage: readonly unknown[];
  readonly observables: readonly MatchedObservable[];
  readonly provenance: Provenance;
  readonly indicatorFiles: readonly IndicatorFileContent[];
  /** Phone content (records per artifact, the timeline): only with `--include-records`. */
  readonly records?: readonly { readonly name: string; readonly content: Buffer }[];
  readonly reportHtml?: string;
}

/** Our own results files are large only through records; a summary file past this is not ours. */
const MAX_SUMMARY_BYTES = 512 * 1024 * 1024;
/** Indicator feeds are a few MB; the largest public STIX bundles are tens of MB. */
const MAX_INDICATOR_BYTES = 256 * 1024 * 1024;

export function observablesOf(findings: readonly FindingJson[]): MatchedObservable[] {
  const out: MatchedObservable[] = [];
  for (const f of findings) {
    const match = asRecord(f.match);
    const ind = asRecord(f.indicator);
    if (!match || !ind) continue;
    out.push({
      artifact: String(f.artifact),
      kind: String(match.kind),
      observed: String(match.observed),
      field: typeof match.field === 'string' ? match.field : null,
      indicator: {
        value: String(ind.value),
        key: String(ind.key),
        stix_id: typeof ind.stixId === 'string' ? ind.stixId : null,
        collection: typeof asRecord(ind.collection)?.name === 'string' ? String(asRecord(ind.collection)?.name) : null,
        file_sha256: typeof asRecord(ind.file)?.sha256 === 'string' ? String(asRecord(ind.file)?.sha256) : null,
      },
      evidence: f.evidence ?? null,
    });
  }
  return out;
}

/** Files of a native output folder that are summaries, not phone records. */
const SUMMARY_FILES = new Set(['alerts.json', 'coverage.json', 'info.json']);

/**
 * Reads a native output folder. The indicator files named in info.json are read from where the check read
 * them and must still have the SHA-256 it recorded: a bundle that cannot reproduce its check is refused.
 */
export function bundleContentFromNativeOutput(dir: string, options: { includeRecords?: boolean; reportHtml?: string } = {}): BundleContent {
  const info = asRecord(readJson(dir, 'info.json', 'the info.json of a `tracehound check --output` folder'));
  if (!info || !asRecord(info.tool) || !Array.isArray(info.inputs) || !Array.isArray(info.indicator_files)) {
    throw new UserError('bad-format', `${join(dir, 'info.json')}: not the info.json of a \`tracehound check --output\` folder (no tool, inputs or indicator_files)`);
  }
  const alerts = readJson(dir, 'alerts.json', 'a JSON list of findings');
  const coverage = readJson(dir, 'coverage.json', 'a JSON list of coverage entries');
  if (!Array.isArray(alerts)) throw new UserError('bad-format', `${join(dir, 'alerts.json')}: not a JSON list (expected the findings of a check)`);
  if (!Array.isArray(coverage)) throw new UserError('bad-format', `${join(dir, 'coverage.json')}: not a JSON list (expected the coverage of a check)`);
  const findings = alerts.map((f, i) => {
    const r = asRecord(f);
    if (!r) throw new UserError('bad-format', `${join(dir, 'alerts.json')}: item ${i} is not an object (expected a finding)`);
    return r;
  });
  const tool = asRecord(info.tool) ?? {};
  const indicatorRefs = (info.indicator_files as unknown[]).map((x, i) => indicatorRef(x, i, dir));
  const provenance: Provenance = {
    bundle_format: BUNDLE_FORMAT,
    tool: { name: String(tool.name), version: String(tool.version) },
    started_at: String(info.started_at),
    finished_at: String(info.finished_at),
    target: String(info.target),
    acquisition: info.acquisition ?? null,
    container_notes: Array.isArray(info.container_notes) ? info.container_notes.map(String) : [],
    options: asRecord(info.options) ?? {},
    inputs: (info.inputs as unknown[]).map((x, i) => inputRef(x, i, dir)),
    indicator_files: indicatorRefs,
    artifacts: versions(info.artifacts),
    rules: versions(info.rules),
  };
  return {
    findings,
    coverage,
    observables: observablesOf(findings),
    provenance,
    indicatorFiles: carriedIndicatorFiles(indicatorRefs).map(readIndicatorFile),
    ...(options.includeRecords ? { records: recordFiles(dir) } : {}),
    ...(options.reportHtml !== undefined ? { reportHtml: options.reportHtml } : {}),
  };
}

export function readIndicatorFile(ref: IndicatorFileRef): IndicatorFileContent {
  let content: Buffer;
  try {
    const st = lstatSync(ref.path);
    if (!st.isFile() || st.size > MAX_INDICATOR_BYTES) throw new Error(st.isFile() ? `${st.size} bytes, above ${MAX_INDICATOR_BYTES}` : 'not a regular file');
    content = readFileSync(ref.path);
  } catch (err) {
    throw new UserError('not-found', `${ref.path}: indicator file of the check cannot be read (${errorMessage(err)}); the bundle must carry it (SHA-256 ${ref.sha256})`, { cause: err });
  }
  const sha256 = createHash('sha256').update(content).digest('hex');
  if (sha256 !== ref.sha256) throw new UserError('bad-format', `${ref.path}: indicator file changed since the check (SHA-256 ${sha256}, the check used ${ref.sha256})`);
  return { sha256, name: basename(ref.path), content };
}

function recordFiles(dir: string): { name: string; content: Buffer }[] {
  const out: { name: string; content: Buffer }[] = [];
  for (const name of readdirSync(dir).sort()) {
    if (SUMMARY_FILES.has(name) || !(name.endsWith('.json') || name === 'timeline.csv')) continue;
    const st = lstatSync(join(dir, name));
    if (!st.isFile()) continue;
    if (st.size > MAX_SUMMARY_BYTES) throw new UserError('bad-format', `${join(dir, name)}: ${st.size} bytes (expected records of at most ${MAX_SUMMARY_BYTES} bytes)`);
    out.push({ name, content: readFileSync(join(dir, name)) });
  }
  return out;
}

function readJson(dir: string, name: string, expected: string): unknown {
  const path = join(dir, name);
  let text: string;
  try {
    const st = lstatSync(path);
    if (!st.isFile()) throw new Error('not a regular file');
    if (st.size > MAX_SUMMARY_BYTES) throw new Error(`${st.size} bytes, above ${MAX_SUMMARY_BYTES}`);
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new UserError('not-found', `${path}: cannot read (${errorMessage(err)}); expected ${expected}`, { cause: err });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new UserError('bad-format', `${path}: not JSON (${errorMessage(err)}); expected ${expected}`, { cause: err });
  }
}

function inputRef(x: unknown, i: number, dir: string): InputFile {
  const r = asRecord(x);
  if (!r || typeof r.sha256 !== 'string' || typeof r.path !== 'string') throw new UserError('bad-format', `${join(dir, 'info.json')}: inputs[${i}] has no path or sha256`);
  return { path: r.path, label: typeof r.label === 'string' ? r.label : r.path, sha256: r.sha256, bytes: Number(r.bytes ?? 0) };
}

function indicatorRef(x: unknown, i: number, dir: string): IndicatorFileRef {
  const r = asRecord(x);
  if (!r || typeof r.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(r.sha256) || typeof r.path !== 'string') throw new UserError('bad-format', `${join(dir, 'info.json')}: indicator_files[${i}] has no path or SHA-256`);
  return { path: r.path, sha256: r.sha256, indicators: Number(r.indicators ?? 0) };
}

function versions(x: unknown): { id: string; version: number }[] {
  if (!Array.isArray(x)) return [];
  return x.flatMap((v) => {
    const r = asRecord(v);
    return r ? [{ id: String(r.id), version: Number(r.version) }] : [];
  });
}

/** The indicator files a bundle carries, each once (two runs may name one file by different paths). */
export function carriedIndicatorFiles(refs: readonly IndicatorFileRef[]): IndicatorFileRef[] {
  const seen = new Set<string>();
  return refs.filter((r) => (seen.has(r.sha256) ? false : (seen.add(r.sha256), true)));
}

export function asRecord(x: unknown): Record<string, unknown> | null {
  return typeof x === 'object' && x !== null && !Array.isArray(x) ? (x as Record<string, unknown>) : null;
}
