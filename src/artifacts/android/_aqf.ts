/**
 * What every androidqf artifact shares: reading one of androidqf's text or JSON files with a size bound,
 * and turning what is wrong with it into one issue naming the file.
 */
import { basename } from 'node:path';
import { Readable } from 'node:stream';
import type { EvidenceFile } from '../../evidence/source.js';
import type { ParseContext } from '../artifact.js';

/** The file's name inside the acquisition (`packages.json`, `settings_secure.txt`). */
export function aqfName(file: EvidenceFile): string {
  return basename(file.ref.storedPath);
}

/** The file's bytes, or null (with one issue) when it is larger than `max` or binary. */
export async function readAqfBytes(ctx: ParseContext, file: EvidenceFile, max: number): Promise<Buffer | null> {
  const what = aqfName(file);
  const tooLarge = (size: number) => ctx.warn({ code: 'corrupted', file, message: `${what}: ${size} bytes, more than the ${max} an androidqf ${what} holds; not read` });
  if (file.size !== undefined && file.size > max) {
    tooLarge(file.size);
    return null;
  }
  const data = await ctx.source.read(file);
  if (data.length > max) {
    tooLarge(data.length);
    return null;
  }
  if (data.subarray(0, 4096).includes(0)) {
    ctx.warn({ code: 'corrupted', file, message: `${what}: binary data where text was expected; not read` });
    return null;
  }
  return data;
}

/** Bytes looked at for a NUL before a file is read as text. */
const BINARY_PROBE_BYTES = 4096;

/**
 * The file as a stream of chunks (hashed into the input log once read to its end), or null with one issue
 * when it is larger than `max` or binary (a NUL in its first 4 KB): the same judgement `readAqfBytes` makes,
 * without holding the file. The chunks are read to the end even when the consumer stops taking them early,
 * so the input log has the whole file's hash; breaking out of the loop (an aborted run) stops the read.
 * A stream longer than `max` (only when the size was unknown beforehand) ends at `max` with the same issue.
 */
export async function streamAqfBytes(ctx: ParseContext, file: EvidenceFile, max: number): Promise<AsyncIterable<Buffer> | null> {
  const what = aqfName(file);
  const tooLarge = (size: number) => ctx.warn({ code: 'corrupted', file, message: `${what}: ${size} bytes, more than the ${max} an androidqf ${what} holds; not read` });
  if (file.size !== undefined && file.size > max) {
    tooLarge(file.size);
    return null;
  }
  const stream = ctx.source.stream ? await ctx.source.stream(file) : Readable.from([await ctx.source.read(file)]);
  const chunks = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const head: Buffer[] = [];
  let headBytes = 0;
  let ended = false;
  while (headBytes < BINARY_PROBE_BYTES) {
    const next = await chunks.next();
    if (next.done) {
      ended = true;
      break;
    }
    head.push(next.value);
    headBytes += next.value.length;
  }
  if (Buffer.concat(head, headBytes).subarray(0, BINARY_PROBE_BYTES).includes(0)) {
    ctx.warn({ code: 'corrupted', file, message: `${what}: binary data where text was expected; not read` });
    // Read to its end all the same, for the input log's hash (a folder's file: cheap, and bounded by its size).
    if (!ended) for (let next = await chunks.next(); !next.done; next = await chunks.next());
    return null;
  }
  return (async function* () {
    let bytes = headBytes;
    if (bytes > max) {
      await chunks.return?.();
      tooLarge(bytes);
      return;
    }
    yield* head;
    if (ended) return;
    try {
      for (let next = await chunks.next(); !next.done; next = await chunks.next()) {
        bytes += next.value.length;
        if (bytes > max) {
          tooLarge(bytes);
          return;
        }
        yield next.value;
      }
    } finally {
      await chunks.return?.();
    }
  })();
}

/** The file as text, or null (with one issue) when it is larger than `max` or binary. */
export async function readAqfText(ctx: ParseContext, file: EvidenceFile, max: number): Promise<string | null> {
  return (await readAqfBytes(ctx, file, max))?.toString('utf8') ?? null;
}

/** The file's JSON value, or null with one issue (too large, not JSON). */
export async function readAqfJson(ctx: ParseContext, file: EvidenceFile, max: number): Promise<{ value: unknown } | null> {
  const text = await readAqfText(ctx, file, max);
  if (text === null) return null;
  try {
    return { value: JSON.parse(text) as unknown };
  } catch (err) {
    ctx.warn({ code: 'corrupted', file, message: `${aqfName(file)}: not valid JSON (${(err as Error).message})` });
    return null;
  }
}

/** A JSON value's type in words, for "expected a list, found an object". */
export function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
