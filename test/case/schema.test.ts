/**
 * The case schema is versioned: a case written at an earlier version opens (migrated in place, one
 * transaction per step), a case from a newer Tracehound and a database that is not a case are refused in one
 * line naming the file, and a folder holding other files never becomes a case.
 */
import Database from 'better-sqlite3';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CaseError } from '../../src/case/errors.js';
import { createObservableReader, createRecordReader } from '../../src/case/record-store.js';
import { loadCaseReport } from '../../src/case/report-model.js';
import { migrate, migrations, schemaVersion, SCHEMA_VERSION, type Migration } from '../../src/case/schema.js';
import { CASE_DB_NAME, openCase } from '../../src/case/store.js';
import { tempDir } from '../fixtures/ios-backup.js';

/**
 * A case as schema version 1 wrote it, written here as plain SQL (not through the code under test), with one
 * device, one acquisition, a run, a record with an observable and its key, a finding and a coverage row.
 */
const V1_CASE_SQL = `
CREATE TABLE schema_version (version INTEGER NOT NULL PRIMARY KEY, applied_at VARCHAR(40) NOT NULL, description TEXT NOT NULL);
INSERT INTO schema_version VALUES (1, '2026-11-01T00:00:00.000Z', 'v1');
CREATE TABLE case_info (name VARCHAR(64) NOT NULL PRIMARY KEY, value TEXT NOT NULL);
INSERT INTO case_info VALUES ('created_at', '2026-11-01T00:00:00.000Z');
CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
INSERT INTO people VALUES (1, 'Rania');
CREATE TABLE devices (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, person_id INTEGER REFERENCES people(id), organisation TEXT, created_at VARCHAR(40) NOT NULL);
INSERT INTO devices VALUES (1, 'rania-iphone', 1, 'Al-Haq', '2026-11-01T00:00:00.000Z');
CREATE TABLE acquisitions (id INTEGER PRIMARY KEY, device_id INTEGER NOT NULL REFERENCES devices(id), kind VARCHAR(40) NOT NULL, target TEXT NOT NULL, encrypted INTEGER NOT NULL, acquired_at VARCHAR(40), metadata TEXT NOT NULL, added_at VARCHAR(40) NOT NULL);
INSERT INTO acquisitions VALUES (1, 1, 'ios-backup', '/evidence/rania', 0, '2021-10-01T10:00:00.000Z', '{"productVersion":"14.8"}', '2026-11-01T00:00:01.000Z');
CREATE TABLE acquisition_inputs (acquisition_id INTEGER NOT NULL REFERENCES acquisitions(id), path TEXT NOT NULL, label TEXT NOT NULL, sha256 CHAR(64) NOT NULL, bytes BIGINT NOT NULL);
INSERT INTO acquisition_inputs VALUES (1, '/evidence/rania/Manifest.db', 'Manifest.db', '${'e'.repeat(64)}', 4096);
CREATE INDEX acquisition_inputs_acquisition ON acquisition_inputs(acquisition_id);
CREATE TABLE runs (id INTEGER PRIMARY KEY, kind VARCHAR(16) NOT NULL, tool_name VARCHAR(40) NOT NULL, tool_version VARCHAR(40) NOT NULL, options TEXT NOT NULL, started_at VARCHAR(40) NOT NULL, finished_at VARCHAR(40));
INSERT INTO runs VALUES (1, 'check', 'tracehound', '0.1.0', '{}', '2026-11-01T00:00:01.000Z', '2026-11-01T00:00:09.000Z');
CREATE TABLE run_acquisitions (run_id INTEGER NOT NULL REFERENCES runs(id), acquisition_id INTEGER NOT NULL REFERENCES acquisitions(id), PRIMARY KEY (run_id, acquisition_id));
INSERT INTO run_acquisitions VALUES (1, 1);
CREATE INDEX run_acquisitions_acquisition ON run_acquisitions(acquisition_id, run_id);
CREATE TABLE run_indicator_files (run_id INTEGER NOT NULL REFERENCES runs(id), path TEXT NOT NULL, sha256 CHAR(64) NOT NULL, indicators INTEGER NOT NULL, collections INTEGER NOT NULL);
INSERT INTO run_indicator_files VALUES (1, '/feeds/pegasus.stix2', '${'f'.repeat(64)}', 1500, 1);
CREATE TABLE run_components (run_id INTEGER NOT NULL REFERENCES runs(id), kind VARCHAR(16) NOT NULL, component_id VARCHAR(100) NOT NULL, version INTEGER NOT NULL);
CREATE TABLE records (id INTEGER PRIMARY KEY, acquisition_id INTEGER NOT NULL REFERENCES acquisitions(id), artifact VARCHAR(100) NOT NULL, evidence_file TEXT NOT NULL, evidence_ref TEXT NOT NULL, locator TEXT NOT NULL, data TEXT);
INSERT INTO records VALUES (1, 1, 'ios.sms', 'HomeDomain/Library/SMS/sms.db', '{"root":"/evidence/rania","storedPath":"3d/3d0d"}', '{"table":"message","rowid":7}', '{"text":"x"}');
CREATE INDEX records_acquisition ON records(acquisition_id, artifact);
CREATE TABLE observables (id INTEGER PRIMARY KEY, record_id INTEGER NOT NULL REFERENCES records(id), kind VARCHAR(32) NOT NULL, value TEXT NOT NULL, field VARCHAR(100) NOT NULL, role VARCHAR(16));
INSERT INTO observables VALUES (1, 1, 'url', 'https://x.bad.example/', 'links', NULL);
CREATE INDEX observables_kind_value ON observables(kind, value);
CREATE INDEX observables_record ON observables(record_id);
CREATE TABLE match_keys (id INTEGER PRIMARY KEY, key_index VARCHAR(20) NOT NULL, key_value TEXT NOT NULL, UNIQUE (key_index, key_value));
INSERT INTO match_keys VALUES (1, 'domain', 'bad.example');
CREATE TABLE observable_keys (observable_id INTEGER NOT NULL REFERENCES observables(id), key_id INTEGER NOT NULL REFERENCES match_keys(id), parent INTEGER NOT NULL, truncated_id TEXT);
INSERT INTO observable_keys VALUES (1, 1, 1, NULL);
CREATE INDEX observable_keys_key ON observable_keys(key_id);
CREATE TABLE findings (id INTEGER PRIMARY KEY, run_id INTEGER NOT NULL REFERENCES runs(id), acquisition_id INTEGER NOT NULL REFERENCES acquisitions(id), record_id INTEGER REFERENCES records(id), level VARCHAR(16) NOT NULL, artifact VARCHAR(100) NOT NULL, message TEXT NOT NULL, explanation TEXT NOT NULL, event_time VARCHAR(40), evidence_file TEXT NOT NULL, evidence_ref TEXT NOT NULL, locator TEXT NOT NULL, indicator_value TEXT, indicator_key VARCHAR(64), indicator_bucket VARCHAR(40), indicator_collection_id TEXT, indicator_collection TEXT, indicator_file TEXT, indicator_sha256 CHAR(64), indicator_stix_id TEXT, match_kind VARCHAR(32), match_observed TEXT, match_field VARCHAR(100), rule_id VARCHAR(100), rule_version INTEGER, rule_source TEXT, recovered INTEGER NOT NULL);
INSERT INTO findings VALUES (1, 1, 1, 1, 'critical', 'ios.sms', 'Found a sub-domain', 'explained', NULL, 'HomeDomain/Library/SMS/sms.db', '{"root":"/evidence/rania","storedPath":"3d/3d0d"}', '{"table":"message","rowid":7}', 'bad.example', 'domain-name:value', 'domains', 'malware--1', 'Pegasus', '/feeds/pegasus.stix2', '${'f'.repeat(64)}', NULL, 'subdomain', 'https://x.bad.example/', 'links', NULL, NULL, NULL, 0);
CREATE INDEX findings_acquisition ON findings(acquisition_id, run_id);
CREATE INDEX findings_run ON findings(run_id);
CREATE TABLE coverage (run_id INTEGER NOT NULL REFERENCES runs(id), acquisition_id INTEGER NOT NULL REFERENCES acquisitions(id), artifact VARCHAR(100) NOT NULL, title TEXT NOT NULL, state VARCHAR(16) NOT NULL, records INTEGER NOT NULL, files TEXT NOT NULL, issues TEXT NOT NULL, reason TEXT);
INSERT INTO coverage VALUES (1, 1, 'ios.sms', 'SMS and iMessage', 'parsed', 12, '["HomeDomain/Library/SMS/sms.db"]', '[]', NULL);
INSERT INTO coverage VALUES (1, 1, 'ios.calls', 'Calls', 'missing', 0, '[]', '[]', 'CallHistory.storedata: listed in Manifest.db but absent');
`;

function writeV1Case(): string {
  const dir = join(tempDir('v1case'), 'case');
  mkdirSync(dir);
  const db = new Database(join(dir, CASE_DB_NAME));
  db.exec(V1_CASE_SQL);
  db.close();
  return dir;
}

describe('a case made by schema version 1', () => {
  it('opens and reads whole: device and person, acquisition with its inputs, run with its indicator file, finding, coverage', () => {
    const report = loadCaseReport(writeV1Case());
    expect(report.schemaVersion).toBe(SCHEMA_VERSION);
    expect(report.devices).toEqual([{ id: 1, name: 'rania-iphone', person: 'Rania', organisation: 'Al-Haq' }]);
    expect(report.acquisitions[0]).toMatchObject({ kind: 'ios-backup', target: '/evidence/rania', acquiredAt: '2021-10-01T10:00:00.000Z', metadata: { productVersion: '14.8' } });
    expect(report.acquisitions[0]!.inputs).toEqual([{ path: '/evidence/rania/Manifest.db', label: 'Manifest.db', sha256: 'e'.repeat(64), bytes: 4096 }]);
    expect(report.runs[0]).toMatchObject({ kind: 'check', tool: { name: 'tracehound', version: '0.1.0' }, indicatorFiles: [{ path: '/feeds/pegasus.stix2', indicators: 1500 }] });
    expect(report.findings).toHaveLength(1);
    expect(report.findings[0]).toMatchObject({
      level: 'critical',
      device: 'rania-iphone',
      evidence: { file: 'HomeDomain/Library/SMS/sms.db', storedPath: '3d/3d0d', at: { table: 'message', rowid: 7 } },
      indicator: { value: 'bad.example', collection: 'Pegasus', file: '/feeds/pegasus.stix2' },
      match: { kind: 'subdomain', observed: 'https://x.bad.example/' },
      record: { text: 'x' },
    });
    expect(report.counts.critical).toBe(1);
    expect(report.coverage.map((c) => [c.artifact, c.state, c.reason])).toEqual([
      ['ios.sms', 'parsed', null],
      ['ios.calls', 'missing', 'CallHistory.storedata: listed in Manifest.db but absent'],
    ]);
  });

  it('is made compact by version 3: the record in a deflated block with its locator, its source stored once, its observable by field id', () => {
    const store = openCase(writeV1Case());
    try {
      const { db } = store;
      const columns = (table: string) => db.prepare(`SELECT name FROM pragma_table_info('${table}') ORDER BY cid`).all().map((r) => r.name);
      expect(columns('records')).toEqual(['id', 'acquisition_id', 'source_id', 'block_id', 'block_index']);
      expect(columns('observables')).toEqual(['id', 'record_id', 'value', 'field_id']);
      expect(db.prepare('SELECT encoding, records FROM record_blocks').all()).toEqual([{ encoding: 'deflate-jsonl', records: 1 }]);
      expect(createRecordReader(db)(1)).toEqual({
        id: 1,
        acquisitionId: 1,
        artifact: 'ios.sms',
        evidenceFile: 'HomeDomain/Library/SMS/sms.db',
        ref: { root: '/evidence/rania', storedPath: '3d/3d0d' },
        at: { table: 'message', rowid: 7 },
        data: { text: 'x' },
      });
      expect(createObservableReader(db)(1)).toEqual([{ kind: 'url', value: 'https://x.bad.example/', field: 'links' }]);
      // A damaged block costs its records their data, not the report.
      db.prepare('UPDATE record_blocks SET content = ?').run(Buffer.from('not deflate'));
      expect(createRecordReader(db)(1)).toMatchObject({ artifact: 'ios.sms', at: {}, data: null });
    } finally {
      store.close();
    }
  });

  it('is migrated by the runner through a later version, in place, keeping its rows', () => {
    const dir = writeV1Case();
    const store = openCase(dir);
    try {
      // Opening migrated it to this build's version; a later one is applied the same way.
      expect(schemaVersion(store.db)).toBe(SCHEMA_VERSION);
      const next = SCHEMA_VERSION + 1;
      const v2: Migration = { version: next, description: 'a later version', up: (db) => db.exec('CREATE TABLE later (acquisition_id INTEGER NOT NULL, note TEXT NOT NULL)') };
      expect(migrate(store.db, [...migrations, v2])).toEqual([next]);
      expect(schemaVersion(store.db)).toBe(next);
      expect(store.db.prepare('SELECT count(*) AS n FROM findings').get()).toEqual({ n: 1 });
      // Applied once: a second run has nothing to do.
      expect(migrate(store.db, [...migrations, v2])).toEqual([]);
      // A migration that fails leaves the case at the version before it.
      const broken: Migration = { version: next + 1, description: 'broken', up: (db) => db.exec('CREATE TABLE oops (x INTEGER); INSERT INTO nowhere VALUES (1)') };
      expect(() => migrate(store.db, [...migrations, v2, broken])).toThrow(/no such table: nowhere/);
      expect(schemaVersion(store.db)).toBe(next);
      expect(store.db.prepare(`SELECT count(*) AS n FROM sqlite_master WHERE name = 'oops'`).get()).toEqual({ n: 0 });
    } finally {
      store.close();
    }
  });
});

describe('what is not a case', () => {
  const refused = (fn: () => unknown): CaseError => {
    try {
      fn();
    } catch (err) {
      expect(err).toBeInstanceOf(CaseError);
      expect((err as Error).message).not.toContain('\n');
      return err as CaseError;
    }
    throw new Error('expected a refusal');
  };

  it('refuses a case from a newer Tracehound, naming the versions', () => {
    const dir = writeV1Case();
    const db = new Database(join(dir, CASE_DB_NAME));
    db.exec(`INSERT INTO schema_version VALUES (99, 'later', 'future')`);
    db.close();
    expect(refused(() => openCase(dir)).message).toContain(`case.db: the case was written by a newer Tracehound (schema version 99; this one knows up to ${SCHEMA_VERSION})`);
  });

  it('refuses a SQLite database of something else, a file that is not SQLite, and a missing case', () => {
    const other = join(tempDir('other'), 'c');
    mkdirSync(other);
    const db = new Database(join(other, CASE_DB_NAME));
    db.exec('CREATE TABLE message (x)');
    db.close();
    expect(refused(() => openCase(other)).message).toMatch(/no schema_version table: not a Tracehound case/);

    const junk = join(tempDir('junk'), 'c');
    mkdirSync(junk);
    writeFileSync(join(junk, CASE_DB_NAME), 'not a database at all, just text '.repeat(200));
    expect(refused(() => openCase(junk)).message).toMatch(/case\.db: not a readable case database \(file is not a database\)/);

    expect(refused(() => openCase(join(tempDir('none'), 'missing'))).message).toMatch(/missing: not a case folder \(no case\.db; `tracehound check PATH --case/);
  });

  it('never turns a folder holding other files into a case', () => {
    const dir = tempDir('busy');
    writeFileSync(join(dir, 'Manifest.db'), 'x');
    expect(refused(() => openCase(dir, { create: true })).message).toMatch(/folder is not empty and holds no case\.db/);
  });
});
