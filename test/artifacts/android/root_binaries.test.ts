import { describe, expect, it } from 'vitest';
import rootBinaries, { decodeRootBinaries, rootBinaryRecord, type RootBinaryRecord } from '../../../src/artifacts/android/root_binaries.js';
import { pythonDescription } from '../../../src/report/mvt/compat.js';
import { mvtAndroidqf, parseAqf, parseAqfFiles } from './_aqf.js';

describe('android.root_binaries', () => {
  it('reads MVT\'s 4 root binaries with their descriptions and undated timeline rows', async () => {
    const { records, coverage, timeline, observables } = await parseAqf<RootBinaryRecord>(rootBinaries, mvtAndroidqf());
    expect(coverage.state).toBe('parsed');
    expect(coverage.issues).toEqual([]);
    expect(records).toEqual([
      { path: '/system/bin/su', binary_name: 'su', description: 'SuperUser binary' },
      { path: '/system/xbin/busybox', binary_name: 'busybox', description: 'BusyBox utilities' },
      { path: '/data/local/tmp/magisk', binary_name: 'magisk', description: 'Magisk root framework' },
      { path: '/system/bin/magiskhide', binary_name: 'magiskhide', description: 'Magisk hide utility' },
    ]);
    expect(timeline.map((e) => [e.time, e.event, pythonDescription(e.description)])).toEqual([
      [null, 'root_binary_found', 'Root binary found: /system/bin/su (binary: su)'],
      [null, 'root_binary_found', 'Root binary found: /system/xbin/busybox (binary: busybox)'],
      [null, 'root_binary_found', 'Root binary found: /data/local/tmp/magisk (binary: magisk)'],
      [null, 'root_binary_found', 'Root binary found: /system/bin/magiskhide (binary: magiskhide)'],
    ]);
    expect(observables[0]).toEqual({ kind: 'file_path', value: '/system/bin/su', field: 'path' });
  });

  it('names are compared in lower case; unknown names are described as such', () => {
    expect(rootBinaryRecord(' /system/app/Superuser.apk ')).toEqual({ path: '/system/app/Superuser.apk', binary_name: 'superuser.apk', description: 'Superuser app' });
    expect(rootBinaryRecord('/sbin/.core/img/xx')).toEqual({ path: '/sbin/.core/img/xx', binary_name: 'xx', description: 'Unknown root binary' });
  });

  it('no file: nothing, and missing', async () => {
    const { records, coverage } = await parseAqfFiles<RootBinaryRecord>(rootBinaries, {});
    expect(records).toEqual([]);
    expect(coverage.state).toBe('missing');
  });

  it('bad input: an object is one issue; items that are not paths are counted', async () => {
    expect(decodeRootBinaries({ su: '/system/bin/su' })).toBe('expected a list of paths, found an object');
    const { records, coverage } = await parseAqfFiles<RootBinaryRecord>(rootBinaries, { 'root_binaries.json': '["/system/bin/su", 3, "", null]' });
    expect(records.map((r) => r.path)).toEqual(['/system/bin/su']);
    expect(coverage.issues.map((i) => i.message)).toEqual(['root_binaries.json: 3 item(s) that are not paths not read']);
    const truncated = await parseAqfFiles<RootBinaryRecord>(rootBinaries, { 'root_binaries.json': '["/system/bin/su", ' });
    expect(truncated.coverage.issues[0]!.message).toMatch(/^root_binaries\.json: not valid JSON/);
  });
});
