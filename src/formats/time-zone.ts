/**
 * A moment as a phone's wall clock showed it, in the phone's time zone (`persist.sys.timezone`, an IANA
 * name). Android logs that store instants (epoch milliseconds or nanoseconds) are exact in UTC; their
 * device-local rendering is a label for people comparing with what the owner remembers, never the time we
 * sort or match on (docs/dev/time.md).
 */
import type { Moment } from './time.js';

const formats = new Map<string, Intl.DateTimeFormat | null>();

/** The formatter for an IANA zone, or null for a name that is not one (cached: a run asks with one zone). */
function formatFor(zone: string): Intl.DateTimeFormat | null {
  if (!formats.has(zone)) {
    let f: Intl.DateTimeFormat | null = null;
    if (/^[A-Za-z][A-Za-z0-9_+\-/]{0,63}$/.test(zone)) {
      try {
        f = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
      } catch {
        f = null; // RangeError: not a zone this runtime knows
      }
    }
    if (formats.size > 64) formats.clear();
    formats.set(zone, f);
  }
  return formats.get(zone) ?? null;
}

export function isKnownTimeZone(zone: string): boolean {
  return formatFor(zone) !== null;
}

/** `2023-11-15 00:13:20.000000` as the clock in `zone` showed it (MVT's rendering), or null for an unknown zone. */
export function wallClockIn(m: Moment, zone: string): string | null {
  const f = formatFor(zone);
  if (!f) return null;
  const d = m.date;
  if (Number.isNaN(d.getTime())) return null;
  const p = Object.fromEntries(f.formatToParts(d).map((x) => [x.type, x.value]));
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}.${String(m.micros).padStart(6, '0')}`;
}
