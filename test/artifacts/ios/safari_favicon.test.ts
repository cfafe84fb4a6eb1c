import { describe, expect, it } from 'vitest';
import safariFavicon, { type SafariFaviconRecord } from '../../../src/artifacts/ios/safari_favicon.js';
import { pythonDescription } from '../../../src/report/mvt/compat.js';
import { sqliteBytes, sqliteWithWal } from '../../fixtures/ios-backup.js';
import { buildDump, parseDump } from '../../fixtures/ios-dump.js';

const SCHEMA = `
  CREATE TABLE icon_info (uuid TEXT NOT NULL UNIQUE, url TEXT NOT NULL, timestamp REAL NOT NULL, width REAL NOT NULL, height REAL NOT NULL, has_generated_representations INTEGER NOT NULL);
  CREATE TABLE page_url (uuid TEXT NOT NULL, url TEXT NOT NULL UNIQUE);
  CREATE TABLE rejected_resources (page_url TEXT NOT NULL, icon_url TEXT NOT NULL, timestamp REAL NOT NULL);`;

const SAFARI = 'private/var/mobile/Containers/Data/Application/9C5A0B11-0000-4000-A000-000000000001/Library/Image Cache/Favicons/Favicons.db';

function faviconsDb(extra = ''): Buffer {
  return sqliteBytes(SCHEMA, (d) =>
    d.exec(`
      INSERT INTO icon_info VALUES ('U1', 'https://www.example.org/favicon.ico', 726100000.0, 32, 32, 0), ('U2', 'https://news.example.net/icon.png', 726000000.5, 16, 16, 0);
      INSERT INTO page_url VALUES ('U1', 'https://www.example.org/'), ('U2', 'https://news.example.net/story');
      INSERT INTO rejected_resources VALUES ('https://exploit.example.com/x', 'https://exploit.example.com/favicon.ico', 726050000);
      ${extra}`),
  );
}

describe('ios.safari_favicon on a filesystem dump', () => {
  it('reads valid and rejected icons from Safari\'s container, in time order', async () => {
    const { records, coverage, timeline, items } = await parseDump<SafariFaviconRecord>(safariFavicon, buildDump({ [SAFARI]: faviconsDb() }));
    expect(coverage.state).toBe('parsed');
    expect(coverage.issues).toEqual([]);
    expect(records.map((r) => ({ ...r, isodate: r.isodate?.mvt() }))).toEqual([
      { url: 'https://news.example.net/story', icon_url: 'https://news.example.net/icon.png', timestamp: 726000000.5, isodate: '2024-01-03 18:40:00.500000', type: 'valid', safari_favicon_db_path: SAFARI },
      { url: 'https://exploit.example.com/x', icon_url: 'https://exploit.example.com/favicon.ico', timestamp: 726050000, isodate: '2024-01-04 08:33:20.000000', type: 'rejected', safari_favicon_db_path: SAFARI },
      { url: 'https://www.example.org/', icon_url: 'https://www.example.org/favicon.ico', timestamp: 726100000, isodate: '2024-01-04 22:26:40.000000', type: 'valid', safari_favicon_db_path: SAFARI },
    ]);
    expect(items.map((i) => i.source.at)).toEqual([
      { table: 'icon_info', rowid: 2 },
      { table: 'rejected_resources', rowid: 1 },
      { table: 'icon_info', rowid: 1 },
    ]);
    expect(pythonDescription(timeline[1]!.description)).toBe('Safari favicon from https://exploit.example.com/x with icon URL https://exploit.example.com/favicon.ico (rejected)');
    expect(safariFavicon.observables!(records[1]!)).toEqual([
      { kind: 'url', value: 'https://exploit.example.com/x', field: 'url' },
      { kind: 'url', value: 'https://exploit.example.com/favicon.ico', field: 'icon_url' },
    ]);
  });

  it('reads the old location too, a store without rejected_resources, and rows only in the -wal', async () => {
    const old = SCHEMA.replace(/CREATE TABLE rejected_resources[^;]*;/, '');
    const { db, wal } = sqliteWithWal(
      old,
      (d) => d.exec(`INSERT INTO icon_info VALUES ('A', 'https://a.example/i.ico', 700000000, 1, 1, 0); INSERT INTO page_url VALUES ('A', 'https://a.example/');`),
      (d) => d.exec(`INSERT INTO icon_info VALUES ('B', 'https://b.example/i.ico', 700000001, 1, 1, 0); INSERT INTO page_url VALUES ('B', 'https://b.example/');`),
    );
    const OLD = 'private/var/mobile/Library/Image Cache/Favicons/Favicons.db';
    const { records, coverage } = await parseDump<SafariFaviconRecord>(safariFavicon, buildDump({ [OLD]: db, [`${OLD}-wal`]: wal, [SAFARI]: faviconsDb() }));
    expect(coverage.state).toBe('parsed');
    expect(records.filter((r) => r.safari_favicon_db_path === OLD).map((r) => r.url)).toEqual(['https://a.example/', 'https://b.example/']);
    expect(records).toHaveLength(5);
  });
});

describe('ios.safari_favicon on bad input', () => {
  it('names a store without its tables and a file that is not a database', async () => {
    const missing = await parseDump<SafariFaviconRecord>(safariFavicon, buildDump({ [SAFARI]: sqliteBytes('CREATE TABLE page_url (uuid, url)') }));
    expect(missing.coverage.state).toBe('failed');
    expect(missing.coverage.reason).toContain('no table icon_info');
    const garbage = await parseDump<SafariFaviconRecord>(safariFavicon, buildDump({ [SAFARI]: 'garbage' }));
    expect(garbage.coverage.state).toBe('failed');
    expect(garbage.coverage.reason).toContain('Favicons.db');
  });
});
