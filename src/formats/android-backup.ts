/**
 * Android's `adb backup` file (`.ab`, reference-spec §11): a few ASCII header lines, then a payload that is
 * optionally AES-256-CBC encrypted (key from the password by PBKDF2-HMAC-SHA1, through a master key kept in the
 * header) and optionally zlib-compressed; inside is a POSIX tar written by Android's FullBackup.
 *
 * The header is decoded from its first bytes (bounded: real headers are under 600 bytes); the payload is turned
 * into the tar's bytes as a stream (decipher, then inflate), never held whole and never written anywhere, with a
 * bound on how much it may inflate to (a zlib bomb is cut, not followed). Only node:crypto and node:zlib.
 */
import { createDecipheriv, pbkdf2 } from 'node:crypto';
import { Readable, pipeline, type Transform } from 'node:stream';
import { constants, createInflate } from 'node:zlib';
import { FormatError } from '../errors.js';

export const AB_MAGIC = 'ANDROID BACKUP';

/** A real header is 4 lines, or 9 for an encrypted backup (two 64-byte salts, a 16-byte IV and a ~96-byte blob in hex). */
export const MAX_AB_HEADER_BYTES = 4096;

/**
 * Android writes 10,000 rounds; a hostile header could ask for billions and hold the run for hours. PBKDF2-SHA1
 * runs ~1.5 M rounds/s here, so this bound costs at most a few seconds.
 */
export const MAX_AB_PBKDF2_ROUNDS = 5_000_000;

const WHAT = 'Android backup';

export interface AbEncryption {
  readonly userSalt: Buffer;
  readonly checksumSalt: Buffer;
  readonly rounds: number;
  readonly userIv: Buffer;
  readonly masterKeyBlob: Buffer;
}

export interface AbHeader {
  /** The backup format version (1 to 5 in Android's history). */
  readonly version: number;
  readonly compressed: boolean;
  /** `none`, `AES-256`, or whatever else the file says (refused when the payload is read). */
  readonly encryption: string;
  /** Set for `AES-256`: what the password is checked against and the master key is unwrapped from. */
  readonly crypto?: AbEncryption;
  /** Where the payload starts: after the 4 header lines, or the 9 of an encrypted backup. */
  readonly payloadOffset: number;
}

/** The password does not open the backup (the master key's checksum does not match). */
export class WrongBackupPasswordError extends Error {
  override readonly name = 'WrongBackupPasswordError';
}

/** True when the bytes start like a backup (the magic and its newline), whatever follows. */
export function looksLikeAndroidBackup(head: Buffer): boolean {
  return head.length > AB_MAGIC.length && head.toString('latin1', 0, AB_MAGIC.length + 1) === `${AB_MAGIC}\n`;
}

/** Splits the next `\n`-terminated line off `head` at `offset`; null when no newline follows within the header bound. */
function lineAt(head: Buffer, offset: number): { text: string; next: number } | null {
  const end = head.indexOf(0x0a, offset);
  if (end === -1 || end >= MAX_AB_HEADER_BYTES) return null;
  return { text: head.toString('latin1', offset, end), next: end + 1 };
}

function hexField(text: string, name: string, expect: string): Buffer {
  if (!/^(?:[0-9a-fA-F]{2})+$/.test(text)) throw new FormatError(WHAT, `invalid encrypted backup header: the ${name} is not hexadecimal (expected ${expect})`);
  return Buffer.from(text, 'hex');
}

/**
 * Decodes the header from the file's first bytes (pass at least MAX_AB_HEADER_BYTES when the file is that
 * long). Throws FormatError with one line saying what is wrong: not a backup, an incomplete header, a bad
 * version or flag, a truncated or malformed encryption header.
 */
export function parseAbHeader(head: Buffer): AbHeader {
  if (!looksLikeAndroidBackup(head)) throw new FormatError(WHAT, `not an Android backup (expected a file starting with "${AB_MAGIC}")`);
  const lines: string[] = [];
  let offset = 0;
  for (let i = 0; i < 4; i++) {
    const line = lineAt(head, offset);
    if (line === null) {
      throw new FormatError(WHAT, `incomplete header: ${lines.length} of its 4 lines (expected "${AB_MAGIC}", the version, the compression flag and the encryption)`);
    }
    lines.push(line.text);
    offset = line.next;
  }
  const [, versionText, compressedText, encryption] = lines as [string, string, string, string];
  if (!/^\d{1,9}$/.test(versionText)) throw new FormatError(WHAT, `invalid header: version ${JSON.stringify(versionText.slice(0, 40))} (expected a whole number)`);
  if (compressedText !== '0' && compressedText !== '1') throw new FormatError(WHAT, `invalid header: compression flag ${JSON.stringify(compressedText.slice(0, 40))} (expected 0 or 1)`);
  const base = { version: Number(versionText), compressed: compressedText === '1', encryption };
  if (encryption !== 'AES-256') return { ...base, payloadOffset: offset };

  const fields: string[] = [];
  for (let i = 0; i < 5; i++) {
    const line = lineAt(head, offset);
    if (line === null) {
      throw new FormatError(WHAT, `invalid encrypted backup header: truncated after ${fields.length} of its 5 lines (expected the user salt, checksum salt, rounds, IV and master key blob)`);
    }
    fields.push(line.text);
    offset = line.next;
  }
  const [userSaltHex, checksumSaltHex, roundsText, ivHex, blobHex] = fields as [string, string, string, string, string];
  if (!/^\d{1,10}$/.test(roundsText) || Number(roundsText) < 1) throw new FormatError(WHAT, `invalid encrypted backup header: rounds ${JSON.stringify(roundsText.slice(0, 40))} (expected a positive whole number)`);
  const rounds = Number(roundsText);
  if (rounds > MAX_AB_PBKDF2_ROUNDS) throw new FormatError(WHAT, `invalid encrypted backup header: ${rounds} PBKDF2 rounds, above the limit of ${MAX_AB_PBKDF2_ROUNDS} (Android writes 10000)`);
  const userIv = hexField(ivHex, 'IV', '16 bytes');
  if (userIv.length !== 16) throw new FormatError(WHAT, `invalid encrypted backup header: a ${userIv.length}-byte IV (expected 16 bytes)`);
  const masterKeyBlob = hexField(blobHex, 'master key blob', 'a multiple of 16 bytes');
  if (masterKeyBlob.length % 16 !== 0) throw new FormatError(WHAT, `invalid encrypted backup header: a ${masterKeyBlob.length}-byte master key blob (expected a multiple of 16 bytes)`);
  return {
    ...base,
    crypto: { userSalt: hexField(userSaltHex, 'user salt', 'bytes in hex'), checksumSalt: hexField(checksumSaltHex, 'checksum salt', 'bytes in hex'), rounds, userIv, masterKeyBlob },
    payloadOffset: offset,
  };
}

function pbkdf2Sha1(password: Buffer, salt: Buffer, rounds: number): Promise<Buffer> {
  return new Promise((resolve, reject) => pbkdf2(password, salt, rounds, 32, 'sha1', (err, key) => (err ? reject(err) : resolve(key))));
}

/**
 * The master key as Java hands it to PBKDF2 for the checksum (format version 2 and later): each byte is a
 * signed Java byte turned into a char (0x80..0xFF become U+FF80..U+FFFF) and then UTF-8 encoded, so a byte
 * above 0x7F costs three bytes. Version 1 used the raw bytes, a bug Android kept for compatibility.
 */
export function javaMangledKey(key: Buffer): Buffer {
  const out: number[] = [];
  for (const b of key) {
    if (b < 0x80) {
      out.push(b);
      continue;
    }
    const c = 0xff00 | b;
    out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f));
  }
  return Buffer.from(out);
}

export interface AbMasterKey {
  readonly key: Buffer;
  readonly iv: Buffer;
}

/**
 * Opens the master key with the password: PBKDF2 (off the main thread), AES-CBC on the blob, the three
 * length-prefixed fields (IV, key, checksum), then the checksum PBKDF2 over the (mangled) key. Throws
 * WrongBackupPasswordError when the password does not fit.
 */
export async function unlockAbMasterKey(header: AbHeader, password: string): Promise<AbMasterKey> {
  const c = header.crypto;
  if (!c) throw new FormatError(WHAT, 'not encrypted: there is no master key to unlock');
  const userKey = await pbkdf2Sha1(Buffer.from(password, 'utf8'), c.userSalt, c.rounds);
  let blob: Buffer;
  try {
    const decipher = createDecipheriv('aes-256-cbc', userKey, c.userIv).setAutoPadding(false);
    blob = Buffer.concat([decipher.update(c.masterKeyBlob), decipher.final()]);
  } catch (err) {
    // node:crypto may throw inside update() on a wrong key (stack-notes §10): the password does not fit.
    throw new WrongBackupPasswordError('the master key blob does not decrypt', { cause: err });
  }
  let at = 0;
  const field = (): Buffer => {
    if (at >= blob.length) throw new WrongBackupPasswordError('the master key blob does not decode');
    const n = blob[at]!;
    if (at + 1 + n > blob.length) throw new WrongBackupPasswordError('the master key blob does not decode');
    const value = blob.subarray(at + 1, at + 1 + n);
    at += 1 + n;
    return value;
  };
  const iv = field();
  const key = field();
  const checksum = field();
  if (iv.length !== 16 || key.length !== 32) throw new WrongBackupPasswordError('the master key blob does not decode');
  const calculated = await pbkdf2Sha1(header.version > 1 ? javaMangledKey(key) : key, c.checksumSalt, c.rounds);
  if (!calculated.equals(checksum)) throw new WrongBackupPasswordError('the master key checksum does not match');
  return { key: Buffer.from(key), iv: Buffer.from(iv) };
}

export interface AbPayloadOptions {
  /** Required for an encrypted backup. */
  readonly masterKey?: AbMasterKey;
  /** The payload's size in bytes: the inflation bound is this times `maxRatio`. */
  readonly payloadBytes: number;
  /** The tar may be at most this many times the payload (deflate cannot pass ~1032:1). */
  readonly maxRatio: number;
  /** And never more than this many bytes in all. */
  readonly maxBytes: number;
}

/**
 * The tar inside the backup, as a stream of chunks: the payload decrypted and inflated as it is read. A
 * truncated zlib stream yields what it held and ends (the tar walker then says where it broke); a bad cipher
 * block, a damaged zlib stream or an inflation past the bound ends the iteration with a FormatError.
 */
export async function* abTarStream(header: AbHeader, payload: AsyncIterable<Buffer> | Iterable<Buffer>, options: AbPayloadOptions): AsyncIterable<Buffer> {
  if (header.encryption !== 'none' && header.encryption !== 'AES-256') {
    throw new FormatError(WHAT, `encryption ${JSON.stringify(header.encryption.slice(0, 40))} is not supported (expected none or AES-256)`);
  }
  const stages: Transform[] = [];
  if (header.encryption === 'AES-256') {
    if (!options.masterKey) throw new FormatError(WHAT, 'encrypted: a password is needed');
    stages.push(createDecipheriv('aes-256-cbc', options.masterKey.key, options.masterKey.iv));
  }
  // A sync flush at the end lets a truncated stream give what it holds instead of failing outright (stack-notes §4).
  if (header.compressed) stages.push(createInflate({ finishFlush: constants.Z_SYNC_FLUSH }));
  const input = Readable.from(payload, { objectMode: false });
  const tail: Readable = stages.length === 0 ? input : (pipeline([input, ...stages], () => undefined) as unknown as Readable);
  const limit = Math.min(options.maxBytes, Math.max(1, options.payloadBytes) * options.maxRatio);
  let total = 0;
  try {
    for await (const chunk of tail as AsyncIterable<Buffer>) {
      total += chunk.length;
      if (total > limit) throw new FormatError(WHAT, `the payload decompresses past ${limit} bytes (${options.maxRatio}x the ${options.payloadBytes}-byte payload, or the total limit): stopped (zlib bomb?)`);
      yield chunk;
    }
  } catch (err) {
    if (err instanceof FormatError) throw err;
    const code = (err as { code?: unknown }).code;
    const why = typeof code === 'string' && code.startsWith('Z_') ? 'the zlib stream is damaged' : header.encryption === 'AES-256' ? 'the encrypted data is damaged or truncated' : 'the payload is damaged';
    throw new FormatError(WHAT, `${why} after ${total} bytes of tar data (${(err as Error).message.replace(/\p{Cc}/gu, ' ').slice(0, 200)})`, { cause: err });
  } finally {
    tail.destroy();
    input.destroy();
  }
}

/** `data` in slices, so an in-memory payload still goes through the streams a chunk at a time. */
export function* slices(data: Buffer, size = 1024 * 1024): Iterable<Buffer> {
  for (let at = 0; at < data.length; at += size) yield data.subarray(at, Math.min(data.length, at + size));
}
