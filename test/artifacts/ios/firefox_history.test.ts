import { describe, expect, it } from 'vitest';
import firefoxHistory, { type FirefoxHistoryRecord } from '../../../src/artifacts/ios/firefox_history.js';
import { BROWSER_DB, firefoxDb } from '../../fixtures/firefox-browser-db.js';
import { buildBackup, sqliteBytes } from '../../fixtures/ios-backup.js';
import { parseBackup } from '../../helpers/artifacts.js';
import { mvtIosBackup } from '../../helpers/data.js';

describe('ios.firefox_history on the MVT test backup', () => {
  it('is missing: browser.db is listed in Manifest.db but absent, and the reason names it', async () => {
    const { records, coverage } = await parseBackup<FirefoxHistoryRecord>(firefoxHistory, mvtIosBackup());
    expect(records).toEqual([]);
    expect(coverage.state).toBe('missing');
    expect(coverage.reason).toBe(
      'AppDomainGroup-group.org.mozilla.ios.Firefox/profile.profile/browser.db (2e/2e57c396a35b0d1bcbc624725002d98bd61d142b) is listed in Manifest.db but absent from the backup',
    );
  });
});

describe('ios.firefox_history on a built browser.db', () => {
  it('reads every visit with its site, microsecond dates in seconds, in time order', async () => {
    const { records, items, timeline, observables, coverage } = await parseBackup<FirefoxHistoryRecord>(firefoxHistory, buildBackup([{ ...BROWSER_DB, data: firefoxDb() }]));
    expect(coverage.state).toBe('parsed');
    expect(coverage.issues).toEqual([]);
    expect(records.map((r) => ({ ...r, isodate: r.isodate?.mvt() }))).toEqual([
      { id: 2, isodate: '2021-10-18 12:27:10.000000', url: 'https://news.example.com/story', title: 'A story', is_local: 0, type: 2 },
      { id: 3, isodate: '2021-10-18 12:27:11.500000', url: 'https://news.example.com/story', title: 'A story', is_local: 1, type: 1 },
      { id: 1, isodate: '2021-10-18 12:30:50.123456', url: 'https://exploit.example.net/x', title: '', is_local: 1, type: 1 },
    ]);
    expect(items.map((i) => i.source.at)).toEqual([2, 3, 1].map((rowid) => ({ table: 'visits', rowid })));
    expect(timeline[2]).toEqual({ time: records[2]!.isodate, event: 'firefox_history', description: 'Firefox visit with ID 1 to URL: https://exploit.example.net/x' });
    expect(observables[2]).toEqual({ kind: 'url', value: 'https://exploit.example.net/x', field: 'url' });
  });

  it('fails with a message naming the file when visits lacks is_local', async () => {
    const db = sqliteBytes('CREATE TABLE history (id INTEGER PRIMARY KEY, url TEXT, title TEXT); CREATE TABLE visits (id INTEGER PRIMARY KEY, siteID INTEGER, date REAL, type INTEGER);');
    const { coverage } = await parseBackup<FirefoxHistoryRecord>(firefoxHistory, buildBackup([{ ...BROWSER_DB, data: db }]));
    expect(coverage.state).toBe('failed');
    expect(coverage.issues.map((i) => i.code)).toEqual(['missing-column']);
    expect(coverage.reason).toContain(`${BROWSER_DB.domain}/${BROWSER_DB.relativePath}`);
    expect(coverage.reason).toContain('table visits lacks column(s) is_local');
  });
});
