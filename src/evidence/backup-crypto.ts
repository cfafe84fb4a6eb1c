/**
 * The cryptography of encrypted iTunes/Finder backups (reference-spec §8.2), on node:crypto alone
 * (stack-notes §10): password → key by PBKDF2, class keys and per-file keys by RFC 3394 key unwrap, file
 * contents by AES-256-CBC with a zero IV. Everything works on buffers in memory or on streams; nothing here
 * touches the disk. Keys are plain Buffers owned by the caller, who must never log or store them.
 */
import { createCipheriv, createDecipheriv, pbkdf2, pbkdf2Sync, type Decipher } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { promisify } from 'node:util';
import { FormatError } from '../errors.js';
import { checkIterationCount, type Keybag } from '../formats/keybag.js';

/** The derived key (from the password or a key file) does not unwrap the class keys: a wrong password. */
export class WrongKeyError extends Error {
  override readonly name = 'WrongKeyError';
}

const pbkdf2Async = promisify(pbkdf2);

const KEY_BYTES = 32;
const AES_BLOCK = 16;
/** RFC 3394 §2.2.3.1 default initial value; node:crypto needs it passed explicitly. */
const RFC3394_IV = Buffer.from('A6A6A6A6A6A6A6A6', 'hex');
const ZERO_IV = Buffer.alloc(AES_BLOCK);
/** The keybag WRAP bit meaning "wrapped with the passcode-derived key". */
const WRAP_PASSCODE = 2;
/** ManifestKey and EncryptionKey: a 4-byte little-endian protection class, then a 40-byte wrapped 32-byte key. */
const CLASS_PREFIX_BYTES = 4;
const WRAPPED_KEY_BYTES = 40;

/**
 * Checks the keybag's iteration counts before any derivation: ITER or DPIC of 0, negative, fractional or
 * ≥ 2^31 is a FormatError naming the block, not an internal error from node:crypto.
 */
export function checkKeybagIterations(keybag: Pick<Keybag, 'iter' | 'dpic'>): void {
  checkIterationCount('ITER', keybag.iter);
  if (keybag.dpic !== undefined) checkIterationCount('DPIC', keybag.dpic);
}

/**
 * PBKDF2-HMAC-SHA256(password, DPSL, DPIC) then PBKDF2-HMAC-SHA1(that, SALT, ITER) when the keybag has
 * DPSL/DPIC (iOS ≥ 10.2), else SHA-1 only. Async crypto.pbkdf2 (libuv pool: off the main thread). 32 bytes.
 */
export async function deriveBackupKey(password: string, keybag: Keybag): Promise<Buffer> {
  checkKeybagIterations(keybag);
  const secret = Buffer.from(password, 'utf8');
  const first = keybag.dpsl !== undefined && keybag.dpic !== undefined ? await pbkdf2Async(secret, keybag.dpsl, keybag.dpic, KEY_BYTES, 'sha256') : secret;
  return pbkdf2Async(first, keybag.salt, keybag.iter, KEY_BYTES, 'sha1');
}

/** The same derivation on the calling thread, for the backup generator (never for a check: it blocks). */
export function deriveBackupKeySync(password: string, keybag: Keybag): Buffer {
  checkKeybagIterations(keybag);
  const secret = Buffer.from(password, 'utf8');
  const first = keybag.dpsl !== undefined && keybag.dpic !== undefined ? pbkdf2Sync(secret, keybag.dpsl, keybag.dpic, KEY_BYTES, 'sha256') : secret;
  return pbkdf2Sync(first, keybag.salt, keybag.iter, KEY_BYTES, 'sha1');
}

/**
 * Unwraps every class key whose WRAP has the passcode bit with the derived key. The first integrity failure
 * is a WrongKeyError: one wrong unwrap means the key is wrong, since all of them were wrapped with it.
 * Class keys wrapped only with the device key (not in backup keybags) are left out of the result.
 */
export function unlockClassKeys(keybag: Keybag, derivedKey: Buffer): ReadonlyMap<number, Buffer> {
  if (derivedKey.length !== KEY_BYTES) throw new FormatError('backup key', `${derivedKey.length} bytes (expected ${KEY_BYTES})`);
  const unlocked = new Map<number, Buffer>();
  for (const ck of keybag.classKeys.values()) {
    if ((ck.wrap & WRAP_PASSCODE) === 0) continue;
    try {
      unlocked.set(ck.clas, unwrapKey(derivedKey, ck.wpky));
    } catch (err) {
      if (err instanceof WrongKeyError) throw new WrongKeyError(`the key does not unwrap class key ${ck.clas} (wrong password or key)`, { cause: err });
      if (err instanceof FormatError) throw new FormatError('BackupKeyBag', `class key ${ck.clas}: ${err.message}`, { cause: err });
      throw err;
    }
  }
  return unlocked;
}

function wrapCipherName(kek: Buffer): string {
  if (kek.length !== 16 && kek.length !== 24 && kek.length !== 32) {
    throw new FormatError('key-encryption key', `${kek.length} bytes (expected 16, 24 or 32)`);
  }
  return `id-aes${kek.length * 8}-wrap`;
}

/** RFC 3394 via node:crypto; throws WrongKeyError on integrity failure, FormatError on bad length. */
export function unwrapKey(kek: Buffer, wrapped: Buffer): Buffer {
  const cipher = wrapCipherName(kek);
  if (wrapped.length < 24 || wrapped.length % 8 !== 0) {
    throw new FormatError('wrapped key', `${wrapped.length} bytes (expected a multiple of 8, at least 24)`);
  }
  const decipher = createDecipheriv(cipher, kek, RFC3394_IV);
  try {
    // OpenSSL checks the integrity value inside update(): a wrong KEK throws there, with no error code.
    return Buffer.concat([decipher.update(wrapped), decipher.final()]);
  } catch (err) {
    throw new WrongKeyError('key unwrap integrity check failed (RFC 3394): the unwrapping key is wrong', { cause: err });
  }
}

export function wrapKey(kek: Buffer, key: Buffer): Buffer {
  const cipher = wrapCipherName(kek);
  if (key.length < 16 || key.length % 8 !== 0) throw new FormatError('key to wrap', `${key.length} bytes (expected a multiple of 8, at least 16)`);
  const c = createCipheriv(cipher, kek, RFC3394_IV);
  return Buffer.concat([c.update(key), c.final()]);
}

/**
 * Splits a class-prefixed wrapped key and unwraps it with that class's key. After the class keys unlocked,
 * an integrity failure can only mean damaged metadata, so it is a FormatError, not a wrong password.
 */
function unwrapWithClass(what: string, blob: Buffer, protectionClass: number, classKeys: ReadonlyMap<number, Buffer>): Buffer {
  if (blob.length !== CLASS_PREFIX_BYTES + WRAPPED_KEY_BYTES) {
    throw new FormatError(what, `${blob.length} bytes (expected ${CLASS_PREFIX_BYTES + WRAPPED_KEY_BYTES}: a 4-byte protection class and a 40-byte wrapped key)`);
  }
  const classKey = classKeys.get(protectionClass);
  if (!classKey) throw new FormatError(what, `no unlocked key for protection class ${protectionClass} (the keybag does not provide it)`);
  try {
    return unwrapKey(classKey, blob.subarray(CLASS_PREFIX_BYTES));
  } catch (err) {
    if (err instanceof WrongKeyError) {
      throw new FormatError(what, `the wrapped key does not unwrap with the protection class ${protectionClass} key (damaged metadata)`, { cause: err });
    }
    throw err;
  }
}

/** ManifestKey = 4-byte little-endian protection class + 40-byte wrapped key. */
export function manifestDbKey(manifestKey: Buffer, classKeys: ReadonlyMap<number, Buffer>): Buffer {
  if (manifestKey.length < CLASS_PREFIX_BYTES) throw new FormatError('ManifestKey', `${manifestKey.length} bytes (expected 44)`);
  return unwrapWithClass('ManifestKey', manifestKey, manifestKey.readUInt32LE(0), classKeys);
}

/**
 * EncryptionKey from the MBFile archive = 4-byte LE class copy + 40-byte wrapped key; the class is taken from
 * ProtectionClass, as iOS and the reference do. Missing class key → FormatError naming the class.
 */
export function fileKey(encryptionKey: Buffer, protectionClass: number, classKeys: ReadonlyMap<number, Buffer>): Buffer {
  return unwrapWithClass('EncryptionKey', encryptionKey, protectionClass, classKeys);
}

function checkCiphertext(what: string, cipherBytes: number, size: number | undefined): void {
  if (cipherBytes % AES_BLOCK !== 0 || (size !== undefined && cipherBytes < size)) {
    const expected = size === undefined ? 'a multiple of the 16-byte AES block' : `a file of ${size} bytes`;
    throw new FormatError(what, `truncated ciphertext: ${cipherBytes} bytes for ${expected}`);
  }
}

/**
 * AES-256-CBC, zero IV, no padding removal, then truncate to `size` (when given): iOS pads with PKCS#7 and the
 * MBFile Size says where the plaintext ends. Ciphertext not a multiple of 16, or shorter than `size` → FormatError.
 * `what` names the file in messages.
 */
export function decryptWithKey(key: Buffer, data: Buffer, size?: number, what = 'encrypted file'): Buffer {
  checkCiphertext(what, data.length, size);
  const d = createDecipheriv('aes-256-cbc', key, ZERO_IV);
  d.setAutoPadding(false);
  const plain = Buffer.concat([d.update(data), d.final()]);
  return size === undefined ? plain : plain.subarray(0, size);
}

/** PKCS#7-padded, as iOS writes files (used by the generator). */
export function encryptWithKey(key: Buffer, plaintext: Buffer): Buffer {
  const c = createCipheriv('aes-256-cbc', key, ZERO_IV);
  return Buffer.concat([c.update(plaintext), c.final()]);
}

/** Streaming counterpart of encryptWithKey, for files too large to hold in memory. */
export function createEncryptStream(key: Buffer): Transform {
  return createCipheriv('aes-256-cbc', key, ZERO_IV);
}

/**
 * Streaming decryption for large files: one CBC context over all chunks, output cut at `size` bytes. A stream
 * that ends early, or whose length is not a whole number of blocks, fails with the same FormatError as
 * decryptWithKey.
 */
export function createDecryptStream(key: Buffer, size: number, what = 'encrypted file'): Transform {
  return new DecryptStream(createDecipheriv('aes-256-cbc', key, ZERO_IV).setAutoPadding(false), size, what);
}

class DecryptStream extends Transform {
  private cipherBytes = 0;
  private emitted = 0;

  constructor(
    private readonly decipher: Decipher,
    private readonly size: number,
    private readonly what: string,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.cipherBytes += chunk.length;
    this.pushPlain(this.decipher.update(chunk));
    done();
  }

  override _flush(done: TransformCallback): void {
    try {
      checkCiphertext(this.what, this.cipherBytes, this.size);
      this.pushPlain(this.decipher.final());
      done();
    } catch (err) {
      done(err as Error);
    }
  }

  /** Pushes plaintext up to `size`; what follows is padding. */
  private pushPlain(plain: Buffer): void {
    const room = this.size - this.emitted;
    if (room <= 0 || plain.length === 0) return;
    const part = plain.length <= room ? plain : plain.subarray(0, room);
    this.emitted += part.length;
    this.push(part);
  }
}
