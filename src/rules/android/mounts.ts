/** System partitions mounted writable (MVT Mounts). */
import type { MountRecord } from '../../artifacts/android/mounts.js';
import { defineRule } from '../rule.js';

export const suspiciousMountOptions: ReadonlySet<string> = new Set(['rw', 'remount', 'noatime', 'nodiratime']);
/** Partitions some makers mount with `noatime` on ordinary phones. */
export const noatimeAllowed: ReadonlySet<string> = new Set(['/system_dlkm', '/system_ext', '/product', '/vendor', '/vendor_dlkm']);

const source = 'MVT Mounts heuristics (reference-spec §10.2)';

export default [
  defineRule<MountRecord>({
    id: 'android.mounts.system_read_write',
    version: 1,
    artifact: 'android.mounts',
    level: 'high',
    title: 'A system partition is mounted read-write',
    why: 'Android mounts /system, /vendor and /product read-only and verifies them at boot. Mounted read-write, they can be changed: root tools and implants that persist in the system do this.',
    innocent: 'Rooted phones, custom ROMs and developer builds (adb remount on a userdebug build) mount system partitions read-write. Ask whether the phone is rooted or runs a custom ROM.',
    source,
    scope: 'record',
    check(r) {
      if (!r.is_system_partition || !r.is_read_write) return [];
      const message = r.mount_point === '/system' ? 'Root detected /system partition is mounted as read-write (rw)' : `System partition ${r.mount_point} is mounted as read-write (rw). This may indicate system modifications.`;
      return [{ message }];
    },
  }),
  defineRule<MountRecord>({
    id: 'android.mounts.suspicious_options',
    version: 1,
    artifact: 'android.mounts',
    level: 'medium',
    title: 'A system partition is mounted with unusual options',
    why: 'Options such as rw, remount or noatime on a system partition are not what a stock phone uses; they come with a partition remounted to be changed, or to hide that files were read.',
    innocent: 'Some makers mount vendor partitions with noatime (those are set aside), and custom ROMs choose their own options.',
    source,
    scope: 'record',
    check(r) {
      if (!r.is_system_partition) return [];
      if (r.mount_options.includes('noatime') && noatimeAllowed.has(r.mount_point)) return [];
      const found = r.options_list.filter((o) => suspiciousMountOptions.has(o));
      return found.length > 0 ? [{ message: `Suspicious mount options found for ${r.mount_point}: ${found.join(', ')}` }] : [];
    },
  }),
];
