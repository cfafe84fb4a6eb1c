/**
 * What every androidqf artifact shares: reading one of androidqf's text or JSON files with a size bound,
 * and turning what is wrong with it into one issue naming the file.
 */
import { basename } from 'node:path';
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
