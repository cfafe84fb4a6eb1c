/**
 * Android 16's intrusion logging export (androidqf's `intrusion_logs/*.txt`): one JSON object per line, each
 * top-level key an event type (`dns_event`, `connect_event`, `security_event`, and whatever later Android
 * versions add) whose value is the event. The same event is often exported twice (overlapping exports, a
 * file copied into two folders), so events are de-duplicated across every file and every type by a
 * fingerprint of their content, as MVT does (reference-spec §9.4): the first copy is kept.
 *
 * Pure and bounded (fuzzed): lines longer than MAX_LINE_BYTES and lines that are not JSON objects are
 * counted, never thrown; at most MAX_EVENTS distinct events are kept per run; the fingerprint is a SHA-256 of
 * a canonical rendering, so the de-duplication set costs a fixed size per event whatever the event's size.
 */
import { createHash } from 'node:crypto';

/** The types MVT's modules read; any other is kept in the counts and reported. */
export const INTRUSION_TYPES = ['dns_event', 'connect_event', 'security_event'] as const;
export type IntrusionType = (typeof INTRUSION_TYPES)[number];

/** A real event is a few hundred bytes. */
export const MAX_LINE_BYTES = 1024 * 1024;
/** Distinct events per run (the de-duplication set holds one 64-character fingerprint each). */
export const MAX_EVENTS = 1_000_000;
/** Deeper values are fingerprinted by their text instead of their structure (no recursion past this). */
const MAX_CANONICAL_DEPTH = 32;

export interface IntrusionEvent {
  readonly type: string;
  readonly event: Readonly<Record<string, unknown>>;
  /** 1-based line in its file. */
  readonly line: number;
}

/** What one file held besides its events. */
export interface IntrusionFileStats {
  /** Lines that are not a JSON object, or too long: the first one's number and why. */
  badLines: number;
  firstBad: { line: number; reason: string } | null;
  duplicates: number;
  /** Events dropped because MAX_EVENTS distinct ones were already kept. */
  overLimit: number;
}

/** The run-wide memory of what was seen: shared by every file of a run, so a copy in another file is a duplicate. */
export class IntrusionDedup {
  private readonly seen = new Set<string>();

  get size(): number {
    return this.seen.size;
  }

  /** True the first time this content is seen (under any type, in any file). */
  first(value: unknown, text: string): 'first' | 'duplicate' | 'full' {
    const key = fingerprint(value, text);
    if (this.seen.has(key)) return 'duplicate';
    if (this.seen.size >= MAX_EVENTS) return 'full';
    this.seen.add(key);
    return 'first';
  }
}

export function newFileStats(): IntrusionFileStats {
  return { badLines: 0, firstBad: null, duplicates: 0, overLimit: 0 };
}

/**
 * The events of one file's text, in order, dropping what `dedup` has already seen. Every top-level key whose
 * value is an object is one event (MVT's rule): a line may hold several.
 */
export function* decodeIntrusionLog(text: string, dedup: IntrusionDedup, stats: IntrusionFileStats): Generator<IntrusionEvent> {
  let start = 0;
  let line = 0;
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    line++;
    const raw = text.slice(start, end).trim();
    start = end + 1;
    if (raw === '') {
      if (end === text.length) break;
      continue;
    }
    const bad = (reason: string) => {
      stats.badLines++;
      stats.firstBad ??= { line, reason };
    };
    if (raw.length > MAX_LINE_BYTES) {
      bad(`longer than ${MAX_LINE_BYTES} characters`);
      continue;
    }
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      bad('not JSON');
      continue;
    }
    if (!isObject(value)) {
      bad('not a JSON object');
      continue;
    }
    for (const [type, event] of Object.entries(value)) {
      if (!isObject(event)) continue;
      const seen = dedup.first(event, raw);
      if (seen === 'duplicate') stats.duplicates++;
      else if (seen === 'full') stats.overLimit++;
      else yield { type, event, line };
    }
  }
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** SHA-256 of the value with its keys sorted at every level (MVT: `json.dumps(value, sort_keys=True)`). */
function fingerprint(value: unknown, lineText: string): string {
  const parts: string[] = [];
  if (!canonical(value, 0, parts)) return createHash('sha256').update('deep\0').update(lineText).digest('hex');
  return createHash('sha256').update(parts.join('')).digest('hex');
}

function canonical(value: unknown, depth: number, out: string[]): boolean {
  if (depth > MAX_CANONICAL_DEPTH) return false;
  if (Array.isArray(value)) {
    out.push('[');
    for (const [i, v] of value.entries()) {
      if (i > 0) out.push(',');
      if (!canonical(v, depth + 1, out)) return false;
    }
    out.push(']');
    return true;
  }
  if (isObject(value)) {
    out.push('{');
    for (const [i, k] of Object.keys(value).sort().entries()) {
      if (i > 0) out.push(',');
      out.push(JSON.stringify(k), ':');
      if (!canonical(value[k], depth + 1, out)) return false;
    }
    out.push('}');
    return true;
  }
  out.push(JSON.stringify(value) ?? 'null');
  return true;
}

/** Deeper JSON than this is not kept as structure: every writer and renderer recurses, and a hostile line can nest 500,000 levels. */
export const MAX_KEPT_DEPTH = 16;

/** How deep `value` nests, counted without recursion, stopping past `limit`. */
function depthAbove(value: unknown, limit: number): boolean {
  const stack: { v: unknown; d: number }[] = [{ v: value, d: 0 }];
  while (stack.length > 0) {
    const { v, d } = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (d >= limit) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push({ v: child, d: d + 1 });
  }
  return false;
}

/** `value` as it may be kept in a record: itself, or a note when it nests deeper than MAX_KEPT_DEPTH. */
export function keptValue(value: unknown): unknown {
  return depthAbove(value, MAX_KEPT_DEPTH) ? `(a value nested deeper than ${MAX_KEPT_DEPTH} levels: not kept)` : value;
}

/** A kept value as one line of text, at most `max` characters (JSON for structures). */
export function valueText(value: unknown, max = 2000): string {
  const v = keptValue(value);
  const t = typeof v === 'string' ? v : (JSON.stringify(v) ?? String(v));
  return t.length > max ? `${t.slice(0, max)}…` : t;
}
