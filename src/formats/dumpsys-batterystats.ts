/**
 * `dumpsys batterystats` (reference-spec §10.3), two readings:
 *
 * - `decodeBatteryDaily`: the `Daily from … to …:` periods list app updates (`Update <package> vers=<n>`),
 *   which Android keeps for days after the event: an uninstall shows as `vers=0`, and a version lower than the
 *   one seen before is a downgrade (an old, vulnerable build of an app put back). Records come in date order
 *   with the action decided over that order.
 * - `decodeBatteryHistory`: the history at the top of the section: jobs, wakeup alarms and apps coming to the
 *   foreground, with the uid and package of each.
 */

import { decodeLines, type LineDecoder } from './lines.js';

export interface BatteryDailyRecord {
  /** `update`, `downgrade` (lower than the version seen before) or `uninstall` (`vers=0`). */
  readonly action: 'update' | 'downgrade' | 'uninstall';
  /** The period's first and last day, `YYYY-MM-DD` (device local). */
  readonly from: string;
  readonly to: string;
  readonly package_name: string;
  readonly vers: string;
  /** On a downgrade: the version it replaced. */
  readonly previous_vers?: string;
}

export const MAX_BATTERY_RECORDS = 200_000;

export function decodeBatteryDaily(text: string): BatteryDailyRecord[] {
  return decodeLines(batteryDailyDecoder(), text);
}

/** The daily periods, line by line (they follow the history, anywhere in a section that may be 100 MB). */
export function batteryDailyDecoder(): LineDecoder<BatteryDailyRecord> {
  const raw: { from: string; to: string; package_name: string; vers: string }[] = [];
  let period: { from: string; to: string; seen: Set<string> } | null = null;
  return {
    line(line) {
      if (line.startsWith('  Daily from ')) {
        const rest = line.slice('  Daily from '.length);
        const toAt = rest.indexOf(' to ');
        const from = (toAt === -1 ? rest : rest.slice(0, toAt)).slice(0, 10);
        const to = toAt === -1 ? '' : rest.slice(toAt + 4).replace(/:/g, '').trim().slice(0, 10);
        period = { from, to, seen: new Set() };
        return true;
      }
      const t = line.trim();
      if (!period || !t.startsWith('Update ')) return true;
      const [, name, versField] = t.split(/\s+/);
      if (!name || !versField?.startsWith('vers=')) return true;
      const vers = versField.slice(5);
      const key = `${name} ${vers}`;
      if (period.seen.has(key)) return true;
      period.seen.add(key);
      raw.push({ from: period.from, to: period.to, package_name: name, vers });
      return raw.length < MAX_BATTERY_RECORDS;
    },
    end: () => decideActions(raw),
  };
}

function decideActions(raw: { from: string; to: string; package_name: string; vers: string }[]): BatteryDailyRecord[] {
  // Dumpsys lists the newest period first; the actions are decided oldest first (a stable sort keeps file order within a period).
  raw.sort((a, b) => cmp(a.from, b.from) || cmp(a.to, b.to) || cmp(a.package_name, b.package_name));
  const last = new Map<string, bigint>();
  return raw.map((r): BatteryDailyRecord => {
    if (r.vers === '0') {
      last.delete(r.package_name);
      return { action: 'uninstall', ...r };
    }
    const n = /^\d+$/.test(r.vers) ? BigInt(r.vers) : null;
    if (n === null) return { action: 'update', ...r };
    const before = last.get(r.package_name);
    last.set(r.package_name, n);
    if (before !== undefined && n < before) return { action: 'downgrade', ...r, previous_vers: before.toString() };
    return { action: 'update', ...r };
  });
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export interface BatteryHistoryRecord {
  /** As printed: `+47s645ms` (since the reset) or `07-15 20:27:39.431` (device local). */
  readonly time_elapsed: string;
  readonly event: 'start_job' | 'end_job' | 'wake' | 'start_top' | 'end_top';
  readonly uid: string;
  readonly package_name: string;
  /** The job or alarm component (`com.x/.Job`); "" for foreground changes. */
  readonly service: string;
}

export function decodeBatteryHistory(text: string): BatteryHistoryRecord[] {
  return decodeLines(batteryHistoryDecoder(), text);
}

/** The history at the top of the section, line by line, up to its first empty line. */
export function batteryHistoryDecoder(): LineDecoder<BatteryHistoryRecord> {
  const out: BatteryHistoryRecord[] = [];
  return {
    line(line) {
      if (line.startsWith('Battery History ')) return true;
      if (line.trim() === '') return false;
      const tokens = line.trim().split(/\s+/);
      const timeElapsed = /^\d{2}-\d{2}$/.test(tokens[0] ?? '') && tokens[1]?.includes(':') ? `${tokens[0]} ${tokens[1]}` : (tokens[0] ?? '');
      const record = historyEvent(line, timeElapsed);
      if (record) out.push(record);
      return out.length < MAX_BATTERY_RECORDS;
    },
    end: () => out,
  };
}

const unquote = (s: string) => s.replace(/^"|"$/g, '');

/** `u0a94:"com.x/.Job"` → uid and quoted payload. */
function uidAndPayload(text: string): { uid: string; payload: string } {
  const colon = text.indexOf(':');
  if (colon === -1) return { uid: text, payload: '' };
  return { uid: text.slice(0, colon), payload: unquote(text.slice(colon + 1)) };
}

function tokenAfter(line: string, marker: string): string | null {
  const at = line.indexOf(marker);
  if (at === -1) return null;
  const rest = line.slice(at + marker.length);
  const space = rest.search(/\s/);
  return space === -1 ? rest : rest.slice(0, space);
}

function historyEvent(line: string, time_elapsed: string): BatteryHistoryRecord | null {
  for (const [marker, event] of [['+job=', 'start_job'], ['-job=', 'end_job']] as const) {
    const token = tokenAfter(line, marker);
    if (token === null) continue;
    const { uid, payload } = uidAndPayload(token);
    return { time_elapsed, event, uid, package_name: payload.split('/')[0]!, service: payload };
  }
  if (line.includes('+running') && line.includes('+wake_lock=')) {
    const token = tokenAfter(line, '+wake_lock=');
    const at = line.indexOf('*walarm*:');
    if (token === null || at === -1) return null;
    const rest = line.slice(at + '*walarm*:'.length);
    const service = unquote(rest.split(/\s/)[0]!);
    if (!service.includes('/')) return null;
    return { time_elapsed, event: 'wake', uid: uidAndPayload(token).uid, package_name: service.split('/')[0]!, service };
  }
  for (const [marker, event] of [['+top=', 'start_top'], ['-top=', 'end_top']] as const) {
    const token = tokenAfter(line, marker);
    if (token === null) continue;
    const { uid, payload } = uidAndPayload(token);
    return { time_elapsed, event, uid, package_name: payload, service: '' };
  }
  return null;
}
