import { describe, expect, it } from 'vitest';
import firefoxFavicon, { type FirefoxFaviconRecord } from '../../../src/artifacts/ios/firefox_favicon.js';
import { BROWSER_DB, FIREFOX_SCHEMA, firefoxDb } from '../../fixtures/firefox-browser-db.js';
import { buildBackup, sqliteBytes } from '../../fixtures/ios-backup.js';
import { parseBackup } from '../../helpers/artifacts.js';
import { mvtIosBackup } from '../../helpers/data.js';

describe('ios.firefox_favicon on the MVT test backup', () => {
  it('is missing: browser.db is listed in Manifest.db but absent, and the reason names it', async () => {
    const { records, coverage } = await parseBackup<FirefoxFaviconRecord>(firefoxFavicon, mvtIosBackup());
    expect(records).toEqual([]);
    expect(coverage.state).toBe('missing');
    expect(coverage.reason).toContain('AppDomainGroup-group.org.mozilla.ios.Firefox/profile.profile/browser.db');
  });
});

describe('ios.firefox_favicon on a built browser.db', () => {
  it('pairs each favicon with the site that showed it', async () => {
    const { records, items, timeline, observables, coverage } = await parseBackup<FirefoxFaviconRecord>(firefoxFavicon, buildBackup([{ ...BROWSER_DB, data: firefoxDb() }]));
    expect(coverage.state).toBe('parsed');
    expect(coverage.issues).toEqual([]);
    expect(records.map((r) => ({ ...r, isodate: r.isodate?.mvt() }))).toEqual([
      { id: 1, url: 'https://news.example.com/favicon.ico', width: 32, height: 32, type: 1, isodate: '2021-10-18 12:27:10.000000', history_id: 1, history_url: 'https://news.example.com/story' },
      { id: 2, url: 'https://exploit.example.net/i.png', width: 16, height: 16, type: 1, isodate: '2021-10-18 12:30:50.000000', history_id: 2, history_url: 'https://exploit.example.net/x' },
    ]);
    expect(items.map((i) => i.source.at)).toEqual([1, 2].map((rowid) => ({ table: 'favicons', rowid })));
    expect(timeline[1]).toEqual({
      time: records[1]!.isodate,
      event: 'firefox_history',
      description: 'Firefox favicon https://exploit.example.net/i.png when visiting https://exploit.example.net/x',
    });
    expect(observables.slice(2)).toEqual([
      { kind: 'url', value: 'https://exploit.example.net/i.png', field: 'url' },
      { kind: 'url', value: 'https://exploit.example.net/x', field: 'history_url' },
    ]);
  });

  it('fails with a message naming the file when favicon_sites is missing', async () => {
    const schema = FIREFOX_SCHEMA.replace(/CREATE TABLE favicon_sites[^;]*;/, '');
    const { coverage } = await parseBackup<FirefoxFaviconRecord>(firefoxFavicon, buildBackup([{ ...BROWSER_DB, data: sqliteBytes(schema) }]));
    expect(coverage.state).toBe('failed');
    expect(coverage.issues.map((i) => i.code)).toEqual(['missing-table']);
    expect(coverage.reason).toContain(`${BROWSER_DB.domain}/${BROWSER_DB.relativePath}`);
    expect(coverage.reason).toContain('no table favicon_sites');
  });
});
