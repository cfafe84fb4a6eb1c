import { describe, expect, it } from 'vitest';
import webkitStats, { type WebkitResourceLoadStatisticsRecord } from '../../../src/artifacts/ios/webkit_resource_load_statistics.js';
import { buildBackup, sqliteBytes } from '../../fixtures/ios-backup.js';
import { parseBackup } from '../../helpers/artifacts.js';
import { mvtIosBackup } from '../../helpers/data.js';

const OBSERVATIONS = 'Library/WebKit/WebsiteData/ResourceLoadStatistics/observations.db';

/** Renders the Moment fields so a record compares as plain data. */
function plain(r: WebkitResourceLoadStatisticsRecord) {
  return Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v && typeof v === 'object' && 'mvt' in v ? (v as { mvt(): string }).mvt() : v]));
}

describe('ios.webkit_resource_load_statistics on the MVT test backup (test_webkit_resource_load_statistics)', () => {
  it('reads the two domains Chrome’s web view observed, with no issue', async () => {
    const { records, timeline, observables, items, coverage } = await parseBackup<WebkitResourceLoadStatisticsRecord>(webkitStats, mvtIosBackup());
    expect(coverage.state).toBe('parsed');
    expect(coverage.issues).toEqual([]);
    expect(coverage.files).toEqual([
      'AppDomain-com.google.chrome.ios/Library/WebKit/WebsiteData/ResourceLoadStatistics/observations.db (6e/6e9d0cb750a70e7fa10943c134a5f021dab327e7)',
    ]);
    expect(records).toHaveLength(2);
    expect(timeline).toHaveLength(2);
    expect(records.map(plain)).toEqual([
      {
        domain_id: 1,
        registrable_domain: 'google.com',
        last_seen: 1634560250.0,
        had_user_interaction: true,
        last_seen_isodate: '2021-10-18 12:30:50.000000',
        domain: 'AppDomain-com.google.chrome.ios',
        path: OBSERVATIONS,
        most_recent_user_interaction_time: 1634560030.76862,
        most_recent_user_interaction_time_isodate: '2021-10-18 12:27:10.768620',
      },
      {
        domain_id: 2,
        registrable_domain: 'gstatic.com',
        last_seen: 1634560030.0,
        had_user_interaction: false,
        last_seen_isodate: '2021-10-18 12:27:10.000000',
        domain: 'AppDomain-com.google.chrome.ios',
        path: OBSERVATIONS,
        most_recent_user_interaction_time: -1.0,
      },
    ]);
    expect(records.some((r) => 'most_recent_web_push_interaction_time' in r)).toBe(false);
    expect(items.map((i) => i.source.at)).toEqual([
      { table: 'ObservedDomains', rowid: 1 },
      { table: 'ObservedDomains', rowid: 2 },
    ]);
    expect(timeline[0]).toEqual({
      time: records[0]!.last_seen_isodate,
      event: 'visit',
      description: 'Webkit resource loaded from google.com by app in domain AppDomain-com.google.chrome.ios',
    });
    expect(observables).toEqual([
      { kind: 'domain', value: 'google.com', field: 'registrable_domain' },
      { kind: 'domain', value: 'gstatic.com', field: 'registrable_domain' },
    ]);
  });
});

describe('ios.webkit_resource_load_statistics schemas', () => {
  const FULL_SCHEMA = `CREATE TABLE ObservedDomains (domainID INTEGER PRIMARY KEY, registrableDomain TEXT NOT NULL UNIQUE, lastSeen REAL NOT NULL,
    hadUserInteraction INTEGER NOT NULL, mostRecentUserInteractionTime REAL NOT NULL, mostRecentWebPushInteractionTime REAL NOT NULL);`;

  it('reads both optional interaction times when present, dating only values that are not -1', async () => {
    const db = sqliteBytes(FULL_SCHEMA, (d) => {
      d.prepare('INSERT INTO ObservedDomains VALUES (1, ?, ?, 1, ?, ?)').run('example.com', 1634560250.0, 1634560030.0, -1.0);
    });
    const dir = buildBackup([{ domain: 'AppDomain-com.apple.mobilesafari', relativePath: OBSERVATIONS, data: db }]);
    const { records, timeline, coverage } = await parseBackup<WebkitResourceLoadStatisticsRecord>(webkitStats, dir);
    expect(coverage.issues).toEqual([]);
    expect(records.map(plain)).toEqual([
      {
        domain_id: 1,
        registrable_domain: 'example.com',
        last_seen: 1634560250.0,
        had_user_interaction: true,
        last_seen_isodate: '2021-10-18 12:30:50.000000',
        domain: 'AppDomain-com.apple.mobilesafari',
        path: OBSERVATIONS,
        most_recent_user_interaction_time: 1634560030.0,
        most_recent_user_interaction_time_isodate: '2021-10-18 12:27:10.000000',
        most_recent_web_push_interaction_time: -1.0,
      },
    ]);
    expect(timeline[0]!.description).toBe('Webkit resource loaded from example.com by app in domain AppDomain-com.apple.mobilesafari');
  });

  it('reads every app’s store, and skips a store lacking a required column with an issue naming it', async () => {
    const good = sqliteBytes(FULL_SCHEMA, (d) => d.prepare('INSERT INTO ObservedDomains VALUES (1, ?, 1634560250.0, 0, -1.0, -1.0)').run('example.org'));
    const old = sqliteBytes('CREATE TABLE ObservedDomains (domainID INTEGER PRIMARY KEY, registrableDomain TEXT, lastSeen REAL);');
    const dir = buildBackup([
      { domain: 'AppDomain-com.google.Gmail', relativePath: OBSERVATIONS, data: old },
      { domain: 'AppDomain-org.mozilla.ios.Firefox', relativePath: OBSERVATIONS, data: good },
    ]);
    const { records, coverage } = await parseBackup<WebkitResourceLoadStatisticsRecord>(webkitStats, dir);
    expect(records.map((r) => [r.domain, r.registrable_domain])).toEqual([['AppDomain-org.mozilla.ios.Firefox', 'example.org']]);
    expect(coverage.state).toBe('partial');
    expect(coverage.issues).toHaveLength(1);
    expect(coverage.issues[0]!.code).toBe('missing-column');
    expect(coverage.issues[0]!.message).toContain(`AppDomain-com.google.Gmail/${OBSERVATIONS}`);
    expect(coverage.issues[0]!.message).toContain('table ObservedDomains lacks column(s) hadUserInteraction');
  });

  it('reports a file that is not SQLite as an issue naming it, not a crash', async () => {
    const dir = buildBackup([{ domain: 'AppDomain-com.google.Gmail', relativePath: OBSERVATIONS, data: Buffer.from('{"not":"sqlite"}') }]);
    const { records, coverage } = await parseBackup<WebkitResourceLoadStatisticsRecord>(webkitStats, dir);
    expect(records).toEqual([]);
    expect(coverage.state).toBe('failed');
    expect(coverage.issues.map((i) => i.code)).toEqual(['bad-sqlite']);
    expect(coverage.reason).toContain(`AppDomain-com.google.Gmail/${OBSERVATIONS}`);
  });

  it('reports a truncated database as a corrupted-file issue naming it', async () => {
    const bytes = sqliteBytes(FULL_SCHEMA).subarray(0, 100);
    const dir = buildBackup([{ domain: 'AppDomain-com.google.Gmail', relativePath: OBSERVATIONS, data: bytes }]);
    const { records, coverage } = await parseBackup<WebkitResourceLoadStatisticsRecord>(webkitStats, dir);
    expect(records).toEqual([]);
    expect(coverage.state).toBe('failed');
    expect(coverage.issues.map((i) => i.code)).toEqual(['corrupted']);
    expect(coverage.reason).toContain(`AppDomain-com.google.Gmail/${OBSERVATIONS}`);
  });
});
