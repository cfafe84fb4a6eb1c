import { buildBinary, type PlistValue as PlistInput } from 'plist';
import { describe, expect, it } from 'vitest';
import analytics from '../../../src/artifacts/ios/analytics.js';
import analyticsIosVersions, { firstSeenBuilds, type AnalyticsIosVersionRecord } from '../../../src/artifacts/ios/analytics_ios_versions.js';
import type { AnalyticsRecord } from '../../../src/artifacts/ios/analytics.js';
import { fromUnix } from '../../../src/formats/time.js';
import { pythonDescription } from '../../../src/report/mvt/compat.js';
import { sqliteBytes } from '../../fixtures/ios-backup.js';
import { buildDump, parseDump } from '../../fixtures/ios-dump.js';

const rec = (build: unknown, t: number | null, artifact = 'a.db') => ({ build, isodate: t === null ? null : fromUnix(t), artifact }) as AnalyticsRecord;

describe('iOS versions from the analytics events', () => {
  it('keeps the earliest event of each build, oldest first, with its version', () => {
    const out = firstSeenBuilds([rec('19E258', 1650000000), rec('19D52', 1645000000, 'b.db'), rec('19D52', 1640000000), rec('19E258', 1660000000), rec('22A5282m', 1700000000)]);
    expect(out.map((r) => [r.isodate.mvt(), r.build, r.version, r.artifact])).toEqual([
      ['2021-12-20 11:33:20.000000', '19D52', '15.3.1', 'a.db'],
      ['2022-04-15 05:20:00.000000', '19E258', '15.4.1', 'a.db'],
      ['2023-11-14 22:13:20.000000', '22A5282m', null, 'a.db'],
    ]);
  });

  it('ignores events without a build or a time', () => {
    expect(firstSeenBuilds([rec(undefined, 1650000000), rec('', 1650000000), rec(42, 1650000000), rec('19D52', null)])).toEqual([]);
  });

  it('reads the records ios.analytics produced, without opening the databases again, and says so in the timeline', async () => {
    const plist = (v: Record<string, unknown>) => Buffer.from(buildBinary(v as PlistInput));
    const db = sqliteBytes('CREATE TABLE hard_failures (id INTEGER PRIMARY KEY, timestamp REAL, data BLOB); CREATE TABLE soft_failures (id INTEGER PRIMARY KEY, timestamp REAL, data BLOB);', (d) =>
      d.prepare('INSERT INTO hard_failures (timestamp, data) VALUES (?, ?), (?, ?)').run(1640000000, plist({ build: '19D52' }), 1650000000, plist({ build: '19E258' })),
    );
    const root = buildDump({ 'private/var/Keychains/Analytics/trust_analytics.db': db });
    const parsed = await parseDump<AnalyticsRecord>(analytics, root);
    const { records, timeline, coverage, items } = await parseDump<AnalyticsIosVersionRecord>(analyticsIosVersions, root, new Map([['ios.analytics', parsed.records]]));
    expect(coverage.state).toBe('parsed');
    expect(records.map((r) => [r.build, r.version])).toEqual([
      ['19D52', '15.3.1'],
      ['19E258', '15.4.1'],
    ]);
    expect(items[0]!.source.file.devicePath).toBe('/private/var/Keychains/Analytics/trust_analytics.db');
    expect(timeline.map((e) => [e.event, e.time?.mvt(), pythonDescription(e.description)])).toEqual([
      ['analytics_ios_version', '2021-12-20 11:33:20.000000', 'Seen iOS version 15.3.1 (19D52)'],
      ['analytics_ios_version', '2022-04-15 05:20:00.000000', 'Seen iOS version 15.4.1 (19E258)'],
    ]);
    // Without analytics records (none parsed), nothing is invented.
    expect((await parseDump(analyticsIosVersions, root)).records).toEqual([]);
  });
});
