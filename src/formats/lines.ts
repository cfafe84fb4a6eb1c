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
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let overlong = false;
  let lines = 0;
  let cut = 0;
  const emit = (): boolean => {
    const line = Buffer.concat(pending, pendingBytes).toString('utf8');
    pending = [];
    pendingBytes = 0;
    if (overlong) cut++;
    overlong = false;
    lines++;
    return onLine(line);
  };
  const keep = (part: Buffer) => {
    if (overlong) return;
    const room = maxLine - pendingBytes;
    if (part.length > room) {
      overlong = true;
      part = part.subarray(0, room);
    }
    if (part.length > 0) {
      pending.push(part);
      pendingBytes += part.length;
    }
  };
  let stopped = false;
  try {
    for await (const chunk of stream) {
      // Stopped with `drain`: the rest is read, not split.
      if (stopped) continue;
      const buf = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
      let start = 0;
      for (let nl = buf.indexOf(10, start); nl !== -1; nl = buf.indexOf(10, start)) {
        keep(buf.subarray(start, nl));
        start = nl + 1;
        if (!emit()) {
          stopped = true;
          if (!options.drain) {
            stream.destroy();
            return { lines, cut, stopped };
          }
          break;
        }
      }
      if (!stopped) keep(buf.subarray(start));
    }
  } finally {
    if (!stream.destroyed && !stream.readableEnded) stream.destroy();
  }
  if (stopped) return { lines, cut, stopped };
  if (pendingBytes > 0 || overlong) {
    if (!emit()) return { lines, cut, stopped: true };
  }
  return { lines, cut, stopped: false };
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
