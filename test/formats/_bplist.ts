/**
 * Writes binary plists object by object, so that tests can build what no honest writer produces: shared
 * children (DAGs), cycles, references past the object table, odd integer widths, bad trailers.
 */

export type RawObject =
  | { readonly array: readonly number[] }
  | { readonly set: readonly number[] }
  | { readonly dict: readonly (readonly [number, number])[] }
  | { readonly int: bigint; readonly bytes: 1 | 2 | 4 | 8 | 16 }
  | { readonly ascii: string }
  | { readonly data: Buffer }
  | { readonly uid: number }
  | { readonly raw: Buffer };

export interface RawPlistOptions {
  readonly top?: number;
  readonly refSize?: number;
  readonly offsetSize?: number;
}

function sized(type: number, count: number): Buffer {
  if (count < 15) return Buffer.from([(type << 4) | count]);
  const len = Buffer.alloc(4);
  len.writeUInt32BE(count);
  return Buffer.concat([Buffer.from([(type << 4) | 0xf, 0x12]), len]);
}

function uintBytes(value: number, size: number): Buffer {
  const b = Buffer.alloc(size);
  let v = value;
  for (let i = size - 1; i >= 0; i--) {
    b[i] = v % 256;
    v = Math.floor(v / 256);
  }
  return b;
}

function encode(o: RawObject, refSize: number): Buffer {
  const refs = (list: readonly number[]): Buffer => Buffer.concat(list.map((r) => uintBytes(r, refSize)));
  if ('array' in o) return Buffer.concat([sized(0xa, o.array.length), refs(o.array)]);
  if ('set' in o) return Buffer.concat([sized(0xc, o.set.length), refs(o.set)]);
  if ('dict' in o) return Buffer.concat([sized(0xd, o.dict.length), refs(o.dict.map(([k]) => k)), refs(o.dict.map(([, v]) => v))]);
  if ('int' in o) {
    const b = Buffer.alloc(o.bytes);
    let v = BigInt.asUintN(o.bytes * 8, o.int);
    for (let i = o.bytes - 1; i >= 0; i--) {
      b[i] = Number(v & 0xffn);
      v >>= 8n;
    }
    return Buffer.concat([Buffer.from([0x10 | Math.log2(o.bytes)]), b]);
  }
  if ('ascii' in o) return Buffer.concat([sized(0x5, o.ascii.length), Buffer.from(o.ascii, 'latin1')]);
  if ('data' in o) return Buffer.concat([sized(0x4, o.data.length), o.data]);
  if ('uid' in o) return Buffer.concat([Buffer.from([0x83]), uintBytes(o.uid, 4)]);
  return o.raw;
}

export function rawBplist(objects: readonly RawObject[], options: RawPlistOptions = {}): Buffer {
  const refSize = options.refSize ?? (objects.length < 256 ? 1 : 2);
  const parts: Buffer[] = [Buffer.from('bplist00')];
  const offsets: number[] = [];
  let at = 8;
  for (const o of objects) {
    const bytes = encode(o, refSize);
    offsets.push(at);
    parts.push(bytes);
    at += bytes.length;
  }
  const offsetSize = options.offsetSize ?? (at < 256 ? 1 : at < 65536 ? 2 : 4);
  const tableAt = at;
  parts.push(Buffer.concat(offsets.map((o) => uintBytes(o, offsetSize))));
  const trailer = Buffer.alloc(32);
  trailer[6] = offsetSize;
  trailer[7] = refSize;
  trailer.writeBigUInt64BE(BigInt(objects.length), 8);
  trailer.writeBigUInt64BE(BigInt(options.top ?? 0), 16);
  trailer.writeBigUInt64BE(BigInt(tableAt), 24);
  parts.push(trailer);
  return Buffer.concat(parts);
}

/**
 * The issue-7 bomb: `levels` arrays, each holding two references to the next, over one integer. A few hundred
 * bytes; fully expanded it holds 2^levels integers.
 */
export function bplistDag(levels: number, fanOut = 2): Buffer {
  const objects: RawObject[] = [];
  for (let i = 0; i < levels; i++) objects.push({ array: Array.from({ length: fanOut }, () => i + 1) });
  objects.push({ int: 1n, bytes: 1 });
  return rawBplist(objects);
}
