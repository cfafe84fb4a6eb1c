/**
 * Values crossing between threads. postMessage copies by the structured clone algorithm, which keeps plain
 * objects, arrays, Maps, Dates and typed arrays but drops class prototypes: a `Moment` would arrive as a bare
 * object (no `iso()`, no `toJSON`) and a Buffer as a plain Uint8Array (JSON writes it differently). `pack` tags
 * those few classes before posting and `unpack` restores them on arrival, so a finding or a coverage entry
 * renders the same bytes in the main thread as in the worker that made it.
 */
import { Moment } from '../../formats/time.js';
import { UID } from '../../formats/plist-values.js';

const TAG = '\u0000tracehound-transfer';

type Packed = { readonly [TAG]: 'moment' | 'buffer' | 'uid'; readonly value: unknown };

export function pack(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (value instanceof Moment) return { [TAG]: 'moment', value: { ...value } };
  if (Buffer.isBuffer(value)) return { [TAG]: 'buffer', value: new Uint8Array(value) };
  if (value instanceof UID) return { [TAG]: 'uid', value: value.UID };
  if (Array.isArray(value)) return value.map(pack);
  if (value instanceof Map) return new Map([...value].map(([k, v]) => [pack(k), pack(v)]));
  if (value instanceof Set) return new Set([...value].map(pack));
  if (ArrayBuffer.isView(value) || value instanceof Date || value instanceof RegExp) return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) out[key] = pack((value as Record<string, unknown>)[key]);
  return out;
}

export function unpack(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (isPacked(value)) {
    if (value[TAG] === 'moment') return Object.assign(Object.create(Moment.prototype) as Moment, value.value);
    if (value[TAG] === 'buffer') {
      const bytes = value.value as Uint8Array;
      return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    }
    return new UID(value.value as number);
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = unpack(value[i]);
    return value;
  }
  if (value instanceof Map) return new Map([...value].map(([k, v]) => [unpack(k), unpack(v)]));
  if (value instanceof Set) return new Set([...value].map(unpack));
  if (ArrayBuffer.isView(value) || value instanceof Date || value instanceof RegExp) return value;
  // A received copy is ours alone: restored in place (no second copy of a large record).
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) record[key] = unpack(record[key]);
  return record;
}

function isPacked(value: object): value is Packed {
  return Object.prototype.hasOwnProperty.call(value, TAG);
}
