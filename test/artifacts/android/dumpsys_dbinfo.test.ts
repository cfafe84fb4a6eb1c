import { describe, expect, it } from 'vitest';
import dbinfo, { type DumpsysDbinfoRecord } from '../../../src/artifacts/android/dumpsys_dbinfo.js';
import { decodeDbinfo } from '../../../src/formats/dumpsys-dbinfo.js';
import { checkDumpsys, mvtDumpsys, parseDumpsysSections } from './_dumpsys.js';

describe('android.dumpsys_dbinfo', () => {
  it('MVT\'s file: 5 operations, the first PRAGMA database_list on com.wssyncmldm\'s idmsdk.db', async () => {
    const { records, coverage, observables } = await parseDumpsysSections<DumpsysDbinfoRecord>(dbinfo, { dbinfo: mvtDumpsys('dumpsys_dbinfo.txt') });
    expect(coverage).toMatchObject({ state: 'parsed', issues: [] });
    expect(records).toHaveLength(5);
    expect(records[0]).toEqual({ isodate: '2023-07-27 12:21:44.097', action: 'executeForCursorWindow', sql: 'PRAGMA database_list;', path: '/data/user/0/com.wssyncmldm/databases/idmsdk.db', pid: '0' });
    expect(observables.slice(0, 3)).toEqual([
      { kind: 'file_path', value: '/data/user/0/com.wssyncmldm/databases/idmsdk.db', field: 'path' },
      { kind: 'app_id', value: 'com.wssyncmldm', field: 'path' },
      { kind: 'app_id', value: 'idmsdk.db', field: 'path' },
    ]);
  });

  it('the indicator com.wssyncmldm: 5 CRITICAL, one per operation', async () => {
    const findings = await checkDumpsys('android.dumpsys_dbinfo', { dbinfo: mvtDumpsys('dumpsys_dbinfo.txt') }, ['com.wssyncmldm']);
    expect(findings.map((f) => f.level)).toEqual(['critical', 'critical', 'critical', 'critical', 'critical']);
  });

  it('a path naming the app twice alerts once (MVT alerts per path part)', async () => {
    const text = 'Connection pool for /data/user/0/com.x/databases/com.x:\n  Most recently executed operations:\n        0: [07-15 20:27:39.431] executeForCursorWindow took 1ms - succeeded, sql="SELECT 1", path=x\n';
    const findings = await checkDumpsys('android.dumpsys_dbinfo', { dbinfo: text }, ['com.x']);
    expect(findings).toHaveLength(1);
  });

  it('a month-day time without pid keeps the time as printed and has no pid', () => {
    const text = 'Connection pool for /data/user/0/com.example/databases/current.db:\n  Most recently executed operations:\n        0: [07-15 20:27:39.431] executeForCursorWindow took 1ms - succeeded, sql="SELECT 1"\n';
    expect(decodeDbinfo(text)).toEqual([{ isodate: '07-15 20:27:39.431', action: 'executeForCursorWindow', sql: 'SELECT 1', path: '/data/user/0/com.example/databases/current.db' }]);
  });
});
