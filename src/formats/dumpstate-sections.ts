/**
 * Splits a dumpsys or dumpstate text into its sections, once, by scanning bytes (reference-spec §9.2):
 *
 * - service sections: a line whose trimmed text is `DUMP OF SERVICE <name>:` opens one; it runs up to the next
 *   line whose trimmed text starts with 78 dashes (the separator dumpsys prints after each service);
 * - titled sections of a dumpstate: `------ <TITLE> (<command>) ------` opens one; it runs up to the next line
 *   starting with `------ ` (the `------ 0.1s was the duration of '<TITLE>' ------` footer, or the next title).
 *
 * Only the byte offsets of each section are kept. The file is never decoded as one string (a dumpstate can be
 * 100 MB and more): a section becomes text only when an artifact asks for it (`sectionText`), and binary ones
 * (the adb keystore) stay bytes (`sectionBytes`). The scanner takes the file in chunks of any size (it keeps at
 * most `MAX_HEADER_BYTES` of a pending line), so a streamed read splits the same way as a whole buffer.
 *
 * Streamed, the file is not held: the scanner can keep the bytes of the service sections asked for (`keep`),
 * each up to a bound, as it passes them (`SectionIndex.kept`), and a section read line by line is taken from a
 * second stream of the file by its offsets (`forEachSectionLine`), so memory is the kept sections, not the file.
 *
 * Sharing: every dumpsys artifact of a run reads the same file. `src/artifacts/android/_dumpsys.ts` keeps one
 * split per (Source object, stored path) in a WeakMap keyed by the Source, so the file is read and scanned once
 * per run, whichever artifact asks first, and the split is released with the Source when the run ends.
 */
import { PendingLine } from './lines.js';

/** A section header is a short line; a longer line is never a header, and only its start is looked at. */
export const MAX_HEADER_BYTES = 512;
/** A real dumpstate has a few hundred services and sections; more is not a dumpstate and is not indexed. */
export const MAX_SECTIONS = 20_000;

const SEPARATOR = '-'.repeat(78);
const SERVICE_PREFIX = 'DUMP OF SERVICE ';
const TITLED = /^------ (.+) ------$/;
const NL = 0x0a;

export interface SectionSpan {
  /** The service name (`package`) or the dumpstate title (`SYSTEM PROPERTIES`). */
  readonly name: string;
  /** Byte offset of the first byte after the header line. */
  readonly start: number;
  /** Byte offset just past the section's last line (its final newline excluded). */
  readonly end: number;
  /** 1-based line number of the header. */
  readonly headerLine: number;
}

export interface SectionIndex {
  /** Service sections by name; a name seen twice keeps the first, as MVT's lookup does. */
  readonly services: ReadonlyMap<string, SectionSpan>;
  /** Titled dumpstate sections in file order (a title may repeat). */
  readonly titled: readonly SectionSpan[];
  readonly lines: number;
  /** More than MAX_SECTIONS headers: the rest were not indexed. */
  readonly truncated: boolean;
  /**
   * The bytes of each service section `keep` named and the file holds (its first occurrence, as `services`),
   * or `null` when it was larger than the bound (not kept).
   */
  readonly kept: ReadonlyMap<string, Buffer | null>;
}

/** Service sections whose bytes the scanner keeps as it passes them, each up to `maxBytes`. */
export interface KeepSections {
  readonly services: ReadonlySet<string>;
  readonly maxBytes: number;
}

interface Capture {
  readonly name: string;
  /** Absolute offset of the next byte to keep. */
  next: number;
  parts: Buffer[];
  bytes: number;
  over: boolean;
}

interface Open {
  name: string;
  start: number;
  headerLine: number;
}

/** Feed it chunks in order, then call `end()`. Linear in the input; memory bounded by the number of sections. */
export class SectionScanner {
  private offset = 0;
  private lineStart = 0;
  private line = 0;
  /** The start of the current line, at most MAX_HEADER_BYTES. */
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private service: Open | null = null;
  private title: Open | null = null;
  private readonly services = new Map<string, SectionSpan>();
  private readonly titled: SectionSpan[] = [];
  private count = 0;
  private truncated = false;
  /** The chunk being scanned and its offset in the file: kept sections take their bytes from it. */
  private chunk: Buffer = Buffer.alloc(0);
  private chunkBase = 0;
  private capture: Capture | null = null;
  private readonly kept = new Map<string, Buffer | null>();

  constructor(private readonly keepSections?: KeepSections) {}

  push(chunk: Buffer): void {
    this.chunk = chunk;
    this.chunkBase = this.offset;
    this.scan(chunk);
    this.captureTo(this.chunkBase + chunk.length);
  }

  private scan(chunk: Buffer): void {
    let from = 0;
    while (from < chunk.length) {
      const nl = chunk.indexOf(NL, from);
      const stop = nl === -1 ? chunk.length : nl;
      this.keep(chunk.subarray(from, stop));
      if (nl === -1) {
        this.offset += chunk.length - from;
        return;
      }
      this.offset += nl + 1 - from;
      this.endLine(this.offset - 1);
      this.lineStart = this.offset;
      from = nl + 1;
    }
  }

  end(): SectionIndex {
    // A last line without a newline: closing "before its newline" must still keep its last byte.
    const closeAt = this.offset === this.lineStart ? this.offset : this.offset + 1;
    if (this.offset > this.lineStart) this.endLine(this.offset);
    // Sections still open run to the end of the file (a cut-off dump).
    if (this.service) this.closeService(closeAt);
    if (this.title) this.closeTitle(closeAt);
    return { services: this.services, titled: this.titled, lines: this.line, truncated: this.truncated, kept: this.kept };
  }

  /** Keeps the open capture's bytes of the current chunk up to the absolute offset `upTo`. */
  private captureTo(upTo: number): void {
    const c = this.capture;
    if (!c || c.over) return;
    const from = Math.max(c.next, this.chunkBase);
    const to = Math.min(upTo, this.chunkBase + this.chunk.length);
    if (to <= from) return;
    c.next = to;
    if (c.bytes + (to - from) > this.keepSections!.maxBytes) {
      c.over = true;
      c.parts = [];
      return;
    }
    c.parts.push(this.chunk.subarray(from - this.chunkBase, to - this.chunkBase));
    c.bytes += to - from;
  }

  private keep(part: Buffer): void {
    if (this.pendingBytes >= MAX_HEADER_BYTES || part.length === 0) return;
    const take = part.subarray(0, MAX_HEADER_BYTES - this.pendingBytes);
    this.pending.push(take);
    this.pendingBytes += take.length;
  }

  /** `newline` is the offset of the line's `\n` (or the end of the input). */
  private endLine(newline: number): void {
    this.line++;
    const head = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending);
    this.pending = [];
    this.pendingBytes = 0;
    const text = headerText(head);
    if (text === null) return;
    const lineStart = this.lineStart;
    const next = newline + 1;
    if (this.service && text.startsWith(SEPARATOR)) this.closeService(lineStart);
    if (text.startsWith(SERVICE_PREFIX) && text.endsWith(':')) {
      // A header before the previous service's separator ends that service (MVT would run it on into this one).
      if (this.service) this.closeService(lineStart);
      const name = text.slice(SERVICE_PREFIX.length, -1).trim();
      if (name !== '' && this.room()) {
        this.service = { name, start: next, headerLine: this.line };
        if (this.keepSections?.services.has(name) && !this.kept.has(name)) this.capture = { name, next, parts: [], bytes: 0, over: false };
      }
      return;
    }
    if (text.startsWith('------ ')) {
      if (this.title) this.closeTitle(lineStart);
      const m = TITLED.exec(text);
      if (m && !m[1]!.includes('was the duration of') && this.room()) this.title = { name: m[1]!.replace(/ \(.*\)$/, '').trim(), start: next, headerLine: this.line };
    }
  }

  private room(): boolean {
    if (this.count >= MAX_SECTIONS) {
      this.truncated = true;
      return false;
    }
    this.count++;
    return true;
  }

  private closeService(lineStart: number): void {
    const s = this.service!;
    this.service = null;
    if (this.services.has(s.name)) return;
    const done = span(s, lineStart);
    this.services.set(s.name, done);
    const c = this.capture;
    if (c?.name !== s.name) return;
    this.captureTo(done.end);
    this.capture = null;
    const size = done.end - done.start;
    // A copy of exactly the section (never a view of a larger chunk, which would keep the chunk alive); the
    // capture may have run a little past the section's end (a closing line begun in an earlier chunk).
    this.kept.set(s.name, c.over ? null : Buffer.concat(c.parts, size));
  }

  private closeTitle(lineStart: number): void {
    const t = this.title!;
    this.title = null;
    this.titled.push(span(t, lineStart));
  }
}

function span(open: Open, lineStart: number): SectionSpan {
  // The body ends before the newline that precedes the closing line (MVT joins the body's lines with "\n").
  const end = Math.max(open.start, lineStart - 1);
  return { name: open.name, start: Math.min(open.start, end), end, headerLine: open.headerLine };
}

/** The trimmed text of a line that may be a header, or null when it cannot be one (cheap byte test first). */
function headerText(head: Buffer): string | null {
  let i = 0;
  while (i < head.length && (head[i] === 0x20 || head[i] === 0x09)) i++;
  const first = head[i];
  if (first !== 0x44 /* D */ && first !== 0x2d /* - */) return null;
  return head.toString('latin1').trim();
}

/** Splits a whole buffer (what `Source.read` returns). */
export function indexSections(bytes: Buffer, keep?: KeepSections): SectionIndex {
  const scanner = new SectionScanner(keep);
  scanner.push(bytes);
  return scanner.end();
}

export function sectionBytes(bytes: Buffer, span: SectionSpan): Buffer {
  return bytes.subarray(span.start, Math.min(span.end, bytes.length));
}

/** A section as text (UTF-8, a final `\r` of each line removed as a line split would). */
export function sectionText(bytes: Buffer, span: SectionSpan): string {
  return textOf(sectionBytes(bytes, span));
}

/** A section's own bytes (`SectionIndex.kept`) as text, as `sectionText` gives it. */
export function textOf(section: Buffer): string {
  return section.toString('utf8').replace(/\r(?=\n|$)/g, '');
}

/**
 * The lines of one section, as `sectionText(...).split('\n')` gives them (a final `\r` removed, the last
 * line after the last newline included even when empty), from a stream of the whole file, without holding
 * the section: the bytes before `span.start` are skipped and the stream is left at `span.end`. `firstOffset` is
 * the file offset of the stream's first byte (a stream of the section alone starts at `span.start`). A line longer
 * than `maxLine` bytes is cut there (counted in `cut`). `onLine` returns false to stop early.
 */
export async function forEachSectionLine(chunks: AsyncIterable<Buffer>, span: SectionSpan, maxLine: number, onLine: (line: string) => boolean, firstOffset = 0): Promise<{ readonly lines: number; readonly cut: number }> {
  let offset = firstOffset;
  const pending = new PendingLine(maxLine);
  let lines = 0;
  const emit = (): boolean => {
    const line = pending.take();
    lines++;
    return onLine(line.endsWith('\r') ? line.slice(0, -1) : line);
  };
  const stats = () => ({ lines, cut: pending.cut });
  for await (const chunk of chunks) {
    const base = offset;
    offset += chunk.length;
    if (offset <= span.start) continue;
    let from = Math.max(0, span.start - base);
    const stop = Math.min(chunk.length, span.end - base);
    if (!pending.isEmpty) {
      // The line begun in the chunk before ends here: completed byte by byte.
      const nl = chunk.indexOf(NL, from);
      if (nl !== -1 && nl < stop) {
        pending.add(chunk.subarray(from, nl));
        from = nl + 1;
        if (!emit()) return stats();
      }
    }
    const last = stop > from ? chunk.lastIndexOf(NL, stop - 1) : -1;
    if (last >= from && pending.isEmpty && last - from <= maxLine) {
      // The chunk's whole lines, none longer than the bound, in one decode and one native split (a line split
      // on `\n`, an ASCII byte no UTF-8 sequence holds, decodes the same alone or among others).
      for (const text of chunk.toString('utf8', from, last).split('\n')) {
        lines++;
        if (!onLine(text.endsWith('\r') ? text.slice(0, -1) : text)) return stats();
      }
      from = last + 1;
    }
    for (let nl = chunk.indexOf(NL, from); nl !== -1 && nl < stop; nl = chunk.indexOf(NL, from)) {
      pending.add(chunk.subarray(from, nl));
      from = nl + 1;
      if (!emit()) return stats();
    }
    if (from < stop) pending.add(chunk.subarray(from, stop));
    if (offset >= span.end) break;
  }
  emit();
  return stats();
}
