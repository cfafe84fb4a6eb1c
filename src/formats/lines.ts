/**
 * Lines of a large text stream, without holding it: the stream is split on `\n` chunk by chunk, and a line
 * longer than `maxLine` bytes is cut there (the rest of it skipped), so a file of one endless line costs
 * `maxLine` bytes of memory. Bytes are decoded as UTF-8 per line.
 */
import type { Readable } from 'node:stream';

export interface LineStats {
  readonly lines: number;
  /** Lines longer than the bound, cut. */
  readonly cut: number;
  /** The consumer asked to stop before the end. */
  readonly stopped: boolean;
}

/**
 * Calls `onLine` for each line (without its `\n`) until it returns false or the stream ends. On a stop the
 * stream is destroyed, or with `drain` read to its end unsplit (so a hashing source logs the whole file).
 */
export async function forEachLine(stream: Readable, maxLine: number, onLine: (line: string) => boolean, options: { drain?: boolean } = {}): Promise<LineStats> {
  const pending = new PendingLine(maxLine);
  let lines = 0;
  const emit = (): boolean => {
    lines++;
    return onLine(pending.take());
  };
  let stopped = false;
  try {
    for await (const chunk of stream) {
      // Stopped with `drain`: the rest is read, not split.
      if (stopped) continue;
      const buf = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
      let start = 0;
      for (let nl = buf.indexOf(10, start); nl !== -1; nl = buf.indexOf(10, start)) {
        pending.add(buf.subarray(start, nl));
        start = nl + 1;
        if (!emit()) {
          stopped = true;
          if (!options.drain) {
            stream.destroy();
            return { lines, cut: pending.cut, stopped };
          }
          break;
        }
      }
      if (!stopped) pending.add(buf.subarray(start));
    }
  } finally {
    if (!stream.destroyed && !stream.readableEnded) stream.destroy();
  }
  if (stopped) return { lines, cut: pending.cut, stopped };
  if (!pending.isEmpty && !emit()) return { lines, cut: pending.cut, stopped: true };
  return { lines, cut: pending.cut, stopped: false };
}

/**
 * The line being put together from the chunks it spans: at most `maxLine` of its bytes are kept (the rest is
 * dropped, and the line counted as cut), decoded as UTF-8 once it is taken whole.
 */
export class PendingLine {
  private parts: Buffer[] = [];
  private bytes = 0;
  private overlong = false;
  /** Lines taken so far that were longer than the bound. */
  cut = 0;

  constructor(private readonly maxLine: number) {}

  /** Nothing of a line held (not even the cut-off start of an overlong one). */
  get isEmpty(): boolean {
    return this.bytes === 0 && !this.overlong;
  }

  add(part: Buffer): void {
    if (this.overlong || part.length === 0) return;
    const room = this.maxLine - this.bytes;
    if (part.length > room) {
      this.overlong = true;
      part = part.subarray(0, room);
    }
    if (part.length === 0) return;
    this.parts.push(part);
    this.bytes += part.length;
  }

  /** The line held, as text; the holder is then empty. */
  take(): string {
    const line = (this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts, this.bytes)).toString('utf8');
    this.parts = [];
    this.bytes = 0;
    if (this.overlong) this.cut++;
    this.overlong = false;
    return line;
  }
}

/**
 * A decoder fed a text's lines one at a time, so a section too large to hold as one string (a 100 MB battery
 * history) is decoded from a stream; `line` returns false once no later line can matter.
 */
export interface LineDecoder<R> {
  line(line: string): boolean;
  end(): R[];
}

/** The decoder over a whole text, split on `\n` (what the line-fed read gives, line for line). */
export function decodeLines<R>(decoder: LineDecoder<R>, text: string): R[] {
  for (const line of text.split('\n')) if (!decoder.line(line)) break;
  return decoder.end();
}
