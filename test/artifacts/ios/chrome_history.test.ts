import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import chromeHistory, { type ChromeHistoryRecord } from '../../../src/artifacts/ios/chrome_history.js';
import { fromChrome } from '../../../src/formats/time.js';
import { buildBackup, sqliteBytes } from '../../fixtures/ios-backup.js';
import { parseBackup } from '../../helpers/artifacts.js';
import { mvtIosBackup, shared } from '../../helpers/data.js';

const HISTORY = { domain: 'AppDomain-com.google.chrome.ios', relativePath: 'Library/Application Support/Google/Chrome/Default/History' };

describe('ios.chrome_history on the MVT test backup', () => {
  it('is missing: History is listed in Manifest.db but absent, and the reason names it', async () => {
    const { records, coverage } = await parseBackup<ChromeHistoryRecord>(chromeHistory, mvtIosBackup());
    expect(records).toEqual([]);
    expect(coverage.state).toBe('missing');
    expect(coverage.reason).toBe(
      'AppDomain-com.google.chrome.ios/Library/Application Support/Google/Chrome/Default/History (fa/faf971ce92c3ac508c018dce1bef2a8b8e9838f1) is listed in Manifest.db but absent from the backup',
    );
  });
});

describe('ios.chrome_history on plaso’s real Chrome History', () => {
  const backup = () => buildBackup([{ ...HISTORY, data: readFileSync(shared('samples', 'plaso', 'test_data', 'chrome', 'History')) }]);

  it('reads all 69 visits in time order, with no issue', async () => {
    const { records, items, timeline, observables, coverage } = await parseBackup<ChromeHistoryRecord>(chromeHistory, backup());
    expect(coverage.state).toBe('parsed');
    expect(coverage.issues).toEqual([]);
    expect(records).toHaveLength(69);
    expect(timeline).toHaveLength(69);
    expect(observables).toHaveLength(69);

    const [first] = records;
    expect({ ...first, isodate: first!.isodate?.mvt() }).toEqual({
      id: 1,
      url: 'http://start.ubuntu.com/10.04/Google/',
      visit_id: 1,
      timestamp: 12946651391000000,
      isodate: '2011-04-07 12:03:11.000000',
      redirect_source: 0,
    });
    expect(items[0]!.source.at).toEqual({ table: 'visits', rowid: 1 });
    expect(timeline[0]).toEqual({
      time: first!.isodate,
      event: 'visit',
      description: '1 - http://start.ubuntu.com/10.04/Google/ (visit ID: 1, redirect source: 0)',
    });
    expect(records.at(-1)).toMatchObject({ id: 55, visit_id: 69, redirect_source: 68, url: 'https://chrome.google.com/webstore/detail/mfjkgbjaikamkkojmakjclmkianficch?hl=en-US#' });
    expect(records.at(-1)!.isodate?.mvt()).toBe('2011-05-23 08:37:27.061516');
  });

  it('dates odd microsecond values exactly, although they exceed 2^53', async () => {
    const { records } = await parseBackup<ChromeHistoryRecord>(chromeHistory, backup());
    const visit = records.find((r) => r.visit_id === 62)!;
    expect(visit).toMatchObject({ id: 50, redirect_source: 61, url: 'https://chrome.google.com/webstore/detail/pjkljhegncpnkpknbcohdijeoejaedia?hl=en-US' });
    // 12950613413460305 µs since 1601: as a double it reads …304, one microsecond early.
    expect(visit.isodate?.mvt()).toBe('2011-05-23 08:36:53.460305');
    expect(fromChrome(Number(12950613413460305n))?.mvt()).toBe('2011-05-23 08:36:53.460304');
  });
});

describe('ios.chrome_history on unusual databases', () => {
  it('fails with a message naming the file when visits lacks from_visit', async () => {
    const db = sqliteBytes('CREATE TABLE urls (id INTEGER PRIMARY KEY, url TEXT); CREATE TABLE visits (id INTEGER PRIMARY KEY, url INTEGER, visit_time INTEGER);');
    const { coverage } = await parseBackup<ChromeHistoryRecord>(chromeHistory, buildBackup([{ ...HISTORY, data: db }]));
    expect(coverage.state).toBe('failed');
    expect(coverage.issues.map((i) => i.code)).toEqual(['missing-column']);
    expect(coverage.reason).toContain(`${HISTORY.domain}/${HISTORY.relativePath}`);
    expect(coverage.reason).toContain('table visits lacks column(s) from_visit');
  });
});
