import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import datausage, { type DatausageRecord } from '../../../src/artifacts/ios/datausage.js';
import { compareMoments } from '../../../src/formats/time.js';
import { buildBackup, sqliteBytes, sqliteWithWal } from '../../fixtures/ios-backup.js';
import { buildDump, parseDump, SYSTEM_PARTITION } from '../../fixtures/ios-dump.js';
import { parseBackup } from '../../helpers/artifacts.js';
import { mvtIosBackup, shared } from '../../helpers/data.js';
import type { TimelineEvent } from '../../../src/artifacts/artifact.js';
import { pythonDescription } from '../../../src/report/mvt/compat.js';
import { plainDescription } from '../../../src/report/native.js';

const at = { domain: 'WirelessDomain', relativePath: 'Library/Databases/DataUsage.sqlite' };

const NETBASE_SCHEMA = `
  CREATE TABLE ZPROCESS (Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZFIRSTTIMESTAMP TIMESTAMP, ZTIMESTAMP TIMESTAMP, ZBUNDLENAME VARCHAR, ZPROCNAME VARCHAR);
  CREATE TABLE ZLIVEUSAGE (Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZKIND INTEGER, ZMETADATA INTEGER, ZTAG INTEGER, ZHASPROCESS INTEGER, ZBILLCYCLEEND TIMESTAMP, ZTIMESTAMP TIMESTAMP, ZWIFIIN FLOAT, ZWIFIOUT FLOAT, ZWWANIN FLOAT, ZWWANOUT FLOAT);`;

/** iOS 15+ dropped the Wi-Fi counters from ZLIVEUSAGE. */
const NETBASE_SCHEMA_NO_WIFI = `
  CREATE TABLE ZPROCESS (Z_PK INTEGER PRIMARY KEY, ZFIRSTTIMESTAMP TIMESTAMP, ZTIMESTAMP TIMESTAMP, ZBUNDLENAME VARCHAR, ZPROCNAME VARCHAR);
  CREATE TABLE ZLIVEUSAGE (Z_PK INTEGER PRIMARY KEY, ZHASPROCESS INTEGER, ZTIMESTAMP TIMESTAMP, ZWWANIN FLOAT, ZWWANOUT FLOAT);`;

function distinct(events: readonly TimelineEvent[]): number {
  return new Set(events.map((e) => `${e.time?.mvt() ?? ''}|${e.event}|${pythonDescription(e.description)}`)).size;
}

describe('ios.datausage on the MVT test backup', () => {
  it('reads the 10 live rows and the 31 processes without live usage (41 records; MVT adds a 42nd placeholder)', async () => {
    const { records, items, timeline, coverage } = await parseBackup<DatausageRecord>(datausage, mvtIosBackup());
    expect(coverage.state).toBe('parsed');
    expect(coverage.issues).toEqual([]);
    expect(records).toHaveLength(41);
    expect(records.filter((r) => r.live_id !== null)).toHaveLength(10);

    expect(items[0]!.source.at).toEqual({ table: 'ZLIVEUSAGE', rowid: 1 });
    const first = records[0]!;
    expect({ ...first, first_isodate: first.first_isodate?.mvt(), isodate: first.isodate?.mvt(), live_isodate: first.live_isodate?.mvt() }).toEqual({
      first_isodate: '2019-08-29 23:07:42.744511',
      isodate: '2019-08-29 23:07:42.743243',
      proc_name: 'CumulativeUsageTracker',
      bundle_id: null,
      proc_id: 32,
      wifi_in: 0,
      wifi_out: 0,
      wwan_in: 253438,
      wwan_out: 0,
      live_id: 1,
      live_proc_id: 32,
      live_isodate: '2019-08-29 23:07:42.743243',
    });

    const fitness = records.find((r) => r.proc_id === 4)!;
    expect(fitness).toMatchObject({ proc_name: '1FB47783-A2FE-47D9-B256-DF50EF44BBA4/com.apple.Fitness', bundle_id: 'com.apple.Fitness', live_id: null, live_proc_id: null, wwan_in: null });
    expect(fitness.first_isodate?.mvt()).toBe('2019-08-27 15:08:09.253102');
    // A process without live usage is dated by its first use.
    expect(fitness.live_isodate?.mvt()).toBe('2019-08-27 15:08:09.253102');

    // MVT's test_datausage: sorted by first use, the first record's isodate starts 2019-08-27 15:08:09.
    const earliest = [...records].sort((a, b) => compareMoments(a.first_isodate, b.first_isodate))[0]!;
    expect(earliest.isodate?.mvt().slice(0, 19)).toBe('2019-08-27 15:08:09');

    // 41 live_usage + 2 × 10 first/current_usage; process 32 has two live rows, so 2 rows repeat.
    // MVT's 60 = these 59 distinct rows + the live_usage row of its MISSING placeholder.
    expect(timeline).toHaveLength(61);
    expect(distinct(timeline)).toBe(59);
    expect(timeline[0]!.event).toBe('live_usage');
    expect(pythonDescription(timeline[0]!.description)).toBe('CumulativeUsageTracker (Bundle ID: None, ID: 32) WWAN IN: 253438.0, WWAN OUT: 0.0');
    // Our own timeline says the same in plain words.
    expect(plainDescription(timeline[0]!.description)).toBe('CumulativeUsageTracker (Bundle ID: unknown, ID: 32) WWAN IN: 253438, WWAN OUT: 0');
    expect(timeline[0]!.time?.mvt()).toBe('2019-08-29 23:07:42.743243');
  });

  it('offers each named process as an observable, so a process indicator matches both CumulativeUsageTracker rows', async () => {
    const { observables } = await parseBackup<DatausageRecord>(datausage, mvtIosBackup());
    expect(observables).toHaveLength(41);
    expect(observables.filter((o) => o.value === 'CumulativeUsageTracker')).toEqual([
      { kind: 'process', value: 'CumulativeUsageTracker', field: 'proc_name' },
      { kind: 'process', value: 'CumulativeUsageTracker', field: 'proc_name' },
    ]);
  });
});

describe('ios.datausage on the plaso sample (a real iOS DataUsage.sqlite)', () => {
  it('reads the 887 live rows plaso reports plus the 35 processes without live usage', async () => {
    const backup = buildBackup([{ ...at, data: readFileSync(shared('samples', 'plaso', 'test_data', 'ios', 'DataUsage.sqlite')) }]);
    const { records, coverage } = await parseBackup<DatausageRecord>(datausage, backup);
    expect(coverage.state).toBe('parsed');
    expect(coverage.issues).toEqual([]);
    expect(records).toHaveLength(922);
    expect(records.filter((r) => r.live_id !== null)).toHaveLength(887);
    expect(records.filter((r) => r.proc_id === null)).toHaveLength(0);
    const live = records.filter((r) => r.live_id !== null);
    expect(live.every((r) => typeof r.wifi_in === 'number' && r.live_isodate !== null)).toBe(true);
  });
});

describe('ios.datausage on built databases', () => {
  it('reads the iOS 15+ schema without Wi-Fi columns, giving null Wi-Fi counters', async () => {
    const db = sqliteBytes(NETBASE_SCHEMA_NO_WIFI, (d) => {
      d.exec(`INSERT INTO ZPROCESS VALUES (1, 700000000.5, 700000100.25, 'com.example.app', 'Example/com.example.app')`);
      d.exec(`INSERT INTO ZLIVEUSAGE VALUES (1, 1, 700000200.0, 1024.0, 2048.0)`);
    });
    const { records, coverage } = await parseBackup<DatausageRecord>(datausage, buildBackup([{ ...at, data: db }]));
    expect(coverage.state).toBe('parsed');
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ proc_name: 'Example/com.example.app', wifi_in: null, wifi_out: null, wwan_in: 1024, wwan_out: 2048, live_proc_id: 1 });
    expect(records[0]!.first_isodate?.mvt()).toBe('2023-03-08 20:26:40.500000');
    expect(records[0]!.live_isodate?.mvt()).toBe('2023-03-08 20:30:00.000000');
  });

  it('keeps a live row whose process record was deleted, with a null proc_id and MVT\'s MANIPULATED name in the timeline', async () => {
    const db = sqliteBytes(NETBASE_SCHEMA, (d) => {
      d.exec(`INSERT INTO ZPROCESS (Z_PK, ZFIRSTTIMESTAMP, ZTIMESTAMP, ZBUNDLENAME, ZPROCNAME) VALUES (1, 600000000, 600000010, 'com.apple.Maps', 'Maps/com.apple.Maps')`);
      d.exec(`INSERT INTO ZLIVEUSAGE (Z_PK, ZHASPROCESS, ZTIMESTAMP, ZWIFIIN, ZWIFIOUT, ZWWANIN, ZWWANOUT) VALUES (1, 7, 600000500, 0, 0, 99, 1)`);
    });
    const { records, timeline } = await parseBackup<DatausageRecord>(datausage, buildBackup([{ ...at, data: db }]));
    const orphan = records.find((r) => r.live_id === 1)!;
    expect(orphan).toMatchObject({ proc_id: null, proc_name: null, live_proc_id: 7, first_isodate: null });
    expect(orphan.live_isodate?.mvt()).toBe('2020-01-06 10:48:20.000000');
    const orphanEvents = timeline.filter((e) => pythonDescription(e.description).includes('ID: None'));
    expect(orphanEvents.map((e) => [e.event, pythonDescription(e.description)])).toEqual([['live_usage', 'MANIPULATED [process record deleted] (Bundle ID: None, ID: None) WWAN IN: 99.0, WWAN OUT: 1.0']]);
  });

  it('still lists processes without usage when a live row has a NULL process (MVT\'s NOT IN drops them all)', async () => {
    const db = sqliteBytes(NETBASE_SCHEMA, (d) => {
      d.exec(`INSERT INTO ZPROCESS (Z_PK, ZFIRSTTIMESTAMP, ZTIMESTAMP, ZPROCNAME) VALUES (1, 600000000, 600000010, 'a'), (2, 600000001, 600000011, 'b')`);
      d.exec(`INSERT INTO ZLIVEUSAGE (Z_PK, ZHASPROCESS, ZTIMESTAMP, ZWWANIN, ZWWANOUT) VALUES (1, 1, 600000500, 1, 1), (2, NULL, 600000600, 2, 2)`);
    });
    const { records } = await parseBackup<DatausageRecord>(datausage, buildBackup([{ ...at, data: db }]));
    expect(records.map((r) => [r.live_id, r.proc_id, r.proc_name])).toEqual([
      [1, 1, 'a'],
      [2, null, null],
      [null, 2, 'b'],
    ]);
  });

  it('marks rows that exist only in the -wal as recovered from it', async () => {
    const { db, wal } = sqliteWithWal(
      NETBASE_SCHEMA,
      (d) => d.exec(`INSERT INTO ZPROCESS (Z_PK, ZFIRSTTIMESTAMP, ZTIMESTAMP, ZPROCNAME) VALUES (1, 600000000, 600000010, 'committed')`),
      (d) => {
        d.exec(`INSERT INTO ZPROCESS (Z_PK, ZFIRSTTIMESTAMP, ZTIMESTAMP, ZPROCNAME) VALUES (2, 600000100, 600000110, 'bh')`);
        d.exec(`INSERT INTO ZLIVEUSAGE (Z_PK, ZHASPROCESS, ZTIMESTAMP, ZWWANIN, ZWWANOUT) VALUES (1, 2, 600000200, 5, 6)`);
      },
    );
    const backup = buildBackup([{ ...at, data: db }, { ...at, relativePath: `${at.relativePath}-wal`, data: wal }]);
    const { items, coverage } = await parseBackup<DatausageRecord>(datausage, backup);
    expect(coverage.state).toBe('parsed');
    expect(items.map((i) => [i.record.proc_name, i.source.at])).toEqual([
      ['bh', { table: 'ZLIVEUSAGE', rowid: 1, inWal: true }],
      ['committed', { table: 'ZPROCESS', rowid: 1 }],
    ]);
  });
});

describe('ios.datausage on bad input', () => {
  it('fails with a message naming the file when ZLIVEUSAGE is missing', async () => {
    const db = sqliteBytes('CREATE TABLE ZPROCESS (Z_PK INTEGER PRIMARY KEY, ZFIRSTTIMESTAMP, ZTIMESTAMP, ZBUNDLENAME, ZPROCNAME);');
    const { records, coverage } = await parseBackup<DatausageRecord>(datausage, buildBackup([{ ...at, data: db }]));
    expect(records).toEqual([]);
    expect(coverage.state).toBe('failed');
    expect(coverage.issues.map((i) => i.code)).toEqual(['missing-table']);
    expect(coverage.reason).toContain('DataUsage.sqlite (WirelessDomain/Library/Databases/DataUsage.sqlite');
    expect(coverage.reason).toContain('no table ZLIVEUSAGE');
  });

  it('reports a file that is not a database instead of crashing', async () => {
    const { records, coverage } = await parseBackup<DatausageRecord>(datausage, buildBackup([{ ...at, data: Buffer.from('not a database at all, just text') }]));
    expect(records).toEqual([]);
    expect(coverage.state).toBe('failed');
    expect(coverage.issues[0]!.code).toBe('bad-sqlite');
    expect(coverage.reason).toContain('DataUsage.sqlite');
    expect(coverage.reason).toContain('not a SQLite database');
  });
});

describe('ios.datausage on a filesystem dump', () => {
  it('adds the binary fact there only, so a backup\'s records keep their shape', async () => {
    const db = sqliteBytes(NETBASE_SCHEMA_NO_WIFI, (d) => {
      d.exec(`INSERT INTO ZPROCESS VALUES (1, 600000000, 600000010, NULL, 'bh'), (2, 600000100, 600000110, NULL, 'mDNSResponder')`);
      d.exec(`INSERT INTO ZLIVEUSAGE VALUES (1, 1, 600000020, 1, 1), (2, 2, 600000120, 1, 1)`);
    });
    const root = buildDump({ ...SYSTEM_PARTITION, 'private/var/wireless/Library/Databases/DataUsage.sqlite': db });
    const { records } = await parseDump<DatausageRecord>(datausage, root);
    expect(records.map((r) => [r.proc_name, r.binary_on_disk])).toEqual([
      ['bh', false],
      ['mDNSResponder', true],
    ]);
    const backup = await parseBackup<DatausageRecord>(datausage, buildBackup([{ ...at, data: db }]));
    expect(backup.records.every((r) => !('binary_on_disk' in r))).toBe(true);
  });
});
