/**
 * Retro-hunting in one case: the stored observables of every acquisition re-matched against the indicators of
 * today, without reading any evidence. The matching is a join in the database: the indicators' keys go into a
 * temporary table and meet the indexed match keys stored with each observable (indicators/match-keys.ts); only
 * the records the join returns are handed to detection's own `indicatorFindings`, so the findings (levels,
 * wording, de-duplication) are those a check with the same indicators gives.
 *
 * What changed is computed against the indicator findings of the latest run over each acquisition: new ones
 * (a feed added an indicator) and gone ones (an indicator was withdrawn). The recheck is stored as a run with
 * its whole set, so the next recheck compares with it. Rules are not re-run: they read the evidence's
 * records with their types (times, nested data), which a case keeps as JSON; their findings stay those of the
 * check.
 */
import type { Locator } from '../artifacts/artifact.js';
import { indicatorFindings, type IndicatorFinding } from '../detection/indicator-findings.js';
import type { EvidenceRef } from '../evidence/source.js';
import type { LoadedIndicators } from '../indicators/load.js';
import { indicatorKeys, profileIdOf } from '../indicators/match-keys.js';
import type { Matcher } from '../indicators/match.js';
import type { Level } from '../findings/finding.js';
import { LATEST_RUNS } from './current.js';
import type { CaseDb, Row } from './db.js';
import { objectFromJson, toJson } from './json.js';
import { createObservableReader, createRecordReader } from './record-store.js';
import { insertFinding, insertRun } from './write.js';

export interface RecheckFinding {
  readonly case: string;
  readonly device: string;
  readonly acquisitionId: number;
  readonly target: string;
  readonly level: Level;
  readonly artifact: string;
  readonly message: string;
  readonly observed: string;
  readonly indicator: { readonly value: string; readonly key: string; readonly collection: string; readonly file: string; readonly sha256: string };
  readonly evidence: string;
}

export interface CaseRecheck {
  readonly case: string;
  readonly runId: number;
  readonly acquisitions: number;
  /** Records the join returned (records with at least one indicator match). */
  readonly matchedRecords: number;
  readonly new: RecheckFinding[];
  readonly gone: RecheckFinding[];
  /** Indicator findings now current over the case. */
  readonly current: number;
}

export interface RecheckInput {
  readonly db: CaseDb;
  readonly caseDir: string;
  readonly indicators: LoadedIndicators;
  readonly matcher: Matcher;
}

export function recheckCase({ db, caseDir, indicators, matcher }: RecheckInput): CaseRecheck {
  const startedAt = new Date();
  db.begin();
  try {
    const acquisitions = db.prepare('SELECT a.id, a.target, d.name AS device FROM acquisitions a JOIN devices d ON d.id = a.device_id ORDER BY a.id').all();
    const about = new Map(acquisitions.map((a) => [Number(a.id), { device: String(a.device), target: String(a.target) }]));
    loadIndicatorTable(db, indicators);
    const candidates = matchedRecords(db);
    // Findings now, through the same function as a check; one entry per identity.
    const current = new Map<string, { finding: IndicatorFinding; acquisitionId: number; recordId: number }>();
    const readRecord = createRecordReader(db);
    const readObservables = createObservableReader(db);
    for (const recordId of candidates) {
      const r = readRecord(recordId);
      if (r === undefined) continue;
      const facts = { artifact: r.artifact, record: r.data, observables: readObservables(recordId), evidence: { ref: r.ref, at: r.at } };
      for (const f of indicatorFindings(facts, matcher)) {
        current.set(identity(recordId, f.indicator.collection.name, f.indicator.key, f.indicator.value, f.match.observed), { finding: f, acquisitionId: r.acquisitionId, recordId });
      }
    }
    db.exec('DROP TABLE temp.recheck_indicators');

    // The indicator findings of the latest run over each acquisition: what "new" and "gone" are relative to.
    const previous = new Map<string, Row>();
    const prevRows = db
      .prepare(
        `WITH latest AS (${LATEST_RUNS})
         SELECT f.* FROM findings f JOIN latest l ON l.acquisition_id = f.acquisition_id AND l.run_id = f.run_id
         WHERE f.indicator_value IS NOT NULL ORDER BY f.id`,
      )
      .all();
    for (const row of prevRows) {
      previous.set(identity(Number(row.record_id ?? 0), String(row.indicator_collection), String(row.indicator_key), String(row.indicator_value), String(row.match_observed)), row);
    }

    const caseName = caseDir;
    const added: RecheckFinding[] = [];
    for (const [id, c] of current) {
      if (previous.has(id)) continue;
      const at = about.get(c.acquisitionId);
      const f = c.finding;
      added.push({
        case: caseName,
        device: at?.device ?? '',
        acquisitionId: c.acquisitionId,
        target: at?.target ?? '',
        level: f.level,
        artifact: f.artifact,
        message: f.message,
        observed: f.match.observed,
        indicator: { value: f.indicator.value, key: f.indicator.key, collection: f.indicator.collection.name, file: f.indicator.file.path, sha256: f.indicator.file.sha256 },
        evidence: evidenceText(f.evidence.ref, f.evidence.at),
      });
    }
    const gone: RecheckFinding[] = [];
    for (const [id, row] of previous) {
      if (current.has(id)) continue;
      const at = about.get(Number(row.acquisition_id));
      gone.push({
        case: caseName,
        device: at?.device ?? '',
        acquisitionId: Number(row.acquisition_id),
        target: at?.target ?? '',
        level: String(row.level) as Level,
        artifact: String(row.artifact),
        message: String(row.message),
        observed: String(row.match_observed),
        indicator: { value: String(row.indicator_value), key: String(row.indicator_key), collection: String(row.indicator_collection), file: String(row.indicator_file), sha256: String(row.indicator_sha256) },
        evidence: `${String(row.evidence_file)} ${locatorText(objectFromJson(row.locator))}`.trim(),
      });
    }

    const runId = insertRun(db, 'recheck', startedAt, [...about.keys()], {
      iocs: indicators.files.map((f) => f.path),
      rejectedIndicatorFiles: indicators.rejected,
    });
    const file = db.prepare('INSERT INTO run_indicator_files (run_id, path, sha256, indicators, collections) VALUES (?, ?, ?, ?, ?)');
    for (const f of indicators.files) if (f.duplicateOf === undefined) file.run(runId, f.path, f.sha256, f.indicators, f.collections);
    for (const c of current.values()) insertFinding(db, runId, c.acquisitionId, c.recordId, c.finding);
    db.prepare('UPDATE runs SET finished_at = ?, options = ? WHERE id = ?').run(
      new Date().toISOString(),
      toJson({ iocs: indicators.files.map((f) => f.path), rejectedIndicatorFiles: indicators.rejected, new: added.length, gone: gone.length }),
      runId,
    );
    db.commit();
    return { case: caseName, runId, acquisitions: about.size, matchedRecords: candidates.length, new: added, gone, current: current.size };
  } catch (err) {
    db.rollback();
    throw err;
  }
}

/** The indicators' keys in a temporary table (memory only: `temp_store = MEMORY`), numbered in load order. */
export function loadIndicatorTable(db: CaseDb, indicators: LoadedIndicators): number {
  db.exec(`CREATE TEMP TABLE recheck_indicators (idx INTEGER NOT NULL, key_index VARCHAR(20) NOT NULL, key_value TEXT NOT NULL, subdomains INTEGER NOT NULL, profile_id TEXT)`);
  const insert = db.prepare('INSERT INTO temp.recheck_indicators (idx, key_index, key_value, subdomains, profile_id) VALUES (?, ?, ?, ?, ?)');
  let idx = 0;
  for (const c of indicators.collections) {
    for (const ind of c.indicators) {
      idx++;
      for (const k of indicatorKeys(ind)) insert.run(idx, k.index, k.key, k.subdomains ? 1 : 0, k.index === 'profile-head' ? profileIdOf(ind) : null);
    }
  }
  return idx;
}

/**
 * The set operation: every stored record with an observable whose match key meets an indicator's, under the
 * conditions match.ts applies (a parent domain matches only indicators that cover subdomains; a truncated
 * profile id must be the start of the listed one, not a parent namespace of it).
 *
 * The joins are written CROSS JOIN so that SQLite keeps this order, whatever its statistics say: the few
 * thousand indicator keys drive, each a lookup in the unique index of the distinct stored keys, then in the
 * index of the observables that have that key, so the
 * cost grows with the number of indicators and of hits, not with the millions of stored observables (without
 * it, on a fresh case SQLite scanned every observable). Elsewhere CROSS JOIN with a WHERE is a plain inner join.
 */
export const MATCHED_RECORDS_SQL = `
  SELECT DISTINCT o.record_id AS record_id
  FROM temp.recheck_indicators i
  CROSS JOIN match_keys m
  CROSS JOIN observable_keys k
  CROSS JOIN observables o
  WHERE m.key_index = i.key_index AND m.key_value = i.key_value
    AND k.key_id = m.id
    AND o.id = k.observable_id
    AND (k.parent = 0 OR i.subdomains = 1)
    AND (k.truncated_id IS NULL
         OR (length(i.profile_id) > length(k.truncated_id)
             AND substr(i.profile_id, 1, length(k.truncated_id)) = k.truncated_id
             AND substr(i.profile_id, length(k.truncated_id) + 1, 1) <> '.'))
  ORDER BY o.record_id`;

export function matchedRecords(db: CaseDb): number[] {
  return db
    .prepare(MATCHED_RECORDS_SQL)
    .all()
    .map((r) => Number(r.record_id));
}

/** A finding's identity across runs: the record, the indicator (by collection, key and value), what was seen. */
function identity(recordId: number, collection: string, key: string, value: string, observed: string): string {
  return [recordId, collection, key, value, observed].join('\u0000');
}

function evidenceText(ref: EvidenceRef, at: Locator): string {
  const file = ref.backup ? `${ref.backup.domain}/${ref.backup.relativePath}` : ref.storedPath;
  return `${file} ${locatorText(at)}`.trim();
}

function locatorText(at: Record<string, unknown>): string {
  if (typeof at.table === 'string') return `(table ${at.table}, row ${String(at.rowid)})`;
  if (typeof at.key === 'string') return `(key ${at.key})`;
  if (typeof at.line === 'number') return `(line ${at.line})`;
  return '';
}
