/**
 * Device-local wall-clock times (a dumpstate's `== dumpstate: 2022-03-29 23:14:20`, a tombstone's time
 * without its offset) carry no zone. They become instants only with the device's time zone
 * (`persist.sys.timezone`), through the IANA rules Node's ICU carries; without it they stay wall-clock
 * values and are labelled so.
 */
import { Moment, type DeviceZone } from './time.js';

const WALL = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?$/;

export interface WallClock {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  /** Microseconds (digits beyond six are cut, as Python's strptime does). */
  readonly micros: number;
}

/** `2022-03-29 23:14:20[.ffffff…]`, or null for anything else (including impossible dates). */
export function parseWallClock(text: string): WallClock | null {
  const m = WALL.exec(text.trim());
  if (!m) return null;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const micros = m[7] ? Number(m[7].slice(0, 6).padEnd(6, '0')) : 0;
  const probe = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  if (probe.getUTCMonth() !== month - 1 || probe.getUTCDate() !== day || hour > 23 || minute > 59 || second > 59) return null;
  return { year, month, day, hour, minute, second, micros };
}

/** The wall clock read as if it were UTC, in Unix seconds (what MVT's naive timestamps render as). */
export function wallClockSeconds(w: WallClock): number {
  return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second) / 1000 + w.micros / 1e6;
}

const formatters = new Map<string, Intl.DateTimeFormat | null>();

/**
 * The zone's formatter, made once per zone (making one costs tens of microseconds; a dumpstate has thousands of
 * times). The name comes from the phone: only what looks like an IANA name is handed to ICU.
 */
function formatterFor(zone: string): Intl.DateTimeFormat | null {
  let f = formatters.get(zone);
  if (f === undefined) {
    f = null;
    if (/^[A-Za-z][A-Za-z0-9_+\-/]{0,63}$/.test(zone)) {
      try {
        f = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
      } catch {
        f = null; // RangeError: not a zone this runtime knows
      }
    }
    if (formatters.size > 64) formatters.clear();
    formatters.set(zone, f);
  }
  return f;
}

/** True when `zone` is an IANA zone name this Node knows. */
export function isKnownZone(zone: string): boolean {
  return formatterFor(zone) !== null;
}

/** `2023-11-15 00:13:20.000000` as the clock in `zone` showed the moment `m` (MVT's rendering), or null for an unknown zone. */
export function wallClockIn(m: Moment, zone: string): string | null {
  const f = formatterFor(zone);
  const d = m.date;
  if (!f || Number.isNaN(d.getTime())) return null;
  const p = Object.fromEntries(f.formatToParts(d).map((x) => [x.type, x.value.padStart(2, '0')]));
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}.${String(m.micros).padStart(6, '0')}`;
}

/** The zone's offset from UTC, in minutes, at the instant `utcMs` (the zone must be known: `isKnownZone`). */
export function offsetMinutesAt(zone: string, utcMs: number): number {
  const f = formatterFor(zone);
  if (!f) throw new RangeError(`not a known time zone: ${zone.slice(0, 64)}`);
  const parts = f.formatToParts(new Date(utcMs));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return Math.round((asUtc - Math.floor(utcMs / 1000) * 1000) / 60_000);
}

/**
 * How a wall-clock reading maps to instants in its zone: `exact` (one instant), `overlap` (the hour a clock
 * goes back shows it twice: the earlier instant is taken), `gap` (the hour a clock skips never showed it: read
 * with the offset in force before the jump, as a phone whose clock was set by hand would have meant it).
 */
export type WallClockFold = 'exact' | 'overlap' | 'gap';

export interface ResolvedWallClock {
  /** The instant, in Unix seconds (with the reading's fraction). */
  readonly unix: number;
  /** The zone's offset from UTC, in minutes, that maps the reading to `unix`. */
  readonly offsetMinutes: number;
  readonly fold: WallClockFold;
}

const DAY_MS = 86_400_000;

/**
 * The instant(s) a wall-clock reading names in `zone`, decided explicitly rather than by iterating: an offset o
 * is a candidate when the instant `reading - o` really is at offset o. The offsets a day either side cover every
 * real zone (no zone changes its offset twice within a day).
 */
export function resolveWallClock(w: WallClock, zone: string): ResolvedWallClock | null {
  if (!isKnownZone(zone)) return null;
  const naive = wallClockSeconds(w) * 1000;
  const { offsetMinutes, fold } = offsetForReading(zone, naive);
  return { unix: (naive - offsetMinutes * 60_000) / 1000, offsetMinutes, fold };
}

/** The same offset and fold for every reading of one minute (clocks change on a minute): a dumpstate has thousands of times in a few minutes. */
const byMinute = new Map<string, DeviceZone>();

/** The zone's offset and fold for a reading (`naiveMs`: the reading as if it were UTC), one shared object per minute. */
function offsetForReading(zone: string, naiveMs: number): DeviceZone {
  const minute = Math.floor(naiveMs / 60_000);
  const key = `${zone}|${minute}`;
  let hit = byMinute.get(key);
  if (!hit) {
    const at = minute * 60_000;
    const before = offsetMinutesAt(zone, at - DAY_MS);
    const after = offsetMinutesAt(zone, at + DAY_MS);
    const offsets = [...new Set([before, offsetMinutesAt(zone, at), after])];
    const fits = offsets.filter((o) => offsetMinutesAt(zone, at - o * 60_000) === o).sort((a, b) => b - a);
    // The larger offset is the earlier instant (the first time the clock showed the reading).
    const fold: WallClockFold = fits.length > 1 ? 'overlap' : fits.length === 1 ? 'exact' : 'gap';
    hit = Object.freeze({ zone, offsetMinutes: fits[0] ?? before, fold });
    if (byMinute.size >= 20_000) byMinute.clear();
    byMinute.set(key, hit);
  }
  return hit;
}

/**
 * The instant a wall-clock time in `zone` names, in Unix seconds, or null for an unknown zone. In the hour a
 * clock goes back, the earlier of the two instants is taken; in the hour it skips, the offset before the jump.
 */
export function wallClockToUnix(w: WallClock, zone: string): number | null {
  return resolveWallClock(w, zone)?.unix ?? null;
}

/**
 * A device-local reading given its device's zone (a copy that also names its instant, `Moment.instant()`); any
 * other moment, a reading already zoned, or an unknown zone (`undefined`, or a name this Node lacks) is returned
 * unchanged: without the zone, a reading stays a reading.
 */
export function inDeviceZone(m: Moment, zone: string | undefined): Moment {
  if (m.epoch !== 'device_local' || m.deviceZone || zone === undefined) return m;
  if (!isKnownZone(zone)) return m;
  return Moment.deviceLocal(m.unixSeconds + m.micros / 1e6, String(m.raw), offsetForReading(zone, m.unixSeconds * 1000)) ?? m;
}
