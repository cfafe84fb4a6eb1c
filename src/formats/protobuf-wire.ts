/**
 * The protocol buffers wire format, read field by field without a schema: enough for the few fields a
 * decoder wants out of a message (tombstone-proto.ts), with every length checked against the bytes at hand.
 * Nested messages are decoded only when the caller asks for them, so depth is the caller's, and bounded.
 * A malformed message is a FormatError naming `what`.
 */
import { FormatError } from '../errors.js';

export type WireField =
  | { readonly no: number; readonly type: 'varint'; readonly value: bigint }
  | { readonly no: number; readonly type: 'fixed64' | 'fixed32'; readonly bytes: Buffer }
  | { readonly no: number; readonly type: 'bytes'; readonly bytes: Buffer };

/** More fields than this in one message is not a message a phone wrote. */
export const MAX_FIELDS_PER_MESSAGE = 1_000_000;

function readVarint(buf: Buffer, at: number, what: string): { value: bigint; next: number } {
  let value = 0n;
  let shift = 0n;
  for (let i = at; i < buf.length && i < at + 10; i++) {
    const b = buf[i]!;
    value |= BigInt(b & 0x7f) << shift;
    if ((b & 0x80) === 0) return { value: value & 0xffff_ffff_ffff_ffffn, next: i + 1 };
    shift += 7n;
  }
  throw new FormatError(what, `a varint at byte ${at} runs past the end of its message or past 10 bytes`);
}

/** Every field of one message, in order. */
export function* wireFields(buf: Buffer, what: string): Generator<WireField> {
  let at = 0;
  let count = 0;
  while (at < buf.length) {
    if (++count > MAX_FIELDS_PER_MESSAGE) throw new FormatError(what, `more than ${MAX_FIELDS_PER_MESSAGE} fields in one message`);
    const key = readVarint(buf, at, what);
    const no = Number(key.value >> 3n);
    const wire = Number(key.value & 7n);
    if (no === 0) throw new FormatError(what, `field number 0 at byte ${at}`);
    at = key.next;
    switch (wire) {
      case 0: {
        const v = readVarint(buf, at, what);
        at = v.next;
        yield { no, type: 'varint', value: v.value };
        break;
      }
      case 1:
      case 5: {
        const size = wire === 1 ? 8 : 4;
        if (at + size > buf.length) throw new FormatError(what, `a ${size * 8}-bit field at byte ${at} runs past the end of its message`);
        yield { no, type: wire === 1 ? 'fixed64' : 'fixed32', bytes: buf.subarray(at, at + size) };
        at += size;
        break;
      }
      case 2: {
        const len = readVarint(buf, at, what);
        at = len.next;
        if (len.value > BigInt(buf.length - at)) throw new FormatError(what, `field ${no} claims ${len.value} bytes where ${buf.length - at} remain`);
        const end = at + Number(len.value);
        yield { no, type: 'bytes', bytes: buf.subarray(at, end) };
        at = end;
        break;
      }
      default:
        // Groups (3, 4) are long deprecated and no phone writes them; 6 and 7 do not exist.
        throw new FormatError(what, `wire type ${wire} (field ${no}) at byte ${at}: not a message a phone writes`);
    }
  }
}

/** A varint as a signed 32-bit integer (`int32`: negatives are sign-extended to 64 bits on the wire). */
export function asInt32(v: bigint): number {
  return Number(BigInt.asIntN(32, v));
}

/** A varint as an unsigned integer, exact up to 2^53. */
export function asUint(v: bigint): number {
  return Number(v);
}
