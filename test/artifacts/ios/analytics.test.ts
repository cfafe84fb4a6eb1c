import { buildBinary, type PlistValue as PlistInput } from 'plist';
import { describe, expect, it } from 'vitest';
import analytics, { type AnalyticsRecord } from '../../../src/artifacts/ios/analytics.js';
import { pythonDescription } from '../../../src/report/mvt/compat.js';
import { sqliteBytes, sqliteWithWal } from '../../fixtures/ios-backup.js';
import { buildDump, parseDump } from '../../fixtures/ios-dump.js';

const DIR = 'private/var/Keychains/Analytics';

/** The SFAnalytics store schema these databases share. */
const SCHEMA = `
  CREATE TABLE hard_failures (id INTEGER PRIMARY KEY AUTOINCREMENT, timestamp REAL, data BLOB);
  CREATE TABLE soft_failures (id INTEGER PRIMARY KEY AUTOINCREMENT, timestamp REAL, data BLOB);
  CREATE TABLE all_events (id INTEGER PRIMARY KEY AUTOINCREMENT, timestamp REAL, data BLOB);
  CREATE TABLE samples (id INTEGER PRIMARY KEY AUTOINCREMENT, timestamp REAL, name STRING, value REAL);`;

const plist = (value: Record<string, unknown>) => Buffer.from(buildBinary(value as PlistInput));

function store(rows: { table: string; timestamp: number | null; data: Buffer | null }[], schema = SCHEMA): Buffer {
  return sqliteBytes(schema, (d) => {
    for (const r of rows) d.prepare(`INSERT INTO ${r.table} (timestamp, data) VALUES (?, ?)`).run(r.timestamp, r.data);
  });
}

describe('ios.analytics on a filesystem dump', () => {
  it('flattens each event\'s plist, dated in Unix seconds, ordered by time, from every store', async () => {
    const root = buildDump({
      [`${DIR}/ckks_analytics.db`]: store([
        { table: 'soft_failures', timestamp: 1640000100.5, data: plist({ build: '19D52', process: 'cloudd', attempts: 3 }) },
        { table: 'hard_failures', timestamp: 1640000000, data: plist({ build: '19D52', errorDomain: 'NSURLErrorDomain', url: 'https://gateway.icloud.com/ckdatabase' }) },
        { table: 'all_events', timestamp: null, data: plist({ eventType: 'launch' }) },
        { table: 'all_events', timestamp: 1640000200, data: null },
      ]),
      [`${DIR}/trust_analytics.db`]: store([{ table: 'hard_failures', timestamp: 1650000000, data: plist({ build: '19E258' }) }]),
    });
    const { records, items, coverage, timeline } = await parseDump<AnalyticsRecord>(analytics, root);
    expect(coverage.state).toBe('parsed');
    expect(coverage.issues).toEqual([]);
    expect(records.map((r) => ({ ...r, isodate: r.isodate?.mvt() ?? null }))).toEqual([
      { eventType: 'launch', isodate: null, artifact: 'ckks_analytics.db' },
      { build: '19D52', errorDomain: 'NSURLErrorDomain', url: 'https://gateway.icloud.com/ckdatabase', isodate: '2021-12-20 11:33:20.000000', artifact: 'ckks_analytics.db' },
      { build: '19D52', process: 'cloudd', attempts: 3, isodate: '2021-12-20 11:35:00.500000', artifact: 'ckks_analytics.db' },
      { isodate: '2021-12-20 11:36:40.000000', artifact: 'ckks_analytics.db' },
      { build: '19E258', isodate: '2022-04-15 05:20:00.000000', artifact: 'trust_analytics.db' },
    ]);
    expect(items[1]!.source.at).toEqual({ table: 'hard_failures', rowid: 1 });
    expect(timeline[2]!.event).toBe('ckks_analytics.db');
    expect(pythonDescription(timeline[2]!.description)).toBe('build: 19D52, process: cloudd, attempts: 3');
  });

  it('offers every string value as a mentioned process, and the URL and host in it as mentions', () => {
    const record = { build: '19D52', url: 'https://gateway.icloud.com/ckdatabase', attempts: 3, isodate: null, artifact: 'ckks_analytics.db' } as AnalyticsRecord;
    expect(analytics.observables!(record)).toEqual([
      { kind: 'process', value: '19D52', field: 'build', role: 'mention' },
      { kind: 'process', value: 'https://gateway.icloud.com/ckdatabase', field: 'url', role: 'mention' },
      { kind: 'url', value: 'https://gateway.icloud.com/ckdatabase', field: 'url', role: 'mention' },
    ]);
  });

  it('reads a store without all_events (older iOS) and rows that live only in the -wal', async () => {
    const old = SCHEMA.replace(/CREATE TABLE all_events[^;]*;/, '');
    const { db, wal } = sqliteWithWal(
      old,
      (d) => d.prepare('INSERT INTO hard_failures (timestamp, data) VALUES (?, ?)').run(1600000000, plist({ process: 'a' })),
      (d) => d.prepare('INSERT INTO soft_failures (timestamp, data) VALUES (?, ?)').run(1600000100, plist({ process: 'b' })),
    );
    const { records, coverage } = await parseDump<AnalyticsRecord>(analytics, buildDump({ [`${DIR}/sos_analytics.db`]: db, [`${DIR}/sos_analytics.db-wal`]: wal }));
    expect(coverage.state).toBe('parsed');
    expect(records.map((r) => r.process)).toEqual(['a', 'b']);
  });
});

describe('ios.analytics on bad input', () => {
  it('skips a (NULL, NULL) row and keeps the valid one (MVT\'s test_analytics_skips_empty_rows_and_continues)', async () => {
    const root = buildDump({ [`${DIR}/a.db`]: store([{ table: 'hard_failures', timestamp: null, data: null }, { table: 'hard_failures', timestamp: 1600000000, data: plist({ event: 'valid' }) }]) });
    const { records, coverage } = await parseDump<AnalyticsRecord>(analytics, root);
    expect(coverage.state).toBe('parsed');
    expect(records.map((r) => r.event)).toEqual(['valid']);
  });

  it('skips rows whose data is not a plist dictionary with one issue naming the store, and keeps the rest', async () => {
    const root = buildDump({
      [`${DIR}/a.db`]: store([
        { table: 'hard_failures', timestamp: 1600000000, data: Buffer.from('garbage') },
        { table: 'hard_failures', timestamp: 1600000001, data: Buffer.from(buildBinary(['a list'])) },
        { table: 'soft_failures', timestamp: 1600000002, data: plist({ event: 'kept' }) },
      ]),
    });
    const { records, coverage } = await parseDump<AnalyticsRecord>(analytics, root);
    expect(records.map((r) => r.event)).toEqual(['kept']);
    expect(coverage.state).toBe('partial');
    expect(coverage.issues).toHaveLength(1);
    expect(coverage.issues[0]!.code).toBe('row-skipped');
    expect(coverage.issues[0]!.message).toMatch(/^a\.db: 2 row\(s\) with unreadable data skipped, the first: a\.db hard_failures row 1: /);
  });

  it('reports a store without the failure tables, a truncated file and a non-database, and reads the good store', async () => {
    const good = store([{ table: 'hard_failures', timestamp: 1600000000, data: plist({ event: 'ok' }) }]);
    const root = buildDump({
      [`${DIR}/good.db`]: good,
      [`${DIR}/other.db`]: sqliteBytes('CREATE TABLE samples (id INTEGER PRIMARY KEY, timestamp REAL)'),
      [`${DIR}/text.db`]: 'not a database',
      [`${DIR}/truncated.db`]: good.subarray(0, 1500),
    });
    const { records, coverage } = await parseDump<AnalyticsRecord>(analytics, root);
    expect(records.map((r) => r.event)).toEqual(['ok']);
    expect(coverage.state).toBe('partial');
    expect(coverage.issues.map((i) => i.code).sort()).toEqual(['bad-sqlite', 'corrupted', 'missing-table'].sort());
  });
});
