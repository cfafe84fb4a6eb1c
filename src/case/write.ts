/** Rows written by both a check (the sink) and a recheck: devices with their person, runs, findings. */
import { refKey } from '../evidence/source.js';
import type { Finding } from '../findings/finding.js';
import type { ObservableKey } from '../indicators/match-keys.js';
import { toolVersion } from '../version.js';
import type { CaseDb } from './db.js';
import { toJson } from './json.js';

export interface DeviceLabels {
  /** The device's name in the case (`--device`); default: what the acquisition calls the phone. */
  readonly device?: string;
  readonly person?: string;
  readonly organisation?: string;
}

/** The device's id, created on first use; a person or organisation given again replaces the one stored. */
export function ensureDevice(db: CaseDb, labels: DeviceLabels, fallbackName: string): number {
  const name = labels.device ?? fallbackName;
  let personId: number | null = null;
  if (labels.person !== undefined) {
    const found = db.prepare('SELECT id FROM people WHERE name = ?').get(labels.person);
    personId = found ? Number(found.id) : Number(db.prepare('INSERT INTO people (name) VALUES (?)').run(labels.person).lastInsertRowid);
  }
  const existing = db.prepare('SELECT id FROM devices WHERE name = ?').get(name);
  if (existing === undefined) {
    return Number(
      db.prepare('INSERT INTO devices (name, person_id, organisation, created_at) VALUES (?, ?, ?, ?)').run(name, personId, labels.organisation ?? null, new Date().toISOString()).lastInsertRowid,
    );
  }
  const id = Number(existing.id);
  if (personId !== null) db.prepare('UPDATE devices SET person_id = ? WHERE id = ?').run(personId, id);
  if (labels.organisation !== undefined) db.prepare('UPDATE devices SET organisation = ? WHERE id = ?').run(labels.organisation, id);
  return id;
}

/** A run row, completed when the run finishes (a check's sink fills in the tool and options from RunInfo). */
export function insertRun(db: CaseDb, kind: 'check' | 'recheck', startedAt: Date, acquisitionIds: readonly number[], options: Record<string, unknown> = {}): number {
  const runId = Number(
    db.prepare('INSERT INTO runs (kind, tool_name, tool_version, options, started_at, finished_at) VALUES (?, ?, ?, ?, ?, NULL)').run(kind, 'tracehound', toolVersion, toJson(options), startedAt.toISOString()).lastInsertRowid,
  );
  const link = db.prepare('INSERT INTO run_acquisitions (run_id, acquisition_id) VALUES (?, ?)');
  for (const id of acquisitionIds) link.run(runId, id);
  return runId;
}

export function insertFinding(db: CaseDb, runId: number, acquisitionId: number, recordId: number | null, f: Finding): number {
  const ind = f.indicator;
  return Number(
    db
      .prepare(
        `INSERT INTO findings (run_id, acquisition_id, record_id, level, artifact, message, explanation, event_time, evidence_file, evidence_ref, locator,
           indicator_value, indicator_key, indicator_bucket, indicator_collection_id, indicator_collection, indicator_file, indicator_sha256, indicator_stix_id,
           match_kind, match_observed, match_field, rule_id, rule_version, rule_source, recovered)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        runId,
        acquisitionId,
        recordId,
        f.level,
        f.artifact,
        f.message,
        f.explanation,
        f.eventTime?.iso() ?? null,
        refKey(f.evidence.ref),
        toJson(f.evidence.ref),
        toJson(f.evidence.at),
        ind?.value ?? null,
        ind?.key ?? null,
        ind?.bucket ?? null,
        ind?.collection.id ?? null,
        ind?.collection.name ?? null,
        ind?.file.path ?? null,
        ind?.file.sha256 ?? null,
        ind?.stixId ?? null,
        f.match?.kind ?? null,
        f.match?.observed ?? null,
        f.match?.field ?? null,
        f.rule?.id ?? null,
        f.rule?.version ?? null,
        f.rule?.source ?? null,
        f.recovered ? 1 : 0,
      ).lastInsertRowid,
  );
}

/** Distinct keys remembered by a writer before its memo starts over (a bound on memory, not on correctness). */
const KEY_MEMO_LIMIT = 200_000;

/**
 * Writes an observable's match keys. Each distinct key (`/var/mobile`, `google.com`) is stored once in
 * `match_keys` and referred to by id, so the folders and domains that every phone shares cost an integer per
 * observable, not the text again.
 */
export function createKeyWriter(db: CaseDb): (observableId: number, keys: readonly ObservableKey[]) => void {
  const find = db.prepare('SELECT id FROM match_keys WHERE key_index = ? AND key_value = ?');
  const add = db.prepare('INSERT INTO match_keys (key_index, key_value) VALUES (?, ?)');
  const link = db.prepare('INSERT INTO observable_keys (observable_id, key_id, parent, truncated_id) VALUES (?, ?, ?, ?)');
  let memo = new Map<string, number>();
  const idOf = (index: string, value: string): number => {
    const memoKey = `${index}\u0000${value}`;
    let id = memo.get(memoKey);
    if (id !== undefined) return id;
    const row = find.get(index, value);
    id = row !== undefined ? Number(row.id) : Number(add.run(index, value).lastInsertRowid);
    if (memo.size >= KEY_MEMO_LIMIT) memo = new Map();
    memo.set(memoKey, id);
    return id;
  };
  return (observableId, keys) => {
    for (const k of keys) link.run(observableId, idOf(k.index, k.key), k.parent ? 1 : 0, k.truncatedId ?? null);
  };
}
