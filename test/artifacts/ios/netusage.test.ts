import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import netusage, { type NetusageRecord } from '../../../src/artifacts/ios/netusage.js';
import { pythonDescription } from '../../../src/report/mvt/compat.js';
import { sqliteBytes, sqliteWithWal } from '../../fixtures/ios-backup.js';
import { buildDump, parseDump, SYSTEM_PARTITION } from '../../fixtures/ios-dump.js';
import { shared } from '../../helpers/data.js';

const NEW = 'private/var/networkd/db/netusage.sqlite';
const OLD = 'private/var/networkd/netusage.sqlite';

/** netusage.sqlite as iOS 15 has it: NetBase without the Wi-Fi counters. */
const NETUSAGE_SCHEMA = `
  CREATE TABLE ZPROCESS (Z_PK INTEGER PRIMARY KEY, ZFIRSTTIMESTAMP TIMESTAMP, ZTIMESTAMP TIMESTAMP, ZBUNDLENAME VARCHAR, ZPROCNAME VARCHAR);
  CREATE TABLE ZLIVEUSAGE (Z_PK INTEGER PRIMARY KEY, ZHASPROCESS INTEGER, ZTIMESTAMP TIMESTAMP, ZWWANIN FLOAT, ZWWANOUT FLOAT);`;

function netusageDb(rows: string): Buffer {
  return sqliteBytes(NETUSAGE_SCHEMA, (d) => d.exec(rows));
}

describe('ios.netusage on a filesystem dump', () => {
  it('reads a real NetBase database (plaso\'s DataUsage.sqlite sample) at the iOS 15 path', async () => {
    const root = buildDump({ [NEW]: readFileSync(shared('samples', 'plaso', 'test_data', 'ios', 'DataUsage.sqlite')) });
    const { records, coverage, observables } = await parseDump<NetusageRecord>(netusage, root);
    expect(coverage.state).toBe('parsed');
    expect(coverage.issues).toEqual([]);
    expect(records).toHaveLength(922);
    expect(records.filter((r) => r.live_id !== null)).toHaveLength(887);
    // No system partition in this dump: no record says a binary is missing.
    expect(records.filter((r) => r.binary_on_disk === false)).toEqual([]);
    expect(observables.length).toBe(922);
  });

  it('reads every match, the old and the new location, with MVT\'s timeline texts', async () => {
    const root = buildDump({
      [OLD]: netusageDb(`INSERT INTO ZPROCESS VALUES (1, 600000000, 600000010, NULL, 'mDNSResponder'); INSERT INTO ZLIVEUSAGE VALUES (1, 1, 600000020, 10, 20);`),
      [NEW]: netusageDb(`INSERT INTO ZPROCESS VALUES (1, 700000000, 700000010, 'com.apple.mobilesafari', 'com.apple.WebKit.Networking/com.apple.mobilesafari');`),
    });
    const { records, coverage, timeline, items } = await parseDump<NetusageRecord>(netusage, root);
    expect(coverage.state).toBe('parsed');
    expect(coverage.files).toHaveLength(2);
    expect(records.map((r) => [r.proc_name, r.wifi_in, r.wwan_in])).toEqual([
      ['mDNSResponder', null, 10],
      ['com.apple.WebKit.Networking/com.apple.mobilesafari', null, null],
    ]);
    expect(items.map((i) => i.source.file.devicePath)).toEqual([`/${OLD}`, `/${NEW}`]);
    expect(timeline.map((e) => [e.event, e.time?.mvt(), pythonDescription(e.description)])).toEqual([
      ['live_usage', '2020-01-06 10:40:20.000000', 'mDNSResponder (Bundle ID: None, ID: 1) WWAN IN: 10.0, WWAN OUT: 20.0'],
      ['first_usage', '2020-01-06 10:40:00.000000', 'mDNSResponder (Bundle ID: None, ID: 1)'],
      ['current_usage', '2020-01-06 10:40:10.000000', 'mDNSResponder (Bundle ID: None, ID: 1)'],
      ['live_usage', '2023-03-08 20:26:40.000000', 'com.apple.WebKit.Networking/com.apple.mobilesafari (Bundle ID: com.apple.mobilesafari, ID: 1) WWAN IN: None, WWAN OUT: None'],
    ]);
  });

  it('says, for each live process without a bundle id, whether its binary is in a dump that has the system partition', async () => {
    const root = buildDump({
      ...SYSTEM_PARTITION,
      'private/var/containers/Bundle/Application/0A/Example.app/ExampleAgentDaemon': '',
      [NEW]: netusageDb(`
        INSERT INTO ZPROCESS VALUES (1, 600000000, 600000010, NULL, 'mDNSResponder'), (2, 600000100, 600000110, NULL, 'bh'),
          (3, 600000200, 600000210, NULL, 'ExampleAgentDaem'), (4, 600000300, 600000310, NULL, 'roleaccountd-wxy'),
          (5, 600000400, 600000410, 'com.example.app', 'Example/com.example.app'), (6, 600000500, 600000510, NULL, 'CumulativeUsageTracker'),
          (7, 600000600, 600000610, NULL, ''), (8, 600000700, 600000710, NULL, 'quietd');
        INSERT INTO ZLIVEUSAGE VALUES (1, 1, 600000020, 1, 1), (2, 2, 600000120, 1, 1), (3, 3, 600000220, 1, 1), (4, 4, 600000320, 1, 1),
          (5, 5, 600000420, 1, 1), (6, 6, 600000520, 1, 1), (7, 7, 600000620, 1, 1), (8, 99, 600000800, 1, 1);`),
    });
    const { records } = await parseDump<NetusageRecord>(netusage, root);
    expect(records.map((r) => [r.proc_name, r.binary_on_disk])).toEqual([
      ['mDNSResponder', true],
      ['bh', false],
      // 16 characters: the kernel may have cut it, so a file it starts is its binary.
      ['ExampleAgentDaem', true],
      ['roleaccountd-wxy', false],
      // A bundle id, a deleted process record (live row 8) or no live usage (process 8): MVT does not search.
      ['Example/com.example.app', undefined],
      ['CumulativeUsageTracker', true],
      ['', false],
      [null, undefined],
      ['quietd', undefined],
    ]);
  });

  it('leaves the binary question open on a dump of the data partition only', async () => {
    const root = buildDump({ [NEW]: netusageDb(`INSERT INTO ZPROCESS VALUES (1, 600000000, 600000010, NULL, 'bh'); INSERT INTO ZLIVEUSAGE VALUES (1, 1, 600000020, 1, 1);`) });
    const { records } = await parseDump<NetusageRecord>(netusage, root);
    expect(records.map((r) => [r.proc_name, r.binary_on_disk])).toEqual([['bh', null]]);
  });

  it('marks rows that exist only in the -wal', async () => {
    const { db, wal } = sqliteWithWal(
      NETUSAGE_SCHEMA,
      (d) => d.exec(`INSERT INTO ZPROCESS VALUES (1, 600000000, 600000010, NULL, 'committed')`),
      (d) => d.exec(`INSERT INTO ZPROCESS VALUES (2, 600000100, 600000110, NULL, 'bh'); INSERT INTO ZLIVEUSAGE VALUES (1, 2, 600000200, 5, 6);`),
    );
    const { items } = await parseDump<NetusageRecord>(netusage, buildDump({ [NEW]: db, [`${NEW}-wal`]: wal }));
    expect(items.map((i) => [i.record.proc_name, i.source.at])).toEqual([
      ['bh', { table: 'ZLIVEUSAGE', rowid: 1, inWal: true }],
      ['committed', { table: 'ZPROCESS', rowid: 1 }],
    ]);
  });
});

describe('ios.netusage on bad input', () => {
  it('reports a missing table, naming the file, and still reads the other database', async () => {
    const root = buildDump({
      [OLD]: sqliteBytes('CREATE TABLE ZPROCESS (Z_PK INTEGER PRIMARY KEY, ZFIRSTTIMESTAMP, ZTIMESTAMP, ZBUNDLENAME, ZPROCNAME);'),
      [NEW]: netusageDb(`INSERT INTO ZPROCESS VALUES (1, 600000000, 600000010, NULL, 'a');`),
    });
    const { records, coverage } = await parseDump<NetusageRecord>(netusage, root);
    expect(records).toHaveLength(1);
    expect(coverage.state).toBe('partial');
    expect(coverage.issues.map((i) => [i.code, i.message])).toEqual([['missing-table', expect.stringContaining('no table ZLIVEUSAGE')]]);
    expect(coverage.issues[0]!.message).toContain('networkd/netusage.sqlite');
  });

  it('fails on a file that is not a database, with one line naming it', async () => {
    const { coverage } = await parseDump<NetusageRecord>(netusage, buildDump({ [NEW]: 'garbage, not SQLite' }));
    expect(coverage.state).toBe('failed');
    expect(coverage.reason).toContain('netusage.sqlite');
  });

  it('is missing, not failed, on a dump without it', async () => {
    const { coverage } = await parseDump<NetusageRecord>(netusage, buildDump({ 'private/var/mobile/Library/x': '' }));
    expect(coverage.state).toBe('missing');
  });
});
