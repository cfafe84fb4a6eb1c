/**
 * The MBFile archive of one Manifest.db row read in one pass per dict, straight from the bytes: a backup has one
 * archive per file (100,000 and more), and this is what a check spends on each.
 *
 * It answers only for an intact archive of the usual shape (what iOS writes), and says nothing otherwise:
 * `undefined` for anything else (another shape, another string encoding, a 16-byte integer, any damage), and the
 * caller falls back to the checked decoders (`decodeMbFileShape`, then un-archiving), which give the answer or
 * the error as they always did. So it never has to be as general as they are, only never wrong where it answers:
 * every check they make on the objects they read is made here too (and a few more), and an archive that passes
 * them all gives exactly their values (test/formats/mbfile.test.ts compares the three on every row of a real and
 * a generated backup, and on damaged archives).
 *
 * Binary plist layout (plist-binary.ts has it in full): the objects, an offset table, a 32-byte trailer; each
 * object a marker byte (type in the high nibble, size in the low one, 0xF: an integer object follows).
 */
import type { MbFile } from './mbfile.js';
import { Marker } from './plist-binary.js';

const MAGIC = Buffer.from('bplist00', 'latin1');
const TRAILER_BYTES = 32;
/** Marks an absent key in a lookup result (object references are never negative). */
const NONE = -1;

/** The root's keys this reads, in the order of the MbFile fields they fill (the last two are not numbers). */
const ROOT_KEYS = ['LastModified', 'LastStatusChange', 'Birth', 'Size', 'Mode', 'UserID', 'ProtectionClass', '$class', 'EncryptionKey'] as const;
const NUMBER_KEYS = 7;
const CLASS = 7;
const ENCRYPTION_KEY = 8;
const TOP_KEYS = ['$archiver', '$objects', '$top'] as const;
const ROOT = ['root'] as const;
const CLASSNAME = ['$classname'] as const;
const DATA_KEYS = ['$class', 'NS.data'] as const;
const CLASS_NAMES = ['MBFile', 'NSData', 'NSMutableData'] as const;

/** One archive's bytes and its trailer; every read is bounded by the object area. */
class Archive {
  readonly offsetSize: number;
  readonly refSize: number;
  readonly count: number;
  readonly top: number;
  readonly table: number;
  /** Where the offset table starts: every object lies in [8, end). */
  readonly end: number;
  /** Start of the payload found by the last `sized` call. */
  start = 0;

  constructor(readonly b: Buffer, trailerAt: number) {
    this.offsetSize = b[trailerAt + 6]!;
    this.refSize = b[trailerAt + 7]!;
    // Counts and offsets of a small archive fit in 32 bits: a high word that is not zero goes to the checked path.
    this.count = b.readUInt32BE(trailerAt + 12);
    this.top = b.readUInt32BE(trailerAt + 20);
    this.table = b.readUInt32BE(trailerAt + 28);
    this.end = this.table;
  }

  uint(at: number, size: number): number {
    const b = this.b;
    if (size === 1) return b[at]!;
    if (size === 2) return (b[at]! << 8) | b[at + 1]!;
    return b.readUInt32BE(at);
  }

  offset(index: number): number {
    return this.uint(this.table + index * this.offsetSize, this.offsetSize);
  }

  /** A reference stored at `at`, or NONE when it names no object. */
  ref(at: number): number {
    const r = this.uint(at, this.refSize);
    return r < this.count ? r : NONE;
  }

  /** The element count or byte length of the object at `at` (its payload start in `start`), or NONE. */
  sized(at: number): number {
    const low = this.b[at]! & 0xf;
    if (low !== 0xf) {
      this.start = at + 1;
      return low;
    }
    if (at + 2 > this.end) return NONE;
    const marker = this.b[at + 1]!;
    if (marker >> 4 !== Marker.Int || (marker & 0xf) > 2) return NONE;
    const bytes = 1 << (marker & 0xf);
    if (at + 2 + bytes > this.end) return NONE;
    this.start = at + 2 + bytes;
    return this.uint(at + 2, bytes);
  }

  /**
   * One pass over a dict: for each wanted key, the reference of its value (the last, if the key repeats), NONE
   * when absent. False when the object is not a dict, a key is not stored as ASCII, or anything is out of bounds.
   */
  dict(index: number, keys: readonly string[], out: Int32Array): boolean {
    out.fill(NONE);
    const b = this.b;
    const at = this.offset(index);
    if (b[at]! >> 4 !== Marker.Dict) return false;
    const count = this.sized(at);
    const start = this.start;
    if (count === NONE || count * 2 * this.refSize > this.end - start) return false;
    for (let i = 0; i < count; i++) {
      const keyIndex = this.ref(start + i * this.refSize);
      const valueIndex = this.ref(start + (count + i) * this.refSize);
      if (keyIndex === NONE || valueIndex === NONE) return false;
      const keyAt = this.offset(keyIndex);
      if (b[keyAt]! >> 4 !== Marker.Ascii) return false;
      const length = this.sized(keyAt);
      const keyStart = this.start;
      if (length === NONE || length > this.end - keyStart) return false;
      for (let k = 0; k < keys.length; k++) {
        const key = keys[k]!;
        if (key.length !== length) continue;
        let same = true;
        for (let c = 0; c < length && same; c++) same = b[keyStart + c] === key.charCodeAt(c);
        if (same) out[k] = valueIndex;
      }
    }
    return true;
  }

  /** The ASCII string object `index` equals `text`. */
  isAscii(index: number, text: string): boolean {
    const at = this.offset(index);
    if (this.b[at]! >> 4 !== Marker.Ascii) return false;
    const length = this.sized(at);
    const start = this.start;
    if (length !== text.length || length > this.end - start) return false;
    for (let c = 0; c < length; c++) if (this.b[start + c] !== text.charCodeAt(c)) return false;
    return true;
  }

  /** A UID object's value, or NONE. */
  uid(index: number): number {
    const at = this.offset(index);
    const marker = this.b[at]!;
    if (marker >> 4 !== Marker.Uid) return NONE;
    const bytes = (marker & 0xf) + 1;
    if (bytes === 3 || bytes > 4 || at + 1 + bytes > this.end) return NONE;
    return this.uint(at + 1, bytes);
  }

  /** An integer (1–8 bytes) or real object's value; undefined for any other object. */
  number(index: number): number | undefined {
    const at = this.offset(index);
    const marker = this.b[at]!;
    const type = marker >> 4;
    const low = marker & 0xf;
    if (type === Marker.Int && low <= 3) {
      const bytes = 1 << low;
      if (at + 1 + bytes > this.end) return undefined;
      return bytes === 8 ? Number(this.b.readBigInt64BE(at + 1)) : this.uint(at + 1, bytes);
    }
    if (type === Marker.Real && (low === 2 || low === 3)) {
      if (at + 1 + (1 << low) > this.end) return undefined;
      return low === 2 ? this.b.readFloatBE(at + 1) : this.b.readDoubleBE(at + 1);
    }
    return undefined;
  }

  /** A data object's bytes (a view of the archive, as the checked decoder gives), or undefined. */
  data(index: number): Buffer | undefined {
    const at = this.offset(index);
    if (this.b[at]! >> 4 !== Marker.Data) return undefined;
    const length = this.sized(at);
    const start = this.start;
    if (length === NONE || length > this.end - start) return undefined;
    return this.b.subarray(start, start + length);
  }
}

/** Scratch space for dict lookups: decoding is synchronous, so one set serves every call. */
const topRefs = new Int32Array(TOP_KEYS.length);
const rootRefs = new Int32Array(ROOT_KEYS.length);
const oneRef = new Int32Array(1);
const numbers: (number | undefined)[] = new Array<number | undefined>(NUMBER_KEYS);

/** The archive's fields when it is an intact MBFile archive of the usual shape; undefined for anything else. */
export function decodeMbFileDirect(b: Buffer): MbFile | undefined {
  const trailerAt = b.length - TRAILER_BYTES;
  if (trailerAt < MAGIC.length + 1 || b.compare(MAGIC, 0, MAGIC.length, 0, MAGIC.length) !== 0) return undefined;
  const offsetSize = b[trailerAt + 6]!;
  const refSize = b[trailerAt + 7]!;
  if (offsetSize < 1 || offsetSize > 4 || offsetSize === 3 || refSize < 1 || refSize > 4 || refSize === 3) return undefined;
  if (b.readUInt32BE(trailerAt + 8) !== 0 || b.readUInt32BE(trailerAt + 16) !== 0 || b.readUInt32BE(trailerAt + 24) !== 0) return undefined;
  const a = new Archive(b, trailerAt);
  if (a.count === 0 || a.top >= a.count || a.table < MAGIC.length + 1 || a.table > trailerAt) return undefined;
  if (a.count > Math.floor((trailerAt - a.table) / offsetSize)) return undefined;
  // Every object where the checked decoder requires it (it reads the whole offset table first).
  for (let i = 0; i < a.count; i++) {
    const offset = a.offset(i);
    if (offset < MAGIC.length || offset >= a.end) return undefined;
  }

  if (!a.dict(a.top, TOP_KEYS, topRefs)) return undefined;
  const archiver = topRefs[0]!;
  const objectsRef = topRefs[1]!;
  const topRef = topRefs[2]!;
  if (archiver === NONE || objectsRef === NONE || topRef === NONE || !a.isAscii(archiver, 'NSKeyedArchiver')) return undefined;
  if (!a.dict(topRef, ROOT, oneRef) || oneRef[0] === NONE) return undefined;
  const rootUid = a.uid(oneRef[0]!);
  const objects = Objects.of(a, objectsRef);
  if (objects === undefined) return undefined;
  const root = objects.at(rootUid);
  if (root === NONE || !a.dict(root, ROOT_KEYS, rootRefs)) return undefined;
  // The later lookups use their own scratch arrays: rootRefs stays as read.
  const refs = rootRefs;
  if (className(a, objects, refs[CLASS]!) !== 'MBFile') return undefined;

  const values = numbers;
  for (let k = 0; k < NUMBER_KEYS; k++) {
    const ref = refs[k]!;
    if (ref === NONE) {
      values[k] = undefined;
      continue;
    }
    const v = a.number(ref);
    if (v === undefined) return undefined; // a string, date, UID or container: the checked path decides
    values[k] = v;
  }
  let encryptionKey: Buffer | undefined;
  if (refs[ENCRYPTION_KEY] !== NONE) {
    encryptionKey = keyData(a, objects, refs[ENCRYPTION_KEY]!);
    if (encryptionKey === undefined) return undefined;
  }
  const [modified, changed, born, size, mode, owner, protectionClass] = values;
  const out: { -readonly [K in keyof MbFile]: MbFile[K] } = {};
  if (modified !== undefined) out.modified = modified;
  if (changed !== undefined) out.changed = changed;
  if (born !== undefined) out.born = born;
  if (size !== undefined) out.size = size;
  if (mode !== undefined) out.mode = mode;
  if (owner !== undefined) out.owner = owner;
  if (protectionClass !== undefined) out.protectionClass = protectionClass;
  if (encryptionKey !== undefined) out.encryptionKey = encryptionKey;
  return out;
}

/**
 * `$objects`: an array object whose every element reference is checked (as the checked decoder does), read in
 * place; `at(i)` gives element i, or NONE past the end.
 */
class Objects {
  private constructor(
    private readonly a: Archive,
    private readonly start: number,
    readonly length: number,
  ) {}

  static of(a: Archive, index: number): Objects | undefined {
    const at = a.offset(index);
    if (a.b[at]! >> 4 !== Marker.Array) return undefined;
    const count = a.sized(at);
    const start = a.start;
    if (count === NONE || count * a.refSize > a.end - start) return undefined;
    for (let i = 0; i < count; i++) if (a.ref(start + i * a.refSize) === NONE) return undefined;
    return new Objects(a, start, count);
  }

  at(i: number): number {
    return i === NONE || i >= this.length ? NONE : this.a.ref(this.start + i * this.a.refSize);
  }
}

/** The `$classname` of the class a `$class` reference (a UID into `$objects`) names. */
function className(a: Archive, objects: Objects, classRef: number): string | undefined {
  if (classRef === NONE) return undefined;
  const object = objects.at(a.uid(classRef));
  if (object === NONE || !a.dict(object, CLASSNAME, oneRef) || oneRef[0] === NONE) return undefined;
  const name = oneRef[0]!;
  for (const known of CLASS_NAMES) if (a.isAscii(name, known)) return known;
  return undefined;
}

/** The wrapped key: a UID to an NSData (or NSMutableData) whose `NS.data` is data. */
function keyData(a: Archive, objects: Objects, ref: number): Buffer | undefined {
  const holder = objects.at(a.uid(ref));
  if (holder === NONE || !a.dict(holder, DATA_KEYS, keyRefs)) return undefined;
  const classRef = keyRefs[0]!;
  const dataRef = keyRefs[1]!;
  const cls = className(a, objects, classRef);
  if ((cls !== 'NSData' && cls !== 'NSMutableData') || dataRef === NONE) return undefined;
  return a.data(dataRef);
}

const keyRefs = new Int32Array(2);
