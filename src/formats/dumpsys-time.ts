/**
 * The times dumpsys prints are the phone's local wall clock without a zone (`2022-03-29 18:37:30.315`). They are
 * kept as that wall-clock reading (a Moment whose UTC fields are the printed ones, as MVT keeps them), marked with
 * the `device_local` epoch so that an output can call them device-local. Given the device's time zone
 * (`persist.sys.timezone`) the reading also names its instant (docs/dev/time.md); without it nothing is guessed.
 */
import { inDeviceZone } from './device-time.js';
import { Moment } from './time.js';

const WALL = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?$/;
const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * `YYYY-MM-DD HH:MM:SS[.fff]` or `YYYY-MM-DD`, read as printed, in the device's `zone` when known; anything else
 * (or an impossible date) is null.
 */
export function localWallClock(text: string, zone?: string): Moment | null {
  const m = WALL.exec(text) ?? DAY.exec(text);
  if (!m) return null;
  const [y, mo, d, h = '0', mi = '0', s = '0'] = m.slice(1, 7).map((v) => v ?? '0');
  const fraction = m[7] ?? '';
  const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  const back = new Date(ms);
  // Date.UTC rolls 2021-02-30 over into March: such a date is not a date.
  if (back.getUTCMonth() !== Number(mo) - 1 || back.getUTCDate() !== Number(d) || Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return null;
  const micros = fraction === '' ? 0 : Number(fraction.padEnd(6, '0'));
  const reading = Moment.deviceLocal(ms / 1000 + micros / 1e6, text);
  return reading && inDeviceZone(reading, zone);
}
