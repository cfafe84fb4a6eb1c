/**
 * One entry point for property lists, binary or XML, decoded by our own bounded readers (plist-binary.ts,
 * plist-xml.ts). What comes out is what PlistValue says: data is a Node Buffer in both encodings, integers are
 * exact (bigint beyond ±2^53), keyed-archiver references are UID instances; and no input, however small,
 * expands past `plistLimits`.
 */
import { FormatError } from '../errors.js';
import { decodeBinaryPlist } from './plist-binary.js';
import { decodeXmlPlist, xmlPlistText } from './plist-xml.js';
import { plistLimits, UID, type PlistDict, type PlistLimits, type PlistValue } from './plist-values.js';

export { plistLimits, UID, type PlistDict, type PlistLimits, type PlistValue };

const BPLIST_MAGIC = Buffer.from('bplist00');

export function isBinaryPlist(buf: Buffer): boolean {
  return buf.length >= 8 && buf.subarray(0, 8).equals(BPLIST_MAGIC);
}

/**
 * Parses a property list. `what` names the input in errors ("Info.plist", "Manifest.db Files.file row 12").
 * Throws FormatError for anything that is not a complete, well-formed plist, or that exceeds `limits`.
 */
export function parsePlist(input: Buffer | Uint8Array, what: string, limits: PlistLimits = plistLimits): PlistValue {
  const buf = Buffer.isBuffer(input) ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  if (buf.length === 0) throw new FormatError(what, 'empty file (expected a property list)');
  if (isBinaryPlist(buf)) return decodeBinaryPlist(buf, what, limits);
  const text = xmlPlistText(buf);
  const head = text.slice(0, 256).trimStart();
  if (!head.startsWith('<?xml') && !head.startsWith('<plist') && !head.startsWith('<!DOCTYPE plist')) {
    throw new FormatError(what, 'not a property list (expected "bplist00" or an XML plist)');
  }
  return decodeXmlPlist(text, what, limits);
}

/** A plist dictionary: not an array, date, UID, nor any byte container (Buffer, Uint8Array, DataView…). */
export function isDict(v: PlistValue | undefined): v is PlistDict {
  return (
    typeof v === 'object' &&
    v !== null &&
    !Array.isArray(v) &&
    !(v instanceof Date) &&
    !ArrayBuffer.isView(v) &&
    !(v instanceof ArrayBuffer) &&
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
