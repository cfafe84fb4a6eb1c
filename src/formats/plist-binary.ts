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

/** Object types: the high nibble of each object's marker byte. */
/** The high nibble of an object's marker byte: its type. */
export const Marker = {
  Simple: 0x0,
  Int: 0x1,
  Real: 0x2,
  Date: 0x3,
  Data: 0x4,
  Ascii: 0x5,
  Utf16: 0x6,
  Utf8: 0x7,
  Uid: 0x8,
  Array: 0xa,
  OrderedSet: 0xb,
  Set: 0xc,
  Dict: 0xd,
} as const;

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
  return new BinaryPlistDecoder(buf, what, limits).decodeTop();
}

/**
 * Reads chosen objects of a binary plist by reference, without decoding the rest: for a caller that knows the
 * shape it wants (a Manifest.db MBFile archive, read once per row), walking a few references is several times
 * cheaper than decoding every object. Each read is checked as in a whole decode; what is not read is not
 * checked, so the caller must not assume the rest of the file is valid.
 */
export class BinaryPlistNavigator {
  private readonly decoder: BinaryPlistDecoder;

  constructor(buf: Buffer, what: string, limits: PlistLimits) {
    this.decoder = new BinaryPlistDecoder(buf, what, limits);
  }

  get top(): number {
    return this.decoder.topIndex;
  }

  /**
   * The reference of one value of a dict (the last, if the key repeats): undefined when the key is absent, null
   * when the object is not a dict or has a key not stored as ASCII. Keys are compared as bytes, so no key is
   * decoded to a string.
   */
  get(index: number, key: string): number | undefined | null {
    return this.decoder.dictValueRef(index, key);
  }

  /** An array's element references, or null when the object is not an array. */
  array(index: number): number[] | null {
    return this.decoder.arrayRefs(index);
  }

  /** A leaf's value (string, number, data, date, UID…), or undefined when the object is a container. */
  leaf(index: number): PlistValue | undefined {
    return this.decoder.leafAt(index);
  }
}

/** A class rather than closures: hot paths create no functions per object (bundlers may wrap each one). */
class BinaryPlistDecoder {
  private readonly t: Trailer;
  private readonly objectsEnd: number;
  private readonly offsets: number[];
  private readonly budget: DecodeBudget;
  private readonly leaves = new Map<number, PlistValue>();
  private readonly open: Uint8Array;

  constructor(
    private readonly buf: Buffer,
    private readonly what: string,
    limits: PlistLimits,
  ) {
    const t = readTrailer(buf, what);
    this.t = t;
    this.objectsEnd = t.offsetTableAt;
    this.offsets = new Array<number>(t.objectCount);
    for (let i = 0; i < t.objectCount; i++) {
      const offset = readUnsigned(buf, t.offsetTableAt + i * t.offsetSize, t.offsetSize);
      if (offset < MAGIC_BYTES || offset >= this.objectsEnd) corrupt(what, `object ${i} at offset ${offset} lies outside the object area (8 to ${this.objectsEnd})`);
      this.offsets[i] = offset;
    }
    this.budget = new DecodeBudget(what, limits, 'binary plist');
    this.open = new Uint8Array(t.objectCount);
  }

  decodeTop(): PlistValue {
    return this.decode(this.t.topObject, 0);
  }

  get topIndex(): number {
    return this.t.topObject;
  }

  dictValueRef(index: number, key: string): number | undefined | null {
    this.budget.value();
    const at = this.offsets[index]!;
    if (this.buf[at]! >> 4 !== Marker.Dict) return null;
    const [count, start] = this.sizeAndStart(index, at, this.buf[at]! & 0xf);
    const refSize = this.t.refSize;
    if (count * 2 > (this.objectsEnd - start) / refSize) corrupt(this.what, `container object ${index} at offset ${at} lists ${count} entries, past the object area (it ends at ${this.objectsEnd})`);
    let found: number | undefined;
    for (let i = 0; i < count; i++) {
      const keyIndex = this.child(index, at, start + i * refSize);
      const keyAt = this.offsets[keyIndex]!;
      const marker = this.buf[keyAt]!;
      // A key written as UTF-8 or UTF-16 could spell the same name: not answerable by bytes.
      if (marker >> 4 !== Marker.Ascii) return null;
      const [length, keyStart] = this.sizeAndStart(keyIndex, keyAt, marker & 0xf);
      if (length !== key.length) continue;
      this.need(keyStart, length, keyIndex, 'string');
      let same = true;
      for (let c = 0; c < length && same; c++) same = this.buf[keyStart + c] === key.charCodeAt(c);
      // The last of duplicate keys wins, as in a whole decode.
      if (same) found = this.child(index, at, start + (count + i) * refSize);
    }
    return found;
  }

  arrayRefs(index: number): number[] | null {
    return this.containerRefs(index, Marker.Array);
  }

  leafAt(index: number): PlistValue | undefined {
    this.budget.value();
    const at = this.offsets[index]!;
    const type = this.buf[at]! >> 4;
    if (type === Marker.Array || type === Marker.OrderedSet || type === Marker.Set || type === Marker.Dict) return undefined;
    return this.decodeLeaf(index, at, type, this.buf[at]! & 0xf);
  }

  /** A container's references (a dict's keys then its values), or null when the object is not of `type`. */
  private containerRefs(index: number, type: number): number[] | null {
    this.budget.value();
    const at = this.offsets[index]!;
    if (this.buf[at]! >> 4 !== type) return null;
    const [count, start] = this.sizeAndStart(index, at, this.buf[at]! & 0xf);
    const refs = type === Marker.Dict ? count * 2 : count;
    if (refs > (this.objectsEnd - start) / this.t.refSize) corrupt(this.what, `container object ${index} at offset ${at} lists ${count} entries, past the object area (it ends at ${this.objectsEnd})`);
    const out = new Array<number>(refs);
    for (let i = 0; i < refs; i++) out[i] = this.child(index, at, start + i * this.t.refSize);
    return out;
  }

  /** Bytes [at, at + length) must lie in the object area. */
  private need(at: number, length: number, index: number, kind: string): void {
    if (length > this.objectsEnd - at) corrupt(this.what, `${kind} object ${index} needs ${length} bytes at offset ${at}, past the object area (it ends at ${this.objectsEnd})`);
  }

  /** The object's element count or byte length (low nibble, or an integer after it), and where its payload starts. */
  private sizeAndStart(index: number, at: number, low: number): [number, number] {
    if (low !== 0xf) return [low, at + 1];
    this.need(at + 1, 1, index, 'length of');
    const marker = this.buf[at + 1]!;
    if (marker >> 4 !== Marker.Int || (marker & 0xf) > 3) {
      corrupt(this.what, `object ${index} at offset ${at} has a length marker 0x${marker.toString(16)} (expected an integer of 1 to 8 bytes)`);
    }
    const bytes = 1 << (marker & 0xf);
    this.need(at + 2, bytes, index, 'length of');
    return [readUnsigned(this.buf, at + 2, bytes), at + 2 + bytes];
  }

  private decode(index: number, depth: number): PlistValue {
    this.budget.value();
    const cached = this.leaves.get(index);
    if (cached !== undefined) return cached;
    const at = this.offsets[index]!;
    const marker = this.buf[at]!;
    const type = marker >> 4;
    const low = marker & 0xf;
    if (type === Marker.Array || type === Marker.OrderedSet || type === Marker.Set || type === Marker.Dict) {
      return this.decodeContainer(index, at, type, low, depth);
    }
    const leaf = this.decodeLeaf(index, at, type, low);
    this.leaves.set(index, leaf);
    return leaf;
  }

  private decodeLeaf(index: number, at: number, type: number, low: number): PlistValue {
    const { buf, what } = this;
    switch (type) {
      case Marker.Simple:
        if (low === 0x0 || low === 0xf) return null; // null, fill
        if (low === 0x8) return false;
        if (low === 0x9) return true;
        return corrupt(what, `object ${index} at offset ${at} has an unknown marker 0x0${low.toString(16)}`);
      case Marker.Int: {
        if (low > 4) corrupt(what, `integer object ${index} at offset ${at} claims ${2 ** low} bytes (at most 16)`);
        const bytes = 1 << low;
        this.need(at + 1, bytes, index, 'integer');
        if (bytes < 8) return readUnsigned(buf, at + 1, bytes);
        // 8 bytes are signed; CoreFoundation writes 16 bytes (high half zero) for unsigned values above 2^63.
        const value = bytes === 8 ? buf.readBigInt64BE(at + 1) : (buf.readBigInt64BE(at + 1) << 64n) | buf.readBigUInt64BE(at + 9);
        return exactInteger(value);
      }
      case Marker.Real:
        if (low === 2) {
          this.need(at + 1, 4, index, 'real');
          return buf.readFloatBE(at + 1);
        }
        if (low === 3) {
          this.need(at + 1, 8, index, 'real');
          return buf.readDoubleBE(at + 1);
        }
        return corrupt(what, `real object ${index} at offset ${at} claims ${2 ** low} bytes (expected 4 or 8)`);
      case Marker.Date:
        if (low !== 3) corrupt(what, `date object ${index} at offset ${at} has marker 0x3${low.toString(16)} (expected 0x33)`);
        this.need(at + 1, 8, index, 'date');
        return new Date(COCOA_EPOCH_MS + buf.readDoubleBE(at + 1) * 1000);
      case Marker.Data: {
        const [length, start] = this.sizeAndStart(index, at, low);
        this.need(start, length, index, 'data');
        return buf.subarray(start, start + length);
      }
      case Marker.Ascii:
      case Marker.Utf8: {
        const [length, start] = this.sizeAndStart(index, at, low);
        this.need(start, length, index, 'string');
        // Type 0x5 should be ASCII; some writers put UTF-8 there, which reads the same for ASCII.
        return buf.toString('utf8', start, start + length);
      }
      case Marker.Utf16: {
        const [units, start] = this.sizeAndStart(index, at, low);
        if (units > (this.objectsEnd - start) / 2) corrupt(what, `string object ${index} needs ${units * 2} bytes at offset ${start}, past the object area (it ends at ${this.objectsEnd})`);
        return utf16be(buf, start, units);
      }
      case Marker.Uid: {
        const bytes = low + 1;
        if (bytes > 4) corrupt(what, `UID object ${index} at offset ${at} has ${bytes} bytes (at most 4)`);
        this.need(at + 1, bytes, index, 'UID');
        return new UID(readUnsigned(buf, at + 1, bytes));
      }
      default:
        return corrupt(what, `object ${index} at offset ${at} has an unknown type 0x${type.toString(16)}`);
    }
  }

  private child(index: number, at: number, refAt: number): number {
    const r = readUnsigned(this.buf, refAt, this.t.refSize);
    if (r >= this.t.objectCount) corrupt(this.what, `object ${index} at offset ${at} references object ${r} (only ${this.t.objectCount} exist)`);
    return r;
  }

  private decodeContainer(index: number, at: number, type: number, low: number, depth: number): PlistValue {
    this.budget.depth(depth + 1);
    if (this.open[index]) corrupt(this.what, `object ${index} at offset ${at} contains itself (a reference cycle)`);
    const [count, start] = this.sizeAndStart(index, at, low);
    const refSize = this.t.refSize;
    const refs = type === Marker.Dict ? count * 2 : count;
    if (refs > (this.objectsEnd - start) / refSize) corrupt(this.what, `container object ${index} at offset ${at} lists ${count} entries, past the object area (it ends at ${this.objectsEnd})`);
    this.open[index] = 1;
    if (type !== Marker.Dict) {
      const out = new Array<PlistValue>(count);
      for (let i = 0; i < count; i++) out[i] = this.decode(this.child(index, at, start + i * refSize), depth + 1);
      this.open[index] = 0;
      return out;
    }
    const out: PlistDict = {};
    for (let i = 0; i < count; i++) {
      const key = this.decode(this.child(index, at, start + i * refSize), depth + 1);
      if (typeof key !== 'string') corrupt(this.what, `dict object ${index} at offset ${at} has a key that is not a string (entry ${i})`);
      setEntry(out, key, this.decode(this.child(index, at, start + (count + i) * refSize), depth + 1));
    }
    // Left set when an error unwinds: the decoder is discarded with it.
    this.open[index] = 0;
    return out;
  }
}

function utf16be(buf: Buffer, start: number, units: number): string {
  const swapped = Buffer.allocUnsafe(units * 2);
  for (let i = 0; i < units; i++) {
    swapped[2 * i] = buf[start + 2 * i + 1]!;
    swapped[2 * i + 1] = buf[start + 2 * i]!;
  }
  return swapped.toString('utf16le');
}
