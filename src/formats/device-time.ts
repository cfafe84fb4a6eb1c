/**
 * Device-local wall-clock times (a dumpstate's `== dumpstate: 2022-03-29 23:14:20`, a tombstone's time
 * without its offset) carry no zone. They become instants only with the device's time zone
 * (`persist.sys.timezone`), through the IANA rules Node's ICU carries; without it they stay wall-clock
 * values and are labelled so.
 */

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

/** True when `zone` is an IANA zone name this Node knows. */
export function isKnownZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** The zone's offset from UTC, in minutes, at the instant `utcMs` (the zone must be known: `isKnownZone`). */
export function offsetMinutesAt(zone: string, utcMs: number): number {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' }).formatToParts(new Date(utcMs));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return Math.round((asUtc - Math.floor(utcMs / 1000) * 1000) / 60_000);
}

/**
 * The instant a wall-clock time in `zone` names, in Unix seconds, or null for an unknown zone. In the hour a
 * clock goes back, the earlier of the two instants is taken; in the hour it skips, the offset before the jump.
 */
export function wallClockToUnix(w: WallClock, zone: string): number | null {
  if (!isKnownZone(zone)) return null;
  const naive = wallClockSeconds(w) * 1000;
  // Two rounds settle the offset for every zone (the second corrects a guess made across a transition).
  let offset = offsetMinutesAt(zone, naive);
  offset = offsetMinutesAt(zone, naive - offset * 60_000);
  return (naive - offset * 60_000) / 1000;
}
