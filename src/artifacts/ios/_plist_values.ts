/**
 * Turns decoded property-list values into what a record may hold: plain JSON-able data with timestamps as
 * Moments. Shared by the artifacts that copy whole plists into their records (configuration profiles,
 * locationd clients, global preferences, app metadata).
 */
import type { Unarchived } from '../../formats/nskeyed.js';
import { UID, type PlistValue } from '../../formats/plist.js';
import { fromCocoa, fromDate, Moment } from '../../formats/time.js';

export type PlainValue = string | number | boolean | null | Moment | PlainValue[] | { [key: string]: PlainValue };
export type PlainDict = { [key: string]: PlainValue };

/**
 * Dates become Moments; data becomes base64 (records never hold Buffers, and base64 is lossless where MVT's
 * backslash-escaped text is not); 64-bit integers stay numbers when exact and become decimal text otherwise.
 */
export function plainValue(v: PlistValue | Unarchived | undefined): PlainValue {
  if (v === undefined || v === null) return null;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  if (v instanceof Date) return fromDate(v);
  if (Buffer.isBuffer(v)) return v.toString('base64');
  if (v instanceof UID) return v.UID;
  if (Array.isArray(v)) return v.map((item: PlistValue | Unarchived) => plainValue(item));
  return plainDict(v);
}

export function plainDict(v: { [key: string]: PlistValue | Unarchived }): PlainDict {
  const out: PlainDict = {};
  for (const [k, item] of Object.entries(v)) out[k] = plainValue(item);
  return out;
}

/** Apple stores some dates as Cocoa seconds (numbers) and some as plist dates; either gives a Moment. */
export function plistMoment(v: PlistValue | undefined): Moment | null {
  if (v instanceof Date) return fromDate(v);
  if (typeof v === 'number' || typeof v === 'bigint') return fromCocoa(v);
  return null;
}

/**
 * A SQLite FLOAT column as Python prints it: whole values keep their `.0`. Only for record values MVT itself
 * builds as text (WhatsApp's `3600.0 seconds` label); timeline descriptions keep numbers typed (../describe.ts).
 */
export function pyFloat(v: number | null): string {
  if (v === null) return 'None';
  return Number.isInteger(v) && Math.abs(v) < 1e16 ? v.toFixed(1) : String(v);
}
