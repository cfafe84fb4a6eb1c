/**
 * The items of a large JSON list, or of JSON Lines, one at a time, straight from the bytes: only one item is
 * ever a JavaScript string or object, so memory stays at the file's bytes plus one item, and a file larger than
 * V8's longest string (about 512 MB) is still read. JSON's structural characters are ASCII, so scanning bytes
 * is exact for UTF-8. Each item is then decoded with JSON.parse, which reports its own damage.
 */

export type JsonItem = { readonly ok: true; readonly value: unknown; readonly index: number } | { readonly ok: false; readonly reason: string; readonly index: number };

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const NEWLINE = 0x0a;
const OPEN = new Set([0x5b, 0x7b]);
const CLOSE = new Set([0x5d, 0x7d]);
const SPACE = new Set([0x20, 0x09, 0x0a, 0x0d]);

function parseItem(buf: Buffer, start: number, end: number, index: number): JsonItem {
  try {
    return { ok: true, value: JSON.parse(buf.toString('utf8', start, end)) as unknown, index };
  } catch (err) {
    return { ok: false, reason: `not valid JSON (${(err as Error).message})`, index };
  }
}

/** The first byte that is not JSON white space (or a UTF-8 byte-order mark), from `from`. */
export function firstNonSpace(buf: Buffer, from = 0): number {
  let i = from;
  if (i === 0 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) i = 3;
  while (i < buf.length && SPACE.has(buf[i]!)) i++;
  return i;
}

/**
 * The items of the JSON list that `buf` holds, in order, up to `max`. The generator's return says how it
 * ended: `complete`, `truncated` (more than `max` items) or the damage that stopped it (`the list is cut
 * short`, text after the list). Items read before the damage were already yielded.
 */
export function* jsonArrayItems(buf: Buffer, max: number): Generator<JsonItem, string> {
  let i = firstNonSpace(buf);
  if (buf[i] !== 0x5b) return 'not a JSON list';
  i++;
  let index = 0;
  for (;;) {
    i = firstNonSpace(buf, i);
    if (i >= buf.length) return 'the list is cut short';
    if (buf[i] === 0x5d) break;
    if (index >= max) return 'truncated';
    const start = i;
    let depth = 0;
    let inString = false;
    for (; i < buf.length; i++) {
      const c = buf[i]!;
      if (inString) {
        if (c === BACKSLASH) i++;
        else if (c === QUOTE) inString = false;
        continue;
      }
      if (c === QUOTE) inString = true;
      else if (OPEN.has(c)) depth++;
      else if (CLOSE.has(c)) {
        if (depth === 0) break;
        depth--;
      } else if (c === COMMA && depth === 0) break;
    }
    if (i >= buf.length) return 'the list is cut short';
    yield parseItem(buf, start, i, index++);
    if (buf[i] === COMMA) i++;
    // A `}` with nothing open ends no item and no list: stopping here is what keeps a hostile file from
    // yielding an empty item forever.
    else if (buf[i] !== 0x5d) return 'an unmatched } in the list';
  }
  const after = firstNonSpace(buf, i + 1);
  return after < buf.length ? 'text after the end of the list' : 'complete';
}

/** JSON Lines: one item per non-empty line, up to `max` (`truncated` when more follow). */
export function* jsonLinesItems(buf: Buffer, max: number): Generator<JsonItem & { readonly line: number }, 'complete' | 'truncated'> {
  let start = 0;
  let line = 0;
  let index = 0;
  while (start < buf.length) {
    let end = buf.indexOf(NEWLINE, start);
    if (end === -1) end = buf.length;
    line++;
    const first = firstNonSpace(buf, start);
    if (first < end) {
      if (index >= max) return 'truncated';
      yield { ...parseItem(buf, first, end, index++), line };
    }
    start = end + 1;
  }
  return 'complete';
}
