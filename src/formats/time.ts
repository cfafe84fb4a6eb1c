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

const COCOA_OFFSET_S = 978_307_200;
const CHROME_OFFSET_S = 11_644_473_600;

export class Moment {
  private constructor(
    readonly epoch: Epoch,
    readonly raw: number | string,
    /** Whole seconds since the Unix epoch and the microseconds within that second (Python-compatible rounding). */
    readonly unixSeconds: number,
    readonly micros: number,
  ) {}

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

  /** `2019-08-27T15:08:09.253102Z`; a device-local reading has no zone designator (ISO 8601 local time). */
  iso(): string {
    return `${this.datePart()}T${this.timePart()}${this.epoch === 'device_local' ? '' : 'Z'}`;
  }

  /** MVT's rendering: `2019-08-27 15:08:09.253102`, UTC, always six fractional digits. */
  mvt(): string {
    return `${this.datePart()} ${this.timePart()}`;
  }

  toJSON(): string {
    return this.iso();
  }

  private datePart(): string {
    const d = this.date;
    const year = d.getUTCFullYear();
    const y = year < 0 ? `-${String(-year).padStart(6, '0')}` : String(year).padStart(4, '0');
    return `${y}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}`;
  }

  private timePart(): string {
    const d = this.date;
    return `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}.${String(this.micros).padStart(6, '0')}`;
  }
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

/** Orders moments, nulls first (as MVT's timeline sorts a missing timestamp as ""). */
export function compareMoments(a: Moment | null, b: Moment | null): number {
  if (!a || !b) return a ? 1 : b ? -1 : 0;
  return a.unixSeconds - b.unixSeconds || a.micros - b.micros;
}
