/**
 * The file format of an encrypted case: `case.db.age`, a standard age file (age-encryption.org/v1) whose
 * plaintext is the case database's image (SQLite's serialization), so `age -d` opens it with no Tracehound.
 *
 * Who can open it is decided once, when the case is encrypted: an scrypt stanza (a passphrase through age's
 * memory-hard KDF) or X25519 stanzas (age recipients: a lab's public key). The header's stanzas wrap a random
 * file key; typage (`age-encryption`) makes and opens them (src/evidence/fs/age.ts does the opening for
 * `.zip.age` acquisitions too). A `CaseSeal` is that header with its file key, held in memory while a command
 * runs: each save writes the same header, a fresh random 16-byte nonce, and the payload sealed under
 * HKDF-SHA-256(file key, nonce, "payload"), so every version on disk is under its own payload key, and a
 * save needs neither the passphrase again (no second scrypt) nor, in recipient mode, any private key (a field
 * laptop encrypts to a lab's key and cannot reopen the case afterwards).
 *
 * The payload is sealed and opened here with node:crypto (ChaCha20-Poly1305 in age's STREAM construction, 64
 * KiB chunks), synchronously, so that a commit of the case database can write it at once. A save writes a
 * hidden scratch file in the case folder (O_EXCL, mode 0600), fsyncs it and renames it over `case.db.age`:
 * only ciphertext ever reaches the disk, and a crash leaves the previous version whole.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { closeSync, constants, fstatSync, fsyncSync, openSync, readSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { Transform } from 'node:stream';
import { Decrypter, Encrypter } from 'age-encryption';
import { UserError, errorMessage } from '../errors.js';
import { parseAgeHeader, unwrapFileKey, ageLimits, type AgeCredentialProvider } from '../evidence/fs/age.js';

const CHUNK_BYTES = 64 * 1024;
const TAG_BYTES = 16;
const SEALED_CHUNK_BYTES = CHUNK_BYTES + TAG_BYTES;
const NONCE_BYTES = 16;

/** The header of a case's age file and the file key it wraps: what reading and saving the case need. */
export interface CaseSeal {
  /** The header up to and including its MAC line. */
  readonly header: Buffer;
  readonly fileKey: Buffer;
  /** `scrypt`, or the recipient types (`X25519`, …): what a later open will ask for. */
  readonly recipientTypes: readonly string[];
}

/** Who a new encrypted case is for: a passphrase, or age recipients (`age1…`). */
export type SealTarget = { readonly passphrase: string; readonly scryptLogN?: number } | { readonly recipients: readonly string[] };

/** A new seal (a fresh random file key, wrapped for the target). Costs one scrypt in each direction for a passphrase. */
export async function newSeal(target: SealTarget): Promise<CaseSeal> {
  const encrypter = new Encrypter();
  if ('passphrase' in target) {
    if (target.passphrase === '') throw new UserError('usage', 'a case passphrase cannot be empty');
    encrypter.setPassphrase(target.passphrase);
    if (target.scryptLogN !== undefined) encrypter.setScryptWorkFactor(target.scryptLogN);
    // typage does not mix a passphrase with other recipients, so the file key is read back from the header.
    const header = headerOf(Buffer.from(await encrypter.encrypt(new Uint8Array(0))));
    const decrypter = new Decrypter();
    decrypter.addPassphrase(target.passphrase);
    return { header, fileKey: Buffer.from(await decrypter.decryptHeader(header)), recipientTypes: ['scrypt'] };
  }
  if (target.recipients.length === 0) throw new UserError('usage', 'an encrypted case needs a passphrase or at least one recipient');
  for (const r of target.recipients) encrypter.addRecipient(checkedRecipient(r));
  // A recipient that wraps nothing: it only sees the file key typage generated, which the case keeps to save.
  let fileKey: Buffer | null = null;
  encrypter.addRecipient({
    wrapFileKey: (key: Uint8Array) => {
      fileKey = Buffer.from(key);
      return [];
    },
  });
  const header = headerOf(Buffer.from(await encrypter.encrypt(new Uint8Array(0))));
  if (fileKey === null) throw new Error('age: no file key was generated');
  return { header, fileKey, recipientTypes: parseAgeHeader(header, true, 'new case').recipientTypes };
}

/** An `age1…` recipient, checked by typage; a bad one is a usage error quoting it (a public key, not a secret). */
export function checkedRecipient(recipient: string): string {
  try {
    new Encrypter().addRecipient(recipient);
  } catch (err) {
    throw new UserError('usage', `${recipient}: not an age recipient (expected a public key age1…: ${errorMessage(err)})`);
  }
  return recipient;
}

/**
 * The seal of an existing case file: its header read (bounded, as for any age file), the credentials asked
 * for what it needs, the file key unwrapped. Wrong credentials: a UserError (`wrong-password`) naming `path`.
 */
export async function openSeal(path: string, credentials: AgeCredentialProvider): Promise<CaseSeal> {
  const { header, size } = readHead(path);
  const parsed = parseAgeHeader(header, header.length === size, path);
  const credential = await credentials(path, { recipientTypes: parsed.recipientTypes });
  const fileKey = await unwrapFileKey(path, parsed, credential);
  return { header: parsed.bytes, fileKey, recipientTypes: parsed.recipientTypes };
}

/**
 * The plaintext of `path`, opened with `seal` (which must be its own: a header that differs is refused). Read
 * a sealed chunk at a time, so memory holds the plaintext and one chunk, not the ciphertext too.
 */
export function readSealed(path: string, seal: CaseSeal): Buffer {
  const fd = openOrFail(path);
  try {
    const size = fstatSync(fd).size;
    const read = (at: number, length: number): Buffer => {
      const buf = Buffer.allocUnsafe(length);
      let got = 0;
      for (let n = 1; n > 0 && got < length; got += n) n = readSync(fd, buf, got, length - got, at + got);
      if (got < length) throw new UserError('bad-format', `${path}: the encrypted case ends early (changed while read?)`);
      return buf;
    };
    if (size < seal.header.length || !read(0, seal.header.length).equals(seal.header)) {
      throw new UserError('bad-format', `${path}: its age header changed since the case was unlocked (replaced while in use?)`);
    }
    const start = seal.header.length + NONCE_BYTES;
    if (size < start + TAG_BYTES) throw new UserError('bad-format', `${path}: encrypted case truncated (${size} bytes: no payload after the age header)`);
    const key = payloadKey(seal.fileKey, read(seal.header.length, NONCE_BYTES));
    const sealed = size - start;
    const chunks = Math.max(1, Math.ceil(sealed / SEALED_CHUNK_BYTES));
    const lastSealed = sealed - (chunks - 1) * SEALED_CHUNK_BYTES;
    if (lastSealed <= TAG_BYTES && chunks > 1) {
      key.fill(0);
      throw new UserError('bad-format', `${path}: encrypted case of ${size} bytes cannot be whole age chunks (truncated?)`);
    }
    const plain = Buffer.allocUnsafe((chunks - 1) * CHUNK_BYTES + lastSealed - TAG_BYTES);
    try {
      for (let i = 0; i < chunks; i++) {
        const last = i === chunks - 1;
        const chunk = read(start + i * SEALED_CHUNK_BYTES, last ? lastSealed : SEALED_CHUNK_BYTES);
        const decipher = createDecipheriv('chacha20-poly1305', key, chunkNonce(i, last), { authTagLength: TAG_BYTES });
        decipher.setAuthTag(chunk.subarray(chunk.length - TAG_BYTES));
        const out = decipher.update(chunk.subarray(0, chunk.length - TAG_BYTES));
        try {
          decipher.final();
        } catch {
          throw new UserError('bad-format', `${path}: encrypted case damaged, altered or truncated (age chunk ${i} of ${chunks} fails authentication)`);
        }
        out.copy(plain, i * CHUNK_BYTES);
        out.fill(0);
      }
    } catch (err) {
      plain.fill(0);
      throw err;
    } finally {
      key.fill(0);
    }
    return plain;
  } finally {
    closeSync(fd);
  }
}

/**
 * Writes `plain` sealed with `seal` to `path`, atomically: a hidden scratch file beside it (created O_EXCL,
 * mode 0600), written a chunk at a time, fsynced, renamed over `path`, and the folder fsynced.
 */
export function writeSealed(path: string, seal: CaseSeal, plain: Uint8Array): Buffer {
  const scratch = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  const fd = openSync(scratch, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0), 0o600);
  let renamed = false;
  try {
    const nonce = randomBytes(NONCE_BYTES);
    const key = payloadKey(seal.fileKey, nonce);
    try {
      writeAll(fd, seal.header);
      writeAll(fd, nonce);
      const chunks = Math.max(1, Math.ceil(plain.length / CHUNK_BYTES));
      for (let i = 0; i < chunks; i++) writeAll(fd, sealChunk(key, i, i === chunks - 1, plain.subarray(i * CHUNK_BYTES, Math.min(plain.length, (i + 1) * CHUNK_BYTES))));
    } finally {
      key.fill(0);
    }
    fsyncSync(fd);
    closeSync(fd);
    renameSync(scratch, path);
    renamed = true;
    syncFolder(dirname(path));
    return nonce;
  } catch (err) {
    if (!renamed) {
      try {
        closeSync(fd);
      } catch {
        // already closed
      }
      rmSync(scratch, { force: true });
    }
    throw err;
  }
}

/**
 * The same sealing as a stream, for what is too large to hold (an acquisition kept with its case): the case's
 * header, a fresh nonce, then each 64 KiB of input sealed as it comes; a chunk is sealed only once the next
 * byte (or the end) says whether it is the last, as STREAM requires.
 */
export function sealingStream(seal: CaseSeal): Transform {
  const nonce = randomBytes(NONCE_BYTES);
  const key = payloadKey(seal.fileKey, nonce);
  let pending: Buffer = Buffer.alloc(0);
  let index = 0;
  const next = (plain: Buffer, last: boolean): Buffer => sealChunk(key, index++, last, plain);
  return new Transform({
    construct(done) {
      this.push(Buffer.concat([seal.header, nonce]));
      done();
    },
    transform(chunk: Buffer, _encoding, done) {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      const out: Buffer[] = [];
      let at = 0;
      while (pending.length - at > CHUNK_BYTES) {
        out.push(next(pending.subarray(at, at + CHUNK_BYTES), false));
        at += CHUNK_BYTES;
      }
      pending = pending.subarray(at);
      done(null, out.length > 0 ? Buffer.concat(out) : undefined);
    },
    flush(done) {
      try {
        done(null, next(pending, true));
      } finally {
        key.fill(0);
      }
    },
    destroy(err, done) {
      key.fill(0);
      done(err);
    },
  });
}

/**
 * Which saved version `path` holds: the payload nonce after the header, random at each save (null when there
 * is no such file). A commit compares it with the version it started from, so two commands writing one
 * encrypted case at once cannot silently undo each other's work.
 */
export function sealedVersion(path: string, seal: CaseSeal): Buffer | null {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
  } catch {
    return null;
  }
  try {
    const want = seal.header.length + NONCE_BYTES;
    const head = Buffer.alloc(want);
    let at = 0;
    for (let n = 1; n > 0 && at < want; at += n) n = readSync(fd, head, at, want - at, at);
    return head.subarray(seal.header.length, at);
  } finally {
    closeSync(fd);
  }
}

/** Forgets the file key (best effort: a copy may remain in memory the engine or typage freed). */
export function dropSeal(seal: CaseSeal): void {
  seal.fileKey.fill(0);
}

/** One STREAM chunk: ChaCha20-Poly1305 of `plain` (at most 64 KiB) under the payload key, with its tag. */
function sealChunk(key: Buffer, index: number, last: boolean, plain: Uint8Array): Buffer {
  const cipher = createCipheriv('chacha20-poly1305', key, chunkNonce(index, last), { authTagLength: TAG_BYTES });
  const body = cipher.update(plain);
  cipher.final();
  return Buffer.concat([body, cipher.getAuthTag()]);
}

function payloadKey(fileKey: Buffer, nonce: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', fileKey, nonce, 'payload', 32));
}

/** STREAM's nonce: an 11-byte big-endian chunk counter, then 1 for the last chunk. */
function chunkNonce(index: number, last: boolean): Buffer {
  const nonce = Buffer.alloc(12);
  nonce.writeUIntBE(index, 5, 6);
  if (last) nonce[11] = 1;
  return nonce;
}

/** The header of an age file in memory, up to and including its MAC line. */
function headerOf(file: Buffer): Buffer {
  return parseAgeHeader(file, true, 'new case').bytes;
}

function readHead(path: string): { header: Buffer; size: number } {
  const fd = openOrFail(path);
  try {
    const size = fstatSync(fd).size;
    const head = Buffer.alloc(Math.min(size, ageLimits.maxHeaderBytes));
    let at = 0;
    for (let n = 1; n > 0 && at < head.length; at += n) n = readSync(fd, head, at, head.length - at, at);
    return { header: head.subarray(0, at), size };
  } finally {
    closeSync(fd);
  }
}

function openOrFail(path: string): number {
  try {
    return openSync(path, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
  } catch (err) {
    throw new UserError('not-found', `${path}: cannot open the encrypted case (${(err as NodeJS.ErrnoException).code ?? errorMessage(err)})`, { cause: err });
  }
}

function writeAll(fd: number, data: Buffer): void {
  for (let at = 0; at < data.length; ) at += writeSync(fd, data, at, data.length - at);
}

function syncFolder(dir: string): void {
  let fd: number;
  try {
    fd = openSync(dir, constants.O_RDONLY);
  } catch {
    return; // some platforms cannot open a folder; the rename is still atomic
  }
  try {
    fsyncSync(fd);
  } catch {
    // fsync of a folder is not supported everywhere
  } finally {
    closeSync(fd);
  }
}
