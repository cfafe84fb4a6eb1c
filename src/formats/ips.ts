/**
 * Apple's `.ips` diagnostic reports (crashes, jetsam events, spins, stackshots), as iOS keeps them in
 * crashes_and_spins/: a one-line JSON header (`bug_type`, `timestamp`, `os_version`, `name`, `app_name`,
 * `bundleID`, `incident_id`) then a body that is one JSON document (iOS 15+ crashes, bug_type 309; jetsam
 * events, 298), JSON lines (analytics journals) or the older `Key: value` crash text (bug_type 109).
 */
import { quoted } from './_text.js';

export type IpsBody =
  | { readonly kind: 'json'; readonly value: Record<string, unknown> }
  /** `Process:`, `Path:`, `Identifier:`, `Parent Process:` … of the older text crash format. */
  | { readonly kind: 'text'; readonly fields: Record<string, string> }
  | { readonly kind: 'json-lines'; readonly lines: number }
  | { readonly kind: 'none' }
  /** A body that is none of these: the header is kept, the reason said. */
  | { readonly kind: 'unreadable'; readonly reason: string };

export interface IpsReport {
  readonly header: Record<string, unknown>;
  readonly body: IpsBody;
}

export interface IpsLimits {
  /** A header is a few hundred bytes. */
  readonly maxHeaderChars: number;
  /** Text-format crashes give their fields in the first lines. */
  readonly maxTextLines: number;
}

export const ipsLimits: IpsLimits = { maxHeaderChars: 64 * 1024, maxTextLines: 400 };

export class IpsError extends Error {}

export function decodeIps(text: string, limits: IpsLimits = ipsLimits): IpsReport {
  const nl = text.indexOf('\n');
  const first = (nl < 0 ? text : text.slice(0, nl)).trim();
  if (first.length > limits.maxHeaderChars) throw new IpsError(`line 1: a header of ${first.length} characters, more than ${limits.maxHeaderChars}`);
  let header: unknown;
  try {
    header = JSON.parse(first);
  } catch (err) {
    throw new IpsError(`line 1: the header is not JSON (${printable((err as Error).message)})`);
  }
  if (!isObject(header)) throw new IpsError('line 1: the header is JSON but not an object');
  const rest = nl < 0 ? '' : text.slice(nl + 1);
  return { header, body: decodeBody(rest, limits) };
}

function decodeBody(rest: string, limits: IpsLimits): IpsBody {
  const trimmed = rest.trim();
  if (trimmed === '') return { kind: 'none' };
  if (trimmed.startsWith('{')) {
    try {
      const value: unknown = JSON.parse(trimmed);
      return isObject(value) ? { kind: 'json', value } : { kind: 'unreadable', reason: 'the body is JSON but not an object' };
    } catch (err) {
      // Analytics journals write one JSON object per line.
      const lines = trimmed.split('\n').filter((l) => l.trim() !== '');
      if (lines.length > 1 && lines.every((l) => isJsonObjectLine(l))) return { kind: 'json-lines', lines: lines.length };
      // Deeply nested hostile JSON overflows the parser's stack: a RangeError, reported like any bad body.
      return { kind: 'unreadable', reason: `the body is not valid JSON (${printable((err as Error).message)})` };
    }
  }
  const fields: Record<string, string> = {};
  const lines = trimmed.split('\n', limits.maxTextLines);
  for (const line of lines) {
    const m = /^([A-Za-z][A-Za-z /]{0,40}):\s+(.+)$/.exec(line.trim());
    if (m && !(m[1]! in fields)) fields[m[1]!] = m[2]!.trim();
  }
  return Object.keys(fields).length > 0 ? { kind: 'text', fields } : { kind: 'unreadable', reason: 'the body is neither JSON nor Key: value text' };
}

/** A parser message quotes the input: escaped and bounded like any evidence text. */
function printable(message: string): string {
  return quoted(message, 160).slice(1, -1);
}

function isJsonObjectLine(line: string): boolean {
  const t = line.trim();
  if (!t.startsWith('{')) return false;
  try {
    return isObject(JSON.parse(t));
  } catch {
    return false;
  }
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * `2024-06-19 18:04:05.00 +0200` (header `timestamp`, jetsam `date`, body `captureTime`) as UTC seconds with its
 * fraction, or null.
 */
export function ipsTimestamp(value: unknown): number | null {
  if (typeof value !== 'string') return null;
  const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))? ([+-])(\d{2})(\d{2})$/.exec(value.trim());
  if (!m) return null;
  const [, y, mo, d, h, mi, s, frac, sign, oh, om] = m;
  if (Number(mo) < 1 || Number(mo) > 12 || Number(d) < 1 || Number(d) > 31 || Number(h) > 23 || Number(mi) > 59 || Number(s) > 60) return null;
  const local = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)) / 1000;
  const offset = (sign === '-' ? -1 : 1) * (Number(oh) * 3600 + Number(om) * 60);
  return local - offset + (frac ? Number(`0.${frac}`) : 0);
}
