import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildBinary, type PlistValue } from 'plist';
import { describe, expect, it } from 'vitest';
import safariBrowserState, { decodeSessionData, type SafariBrowserStateRecord } from '../../../src/artifacts/ios/safari_browser_state.js';
import { buildBackup, sqliteBytes } from '../../fixtures/ios-backup.js';
import { parseBackup } from '../../helpers/artifacts.js';
import { mvtIosBackup } from '../../helpers/data.js';

const DEFAULT = { domain: 'HomeDomain', relativePath: 'Library/Safari/BrowserState.db' };
const PROFILE = { domain: 'AppDomain-com.apple.mobilesafari', relativePath: 'Library/Safari/Profiles/00000000-0000-4000-A000-000000000001/BrowserState.db' };

const mvtBrowserState = () => readFileSync(join(mvtIosBackup(), '3a', '3a47b0981ed7c10f3e2800aa66bac96a3b5db28e'));

/** `tab_sessions.session_data` as Safari writes it: a 4-byte header, then a binary plist. */
function sessionBlob(plist: PlistValue): Buffer {
  return Buffer.concat([Buffer.from([0, 0, 0, 2]), Buffer.from(buildBinary(plist))]);
}

const TABS_SCHEMA = `
  CREATE TABLE tabs (id INTEGER PRIMARY KEY AUTOINCREMENT, uuid TEXT NOT NULL UNIQUE, title TEXT, url TEXT, user_visible_url TEXT, last_viewed_time REAL DEFAULT NULL);`;
const SESSIONS_SCHEMA = `
  CREATE TABLE tab_sessions (id INTEGER PRIMARY KEY AUTOINCREMENT, tab_uuid TEXT NOT NULL UNIQUE, session_data BLOB DEFAULT NULL);`;

describe('ios.safari_browser_state on the MVT test backup (test_safari_browserstate)', () => {
  it('reads the one open tab, with no issue', async () => {
    const { records, timeline, observables, items, coverage } = await parseBackup<SafariBrowserStateRecord>(safariBrowserState, mvtIosBackup());
    expect(coverage.state).toBe('parsed');
    expect(coverage.issues).toEqual([]);
    expect(records).toHaveLength(1);
    expect(timeline).toHaveLength(1);
    const [tab] = records;
    expect({ ...tab, last_viewed_timestamp: tab!.last_viewed_timestamp?.mvt() }).toEqual({
      tab_title: 'NSO is bad',
      tab_url: 'https://en.wikipedia.org/wiki/NSO_Group',
      tab_visible_url: 'https://en.wikipedia.org/wiki/NSO_Group',
      last_viewed_timestamp: '2021-09-29 08:56:46.156382',
      session_data: [],
      session_data_unparsed: false,
      safari_browser_state_db: 'HomeDomain/Library/Safari/BrowserState.db',
    });
    expect(items[0]!.source.at).toEqual({ table: 'tabs', rowid: 1 });
    expect(timeline[0]).toEqual({ time: tab!.last_viewed_timestamp, event: 'tab', description: 'NSO is bad - https://en.wikipedia.org/wiki/NSO_Group' });
    expect(observables).toEqual([{ kind: 'url', value: 'https://en.wikipedia.org/wiki/NSO_Group', field: 'tab_url' }]);
  });

  it('also reads a Safari profile’s copy and names each database', async () => {
    const dir = buildBackup([
      { ...DEFAULT, data: mvtBrowserState() },
      { ...PROFILE, data: mvtBrowserState() },
    ]);
    const { records, coverage } = await parseBackup<SafariBrowserStateRecord>(safariBrowserState, dir);
    expect(coverage.issues).toEqual([]);
    expect(records).toHaveLength(2);
    expect(new Set(records.map((r) => r.safari_browser_state_db))).toEqual(
      new Set(['HomeDomain/Library/Safari/BrowserState.db', `${PROFILE.domain}/${PROFILE.relativePath}`]),
    );
  });
});

describe('ios.safari_browser_state session history', () => {
  const session = {
    SessionHistory: {
      SessionHistoryCurrentIndex: 1,
      SessionHistoryEntries: [
        { SessionHistoryEntryTitle: 'News', SessionHistoryEntryOriginalURL: 'https://news.example.com/', SessionHistoryEntryURL: 'https://news.example.com/', SessionHistoryEntryData: Buffer.alloc(12, 1) },
        { SessionHistoryEntryTitle: 'Landing', SessionHistoryEntryOriginalURL: 'http://short.example/abc', SessionHistoryEntryURL: 'https://landing.example.net/x' },
      ],
    },
  } as unknown as PlistValue;

  it('decodes each back/forward entry, keeping the title apart from the original URL', () => {
    expect(decodeSessionData(sessionBlob(session))).toEqual({
      unparsed: false,
      entries: [
        { entry_title: 'News', entry_original_url: 'https://news.example.com/', entry_url: 'https://news.example.com/', data_length: 12 },
        { entry_title: 'Landing', entry_original_url: 'http://short.example/abc', entry_url: 'https://landing.example.net/x', data_length: 0 },
      ],
    });
  });

  it('keeps tabs whose session blob is unreadable or missing, and flags the unreadable blob without an issue', async () => {
    const db = sqliteBytes(TABS_SCHEMA + SESSIONS_SCHEMA, (d) => {
      const tab = d.prepare('INSERT INTO tabs (uuid, title, url, user_visible_url, last_viewed_time) VALUES (?, ?, ?, ?, ?)');
      const sess = d.prepare('INSERT INTO tab_sessions (tab_uuid, session_data) VALUES (?, ?)');
      tab.run('A', 'Landing', 'https://landing.example.net/x', 'https://landing.example.net/x', 726100000.0);
      sess.run('A', sessionBlob(session));
      tab.run('B', 'Broken', 'https://broken.example.org/', 'https://broken.example.org/', 726100001.0);
      sess.run('B', Buffer.from('\0\0\0\x02garbage that is no plist'));
      tab.run('C', 'No session row', 'https://lonely.example.org/', 'https://lonely.example.org/', 726100002.0);
    });
    const { records, observables, coverage } = await parseBackup<SafariBrowserStateRecord>(safariBrowserState, buildBackup([{ ...DEFAULT, data: db }]));
    expect(coverage.state).toBe('parsed');
    expect(coverage.issues).toEqual([]);
    expect(records.map((r) => [r.tab_title, r.session_data.length, r.session_data_unparsed])).toEqual([
      ['Landing', 2, false],
      ['Broken', 0, true],
      ['No session row', 0, false],
    ]);
    expect(observables.filter((o) => o.field !== 'tab_url')).toEqual([
      { kind: 'url', value: 'https://news.example.com/', field: 'session_data.entry_url' },
      { kind: 'url', value: 'https://landing.example.net/x', field: 'session_data.entry_url' },
      { kind: 'url', value: 'http://short.example/abc', field: 'session_data.entry_original_url' },
    ]);
  });

  it('reads the tabs table alone on iOS before 12 (no tab_sessions)', async () => {
    const db = sqliteBytes(TABS_SCHEMA, (d) => {
      d.prepare('INSERT INTO tabs (uuid, title, url, user_visible_url, last_viewed_time) VALUES (?, ?, ?, ?, ?)').run('A', 'Old', 'https://old.example.org/', null, 500000000.0);
    });
    const { records, coverage } = await parseBackup<SafariBrowserStateRecord>(safariBrowserState, buildBackup([{ ...DEFAULT, data: db }]));
    expect(coverage.issues).toEqual([]);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ tab_title: 'Old', tab_url: 'https://old.example.org/', tab_visible_url: null, session_data: [] });
    expect(records[0]!.last_viewed_timestamp?.mvt()).toBe('2016-11-05 00:53:20.000000');
  });

  it('fails with a message naming the file when the tabs table is missing', async () => {
    const { coverage } = await parseBackup<SafariBrowserStateRecord>(safariBrowserState, buildBackup([{ ...DEFAULT, data: sqliteBytes(SESSIONS_SCHEMA) }]));
    expect(coverage.state).toBe('failed');
    expect(coverage.issues.map((i) => i.code)).toEqual(['missing-table']);
    expect(coverage.reason).toContain('HomeDomain/Library/Safari/BrowserState.db');
    expect(coverage.reason).toContain('no table tabs');
  });
});
