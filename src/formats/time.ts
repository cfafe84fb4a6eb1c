/**
 * Timestamps as evidence stores them. Parsers keep the raw number and its epoch; rendering to ISO 8601
 * (our outputs) or to MVT's `YYYY-MM-DD HH:MM:SS.ffffff` happens only at output time.
 */

export type Epoch =
  | 'unix' // seconds since 1970-01-01 UTC
  | 'unix_ms'
  | 'unix_us'
  | 'unix_ns' // Android's SecurityLog
  | 'cocoa' // seconds since 2001-01-01 UTC (Apple "Mac absolute time")
  | 'cocoa_ns' // nanoseconds since 2001-01-01 (sms.db from iOS 11 on)
  | 'chrome' // microseconds since 1601-01-01 UTC (WebKit/Chrome)
  | 'iso' // an ISO 8601 string as stored (plist dates)
  | 'device_local'; // the phone's wall clock printed without a zone (dumpsys): its UTC fields are the printed ones

/** The device's zone, when known, that turns a `device_local` reading into an instant (`device-time.ts`). */
export interface DeviceZone {
  /** `persist.sys.timezone`: `Europe/Paris`. */
  readonly zone: string;
  /** The zone's offset from UTC at that reading, in minutes (`+120`). */
  readonly offsetMinutes: number;
  /** `overlap`: the reading happened twice (the clock went back), the earlier is meant; `gap`: the clock skipped it. */
  readonly fold: 'exact' | 'overlap' | 'gap';
}

const COCOA_OFFSET_S = 978_307_200;
const CHROME_OFFSET_S = 11_644_473_600;

export class Moment {
  private constructor(
    readonly epoch: Epoch,
    readonly raw: number | string,
    /** Whole seconds since the Unix epoch and the microseconds within that second (Python-compatible rounding). */
    readonly unixSeconds: number,
    readonly micros: number,
    /** Only on a `device_local` reading whose device zone is known. */
    readonly deviceZone?: DeviceZone,
  ) {}

  /** A device-local wall-clock reading (its UTC fields are the printed ones), with the device's zone when known. */
  static deviceLocal(wallSeconds: number, raw: string, zone?: DeviceZone): Moment | null {
    const m = Moment.fromUnixSeconds(wallSeconds, 'device_local', raw);
    return m && zone ? new Moment('device_local', raw, m.unixSeconds, m.micros, zone) : m;
  }

  /**
   * The instant this moment names: itself for every stored instant, the UTC moment of a device-local reading
   * whose zone is known, and null for a device-local reading without its zone (it names no instant).
   */
  instant(): Moment | null {
    if (this.epoch !== 'device_local') return this;
    if (!this.deviceZone) return null;
    return new Moment('iso', this.raw, this.unixSeconds - this.deviceZone.offsetMinutes * 60, this.micros);
  }

  static fromUnixSeconds(seconds: number, epoch: Epoch = 'unix', raw: number | string = seconds): Moment | null {
    if (!Number.isFinite(seconds)) return null;
    let whole = Math.floor(seconds);
    let micros = Math.round((seconds - whole) * 1e6);
    if (micros >= 1_000_000) {
      whole += 1;
      micros -= 1_000_000;
    }
    // Outside JavaScript's date range (±8.64e12 s) nothing can be rendered.
    if (Math.abs(whole) > 8.64e12) return null;
    return new Moment(epoch, raw, whole, micros);
  }

  get date(): Date {
    return new Date(this.unixSeconds * 1000 + Math.floor(this.micros / 1000));
  }

  /**
   * `2019-08-27T15:08:09.253102Z`. A device-local reading is written as the phone showed it: with its zone's
   * offset when the zone is known (`2022-03-29T18:37:30.315000+02:00`: both the local time and the instant),
   * else with no designator (ISO 8601 local time: the instant is unknown).
   */
  iso(): string {
    if (this.epoch !== 'device_local') return `${this.datePart()}T${this.timePart()}Z`;
    return `${this.datePart()}T${this.timePart()}${this.deviceZone ? offsetText(this.deviceZone.offsetMinutes) : ''}`;
  }

  /** MVT's rendering: `2019-08-27 15:08:09.253102`, UTC, always six fractional digits. */
  mvt(): string {
    return `${this.datePart()} ${this.timePart()}`;
  }

  toJSON(): string {
    return this.iso();
  }

  private datePart(): string {
    const [year, month, day] = civilDate(Math.floor(this.unixSeconds / SECONDS_PER_DAY));
    const y = year < 0 ? `-${String(-year).padStart(6, '0')}` : year < 1000 ? String(year).padStart(4, '0') : String(year);
    return `${y}-${PAD2[month]}-${PAD2[day]}`;
  }

  private timePart(): string {
    const s = this.unixSeconds - Math.floor(this.unixSeconds / SECONDS_PER_DAY) * SECONDS_PER_DAY;
    const micros = this.micros;
    return `${PAD2[Math.floor(s / 3600)]}:${PAD2[Math.floor(s / 60) % 60]}:${PAD2[s % 60]}.${micros >= 100_000 ? micros : String(micros).padStart(6, '0')}`;
  }
}

const SECONDS_PER_DAY = 86_400;
/** `00` to `99`: every date and time field rendered here is one of these (each moment renders five). */
const PAD2 = Array.from({ length: 100 }, (_, n) => String(n).padStart(2, '0'));

/**
 * The proleptic Gregorian year, month and day of a day number (days since 1970-01-01), as Date's UTC getters
 * give them, without a Date (H. Hinnant's days_from_civil inverse): rendering a moment is on the hot path of
 * every output, which renders each record's times and each timeline event's.
 */
function civilDate(days: number): [number, number, number] {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor((dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36_524) - Math.floor(dayOfEra / 146_096)) / 365);
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const shiftedMonth = Math.floor((5 * dayOfYear + 2) / 153); // March = 0
  const day = dayOfYear - Math.floor((153 * shiftedMonth + 2) / 5) + 1;
  const month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9;
  return [yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day];
}

/** `+02:00`, `-03:30`, `+00:00`. */
function offsetText(minutes: number): string {
  const a = Math.abs(minutes);
  return `${minutes < 0 ? '-' : '+'}${pad2(Math.floor(a / 60))}:${pad2(a % 60)}`;
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

type Raw = number | bigint | string | null | undefined;

function toNumber(raw: Raw): number | null {
  if (raw === null || raw === undefined || raw === '') return null;
  const n = typeof raw === 'number' ? raw : Number(raw);
  return Number.isFinite(n) ? n : null;
}

/** Zero and NULL mean "never" in every Apple and Chrome store we read, as they do for MVT. */
export function fromUnix(raw: Raw): Moment | null {
  const n = toNumber(raw);
  return n ? Moment.fromUnixSeconds(n, 'unix', n) : null;
}

export function fromUnixMs(raw: Raw): Moment | null {
  const n = toNumber(raw);
  return n ? Moment.fromUnixSeconds(n / 1000, 'unix_ms', n) : null;
}

export function fromCocoa(raw: Raw): Moment | null {
  const n = toNumber(raw);
  return n ? Moment.fromUnixSeconds(n + COCOA_OFFSET_S, 'cocoa', n) : null;
}

/**
 * sms.db and some CoreData stores switched from seconds to nanoseconds since 2001 in iOS 11.
 * Values that large (above 1e11, i.e. year 5170 as seconds) can only be nanoseconds. MVT instead keeps the
 * first 9 digits of 18-digit values, which is wrong before 2004 and after 2033 (reference-spec §15 item 19).
 */
export function fromCocoaAuto(raw: Raw): Moment | null {
  const n = toNumber(raw);
  if (!n) return null;
  if (Math.abs(n) >= 1e11) {
    const big = typeof raw === 'bigint' ? raw : BigInt(Math.trunc(n));
    const seconds = Number(big / 1_000_000_000n) + Number(big % 1_000_000_000n) / 1e9;
    return Moment.fromUnixSeconds(seconds + COCOA_OFFSET_S, 'cocoa_ns', n);
  }
  return Moment.fromUnixSeconds(n + COCOA_OFFSET_S, 'cocoa', n);
}

export function fromChrome(raw: Raw): Moment | null {
  const n = toNumber(raw);
  return n ? Moment.fromUnixSeconds(n / 1e6 - CHROME_OFFSET_S, 'chrome', n) : null;
}

export function fromDate(d: Date | null | undefined): Moment | null {
  if (!d || Number.isNaN(d.getTime())) return null;
  return Moment.fromUnixSeconds(d.getTime() / 1000, 'iso', d.toISOString());
}

/**
 * Orders moments, nulls first (as MVT's timeline sorts a missing timestamp as ""). A device-local reading with
 * its zone is ordered by its instant; one without is ordered by its reading (the best there is).
 */
export function compareMoments(a: Moment | null, b: Moment | null): number {
  if (!a || !b) return a ? 1 : b ? -1 : 0;
  const x = a.instant() ?? a;
  const y = b.instant() ?? b;
  return x.unixSeconds - y.unixSeconds || x.micros - y.micros;
}
