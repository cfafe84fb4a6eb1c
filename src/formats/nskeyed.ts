/**
 * Decodes NSKeyedArchiver archives (Manifest.db `file` blobs, many iOS plists) into plain values.
 * `$top.root` is a UID into `$objects`; index 0 is `$null`. Known Foundation classes become JavaScript
 * values; unknown classes become `{ $class: name, ...fields }`. Shared objects are decoded once, but what
 * they expand to is counted every time they are referenced (`keyedArchiveLimits.maxValues`): an archive whose
 * objects each reference the next twice is a DAG that any consumer walking the result (JSON output, indicator
 * matching) would expand exponentially. Cycles are cut (a reference back to an object being decoded is null)
 * and nesting is bounded. Malformed fields (a key list that is not a list, a bad URL) never throw a TypeError.
 */
import { FormatError } from '../errors.js';
import { isDict, parsePlist, plistLimits, UID, type PlistDict, type PlistLimits, type PlistValue } from './plist.js';

export type Unarchived =
  | string
  | number
  | bigint
  | boolean
  | Date
  | Buffer
  | null
  | Unarchived[]
  | { [key: string]: Unarchived };

export interface KeyedArchiveLimits {
  /** Nesting of decoded objects; real archives nest a few dozen levels at most. */
  readonly maxDepth: number;
  /** Values in the decoded result, a shared object counted at each reference. */
  readonly maxValues: number;
}

export const keyedArchiveLimits: KeyedArchiveLimits = Object.freeze({ maxDepth: 64, maxValues: 1_000_000 });

const COCOA_OFFSET_S = 978_307_200;
const CYCLE = Symbol('cycle');

/**
 * `plist` bounds the property list under the archive. Callers that decode many small archives (one per
 * Manifest.db row) should pass much smaller plist limits than the defaults, so that a hostile blob in every
 * row costs milliseconds each, not a second.
 */
export function unarchive(input: Buffer, what: string, limits: KeyedArchiveLimits = keyedArchiveLimits, plist: PlistLimits = plistLimits): Unarchived {
  const root = parsePlist(input, what, plist);
  return unarchiveValue(root, what, limits);
}

export function isKeyedArchive(v: PlistValue): v is PlistDict {
  return isDict(v) && v.$archiver === 'NSKeyedArchiver' && Array.isArray(v.$objects) && isDict(v.$top);
}

export function unarchiveValue(root: PlistValue, what: string, limits: KeyedArchiveLimits = keyedArchiveLimits): Unarchived {
  if (!isKeyedArchive(root)) throw new FormatError(what, 'not an NSKeyedArchiver archive (no $archiver/$objects/$top)');
  const objects = root.$objects as PlistValue[];
  const top = root.$top as PlistDict;
  /** Each decoded object, with how many values it expands to. */
  const memo = new Map<number, { value: Unarchived; values: number } | typeof CYCLE>();
  let values = 0;
  const count = (n: number): void => {
    values += n;
    if (values > limits.maxValues) throw new FormatError(what, `archive expands to more than ${limits.maxValues} values (keyedArchiveLimits.maxValues)`);
  };

  const resolve = (value: PlistValue, depth: number): Unarchived => {
    if (depth > limits.maxDepth) throw new FormatError(what, `archive nested deeper than ${limits.maxDepth} levels (keyedArchiveLimits.maxDepth)`);
    if (value instanceof UID) return resolveUid(value.UID, depth);
    count(1);
    if (Array.isArray(value)) return value.map((v) => resolve(v, depth + 1));
    if (isDict(value)) return decodeObject(value, depth);
    return value;
  };

  const resolveUid = (index: number, depth: number): Unarchived => {
    if (index === 0) return null;
    const cached = memo.get(index);
    if (cached === CYCLE) return null;
    if (cached !== undefined) {
      count(cached.values);
      return cached.value;
    }
    const obj = objects[index];
    if (obj === undefined) throw new FormatError(what, `UID ${index} points outside $objects (${objects.length} objects)`);
    memo.set(index, CYCLE);
    const before = values;
    const decoded = obj === '$null' ? null : resolve(obj, depth);
    memo.set(index, { value: decoded, values: values - before });
    return decoded;
  };

  const decodeObject = (obj: PlistDict, depth: number): Unarchived => {
    const cls = obj.$class instanceof UID ? objects[obj.$class.UID] : undefined;
    const className = isDict(cls) && typeof cls.$classname === 'string' ? cls.$classname : undefined;
    switch (className) {
      case 'NSDictionary':
      case 'NSMutableDictionary': {
        const keys = list(obj['NS.keys']);
        const vals = list(obj['NS.objects']);
        const out: Record<string, Unarchived> = {};
        keys.forEach((k, i) => {
          setField(out, keyText(resolve(k, depth + 1)), resolve(vals[i] ?? null, depth + 1));
        });
        return out;
      }
      case 'NSArray':
      case 'NSMutableArray':
      case 'NSSet':
      case 'NSMutableSet':
      case 'NSOrderedSet':
        return list(obj['NS.objects']).map((v) => resolve(v, depth + 1));
      case 'NSString':
      case 'NSMutableString':
        return resolve(obj['NS.string'] ?? obj['NS.bytes'] ?? null, depth + 1);
      case 'NSData':
      case 'NSMutableData':
        return resolve(obj['NS.data'] ?? null, depth + 1);
      case 'NSDate': {
        const t = obj['NS.time'];
        return typeof t === 'number' ? new Date((t + COCOA_OFFSET_S) * 1000) : null;
      }
      case 'NSUUID': {
        const b = obj['NS.uuidbytes'];
        return Buffer.isBuffer(b) ? formatUuid(b) : null;
      }
      case 'NSURL': {
        const base = resolve(obj['NS.base'] ?? null, depth + 1);
        const rel = resolve(obj['NS.relative'] ?? null, depth + 1);
        return typeof base === 'string' && typeof rel === 'string' ? (URL.parse(rel, base)?.href ?? rel) : rel;
      }
      case 'NSNull':
        return null;
      default: {
        const out: Record<string, Unarchived> = {};
        if (className) out.$class = className;
        for (const [k, v] of Object.entries(obj)) {
          if (k === '$class') continue;
          setField(out, k, resolve(v, depth + 1));
        }
        return out;
      }
    }
  };

  const rootRef = top.root ?? Object.values(top)[0];
  if (rootRef === undefined) throw new FormatError(what, '$top has no root object');
  return resolve(rootRef, 0);
}

/** An archived list field; anything else (a hostile or damaged archive) reads as empty. */
function list(v: PlistValue | undefined): PlistValue[] {
  return Array.isArray(v) ? v : [];
}

/** A field of a decoded object, never the prototype (a key may be "__proto__"). */
function setField(out: Record<string, Unarchived>, key: string, value: Unarchived): void {
  if (key === '__proto__') Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  else out[key] = value;
}

function formatUuid(b: Buffer): string {
  const h = b.toString('hex').toUpperCase();
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** Dictionary keys are strings in every archive iOS writes; anything else is rendered readably. */
function keyText(key: Unarchived): string {
  return typeof key === 'string' ? key : JSON.stringify(key, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)) ?? 'null';
}
