import { describe, expect, it } from 'vitest';
import { binaryIndexOf, binaryOnDisk } from '../../../src/artifacts/ios/_binaries.js';
import type { DatausageRecord } from '../../../src/artifacts/ios/datausage.js';
import netusage from '../../../src/artifacts/ios/netusage.js';
import { fromCocoa } from '../../../src/formats/time.js';
import datausageRules, { noBinaryRule } from '../../../src/rules/ios/datausage.js';
import rules from '../../../src/rules/ios/netusage.js';
import type { ArtifactRule, RecordRule } from '../../../src/rules/rule.js';
import { sqliteBytes } from '../../fixtures/ios-backup.js';
import { buildDump, parseDump, SYSTEM_PARTITION } from '../../fixtures/ios-dump.js';

const byId = (id: string) => rules.find((r) => r.id === id)!;
const noBinary = byId('ios.netusage.process_without_binary') as RecordRule<DatausageRecord>;

const DB = 'private/var/networkd/db/netusage.sqlite';
const SCHEMA = `
  CREATE TABLE ZPROCESS (Z_PK INTEGER PRIMARY KEY, ZFIRSTTIMESTAMP, ZTIMESTAMP, ZBUNDLENAME, ZPROCNAME);
  CREATE TABLE ZLIVEUSAGE (Z_PK INTEGER PRIMARY KEY, ZHASPROCESS, ZTIMESTAMP, ZWWANIN, ZWWANOUT);`;

function live(name: string | null, binary: boolean | null | undefined): DatausageRecord {
  const t = fromCocoa(600000000);
  return { first_isodate: t, isodate: t, proc_name: name, bundle_id: null, proc_id: 3, wifi_in: null, wifi_out: null, wwan_in: 1, wwan_out: 1, live_id: 1, live_proc_id: 3, live_isodate: t, ...(binary === undefined ? {} : { binary_on_disk: binary }) };
}

describe('the NetBase rules over netusage.sqlite', () => {
  it('are DataUsage\'s rules under the netusage ids, plus the binary check', () => {
    expect(rules.map((r) => [r.id, r.level, r.scope])).toEqual([
      ['ios.netusage.manipulated_process', 'high', 'artifact'],
      ['ios.netusage.missing_process', 'low', 'artifact'],
      ['ios.netusage.process_without_binary', 'medium', 'record'],
    ]);
    expect(rules.every((r) => r.artifact === 'ios.netusage')).toBe(true);
    // DataUsage has the binary check too, on dumps only: a backup's run neither runs nor lists it (outputs pinned).
    expect(datausageRules.map((r) => [r.id, r.sources])).toEqual([
      ['ios.datausage.manipulated_process', undefined],
      ['ios.datausage.missing_process', undefined],
      ['ios.datausage.process_without_binary', ['ios-fs']],
    ]);
    expect(noBinaryRule('ios.datausage').artifact).toBe('ios.datausage');
  });

  it('keep MVT\'s messages for a missing binary, a possibly cut name and an empty name', () => {
    expect(noBinary.check(live('bh', false))).toEqual([{ message: 'Could not find the binary associated with the process with name bh', eventTime: fromCocoa(600000000) }]);
    expect(noBinary.check(live('roleaccountd-wxy', false))[0]!.message).toBe(
      'Could not find the binary associated with the process with name roleaccountd-wxy (However, the process name might have been truncated in the database)',
    );
    expect(noBinary.check(live('', false))[0]!.message).toBe("Found process entry with empty 'proc_name': 3 at 2020-01-06 10:40:00.000000");
  });

  it('stay quiet when the binary was found, could not be looked for, or was never searched (a backup)', () => {
    expect(noBinary.check(live('mDNSResponder', true))).toEqual([]);
    expect(noBinary.check(live('bh', null))).toEqual([]);
    expect(noBinary.check(live('bh', undefined))).toEqual([]);
  });

  it('on a clean dump with the system partition, raise nothing; a planted name raises one MEDIUM', async () => {
    const rows = `INSERT INTO ZPROCESS VALUES (1, 600000000, 600000010, NULL, 'mDNSResponder'), (2, 600000100, 600000110, 'com.apple.mobilesafari', 'com.apple.WebKit.Networking/com.apple.mobilesafari'), (3, 600000200, 600000210, NULL, 'CumulativeUsageTracker');
      INSERT INTO ZLIVEUSAGE VALUES (1, 1, 600000020, 1, 1), (2, 2, 600000120, 1, 1), (3, 3, 600000220, 1, 1);`;
    const clean = await parseDump<DatausageRecord>(netusage, buildDump({ ...SYSTEM_PARTITION, [DB]: sqliteBytes(SCHEMA, (d) => d.exec(rows)) }));
    const all = (records: readonly DatausageRecord[]) => [
      ...records.flatMap((r) => noBinary.check(r).map((h) => h.message)),
      ...rules.filter((r): r is ArtifactRule<DatausageRecord> => r.scope === 'artifact').flatMap((r) => r.check(records).map((h) => h.hit.message)),
    ];
    expect(all(clean.records)).toEqual([]);

    const planted = rows.replace("(3, 600000200, 600000210, NULL, 'CumulativeUsageTracker')", "(3, 600000200, 600000210, NULL, 'roleaccountd')");
    const infected = await parseDump<DatausageRecord>(netusage, buildDump({ ...SYSTEM_PARTITION, [DB]: sqliteBytes(SCHEMA, (d) => d.exec(planted)) }));
    expect(all(infected.records)).toEqual(['Could not find the binary associated with the process with name roleaccountd']);
  });
});

describe('the file-name index behind the binary check', () => {
  it('finds a cut name by its prefix among many names, and tells a data-only dump apart', () => {
    const names = new Set(Array.from({ length: 50_000 }, (_, i) => `daemon${i}`));
    names.add('launchd');
    names.add('ExampleAgentDaemon');
    const index = binaryIndexOf(names);
    expect(index.systemPartition).toBe(true);
    expect(binaryOnDisk('ExampleAgentDaem', index)).toBe(true);
    expect(binaryOnDisk('ExampleAgentDaeX', index)).toBe(false);
    // Not 16 characters: an exact name is needed.
    expect(binaryOnDisk('ExampleAgent', index)).toBe(false);
    expect(binaryOnDisk('com.apple.WebKit.Networking/daemon7', index)).toBe(true);
    expect(binaryOnDisk('bh', binaryIndexOf(new Set(['bh'])))).toBeNull();
  });
});
