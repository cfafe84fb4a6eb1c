import { defineArtifact, type Parsed } from '../artifact.js';
import { at } from '../_read.js';
import { aqfName, jsonType, readAqfJson } from './_aqf.js';

/** One mounted file system, from a `mount` line: `/dev/block/dm-12 on /system type ext4 (ro,seclabel)`. */
export interface MountRecord {
  readonly device: string;
  readonly mount_point: string;
  readonly filesystem_type: string;
  /** The options as written, without the parentheses. */
  readonly mount_options: string;
  readonly options_list: readonly string[];
  readonly is_system_partition: boolean;
  readonly is_read_write: boolean;
}

/** The partitions holding the operating system, which Android mounts read-only. */
export const systemMountPoints: readonly string[] = ['/system', '/vendor', '/product', '/system_ext'];

/**
 * A system partition, or one of its siblings and sub-mounts (`/system_dlkm`, `/vendor_dlkm`, `/vendor/firmware_mnt`),
 * as MVT counts them; unlike MVT's bare prefix test, `/systemfoo` is not one.
 */
export function isSystemMountPoint(mp: string): boolean {
  return systemMountPoints.some((p) => mp === p || mp.startsWith(`${p}/`) || mp.startsWith(`${p}_`));
}

/** A phone has a few hundred mounts. */
const MAX_BYTES = 8 * 1024 * 1024;
export const MAX_MOUNTS = 20_000;

/** One `mount` line, or null for a line of another form (`/proc/mounts`' `dev mp fs opts 0 0` is not read, as in MVT). */
export function decodeMountLine(line: string): MountRecord | null {
  const on = line.indexOf(' on ');
  const type = line.indexOf(' type ', on + 4);
  if (on === -1 || type === -1) return null;
  const device = line.slice(0, on).trim();
  const mount_point = line.slice(on + 4, type).trim();
  const rest = line.slice(type + 6).trim();
  const m = /^(.*?)\s*\((.*)\)$/.exec(rest);
  const filesystem_type = m ? m[1]! : rest;
  const mount_options = m ? m[2]! : '';
  const options_list = mount_options === '' ? [] : mount_options.split(',').map((o) => o.trim());
  return { device, mount_point, filesystem_type, mount_options, options_list, is_system_partition: isSystemMountPoint(mount_point), is_read_write: options_list.includes('rw') };
}

/** mounts.json: androidqf's list of `mount` output lines. */
export function decodeMounts(value: unknown): { mounts: { record: MountRecord; index: number }[]; skipped: number } | string {
  if (!Array.isArray(value)) return `expected a list of mount lines, found ${jsonType(value)}`;
  const mounts: { record: MountRecord; index: number }[] = [];
  let skipped = Math.max(0, value.length - MAX_MOUNTS);
  value.slice(0, MAX_MOUNTS).forEach((item, index) => {
    const record = typeof item === 'string' ? decodeMountLine(item) : null;
    if (record) mounts.push({ record, index });
    else if (!(typeof item === 'string' && item.trim() === '')) skipped++;
  });
  return { mounts, skipped };
}

export default defineArtifact<MountRecord>({
  id: 'android.mounts',
  version: 1,
  title: 'Mounted file systems (mounts.json)',
  doc: 'The file systems mounted on the phone and their options: Android mounts its system partitions read-only, and a system partition mounted read-write is how root tools and implants change system files.',
  references: ['https://github.com/mvt-project/androidqf', 'https://source.android.com/docs/security/features/verifiedboot'],
  mvt: { module: 'mounts', className: 'Mounts' },
  inputs: { 'android-androidqf': [{ by: 'path-glob', pattern: 'mounts.json' }] },
  async *parse(ctx) {
    for (const file of await ctx.findInputs()) {
      const json = await readAqfJson(ctx, file, MAX_BYTES);
      if (json === null) continue;
      const decoded = decodeMounts(json.value);
      if (typeof decoded === 'string') {
        ctx.warn({ code: 'corrupted', file, message: `${aqfName(file)}: ${decoded}` });
        continue;
      }
      if (decoded.skipped > 0) ctx.warn({ code: 'row-skipped', file, message: `${aqfName(file)}: ${decoded.skipped} item(s) that are not "DEVICE on MOUNT_POINT type FS (OPTIONS)" lines not read` });
      for (const { record, index } of decoded.mounts) yield { record, source: at(file, { key: `[${index}]` }) } satisfies Parsed<MountRecord>;
    }
  },
  observables: (r) => [
    { kind: 'file_path', value: r.mount_point, field: 'mount_point' },
    { kind: 'file_path', value: r.device, field: 'device' },
  ],
});
