import type Database from 'better-sqlite3';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import safariHistory, { type SafariHistoryRecord } from '../../../src/artifacts/ios/safari_history.js';
import { InputLog } from '../../../src/evidence/input-log.js';
import { openIosFilesystem } from '../../../src/evidence/ios-fs.js';
import { buildBackup, sqliteBytes, sqliteWithWal, tempDir } from '../../fixtures/ios-backup.js';
import { parseBackup, parseSource } from '../../helpers/artifacts.js';
import { mvtIosBackup, shared } from '../../helpers/data.js';

const HISTORY_SCHEMA = `
  CREATE TABLE history_items (id INTEGER PRIMARY KEY AUTOINCREMENT, url TEXT NOT NULL UNIQUE, visit_count INTEGER NOT NULL DEFAULT 1);
  CREATE TABLE history_visits (id INTEGER PRIMARY KEY AUTOINCREMENT, history_item INTEGER NOT NULL REFERENCES history_items(id),
    visit_time REAL NOT NULL, title TEXT NULL, redirect_source INTEGER NULL UNIQUE, redirect_destination INTEGER NULL UNIQUE);`;

interface Visit {
  id: number;
  url: string;
  time: number;
  from?: number;
  to?: number;
}

function addVisits(db: Database.Database, visits: Visit[]): void {
  const item = db.prepare('INSERT OR IGNORE INTO history_items (url) VALUES (?)');
  const itemId = db.prepare('SELECT id FROM history_items WHERE url = ?').pluck();
  const visit = db.prepare('INSERT INTO history_visits (id, history_item, visit_time, redirect_source, redirect_destination) VALUES (?, ?, ?, ?, ?)');
  for (const v of visits) {
    item.run(v.url);
    visit.run(v.id, itemId.get(v.url), v.time, v.from ?? null, v.to ?? null);
  }
}

/** A Safari History.db holding the given visits (MVT's tests use mactime 726100000.0). */
function historyDb(visits: Visit[]): Buffer {
  return sqliteBytes(HISTORY_SCHEMA, (db) => addVisits(db, visits));
}

const PROFILE = { domain: 'AppDomain-com.apple.mobilesafari', relativePath: 'Library/Safari/Profiles/00000000-0000-4000-A000-000000000001/History.db' };
const DEFAULT = { domain: 'HomeDomain', relativePath: 'Library/Safari/History.db' };

describe('ios.safari_history on the MVT test backup', () => {
  it('is missing: History.db is listed in Manifest.db but absent, and the reason names it', async () => {
    const { records, coverage } = await parseBackup<SafariHistoryRecord>(safariHistory, mvtIosBackup());
    expect(records).toEqual([]);
    expect(coverage.state).toBe('missing');
    expect(coverage.reason).toBe(
      'HomeDomain/Library/Safari/History.db (1a/1a0e7afc19d307da602ccdcece51af33afe92c53) is listed in Manifest.db but absent from the backup',
    );
  });
});

describe('ios.safari_history on plaso’s real History.db', () => {
  const backup = () => buildBackup([{ ...DEFAULT, data: readFileSync(shared('samples', 'plaso', 'test_data', 'safari', 'History.db')) }]);

  it('reads all 25 visits in time order with their redirect destinations, with no issue', async () => {
    const { records, items, timeline, observables, coverage } = await parseBackup<SafariHistoryRecord>(safariHistory, backup());
    expect(coverage.state).toBe('parsed');
    expect(coverage.issues).toEqual([]);
    expect(records).toHaveLength(25);
    expect(timeline).toHaveLength(25);
    expect(observables).toHaveLength(25);

    const [first] = records;
    expect({ ...first, isodate: first!.isodate?.mvt() }).toEqual({
      id: 30,
      url: 'http://start.ubuntu.com/current/Google/?sourceid=hp',
      visit_id: 36,
      timestamp: 531955414.791503,
      isodate: '2017-11-09 21:23:34.791503',
      redirect_source: null,
      redirect_destination: null,
      redirect_destination_url: null,
      redirect_destination_time: null,
      safari_history_db: 'HomeDomain/Library/Safari/History.db',
    });
    expect(items[0]!.source.at).toEqual({ table: 'history_visits', rowid: 36 });

    const typo = records.find((r) => r.visit_id === 50)!;
    expect(typo).toMatchObject({ id: 40, url: 'http://foxnew.com/', redirect_destination: 51, redirect_destination_url: 'http://www.foxnews.com/' });
    expect(typo.isodate?.mvt()).toBe('2017-11-09 21:25:51.608873');
    expect(typo.redirect_destination_time?.mvt()).toBe('2017-11-09 21:25:51.609235');

    const landed = records.find((r) => r.visit_id === 51)!;
    expect(landed).toMatchObject({ url: 'http://www.foxnews.com/', redirect_source: 50, redirect_destination: 52 });
    expect(landed.redirect_destination_url).toBe('https://sso.foxnews.com/static/server.html?origin=http%3A%2F%2Fwww.foxnews.com%2F');

    expect(timeline[0]).toEqual({
      time: first!.isodate,
      event: 'safari_history',
      description: 'Safari visit to http://start.ubuntu.com/current/Google/?sourceid=hp (ID: 30, Visit ID: 36)',
    });
    expect(observables[0]).toEqual({ kind: 'url', value: 'http://start.ubuntu.com/current/Google/?sourceid=hp', field: 'url' });
  });
});

describe('ios.safari_history with Safari profiles (MVT test_safari_history)', () => {
  const defaultVisit = { id: 1, url: 'https://default.example.net/visited-page', time: 726100000.0 };
  const profileVisit = { id: 1, url: 'https://profile.example.net/visited-page', time: 726100000.0 };

  it('reads the default History.db and every profile’s, and says which database each visit came from', async () => {
    const dir = buildBackup([
      { ...DEFAULT, data: historyDb([defaultVisit]) },
      { ...PROFILE, data: historyDb([profileVisit]) },
    ]);
    const { records, coverage } = await parseBackup<SafariHistoryRecord>(safariHistory, dir);
    expect(coverage.state).toBe('parsed');
    expect(coverage.files).toHaveLength(2);
    expect(new Set(records.map((r) => r.url))).toEqual(new Set([defaultVisit.url, profileVisit.url]));
    expect(records.map((r) => r.safari_history_db).sort()).toEqual([
      'AppDomain-com.apple.mobilesafari/Library/Safari/Profiles/00000000-0000-4000-A000-000000000001/History.db',
      'HomeDomain/Library/Safari/History.db',
    ]);
    expect(records[0]!.isodate?.mvt()).toBe('2024-01-04 22:26:40.000000');
  });

  it('reads the same two databases from a full filesystem dump', async () => {
    const root = tempDir('fs');
    const put = (rel: string, data: Buffer) => {
      mkdirSync(dirname(join(root, rel)), { recursive: true });
      writeFileSync(join(root, rel), data);
    };
    put('private/var/mobile/Library/Safari/History.db', historyDb([defaultVisit]));
    put(
      'private/var/mobile/Containers/Data/Application/3B7F2A10-0000-4000-A000-00000000CAFE/Library/Safari/Profiles/00000000-0000-4000-A000-000000000001/History.db',
      historyDb([profileVisit]),
    );
    const { records, coverage } = await parseSource<SafariHistoryRecord>(safariHistory, openIosFilesystem(root, new InputLog()));
    expect(coverage.state).toBe('parsed');
    expect(records).toHaveLength(2);
    expect(records.map((r) => r.safari_history_db).sort()).toEqual([
      'private/var/mobile/Containers/Data/Application/3B7F2A10-0000-4000-A000-00000000CAFE/Library/Safari/Profiles/00000000-0000-4000-A000-000000000001/History.db',
      'private/var/mobile/Library/Safari/History.db',
    ]);
  });

  it('looks redirect destinations up in the same database only, even when visit ids overlap across profiles', async () => {
    const dir = buildBackup([
      {
        ...DEFAULT,
        data: historyDb([
          { id: 1, url: 'http://same.example.net/', time: 726100000.0, to: 2 },
          { id: 2, url: 'https://same.example.net/', time: 726100000.1, from: 1 },
        ]),
      },
      { ...PROFILE, data: historyDb([{ id: 2, url: 'https://elsewhere.example.com/', time: 726100000.05 }]) },
    ]);
    const { records } = await parseBackup<SafariHistoryRecord>(safariHistory, dir);
    expect(records).toHaveLength(3);
    const origin = records.find((r) => r.url === 'http://same.example.net/')!;
    expect(origin.redirect_destination_url).toBe('https://same.example.net/');
    expect(origin.redirect_destination_time?.mvt()).toBe('2024-01-04 22:26:40.100000');
  });
});

describe('ios.safari_history on damaged or unusual databases', () => {
  it('reads visits that exist only in the -wal and marks them in their locator', async () => {
    const { db, wal } = sqliteWithWal(
      HISTORY_SCHEMA,
      (d) => addVisits(d, [{ id: 1, url: 'https://checkpointed.example.net/', time: 726100000.0 }]),
      (d) => addVisits(d, [{ id: 2, url: 'https://only-in-wal.example.net/', time: 726100001.0 }]),
    );
    const dir = buildBackup([
      { ...DEFAULT, data: db },
      { domain: DEFAULT.domain, relativePath: `${DEFAULT.relativePath}-wal`, data: wal },
    ]);
    const { items, coverage } = await parseBackup<SafariHistoryRecord>(safariHistory, dir);
    expect(coverage.issues).toEqual([]);
    expect(items.map((i) => [i.record.url, i.source.at])).toEqual([
      ['https://checkpointed.example.net/', { table: 'history_visits', rowid: 1 }],
      ['https://only-in-wal.example.net/', { table: 'history_visits', rowid: 2, inWal: true }],
    ]);
  });

  it('fails with a message naming the file when history_visits is missing', async () => {
    const dir = buildBackup([{ ...DEFAULT, data: sqliteBytes('CREATE TABLE history_items (id INTEGER PRIMARY KEY, url TEXT);') }]);
    const { records, coverage } = await parseBackup<SafariHistoryRecord>(safariHistory, dir);
    expect(records).toEqual([]);
    expect(coverage.state).toBe('failed');
    expect(coverage.issues.map((i) => i.code)).toEqual(['missing-table']);
    expect(coverage.reason).toContain('HomeDomain/Library/Safari/History.db');
    expect(coverage.reason).toContain('no table history_visits');
  });

  it('reports a corrupted file as an issue and still reads the healthy profile database', async () => {
    const dir = buildBackup([
      { ...DEFAULT, data: Buffer.from('this is not a database, just bytes where History.db should be') },
      { ...PROFILE, data: historyDb([{ id: 1, url: 'https://profile.example.net/visited-page', time: 726100000.0 }]) },
    ]);
    const { records, coverage } = await parseBackup<SafariHistoryRecord>(safariHistory, dir);
    expect(records.map((r) => r.url)).toEqual(['https://profile.example.net/visited-page']);
    expect(coverage.state).toBe('partial');
    expect(coverage.issues).toHaveLength(1);
    expect(coverage.issues[0]!.code).toBe('bad-sqlite');
    expect(coverage.issues[0]!.message).toContain('HomeDomain/Library/Safari/History.db');
    expect(coverage.issues[0]!.message).toContain('not a SQLite database');
  });
});
