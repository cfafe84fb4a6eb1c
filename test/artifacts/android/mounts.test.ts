import { describe, expect, it } from 'vitest';
import mounts, { decodeMountLine, decodeMounts, isSystemMountPoint, type MountRecord } from '../../../src/artifacts/android/mounts.js';
import rules from '../../../src/rules/android/mounts.js';
import type { RecordRule } from '../../../src/rules/rule.js';
import { mvtAndroidqf, parseAqf, parseAqfFiles } from './_aqf.js';

/** The three lines of MVT's mounts test. */
const mvtLines = [
  '/dev/block/dm-12 on / type ext4 (ro,seclabel,noatime)',
  '/dev/block/by-name/system on /system type ext4 (rw,seclabel,noatime)',
  '/dev/block/by-name/data on /data type f2fs (rw,nosuid,nodev,noatime)',
];

const all = rules as RecordRule<MountRecord>[];
const hits = (records: readonly MountRecord[]) => records.flatMap((r) => all.flatMap((rule) => rule.check(r).map((h) => [rule.level, h.message])));

describe('android.mounts', () => {
  it('reads MVT\'s three mount lines', async () => {
    const { records, coverage, observables } = await parseAqfFiles<MountRecord>(mounts, { 'mounts.json': JSON.stringify(mvtLines) });
    expect(coverage.issues).toEqual([]);
    expect(records).toHaveLength(3);
    expect(records[1]).toEqual({
      device: '/dev/block/by-name/system',
      mount_point: '/system',
      filesystem_type: 'ext4',
      mount_options: 'rw,seclabel,noatime',
      options_list: ['rw', 'seclabel', 'noatime'],
      is_system_partition: true,
      is_read_write: true,
    });
    expect(records[0]).toMatchObject({ mount_point: '/', is_system_partition: false, is_read_write: false });
    expect(observables.slice(2, 4)).toEqual([
      { kind: 'file_path', value: '/system', field: 'mount_point' },
      { kind: 'file_path', value: '/dev/block/by-name/system', field: 'device' },
    ]);
  });

  it('an rw /system gives MVT\'s HIGH and MEDIUM; / and /data give nothing', async () => {
    const { records } = await parseAqfFiles<MountRecord>(mounts, { 'mounts.json': JSON.stringify(mvtLines) });
    expect(hits(records)).toEqual([
      ['high', 'Root detected /system partition is mounted as read-write (rw)'],
      ['medium', 'Suspicious mount options found for /system: rw, noatime'],
    ]);
  });

  it('an ordinary phone\'s read-only system partitions raise nothing, noatime on /vendor included', () => {
    const clean = [
      '/dev/block/dm-4 on / type ext4 (ro,seclabel,relatime)',
      '/dev/block/dm-5 on /vendor type ext4 (ro,seclabel,noatime)',
      '/dev/block/dm-6 on /product type ext4 (ro,seclabel,relatime)',
      '/dev/block/dm-7 on /system_ext type ext4 (ro,seclabel,relatime)',
      '/dev/block/sda1 on /vendor/firmware_mnt type vfat (ro,context=u:object_r:firmware_file:s0,relatime,uid=1000,gid=1000)',
      'tmpfs on /dev type tmpfs (rw,seclabel,nosuid,relatime,mode=755)',
      '/dev/block/dm-40 on /data type f2fs (rw,lazytime,seclabel,nosuid,nodev,noatime)',
    ].map((l) => decodeMountLine(l)!);
    expect(hits(clean)).toEqual([]);
    expect(hits([decodeMountLine('/dev/block/dm-8 on /vendor_dlkm type ext4 (rw,seclabel)')!])).toEqual([
      ['high', 'System partition /vendor_dlkm is mounted as read-write (rw). This may indicate system modifications.'],
      ['medium', 'Suspicious mount options found for /vendor_dlkm: rw'],
    ]);
  });

  it('system partitions are named on a path boundary', () => {
    expect(['/system', '/system/etc', '/system_dlkm', '/vendor/dsp'].map(isSystemMountPoint)).toEqual([true, true, true, true]);
    expect(['/systemfoo', '/data', '/mnt/vendor/persist'].map(isSystemMountPoint)).toEqual([false, false, false]);
  });

  it('no mounts.json on MVT\'s folder: missing, nothing found', async () => {
    const { records, coverage } = await parseAqf<MountRecord>(mounts, mvtAndroidqf());
    expect(records).toEqual([]);
    expect(coverage.state).toBe('missing');
  });

  it('bad input: not a list is one issue; items that are not mount lines are counted', async () => {
    expect(decodeMounts('x')).toBe('expected a list of mount lines, found a string');
    expect(decodeMountLine('/dev/root / ext4 ro 0 0')).toBeNull();
    const { records, coverage } = await parseAqfFiles<MountRecord>(mounts, { 'mounts.json': JSON.stringify([mvtLines[0], 12, 'garbage', '']) });
    expect(records).toHaveLength(1);
    expect(coverage.issues.map((i) => i.message)).toEqual(['mounts.json: 2 item(s) that are not "DEVICE on MOUNT_POINT type FS (OPTIONS)" lines not read']);
  });

  it('a line without options keeps the whole rest as the file system type', () => {
    expect(decodeMountLine('none on /acct type cgroup')).toMatchObject({ filesystem_type: 'cgroup', mount_options: '', options_list: [], is_read_write: false });
  });
});
