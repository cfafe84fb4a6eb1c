import { describe, expect, it } from 'vitest';
import cacheFiles, { cacheTimestamp, type CacheFileRecord } from '../../../src/artifacts/ios/cache_files.js';
import { compileIndicators, createDetector, loadIndicators } from '../../../src/index.js';
import { pythonDescription } from '../../../src/report/mvt/compat.js';
import { sqliteBytes, sqliteWithWal } from '../../fixtures/ios-backup.js';
import { buildDump, parseDump } from '../../fixtures/ios-dump.js';
import { mvtTestStix } from '../../helpers/data.js';

/** cfurl_cache_response as CFNetwork creates it (iOS 15). */
const SCHEMA = `
  CREATE TABLE cfurl_cache_response(entry_ID INTEGER PRIMARY KEY AUTOINCREMENT UNIQUE, version INTEGER, hash_value INTEGER, storage_policy INTEGER,
    request_key TEXT UNIQUE, time_stamp NOT NULL DEFAULT CURRENT_TIMESTAMP, partition TEXT);
  CREATE TABLE cfurl_cache_blob_data(entry_ID INTEGER PRIMARY KEY, response_object BLOB, request_object BLOB, proto_props BLOB, user_info BLOB);`;

function cacheDb(rows: [url: string, time: string][]): Buffer {
  return sqliteBytes(SCHEMA, (d) => {
    const insert = d.prepare('INSERT INTO cfurl_cache_response (version, hash_value, storage_policy, request_key, time_stamp) VALUES (0, ?, 0, ?, ?)');
    rows.forEach(([url, time], i) => insert.run(1000 + i, url, time));
  });
}

const APP = 'private/var/mobile/Containers/Data/Application/5F0C1A2B-0000-4000-A000-000000000001/Library/Caches/com.example.app/Cache.db';
const HOME = 'private/var/mobile/Library/Caches/example/Cache.db';

describe('ios.cache_files on a filesystem dump', () => {
  it('reads every Cache.db where iOS keeps them, each response with its URL and time', async () => {
    const root = buildDump({
      [HOME]: cacheDb([['https://www.apple.com/', '2021-12-03 19:33:13']]),
      [APP]: cacheDb([
        ['https://api.example.com/v1/feed', '2022-01-02 03:04:05'],
        ['https://cdn.example.com/a.png', '2022-01-02 03:04:06'],
      ]),
      'private/var/mobile/Containers/Shared/AppGroup/5F0C1A2B-0000-4000-A000-000000000002/Library/Caches/com.example.group/nsurlcache/Cache.db': cacheDb([['https://group.example.com/', '2022-02-02 00:00:00']]),
    });
    const { records, coverage, timeline, items } = await parseDump<CacheFileRecord>(cacheFiles, root);
    expect(coverage.state).toBe('parsed');
    expect(coverage.issues).toEqual([]);
    expect(records).toHaveLength(4);
    const home = records.find((r) => r.cache_file === HOME)!;
    expect({ ...home, isodate: home.isodate?.mvt() }).toEqual({
      entry_id: 1,
      version: 0,
      hash_value: 1000,
      storage_policy: 0,
      url: 'https://www.apple.com/',
      isodate: '2021-12-03 19:33:13.000000',
      cache_file: HOME,
    });
    expect(items.find((i) => i.record === home)!.source.at).toEqual({ table: 'cfurl_cache_response', rowid: 1 });
    expect(new Set(records.map((r) => r.cache_file)).size).toBe(3);
    const event = timeline.find((e) => pythonDescription(e.description).startsWith(HOME))!;
    expect([event.event, pythonDescription(event.description)]).toEqual(['cache_response', `${HOME} recorded visit to URL https://www.apple.com/`]);
  });

  it('raises one alert for the URL indicator, whose record names the cache file (reference-spec §13.4, test_cache_files)', async () => {
    const root = buildDump({ [HOME]: cacheDb([['http://example.com/thisisbad', '2021-01-01 00:00:00'], ['https://github.com', '2021-01-01 00:00:01']]) });
    const { items } = await parseDump<CacheFileRecord>(cacheFiles, root);
    const loaded = await loadIndicators({ paths: [mvtTestStix()], userDir: null });
    const detector = createDetector(compileIndicators(loaded.collections), []);
    const findings = items.flatMap((i) =>
      detector.record({ artifact: cacheFiles.id, record: i.record, observables: cacheFiles.observables!(i.record), evidence: { ref: i.source.file.ref, at: i.source.at } }),
    );
    expect(findings).toHaveLength(1);
    const record = findings[0]!.record as CacheFileRecord;
    expect(record.cache_file).toBe('private/var/mobile/Library/Caches/example/Cache.db');
    expect(record.url).toBe('http://example.com/thisisbad');
    expect(findings[0]!.indicator?.value).toBe('http://example.com/thisisbad');
    expect(findings[0]!.level).toBe('critical');
  });

  it('reads responses that exist only in the -wal', async () => {
    const { db, wal } = sqliteWithWal(
      SCHEMA,
      (d) => d.exec(`INSERT INTO cfurl_cache_response (request_key, time_stamp) VALUES ('https://a.example/', '2022-01-01 00:00:00')`),
      (d) => d.exec(`INSERT INTO cfurl_cache_response (request_key, time_stamp) VALUES ('https://b.example/', '2022-01-01 00:00:01')`),
    );
    const { records } = await parseDump<CacheFileRecord>(cacheFiles, buildDump({ [HOME]: db, [`${HOME}-wal`]: wal }));
    expect(records.map((r) => r.url)).toEqual(['https://a.example/', 'https://b.example/']);
  });

  it('reads the time as SQLite wrote it (UTC text), and nothing else', () => {
    expect(cacheTimestamp('2022-01-02 03:04:05')?.mvt()).toBe('2022-01-02 03:04:05.000000');
    expect(cacheTimestamp('yesterday')).toBeNull();
    expect(cacheTimestamp(null)).toBeNull();
  });
});

describe('ios.cache_files on bad input', () => {
  it('skips a Cache.db of another kind silently, names one with an odd response table, and survives garbage', async () => {
    const root = buildDump({
      [HOME]: sqliteBytes('CREATE TABLE something_else (x)'),
      'private/var/root/Library/Caches/x/Cache.db': sqliteBytes('CREATE TABLE cfurl_cache_response (entry_ID INTEGER PRIMARY KEY, request_key TEXT)'),
      [APP]: 'not a database',
      'private/var/mobile/Library/Caches/good/Cache.db': cacheDb([['https://ok.example/', '2022-01-01 00:00:00']]),
    });
    const { records, coverage } = await parseDump<CacheFileRecord>(cacheFiles, root);
    expect(records.map((r) => r.url)).toEqual(['https://ok.example/']);
    expect(coverage.state).toBe('partial');
    expect(coverage.issues.map((i) => i.code).sort()).toEqual(['bad-sqlite', 'missing-column']);
    expect(coverage.issues.find((i) => i.code === 'missing-column')!.message).toBe(
      'private/var/root/Library/Caches/x/Cache.db: table cfurl_cache_response lacks column(s) version, hash_value, storage_policy, time_stamp',
    );
  });
});
