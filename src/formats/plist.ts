/**
 * One entry point for property lists, binary or XML. Binary goes to bplist-parser (exact 64-bit integers as
 * BigInt, keyed-archiver UIDs); XML to plist's `parse` (never its binary parser: it mangles large integers,
 * stack-notes §2).
 */
import { parseBuffer, setMaxObjectCount, setMaxObjectSize, UID } from 'bplist-parser';
import { parse as parseXml } from 'plist';
import { FormatError, errorMessage } from '../errors.js';

export { UID };

export type PlistValue =
  | string
  | number
  | bigint
  | boolean
  | Date
  | Buffer
  | UID
  | null
  | PlistValue[]
  | PlistDict;
export interface PlistDict {
  [key: string]: PlistValue;
}

/** Limits on hostile input. A real iOS plist stays far below them (a 100k-key dict is about 500k objects). */
export const plistLimits = {
  maxObjects: 5_000_000,
  maxObjectBytes: 256 * 1024 * 1024,
} as const;

setMaxObjectCount(plistLimits.maxObjects);
setMaxObjectSize(plistLimits.maxObjectBytes);

const BPLIST_MAGIC = Buffer.from('bplist00');

export function isBinaryPlist(buf: Buffer): boolean {
  return buf.length >= 8 && buf.subarray(0, 8).equals(BPLIST_MAGIC);
}

/**
 * Parses a property list. `what` names the input in errors ("Info.plist", "Manifest.db Files.file row 12").
 * Throws FormatError for anything that is not a complete, well-formed plist.
 */
export function parsePlist(input: Buffer | Uint8Array, what: string): PlistValue {
  const buf = Buffer.isBuffer(input) ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  if (buf.length === 0) throw new FormatError(what, 'empty file (expected a property list)');
  if (isBinaryPlist(buf)) {
    try {
      const [root] = parseBuffer<PlistValue>(buf);
      return root;
    } catch (err) {
      throw new FormatError(what, `truncated or corrupted binary plist (${errorMessage(err)})`, { cause: err });
    }
  }
  const head = buf.subarray(0, 256).toString('utf8').trimStart();
  if (!head.startsWith('<?xml') && !head.startsWith('<plist') && !head.startsWith('<!DOCTYPE plist')) {
    throw new FormatError(what, 'not a property list (expected "bplist00" or an XML plist)');
  }
  return parseXmlQuietly(buf.toString('utf8'), what);
}

function parseXmlQuietly(text: string, what: string): PlistValue {
  // xmldom reports malformed XML on the console before throwing; the message belongs in our error instead.
  const original = console.error;
  const noise: string[] = [];
  console.error = (...args: unknown[]) => void noise.push(args.map(String).join(' '));
  try {
    const value = parseXml(text) as PlistValue | undefined;
    if (value === undefined) throw new Error('no plist element');
    return value;
  } catch (err) {
    const detail = (noise[0] ?? errorMessage(err)).split('\n')[0]!.replace(/^\[xmldom \w+\]\s*/, '');
    throw new FormatError(what, `malformed XML plist (${detail})`, { cause: err });
  } finally {
    console.error = original;
  }
}

export function isDict(v: PlistValue | undefined): v is PlistDict {
  return (
    typeof v === 'object' &&
    v !== null &&
    !Array.isArray(v) &&
    !(v instanceof Date) &&
    !Buffer.isBuffer(v) &&
    !(v instanceof UID)
  );
}

export function asString(v: PlistValue | undefined): string | null {
  return typeof v === 'string' ? v : null;
}

export function asNumber(v: PlistValue | undefined): number | null {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  return null;
}
