/**
 * The case database's schema and its migrations. Plain SQL types (INTEGER, BIGINT, TEXT, VARCHAR, BLOB) and no
 * engine-specific features in the model (no WITHOUT ROWID, no JSON functions, no partial indexes), so a shared
 * server database can back a case later; JSON columns are TEXT written and read by us.
 *
 * The version is a row in `schema_version`, not SQLite's `PRAGMA user_version`, for the same reason. Each
 * migration is applied in its own transaction together with the version bump: a case is at one version or
 * the next, never between. A case written by a newer Tracehound (a version we do not know) is refused, not
 * guessed at.
 */
import type { CaseDb } from './db.js';
import { CaseError } from './errors.js';
import { BLOCK_ENCODING, BLOCK_RECORDS, encodeBlock, recordLine } from './record-store.js';

export interface Migration {
  /** The version the case is at once this migration is applied. */
  readonly version: number;
  readonly description: string;
  readonly up: (db: CaseDb) => void;
}

const V1 = `
CREATE TABLE case_info (
  name VARCHAR(64) NOT NULL PRIMARY KEY,
  value TEXT NOT NULL
);
CREATE TABLE people (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE
);
CREATE TABLE devices (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  person_id INTEGER REFERENCES people(id),
  organisation TEXT,
  created_at VARCHAR(40) NOT NULL
);
CREATE TABLE acquisitions (
  id INTEGER PRIMARY KEY,
  device_id INTEGER NOT NULL REFERENCES devices(id),
  kind VARCHAR(40) NOT NULL,
  target TEXT NOT NULL,
  encrypted INTEGER NOT NULL,
  acquired_at VARCHAR(40),
  metadata TEXT NOT NULL,
  added_at VARCHAR(40) NOT NULL
);
CREATE TABLE acquisition_inputs (
  acquisition_id INTEGER NOT NULL REFERENCES acquisitions(id),
  path TEXT NOT NULL,
  label TEXT NOT NULL,
  sha256 CHAR(64) NOT NULL,
  bytes BIGINT NOT NULL
);
CREATE INDEX acquisition_inputs_acquisition ON acquisition_inputs(acquisition_id);
CREATE TABLE runs (
  id INTEGER PRIMARY KEY,
  kind VARCHAR(16) NOT NULL,
  tool_name VARCHAR(40) NOT NULL,
  tool_version VARCHAR(40) NOT NULL,
  options TEXT NOT NULL,
  started_at VARCHAR(40) NOT NULL,
  finished_at VARCHAR(40)
);
CREATE TABLE run_acquisitions (
  run_id INTEGER NOT NULL REFERENCES runs(id),
  acquisition_id INTEGER NOT NULL REFERENCES acquisitions(id),
  PRIMARY KEY (run_id, acquisition_id)
);
CREATE INDEX run_acquisitions_acquisition ON run_acquisitions(acquisition_id, run_id);
CREATE TABLE run_indicator_files (
  run_id INTEGER NOT NULL REFERENCES runs(id),
  path TEXT NOT NULL,
  sha256 CHAR(64) NOT NULL,
  indicators INTEGER NOT NULL,
  collections INTEGER NOT NULL
);
CREATE TABLE run_components (
  run_id INTEGER NOT NULL REFERENCES runs(id),
  kind VARCHAR(16) NOT NULL,
  component_id VARCHAR(100) NOT NULL,
  version INTEGER NOT NULL
);
CREATE TABLE records (
  id INTEGER PRIMARY KEY,
  acquisition_id INTEGER NOT NULL REFERENCES acquisitions(id),
  artifact VARCHAR(100) NOT NULL,
  evidence_file TEXT NOT NULL,
  evidence_ref TEXT NOT NULL,
  locator TEXT NOT NULL,
  data TEXT
);
CREATE INDEX records_acquisition ON records(acquisition_id, artifact);
CREATE TABLE observables (
  id INTEGER PRIMARY KEY,
  record_id INTEGER NOT NULL REFERENCES records(id),
  kind VARCHAR(32) NOT NULL,
  value TEXT NOT NULL,
  field VARCHAR(100) NOT NULL,
  role VARCHAR(16)
);
CREATE INDEX observables_kind_value ON observables(kind, value);
CREATE INDEX observables_record ON observables(record_id);
CREATE TABLE match_keys (
  id INTEGER PRIMARY KEY,
  key_index VARCHAR(20) NOT NULL,
  key_value TEXT NOT NULL,
  UNIQUE (key_index, key_value)
);
CREATE TABLE observable_keys (
  observable_id INTEGER NOT NULL REFERENCES observables(id),
  key_id INTEGER NOT NULL REFERENCES match_keys(id),
  parent INTEGER NOT NULL,
  truncated_id TEXT
);
CREATE INDEX observable_keys_key ON observable_keys(key_id);
CREATE TABLE findings (
  id INTEGER PRIMARY KEY,
  run_id INTEGER NOT NULL REFERENCES runs(id),
  acquisition_id INTEGER NOT NULL REFERENCES acquisitions(id),
  record_id INTEGER REFERENCES records(id),
  level VARCHAR(16) NOT NULL,
  artifact VARCHAR(100) NOT NULL,
  message TEXT NOT NULL,
  explanation TEXT NOT NULL,
  event_time VARCHAR(40),
  evidence_file TEXT NOT NULL,
  evidence_ref TEXT NOT NULL,
  locator TEXT NOT NULL,
  indicator_value TEXT,
  indicator_key VARCHAR(64),
  indicator_bucket VARCHAR(40),
  indicator_collection_id TEXT,
  indicator_collection TEXT,
  indicator_file TEXT,
  indicator_sha256 CHAR(64),
  indicator_stix_id TEXT,
  match_kind VARCHAR(32),
  match_observed TEXT,
  match_field VARCHAR(100),
  rule_id VARCHAR(100),
  rule_version INTEGER,
  rule_source TEXT,
  recovered INTEGER NOT NULL
);
CREATE INDEX findings_acquisition ON findings(acquisition_id, run_id);
CREATE INDEX findings_run ON findings(run_id);
CREATE TABLE coverage (
  run_id INTEGER NOT NULL REFERENCES runs(id),
  acquisition_id INTEGER NOT NULL REFERENCES acquisitions(id),
  artifact VARCHAR(100) NOT NULL,
  title TEXT NOT NULL,
  state VARCHAR(16) NOT NULL,
  records INTEGER NOT NULL,
  files TEXT NOT NULL,
  issues TEXT NOT NULL,
  reason TEXT
);
CREATE INDEX coverage_acquisition ON coverage(acquisition_id);
`;

/**
 * The events a report draws around the findings of a check (report/timeline-window.ts: within a day of a dated
 * finding, at most 5,000), and the span of the acquisition's whole timeline; not every event of the phone.
 */
const V2_TIMELINE = `
CREATE TABLE timeline_events (
  acquisition_id INTEGER NOT NULL REFERENCES acquisitions(id),
  event_time VARCHAR(40) NOT NULL,
  artifact VARCHAR(100) NOT NULL,
  event VARCHAR(100) NOT NULL,
  description TEXT NOT NULL
);
CREATE INDEX timeline_events_acquisition ON timeline_events(acquisition_id, event_time);
CREATE TABLE acquisition_timelines (
  acquisition_id INTEGER NOT NULL PRIMARY KEY REFERENCES acquisitions(id),
  first_time VARCHAR(40),
  last_time VARCHAR(40),
  total INTEGER NOT NULL,
  omitted INTEGER NOT NULL,
  window_ms BIGINT NOT NULL
);
`;

/**
 * Version 3: a compact case (record-store.ts). Columns are added and dropped in place (ALTER TABLE … ADD /
 * DROP COLUMN) rather than tables rebuilt, so the foreign keys that point at records and observables stay as
 * they are. The match is unchanged: it goes through match_keys, so the index of observables by kind and value
 * (never used by a query) goes.
 */
const V3_BEFORE = `
CREATE TABLE record_sources (
  id INTEGER PRIMARY KEY,
  acquisition_id INTEGER NOT NULL REFERENCES acquisitions(id),
  artifact VARCHAR(100) NOT NULL,
  evidence_file TEXT NOT NULL,
  evidence_ref TEXT NOT NULL
);
CREATE INDEX record_sources_acquisition ON record_sources(acquisition_id, artifact);
CREATE TABLE record_blocks (
  id INTEGER PRIMARY KEY,
  acquisition_id INTEGER NOT NULL REFERENCES acquisitions(id),
  encoding VARCHAR(16) NOT NULL,
  records INTEGER NOT NULL,
  content BLOB
);
CREATE TABLE observable_fields (
  id INTEGER PRIMARY KEY,
  kind VARCHAR(32) NOT NULL,
  field VARCHAR(100) NOT NULL,
  role VARCHAR(16) NOT NULL,
  UNIQUE (kind, field, role)
);
ALTER TABLE records ADD COLUMN source_id INTEGER REFERENCES record_sources(id);
ALTER TABLE records ADD COLUMN block_id INTEGER REFERENCES record_blocks(id);
ALTER TABLE records ADD COLUMN block_index INTEGER;
ALTER TABLE observables ADD COLUMN field_id INTEGER REFERENCES observable_fields(id);
INSERT INTO observable_fields (kind, field, role) SELECT DISTINCT kind, field, coalesce(role, '') FROM observables ORDER BY 1, 2, 3;
UPDATE observables SET field_id = (SELECT f.id FROM observable_fields f WHERE f.kind = observables.kind AND f.field = observables.field AND f.role = coalesce(observables.role, ''));
`;

const V3_AFTER = `
DROP INDEX records_acquisition;
DROP INDEX observables_kind_value;
ALTER TABLE records DROP COLUMN artifact;
ALTER TABLE records DROP COLUMN evidence_file;
ALTER TABLE records DROP COLUMN evidence_ref;
ALTER TABLE records DROP COLUMN locator;
ALTER TABLE records DROP COLUMN data;
ALTER TABLE observables DROP COLUMN kind;
ALTER TABLE observables DROP COLUMN field;
ALTER TABLE observables DROP COLUMN role;
`;

/** Moves the records a version-2 case holds (as versions 1 and 2 wrote them) into sources and blocks, a page of records at a time. */
function blockOldRecords(db: CaseDb): void {
  const page = db.prepare('SELECT id, acquisition_id, artifact, evidence_file, evidence_ref, locator, data FROM records WHERE id > ? ORDER BY id LIMIT 2000');
  const findSource = db.prepare('SELECT id FROM record_sources WHERE acquisition_id = ? AND artifact = ? AND evidence_ref = ?');
  const addSource = db.prepare('INSERT INTO record_sources (acquisition_id, artifact, evidence_file, evidence_ref) VALUES (?, ?, ?, ?)');
  const addBlock = db.prepare('INSERT INTO record_blocks (acquisition_id, encoding, records, content) VALUES (?, ?, ?, ?)');
  const place = db.prepare('UPDATE records SET source_id = ?, block_id = ?, block_index = ? WHERE id = ?');
  let pending: { id: number; source: number; line: string }[] = [];
  let pendingAcq = 0;
  const flush = () => {
    if (pending.length === 0) return;
    const blockId = Number(addBlock.run(pendingAcq, BLOCK_ENCODING, pending.length, encodeBlock(pending.map((p) => p.line))).lastInsertRowid);
    pending.forEach((p, i) => place.run(p.source, blockId, i, p.id));
    pending = [];
  };
  let after = 0;
  for (;;) {
    const rows = page.all(after);
    if (rows.length === 0) break;
    for (const r of rows) {
      after = Number(r.id);
      const acq = Number(r.acquisition_id);
      if (acq !== pendingAcq || pending.length >= BLOCK_RECORDS) flush();
      pendingAcq = acq;
      const found = findSource.get(acq, r.artifact ?? '', r.evidence_ref ?? '');
      const source = found !== undefined ? Number(found.id) : Number(addSource.run(acq, r.artifact ?? '', r.evidence_file ?? '', r.evidence_ref ?? '').lastInsertRowid);
      pending.push({ id: after, source, line: recordLine(validJson(r.locator) ?? '{}', validJson(r.data)) });
    }
  }
  flush();
}

/**
 * The text when it is JSON (what versions 1 and 2 wrote), on one line; else null: a damaged value must not break its
 * block's lines.
 */
function validJson(text: unknown): string | null {
  if (typeof text !== 'string') return null;
  try {
    const parsed = JSON.parse(text) as unknown;
    return /[\r\n]/.test(text) ? JSON.stringify(parsed) : text;
  } catch {
    return null;
  }
}

export const migrations: readonly Migration[] = [
  {
    version: 1,
    description: 'people, devices, acquisitions, runs, records, observables and their match keys (each distinct key stored once), findings, coverage',
    up: (db) => db.exec(V1),
  },
  {
    version: 2,
    description: 'timeline events around the findings of each check, and the span of its whole timeline',
    up: (db) => db.exec(V2_TIMELINE),
  },
  {
    version: 3,
    description: 'compact records: sources stored once, locator and data deflated in blocks of consecutive records; observables name their kind, field and role by id',
    up: (db) => {
      db.exec(V3_BEFORE);
      blockOldRecords(db);
      db.exec(V3_AFTER);
    },
  },
];

export const SCHEMA_VERSION = migrations[migrations.length - 1]!.version;

/** The case's schema version, 0 for an empty database (nothing created yet). */
export function schemaVersion(db: CaseDb): number {
  const table = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'`).get();
  if (table === undefined) {
    const any = db.prepare(`SELECT count(*) AS n FROM sqlite_master`).get();
    if (Number(any?.n ?? 0) > 0) throw new CaseError('not-a-case', 'the database has tables but no schema_version table: not a Tracehound case');
    return 0;
  }
  const row = db.prepare('SELECT max(version) AS v FROM schema_version').get();
  return Number(row?.v ?? 0);
}

/**
 * Brings the case to the newest version this build knows, one migration at a time; returns the versions
 * applied. `list` is for tests of the runner itself.
 */
export function migrate(db: CaseDb, list: readonly Migration[] = migrations): number[] {
  const current = schemaVersion(db);
  const newest = list[list.length - 1]?.version ?? 0;
  if (current > newest) {
    throw new CaseError('newer-schema', `the case was written by a newer Tracehound (schema version ${current}; this one knows up to ${newest}): update Tracehound to open it`);
  }
  const applied: number[] = [];
  for (const m of list) {
    if (m.version <= current) continue;
    db.transaction(() => {
      if (m.version === 1) db.exec('CREATE TABLE schema_version (version INTEGER NOT NULL PRIMARY KEY, applied_at VARCHAR(40) NOT NULL, description TEXT NOT NULL)');
      m.up(db);
      db.prepare('INSERT INTO schema_version (version, applied_at, description) VALUES (?, ?, ?)').run(m.version, new Date().toISOString(), m.description);
    });
    applied.push(m.version);
  }
  return applied;
}
