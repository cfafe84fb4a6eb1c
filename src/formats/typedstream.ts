/**
 * The plain text of an `attributedBody` blob (sms.db / chat.db `message.attributedBody`).
 *
 * The blob is an NSAttributedString archived with NeXTSTEP's "typedstream" coder (the archive starts with
 * version 4 and the length-prefixed signature `streamtyped`). Since iOS 16 the `text` column is often NULL and
 * the message text, links included, lives only here. We do not decode the whole object graph: the first object
 * inside an attributed string is its string, written as the class chain `NSMutableString → NSString`, the type
 * encoding `+` (UTF-8 bytes) and a length-prefixed byte run. That run is the text.
 *
 * Integers in a typedstream are one signed byte, or a tag then little-endian bytes: 0x81 → 2 bytes,
 * 0x82 → 4 bytes. Tags 0x80–0x91 and negative values are never a valid length. Hostile input is bounded:
 * every read is checked against the buffer, and nothing is allocated beyond the blob's own size.
 */

const SIGNATURE = Buffer.from('streamtyped', 'latin1');
const STRING_CLASS = Buffer.from('NSString', 'latin1');
/** `0x84` (a new shared string follows), length 1, `+`: the type encoding of the string's bytes. */
const UTF8_BYTES_TYPE = Buffer.from([0x84, 0x01, 0x2b]);
/** The type encoding follows the class chain closely (version byte, end-of-chain marker, superclass reference). */
const MAX_GAP_AFTER_CLASS = 32;

export function isTypedstream(blob: Uint8Array): boolean {
  // byte 0: stream version (4 since NeXTSTEP 3); byte 1: signature length; then the signature itself.
  return blob.length >= 2 + SIGNATURE.length && blob[1] === SIGNATURE.length && Buffer.from(blob.buffer, blob.byteOffset + 2, SIGNATURE.length).equals(SIGNATURE);
}

/**
 * The text of an archived (NS)AttributedString, or null when the blob is not a typedstream, holds no string,
 * or is truncated. Never throws on bad input: a message whose body cannot be read still has its other columns.
 */
export function attributedBodyText(blob: Uint8Array | null | undefined): string | null {
  if (!blob || !isTypedstream(blob)) return null;
  const buf = Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength);
  const classAt = buf.indexOf(STRING_CLASS, 2 + SIGNATURE.length);
  if (classAt < 0) return null;
  const searchFrom = classAt + STRING_CLASS.length;
  const typeAt = buf.subarray(0, Math.min(buf.length, searchFrom + MAX_GAP_AFTER_CLASS + UTF8_BYTES_TYPE.length)).indexOf(UTF8_BYTES_TYPE, searchFrom);
  if (typeAt < 0) return null;
  const length = readLength(buf, typeAt + UTF8_BYTES_TYPE.length);
  if (!length) return null;
  const end = length.next + length.value;
  if (end > buf.length) return null;
  return buf.toString('utf8', length.next, end);
}

function readLength(buf: Buffer, at: number): { value: number; next: number } | null {
  if (at >= buf.length) return null;
  const tag = buf[at]!;
  if (tag < 0x80) return { value: tag, next: at + 1 };
  if (tag === 0x81) return at + 3 <= buf.length ? { value: buf.readUInt16LE(at + 1), next: at + 3 } : null;
  if (tag === 0x82) {
    if (at + 5 > buf.length) return null;
    const value = buf.readInt32LE(at + 1);
    return value >= 0 ? { value, next: at + 5 } : null;
  }
  return null;
}
