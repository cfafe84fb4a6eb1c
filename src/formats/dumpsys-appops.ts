/**
 * `dumpsys appops` (reference-spec §10.3): per uid and package, the app operations (permissions) with their mode
 * (`allow`, `ignore`, `deny`) and the last accesses and rejections with their time. Read from `  Uid 0:` to the
 * first blank line. Times are the device's local wall clock as printed (`2022-03-29 18:37:30.315`).
 */
import { localWallClock } from './dumpsys-time.js';
import type { Moment } from './time.js';

export interface AppopsEntry {
  /** `Access` or `Reject`. */
  readonly access: string;
  /** The process state in brackets (`fg-s`, `bg-tpd`). */
  readonly type: string;
  /** Device-local time, null when it does not read as a date. */
  readonly timestamp: Moment | null;
}

export interface AppopsPermission {
  readonly name: string;
  /** The mode in parentheses (`allow`), when printed. */
  readonly access?: string;
  readonly entries: readonly AppopsEntry[];
}

export interface AppopsPackage {
  readonly package_name: string;
  readonly uid: string;
  readonly permissions: readonly AppopsPermission[];
}

export const MAX_APPOPS_PACKAGES = 100_000;
export const MAX_APPOPS_ENTRIES = 1_000_000;

/** `zone`: the device's time zone when known (the entries' times then also name their instant). */
export function decodeAppops(text: string, zone?: string): AppopsPackage[] {
  const out: { package_name: string; uid: string; permissions: { name: string; access?: string; entries: AppopsEntry[] }[] }[] = [];
  let started = false;
  let uid = '';
  let pkg: (typeof out)[number] | null = null;
  let perm: (typeof out)[number]['permissions'][number] | null = null;
  let entries = 0;
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\r$/, '');
    if (!started) {
      if (!line.startsWith('  Uid 0:')) continue;
      started = true;
    }
    if (line.trim() === '') break;
    if (line.startsWith('  Uid ')) {
      uid = line.slice(6).replace(/:\s*$/, '');
      pkg = null;
      perm = null;
      continue;
    }
    if (line.startsWith('    Package ')) {
      perm = null;
      pkg = null;
      if (out.length >= MAX_APPOPS_PACKAGES) continue;
      pkg = { package_name: line.slice(12).replace(/:\s*$/, ''), uid, permissions: [] };
      out.push(pkg);
      continue;
    }
    if (pkg && line.startsWith('      ') && line[6] !== ' ') {
      const tokens = line.trim().split(/\s+/);
      const mode = tokens[1];
      perm = { name: tokens[0]!.replace(/:$/, ''), ...(mode !== undefined ? { access: mode.replace(/^\(/, '').replace(/\):?$/, '') } : {}), entries: [] };
      pkg.permissions.push(perm);
      continue;
    }
    if (perm && line.startsWith('          ') && entries < MAX_APPOPS_ENTRIES) {
      const t = line.trim();
      const access = t.slice(0, Math.max(0, t.indexOf(':')));
      if (access !== 'Access' && access !== 'Reject') continue;
      const open = t.indexOf('[');
      const close = t.indexOf(']', open + 1);
      if (open === -1 || close === -1) continue;
      const paren = t.indexOf('(', close);
      const when = t.slice(close + 1, paren === -1 ? undefined : paren).trim();
      perm.entries.push({ access, type: t.slice(open + 1, close), timestamp: localWallClock(when, zone) });
      entries++;
    }
  }
  return out;
}
