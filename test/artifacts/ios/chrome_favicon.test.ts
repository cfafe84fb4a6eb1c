import { describe, expect, it } from 'vitest';
import chromeFavicon, { type ChromeFaviconRecord } from '../../../src/artifacts/ios/chrome_favicon.js';
import { buildBackup, sqliteBytes } from '../../fixtures/ios-backup.js';
import { parseBackup } from '../../helpers/artifacts.js';
import { mvtIosBackup } from '../../helpers/data.js';

const FAVICONS = { domain: 'AppDomain-com.google.chrome.ios', relativePath: 'Library/Application Support/Google/Chrome/Default/Favicons' };

/** The tables of Chrome's Favicons database that the artifact reads, as Chrome declares them. */
const SCHEMA = `
  CREATE TABLE favicons (id INTEGER PRIMARY KEY, url LONGVARCHAR NOT NULL, icon_type INTEGER DEFAULT 1);
  CREATE TABLE favicon_bitmaps (id INTEGER PRIMARY KEY, icon_id INTEGER NOT NULL, last_updated INTEGER DEFAULT 0,
    image_data BLOB, width INTEGER DEFAULT 0, height INTEGER DEFAULT 0, last_requested INTEGER NOT NULL DEFAULT 0);
  CREATE TABLE icon_mapping (id INTEGER PRIMARY KEY, page_url LONGVARCHAR NOT NULL, icon_id INTEGER);`;

function faviconsDb(): Buffer {
  return sqliteBytes(SCHEMA, (db) => {
    db.exec(`
      INSERT INTO favicons VALUES (1, 'https://news.example.com/favicon.ico', 1), (2, 'https://exploit.example.net/i.png', 1);
      INSERT INTO favicon_bitmaps (id, icon_id, last_updated, last_requested) VALUES (1, 1, 13282000000000001, 0), (2, 2, 0, 13281000000000000);
      INSERT INTO icon_mapping VALUES (1, 'https://news.example.com/today', 1), (2, 'https://exploit.example.net/landing', 2);`);
  });
}

describe('ios.chrome_favicon on the MVT test backup', () => {
  it('is missing: Favicons is listed in Manifest.db but absent, and the reason names it', async () => {
    const { records, coverage } = await parseBackup<ChromeFaviconRecord>(chromeFavicon, mvtIosBackup());
    expect(records).toEqual([]);
    expect(coverage.state).toBe('missing');
    expect(coverage.reason).toBe(
      'AppDomain-com.google.chrome.ios/Library/Application Support/Google/Chrome/Default/Favicons (55/55680ab883d0fdcffd94f959b1632e5fbbb18c5b) is listed in Manifest.db but absent from the backup',
    );
  });
});

describe('ios.chrome_favicon on a built Favicons database', () => {
  it('pairs each page with its icon, dated by last update or else last request, in time order', async () => {
    const { records, items, timeline, observables, coverage } = await parseBackup<ChromeFaviconRecord>(chromeFavicon, buildBackup([{ ...FAVICONS, data: faviconsDb() }]));
    expect(coverage.state).toBe('parsed');
    expect(coverage.issues).toEqual([]);
    expect(records.map((r) => ({ ...r, isodate: r.isodate?.mvt() }))).toEqual([
      { url: 'https://exploit.example.net/landing', icon_url: 'https://exploit.example.net/i.png', timestamp: 13281000000000000, isodate: '2021-11-10 06:40:00.000000' },
      { url: 'https://news.example.com/today', icon_url: 'https://news.example.com/favicon.ico', timestamp: 13282000000000000, isodate: '2021-11-21 20:26:40.000001' },
    ]);
    expect(items.map((i) => i.source.at)).toEqual([
      { table: 'icon_mapping', rowid: 2 },
      { table: 'icon_mapping', rowid: 1 },
    ]);
    expect(timeline[0]).toEqual({ time: records[0]!.isodate, event: 'new_favicon', description: 'https://exploit.example.net/i.png from https://exploit.example.net/landing' });
    expect(observables.slice(0, 2)).toEqual([
      { kind: 'url', value: 'https://exploit.example.net/landing', field: 'url' },
      { kind: 'url', value: 'https://exploit.example.net/i.png', field: 'icon_url' },
    ]);
  });

  it('fails with a message naming the file when icon_mapping is missing', async () => {
    const db = sqliteBytes('CREATE TABLE favicons (id INTEGER PRIMARY KEY, url TEXT);');
    const { coverage } = await parseBackup<ChromeFaviconRecord>(chromeFavicon, buildBackup([{ ...FAVICONS, data: db }]));
    expect(coverage.state).toBe('failed');
    expect(coverage.issues.map((i) => i.code)).toEqual(['missing-table']);
    expect(coverage.reason).toContain(`${FAVICONS.domain}/${FAVICONS.relativePath}`);
  });
});
