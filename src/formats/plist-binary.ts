/**
 * Binary property lists ("bplist00", CoreFoundation's CFBinaryPList.c format), decoded with every read
 * checked against the buffer and the expansion of the object graph bounded.
 *
 * Layout: the 8-byte magic, the objects, an offset table (one big-endian offset of `offsetSize` bytes per
 * object) and a 32-byte trailer: 6 unused bytes, offsetSize, objectRefSize, then three big-endian uint64s
 * (object count, top object, offset-table offset). Each object starts with a marker byte: the high nibble is
 * the type, the low nibble a size (0xF: the size follows as an integer object). Containers hold object
 * references (indexes into the offset table) of `objectRefSize` bytes.
 *
 * Why our own decoder: bplist-parser follows references without counting, so a tiny file whose objects share
 * children expands exponentially (a 300-byte file, 2^40 values), and it has no cycle check. Here every decoded
 * value counts against `plistLimits.maxValues`, nesting against `maxDepth`, and an object reached again while
 * it is being decoded is a cycle. Leaf objects (strings, data, numbers, dates) are decoded once per object and
 * shared, so memory grows with the values produced, not with their bytes.
 */
import { FormatError } from '../errors.js';
import { DecodeBudget, exactInteger, setEntry, UID, type PlistDict, type PlistLimits, type PlistValue } from './plist-values.js';

const MAGIC_BYTES = 8;
const TRAILER_BYTES = 32;
/** Seconds between the Unix epoch and CoreFoundation's (2001-01-01T00:00:00Z). */
const COCOA_EPOCH_MS = 978_307_200_000;

const enum Marker {
  Simple = 0x0,
  Int = 0x1,
  Real = 0x2,
  Date = 0x3,
  Data = 0x4,
  Ascii = 0x5,
  Utf16 = 0x6,
  Utf8 = 0x7,
  Uid = 0x8,
  Array = 0xa,
  OrderedSet = 0xb,
  Set = 0xc,
  Dict = 0xd,
}

interface Trailer {
  readonly offsetSize: number;
  readonly refSize: number;
  readonly objectCount: number;
  readonly topObject: number;
  readonly offsetTableAt: number;
}

/** Throws a FormatError whose message starts like every other binary-plist failure, so callers see one kind. */
function corrupt(what: string, detail: string): never {
  throw new FormatError(what, `truncated or corrupted binary plist (${detail})`);
}

function readTrailer(buf: Buffer, what: string): Trailer {
  if (buf.length < MAGIC_BYTES + 1 + TRAILER_BYTES) corrupt(what, `${buf.length} bytes, too short for an object and the 32-byte trailer`);
  const at = buf.length - TRAILER_BYTES;
  const offsetSize = buf[at + 6]!;
  const refSize = buf[at + 7]!;
  if (offsetSize < 1 || offsetSize > 8) corrupt(what, `offset size ${offsetSize} in the trailer at offset ${at + 6} (expected 1 to 8)`);
  if (refSize < 1 || refSize > 8) corrupt(what, `object reference size ${refSize} in the trailer at offset ${at + 7} (expected 1 to 8)`);
  // The three uint64s are bounded by the file size long before 2^53; a high word that is not zero is corrupt.
  const objectCount = readUint64(buf, at + 8, what, 'object count');
  const topObject = readUint64(buf, at + 16, what, 'top object');
  const offsetTableAt = readUint64(buf, at + 24, what, 'offset table offset');
  if (objectCount === 0) corrupt(what, 'the trailer declares no objects');
  if (topObject >= objectCount) corrupt(what, `top object ${topObject} is not among the ${objectCount} objects`);
  if (offsetTableAt < MAGIC_BYTES + 1 || offsetTableAt > at || objectCount > Math.floor((at - offsetTableAt) / offsetSize)) {
    corrupt(what, `an offset table of ${objectCount} × ${offsetSize} bytes at offset ${offsetTableAt} does not fit before the trailer at ${at}`);
  }
  return { offsetSize, refSize, objectCount, topObject, offsetTableAt };
}

function readUint64(buf: Buffer, at: number, what: string, name: string): number {
  const value = buf.readBigUInt64BE(at);
  if (value > BigInt(buf.length)) corrupt(what, `${name} ${value} at offset ${at} exceeds the file size`);
  return Number(value);
}

/** Big-endian unsigned integer of 1–8 bytes; callers bound the result by the buffer, so 2^53 is never reached by valid input. */
function readUnsigned(buf: Buffer, at: number, size: number): number {
  switch (size) {
    case 1:
      return buf[at]!;
    case 2:
      return buf.readUInt16BE(at);
    case 4:
      return buf.readUInt32BE(at);
    default: {
      let v = 0;
      for (let i = 0; i < size; i++) v = v * 256 + buf[at + i]!;
      return v;
    }
  }
}

export function decodeBinaryPlist(buf: Buffer, what: string, limits: PlistLimits): PlistValue {
  const t = readTrailer(buf, what);
  const objectsEnd = t.offsetTableAt;
  const offsets = new Array<number>(t.objectCount);
  for (let i = 0; i < t.objectCount; i++) {
    const offset = readUnsigned(buf, t.offsetTableAt + i * t.offsetSize, t.offsetSize);
    if (offset < MAGIC_BYTES || offset >= objectsEnd) corrupt(what, `object ${i} at offset ${offset} lies outside the object area (8 to ${objectsEnd})`);
    offsets[i] = offset;
  }

  const budget = new DecodeBudget(what, limits, 'binary plist');
  const leaves = new Map<number, PlistValue>();
  const open = new Uint8Array(t.objectCount);

  /** Bytes [at, at + length) must lie in the object area. */
  const need = (at: number, length: number, index: number, kind: string): void => {
    if (length > objectsEnd - at) corrupt(what, `${kind} object ${index} at offset ${at} needs ${length} bytes past the object area`);
  };

  /** The object's element count or byte length, and where its payload starts. */
  const sizeAndStart = (index: number, at: number, low: number): [number, number] => {
    if (low !== 0xf) return [low, at + 1];
    need(at + 1, 1, index, 'length of');
    const marker = buf[at + 1]!;
    if (marker >> 4 !== Marker.Int || (marker & 0xf) > 3) {
      corrupt(what, `object ${index} at offset ${at} has a length marker 0x${marker.toString(16)} (expected an integer of 1 to 8 bytes)`);
    }
    const bytes = 1 << (marker & 0xf);
    need(at + 2, bytes, index, 'length of');
    const size = readUnsigned(buf, at + 2, bytes);
    return [size, at + 2 + bytes];
  };

  const decode = (index: number, depth: number): PlistValue => {
    budget.value();
    const cached = leaves.get(index);
    if (cached !== undefined) return cached;
    const at = offsets[index]!;
    const marker = buf[at]!;
    const type = marker >> 4;
    const low = marker & 0xf;
    switch (type) {
      case Marker.Array:
      case Marker.OrderedSet:
      case Marker.Set:
      case Marker.Dict:
        return decodeContainer(index, at, type, low, depth);
      default: {
        const leaf = decodeLeaf(index, at, type, low);
        leaves.set(index, leaf);
        return leaf;
      }
    }
  };

  const decodeLeaf = (index: number, at: number, type: number, low: number): PlistValue => {
    switch (type) {
      case Marker.Simple:
        if (low === 0x0 || low === 0xf) return null; // null, fill
        if (low === 0x8) return false;
        if (low === 0x9) return true;
        return corrupt(what, `object ${index} at offset ${at} has an unknown marker 0x0${low.toString(16)}`);
      case Marker.Int: {
        if (low > 4) corrupt(what, `integer object ${index} at offset ${at} claims ${2 ** low} bytes (at most 16)`);
        const bytes = 1 << low;
        need(at + 1, bytes, index, 'integer');
        if (bytes < 8) return readUnsigned(buf, at + 1, bytes);
        // 8 bytes are signed; CoreFoundation writes 16 bytes (high half zero) for unsigned values above 2^63.
        const value = bytes === 8 ? buf.readBigInt64BE(at + 1) : (buf.readBigInt64BE(at + 1) << 64n) | buf.readBigUInt64BE(at + 9);
        return exactInteger(value);
      }
      case Marker.Real:
        if (low === 2) {
          need(at + 1, 4, index, 'real');
          return buf.readFloatBE(at + 1);
        }
        if (low === 3) {
          need(at + 1, 8, index, 'real');
          return buf.readDoubleBE(at + 1);
        }
        return corrupt(what, `real object ${index} at offset ${at} claims ${2 ** low} bytes (expected 4 or 8)`);
      case Marker.Date:
        if (low !== 3) corrupt(what, `date object ${index} at offset ${at} has marker 0x3${low.toString(16)} (expected 0x33)`);
        need(at + 1, 8, index, 'date');
        return new Date(COCOA_EPOCH_MS + buf.readDoubleBE(at + 1) * 1000);
      case Marker.Data: {
        const [length, start] = sizeAndStart(index, at, low);
        need(start, length, index, 'data');
        return buf.subarray(start, start + length);
      }
      case Marker.Ascii:
      case Marker.Utf8: {
        const [length, start] = sizeAndStart(index, at, low);
        need(start, length, index, 'string');
        // Type 0x5 should be ASCII; some writers put UTF-8 there, which reads the same for ASCII.
        return buf.toString('utf8', start, start + length);
      }
      case Marker.Utf16: {
        const [units, start] = sizeAndStart(index, at, low);
        if (units > (objectsEnd - start) / 2) corrupt(what, `string object ${index} at offset ${at} needs ${units * 2} bytes past the object area`);
        return utf16be(buf, start, units);
      }
      case Marker.Uid: {
        const bytes = low + 1;
        if (bytes > 4) corrupt(what, `UID object ${index} at offset ${at} has ${bytes} bytes (at most 4)`);
        need(at + 1, bytes, index, 'UID');
        return new UID(readUnsigned(buf, at + 1, bytes));
      }
      default:
        return corrupt(what, `object ${index} at offset ${at} has an unknown type 0x${type.toString(16)}`);
    }
  };

  const decodeContainer = (index: number, at: number, type: number, low: number, depth: number): PlistValue => {
    budget.depth(depth + 1);
    if (open[index]) corrupt(what, `object ${index} at offset ${at} contains itself (a reference cycle)`);
    const [count, start] = sizeAndStart(index, at, low);
    const refs = type === Marker.Dict ? count * 2 : count;
    if (refs > (objectsEnd - start) / t.refSize) corrupt(what, `container object ${index} at offset ${at} lists ${count} entries past the object area`);
    const child = (i: number): number => {
      const r = readUnsigned(buf, start + i * t.refSize, t.refSize);
      if (r >= t.objectCount) corrupt(what, `object ${index} at offset ${at} references object ${r} (only ${t.objectCount} exist)`);
      return r;
    };
    open[index] = 1;
    try {
      if (type !== Marker.Dict) {
        const out = new Array<PlistValue>(count);
        for (let i = 0; i < count; i++) out[i] = decode(child(i), depth + 1);
        return out;
      }
      const out: PlistDict = {};
      for (let i = 0; i < count; i++) {
        const key = decode(child(i), depth + 1);
        if (typeof key !== 'string') corrupt(what, `dict object ${index} at offset ${at} has a key that is not a string (entry ${i})`);
        setEntry(out, key, decode(child(count + i), depth + 1));
      }
      return out;
    } finally {
      open[index] = 0;
    }
  };

  return decode(t.topObject, 0);
}

function utf16be(buf: Buffer, start: number, units: number): string {
  const swapped = Buffer.allocUnsafe(units * 2);
  for (let i = 0; i < units; i++) {
    swapped[2 * i] = buf[start + 2 * i + 1]!;
    swapped[2 * i + 1] = buf[start + 2 * i]!;
  }
  return swapped.toString('utf16le');
}
