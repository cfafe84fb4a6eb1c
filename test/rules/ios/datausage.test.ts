import { describe, expect, it } from 'vitest';
import datausage, { type DatausageRecord } from '../../../src/artifacts/ios/datausage.js';
import type { ArtifactRule } from '../../../src/rules/rule.js';
import rules, { maxMissingIdsListed } from '../../../src/rules/ios/datausage.js';
import { fromCocoa } from '../../../src/formats/time.js';
import { buildBackup, sqliteBytes } from '../../fixtures/ios-backup.js';
import { parseBackup } from '../../helpers/artifacts.js';
import { mvtIosBackup } from '../../helpers/data.js';

const rule = (id: string) => rules.find((r) => r.id === id) as ArtifactRule<DatausageRecord>;
const manipulated = rule('ios.datausage.manipulated_process');
const missing = rule('ios.datausage.missing_process');

function hits(r: ArtifactRule<DatausageRecord>, records: readonly DatausageRecord[]) {
  return r.check(records).map(({ record, hit }) => ({ proc_id: record.proc_id, live_id: record.live_id, message: hit.message, at: hit.eventTime?.mvt() ?? null }));
}

/** A process-only record (no live usage), as the artifact gives it. */
function proc(id: number, name: string, first: number): DatausageRecord {
  const t = fromCocoa(first);
  return { first_isodate: t, isodate: t, proc_name: name, bundle_id: null, proc_id: id, wifi_in: null, wifi_out: null, wwan_in: null, wwan_out: null, live_id: null, live_proc_id: null, live_isodate: t };
}

describe('DataUsage heuristics on the MVT test backup', () => {
  it('raise exactly MVT\'s one LOW finding: process 5 is missing after com.apple.Fitness', async () => {
    const { records } = await parseBackup<DatausageRecord>(datausage, mvtIosBackup());
    expect(missing.level).toBe('low');
    expect(hits(missing, records)).toEqual([
      {
        proc_id: 4,
        live_id: null,
        message: 'Missing process 5. Previous process at "2019-08-27 15:08:09.253102" (1FB47783-A2FE-47D9-B256-DF50EF44BBA4/com.apple.Fitness)',
        at: '2019-08-27 15:08:09.253102',
      },
    ]);
    expect(hits(manipulated, records)).toEqual([]);
  });
});

describe('DataUsage heuristics on built databases', () => {
  it('flag a live row whose process record was deleted as HIGH, once per orphaned row, ordered by time', async () => {
    const db = sqliteBytes(
      `CREATE TABLE ZPROCESS (Z_PK INTEGER PRIMARY KEY, ZFIRSTTIMESTAMP, ZTIMESTAMP, ZBUNDLENAME, ZPROCNAME);
       CREATE TABLE ZLIVEUSAGE (Z_PK INTEGER PRIMARY KEY, ZHASPROCESS, ZTIMESTAMP, ZWIFIIN, ZWIFIOUT, ZWWANIN, ZWWANOUT);`,
      (d) => {
        d.exec(`INSERT INTO ZPROCESS VALUES (1, 600000000, 600000010, 'com.apple.Maps', 'Maps/com.apple.Maps')`);
        d.exec(`INSERT INTO ZLIVEUSAGE VALUES (1, 1, 600000050, 0, 0, 1, 1), (2, 7, 600000900, 0, 0, 5, 5), (3, 7, 600000500, 0, 0, 3, 3)`);
      },
    );
    const backup = buildBackup([{ domain: 'WirelessDomain', relativePath: 'Library/Databases/DataUsage.sqlite', data: db }]);
    const { records } = await parseBackup<DatausageRecord>(datausage, backup);
    expect(manipulated.level).toBe('high');
    expect(hits(manipulated, records)).toEqual([
      { proc_id: null, live_id: 3, message: 'Found manipulated process entry 7. Entry on 2020-01-06 10:48:20.000000', at: '2020-01-06 10:48:20.000000' },
      { proc_id: null, live_id: 2, message: 'Found manipulated process entry 7. Entry on 2020-01-06 10:55:00.000000', at: '2020-01-06 10:55:00.000000' },
    ]);
    // A deleted process is not also a "missing" id: only ids present in ZPROCESS frame the gaps.
    expect(hits(missing, records)).toEqual([]);
  });

  it('name each missing id with the process recorded just before it, without adding placeholder records', () => {
    const records = [proc(3, 'c', 600000300), proc(1, 'a', 600000100), proc(6, 'f', 600000600)];
    expect(hits(missing, records).map((h) => h.message)).toEqual([
      'Missing process 2. Previous process at "2020-01-06 10:41:40.000000" (a)',
      'Missing process 4. Previous process at "2020-01-06 10:45:00.000000" (c)',
      'Missing process 5. Previous process at "2020-01-06 10:45:00.000000" (c)',
    ]);
    expect(records).toHaveLength(3);
  });

  it('report a gap wider than the listing limit once, as a range', () => {
    const far = maxMissingIdsListed + 10;
    const records = [proc(1, 'a', 600000100), proc(far, 'z', 600000200)];
    expect(hits(missing, records).map((h) => h.message)).toEqual([
      `Missing processes 2 to ${far - 1} (${far - 2} ids). Previous process at "2020-01-06 10:41:40.000000" (a)`,
    ]);
  });
});
