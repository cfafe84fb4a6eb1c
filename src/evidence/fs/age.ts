/**
 * An age-encrypted file (androidqf's `.zip.age`) as random-access plaintext, decrypted in memory a chunk at a
 * time: the plaintext never touches the disk, and memory holds at most CACHE_CHUNKS chunks of it.
 *
 * The format (age-encryption.org/v1): a text header (one stanza per recipient, then `--- ` and the header's
 * MAC), a 16-byte nonce, then the payload in STREAM chunks of 64 KiB of plaintext, each sealed with
 * ChaCha20-Poly1305 under the payload key (HKDF-SHA-256 of the file key, salted with the nonce, info
 * "payload") and a 12-byte nonce: an 11-byte big-endian chunk counter and a last-chunk flag. Because chunk N
 * can be opened alone, a zip inside is read by random access like a zip on disk.
 *
 * The file key is unwrapped by typage (`age-encryption`, the maintained TypeScript age: X25519, scrypt
 * passphrases and post-quantum hybrid identities), from the header alone (`Decrypter.decryptHeader`, which
 * also checks the header's MAC). The chunks are opened here with node:crypto, and every chunk is
 * authenticated before a byte of it is served, so a flipped bit or a cut file is an error naming the file,
 * never altered content.
 */
import { createDecipheriv, hkdfSync } from 'node:crypto';
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { open as openFile, type FileHandle } from 'node:fs/promises';
import { Decrypter } from 'age-encryption';
import { FormatError, UserError, errorMessage } from '../../errors.js';
import type { PositionalFile } from './byte-source.js';

/** Where the CLI reads a passphrase from (named here so messages of this layer can say it). */
export const AGE_PASSPHRASE_ENV = 'TRACEHOUND_AGE_PASSPHRASE';
export const AGE_MAGIC = 'age-encryption.org/v1\n';
const ARMOR_BEGIN = '-----BEGIN AGE ENCRYPTED FILE-----';
const CHUNK_BYTES = 64 * 1024;
const TAG_BYTES = 16;
const SEALED_CHUNK_BYTES = CHUNK_BYTES + TAG_BYTES;
const NONCE_BYTES = 16;

/** Bounds on a hostile header: real ones are a few hundred bytes (a few KB with post-quantum stanzas). */
export const ageLimits = {
  maxHeaderBytes: 64 * 1024,
  /** Each stanza costs every identity one unwrap attempt (an X25519 scalar multiplication, or a scrypt). */
  maxStanzas: 64,
  /**
   * scrypt's memory is 1 KiB × 2^logN: 18 (age's default, 256 MiB) is the most a passphrase file is
   * allowed to make us spend; typage alone would go to 20 (1 GiB).
   */
  maxScryptLogN: 18,
  /** Plaintext chunks kept decrypted (64 KiB each): a zip's central directory and the member being read. */
  cacheChunks: 32,
};

/** What the header says about who can open the file, for the credential provider to ask the right question. */
export interface AgeHeaderInfo {
  /** The first argument of each stanza: `X25519`, `scrypt`, `mlkem768x25519`, … */
  readonly recipientTypes: readonly string[];
}

/** Identities (`AGE-SECRET-KEY-1…` lines) and/or a passphrase, tried in that order. */
export interface AgeCredential {
  readonly identities: readonly string[];
  readonly passphrase?: string;
}

/** Asked only once an age-encrypted file is actually opened, with what its header needs. */
export type AgeCredentialProvider = (file: string, header: AgeHeaderInfo) => Promise<AgeCredential>;

/** `binary` for the age format, `armored` for its PEM-like text form, null for anything else. */
export function ageFlavour(head: Buffer): 'binary' | 'armored' | null {
  if (head.subarray(0, AGE_MAGIC.length).toString('latin1') === AGE_MAGIC) return 'binary';
  if (head.subarray(0, ARMOR_BEGIN.length).toString('latin1') === ARMOR_BEGIN) return 'armored';
  return null;
}

export interface ParsedHeader {
  /** The header with its MAC line, as typage wants it. */
  readonly bytes: Buffer;
  readonly recipientTypes: string[];
}

/**
 * Opens the age file at `location`: reads the header, asks `credentials` for what it needs, unwraps the file
 * key and derives the payload key. Wrong credentials are a UserError (`wrong-password`) naming the file.
 */
export async function openAgePayload(location: string, credentials: AgeCredentialProvider): Promise<AgePayload> {
  let handle: FileHandle;
  let fileBytes: number;
  try {
    handle = await openFile(location, 'r');
    fileBytes = (await handle.stat()).size;
  } catch (err) {
    throw new UserError('not-found', `${location}: cannot open (${errorMessage(err)})`, { cause: err });
  }
  try {
    const header = await readHeader(handle, location, fileBytes);
    const credential = await credentials(location, { recipientTypes: header.recipientTypes });
    const fileKey = await unwrapFileKey(location, header, credential);
    const nonce = Buffer.alloc(NONCE_BYTES);
    const { bytesRead } = await handle.read(nonce, 0, NONCE_BYTES, header.bytes.length);
    if (bytesRead < NONCE_BYTES) throw new UserError('bad-format', `${location}: age file truncated after its header (no payload nonce)`);
    const payloadKey = Buffer.from(hkdfSync('sha256', fileKey, nonce, 'payload', 32));
    fileKey.fill(0);
    return new AgePayload(location, handle, payloadKey, header.bytes.length + NONCE_BYTES, fileBytes);
  } catch (err) {
    await handle.close();
    throw err;
  }
}

async function readHeader(handle: FileHandle, location: string, fileBytes: number): Promise<ParsedHeader> {
  const want = Math.min(fileBytes, ageLimits.maxHeaderBytes);
  const buf = Buffer.alloc(want);
  const { bytesRead } = await handle.read(buf, 0, want, 0);
  return parseAgeHeader(buf.subarray(0, bytesRead), bytesRead === fileBytes, location);
}

/**
 * The header at the start of `head` (the file's first `maxHeaderBytes` at most; `wholeFile` when that is all
 * of it): its bytes up to and including the MAC line, and its recipient types. Pure and bounded (fuzzed):
 * a UserError (`bad-format`) naming `location` for anything that is not a usable age header.
 */
export function parseAgeHeader(head: Buffer, wholeFile: boolean, location: string): ParsedHeader {
  const flavour = ageFlavour(head);
  if (flavour === 'armored') {
    throw new UserError('bad-format', `${location}: an ASCII-armoured age file; not supported (expected binary age, as androidqf writes: convert it with \`age -d\` into a private place, or re-encrypt without --armor)`);
  }
  if (flavour !== 'binary') throw new UserError('bad-format', `${location}: not an age file (expected the line "age-encryption.org/v1")`);
  const macAt = head.indexOf('\n--- ');
  const end = macAt < 0 ? -1 : head.indexOf('\n', macAt + 1);
  if (end < 0) {
    const why = wholeFile ? 'the file ends inside it (truncated?)' : `no end within ${ageLimits.maxHeaderBytes} bytes`;
    throw new UserError('bad-format', `${location}: age header without its MAC line (${why})`);
  }
  const text = head.subarray(0, end + 1).toString('latin1');
  const recipientTypes = text
    .split('\n')
    .filter((line) => line.startsWith('-> '))
    .map((line) => line.slice(3).split(' ')[0] ?? '');
  if (recipientTypes.length === 0) throw new UserError('bad-format', `${location}: age header with no recipient stanza`);
  if (recipientTypes.length > ageLimits.maxStanzas) {
    throw new UserError('bad-format', `${location}: age header with ${recipientTypes.length} recipient stanzas, above the limit of ${ageLimits.maxStanzas}`);
  }
  for (const m of text.matchAll(/^-> scrypt \S+ (\d{1,12})$/gm)) {
    // Checked here, before any passphrase is asked for: typage would accept up to 2^20 (1 GiB of memory).
    // A malformed stanza is left to typage, which refuses it.
    if (Number(m[1]) > ageLimits.maxScryptLogN) {
      throw new UserError('bad-format', `${location}: age passphrase work factor 2^${Number(m[1])} above the limit of 2^${ageLimits.maxScryptLogN} (${2 ** (ageLimits.maxScryptLogN - 10)} MiB of memory)`);
    }
  }
  return { bytes: Buffer.from(head.subarray(0, end + 1)), recipientTypes };
}

/** The file key of an age header, unwrapped with `credential`; wrong credentials are a UserError (`wrong-password`) naming `location`. */
export async function unwrapFileKey(location: string, header: ParsedHeader, credential: AgeCredential): Promise<Buffer> {
  const decrypter = new Decrypter();
  for (const identity of credential.identities) decrypter.addIdentity(identity);
  if (credential.passphrase !== undefined) decrypter.addPassphrase(credential.passphrase);
  const kinds = [...new Set(header.recipientTypes)].join(', ');
  try {
    return Buffer.from(await decrypter.decryptHeader(header.bytes));
  } catch (err) {
    const why = errorMessage(err);
    if (/no identity matched/.test(why)) {
      const given = [credential.identities.length > 0 ? `${credential.identities.length} age identit${credential.identities.length === 1 ? 'y' : 'ies'}` : null, credential.passphrase !== undefined ? 'the passphrase' : null]
        .filter(Boolean)
        .join(' and ');
      throw new UserError('wrong-password', `${location}: ${given || 'no credential given'} cannot open this age file (wrong identity or passphrase; it is encrypted to: ${kinds})`, { cause: err });
    }
    if (/HMAC/.test(why)) throw new UserError('wrong-password', `${location}: the age header's MAC does not match (the header was altered or damaged)`, { cause: err });
    throw new UserError('bad-format', `${location}: unreadable age header (${why})`, { cause: err });
  }
}

/**
 * The plaintext of an opened age file, read by position (what yauzl's random-access reader needs). Chunks are
 * decrypted on demand and kept in a small least-recently-used cache; a chunk being decrypted is shared by
 * concurrent readers.
 */
export class AgePayload implements PositionalFile {
  /** Plaintext bytes, from the file's size (no size is written in an age file). */
  readonly size: number;
  private readonly chunkCount: number;
  private readonly cache = new Map<number, Promise<Buffer>>();
  private closed = false;
  /** Plaintext bytes decrypted so far (re-reads included): what the run's statistics report. */
  bytesDecrypted = 0;

  constructor(
    readonly location: string,
    private readonly handle: FileHandle,
    private readonly key: Buffer,
    private readonly payloadStart: number,
    fileBytes: number,
  ) {
    const sealed = fileBytes - payloadStart;
    if (sealed < TAG_BYTES) throw new UserError('bad-format', `${location}: age payload truncated (${Math.max(sealed, 0)} bytes, less than one sealed chunk)`);
    this.chunkCount = Math.max(1, Math.ceil(sealed / SEALED_CHUNK_BYTES));
    const last = sealed - (this.chunkCount - 1) * SEALED_CHUNK_BYTES;
    if (last <= TAG_BYTES && this.chunkCount > 1) {
      throw new UserError('bad-format', `${location}: age payload of ${sealed} bytes cannot be whole chunks (truncated or padded)`);
    }
    this.size = (this.chunkCount - 1) * CHUNK_BYTES + (last - TAG_BYTES);
  }

  async read(buffer: Buffer, offset: number, length: number, position: number): Promise<{ bytesRead: number }> {
    if (this.closed) throw new FormatError(this.location, 'age file already closed');
    const end = Math.min(position + length, this.size);
    let at = position;
    while (at < end) {
      const index = Math.floor(at / CHUNK_BYTES);
      let chunk: Buffer;
      try {
        chunk = await this.chunk(index);
      } catch (err) {
        // A short read, as a disk gives before a bad sector: readers ask for more than they need (yauzl's
        // window), and a damaged chunk past what they need must not cost them what they asked for.
        if (at > position) break;
        throw err;
      }
      const from = at - index * CHUNK_BYTES;
      const take = Math.min(chunk.length - from, end - at);
      chunk.copy(buffer, offset + (at - position), from, from + take);
      at += take;
    }
    return { bytesRead: Math.max(0, at - position) };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.cache.clear();
    this.key.fill(0);
    await this.handle.close();
  }

  private chunk(index: number): Promise<Buffer> {
    const hit = this.cache.get(index);
    if (hit) {
      // Map order is insertion order: re-inserting makes it the most recently used.
      this.cache.delete(index);
      this.cache.set(index, hit);
      return hit;
    }
    const pending = this.decryptChunk(index);
    this.cache.set(index, pending);
    pending.catch(() => this.cache.delete(index));
    while (this.cache.size > ageLimits.cacheChunks) this.cache.delete(this.cache.keys().next().value!);
    return pending;
  }

  private async decryptChunk(index: number): Promise<Buffer> {
    const start = this.payloadStart + index * SEALED_CHUNK_BYTES;
    const isLast = index === this.chunkCount - 1;
    const want = isLast ? this.size - index * CHUNK_BYTES + TAG_BYTES : SEALED_CHUNK_BYTES;
    const sealed = Buffer.allocUnsafe(want);
    const { bytesRead } = await this.handle.read(sealed, 0, want, start);
    const where = `age chunk ${index} of ${this.chunkCount} (bytes ${start}-${start + want - 1})`;
    if (bytesRead < want) throw new FormatError(this.location, `${where}: the file ends early (truncated while read?)`);
    const nonce = Buffer.alloc(12);
    nonce.writeUIntBE(index, 5, 6); // the counter's low 48 bits; chunk counts above 2^48 cannot occur in a file
    if (isLast) nonce[11] = 1;
    try {
      const decipher = createDecipheriv('chacha20-poly1305', this.key, nonce, { authTagLength: TAG_BYTES });
      decipher.setAuthTag(sealed.subarray(want - TAG_BYTES));
      const plain = decipher.update(sealed.subarray(0, want - TAG_BYTES));
      decipher.final();
      if (isLast && index > 0 && plain.length === 0) throw new Error('empty last chunk');
      this.bytesDecrypted += plain.length;
      return plain;
    } catch (err) {
      const hint = isLast ? 'the file is damaged, altered or truncated' : 'the file is damaged or altered';
      throw new FormatError(this.location, `${where} fails authentication: ${hint}`, { cause: err });
    }
  }
}

/** An identity file is a few keys and comments; anything larger is not one. */
const IDENTITY_FILE_MAX_BYTES = 64 * 1024;
const IDENTITY_FILE = 'expected an age identity file: AGE-SECRET-KEY-1… lines, # comments and blank lines';

/**
 * The identities of an age identity file, as `age-keygen` writes it: `AGE-SECRET-KEY-1…` (or the
 * post-quantum `AGE-SECRET-KEY-PQ-1…`) lines, `#` comments and blank lines. Anything else names the file and
 * the line (never its content: it may be a key). Read before the evidence is opened, so a typo costs nothing.
 */
export function readAgeIdentityFile(path: string): string[] {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK); // a FIFO must not block the open
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UserError('not-found', `${path}: no such age identity file`);
    throw new UserError('usage', `${path}: cannot read the age identity file (${code ?? errorMessage(err)})`, { cause: err });
  }
  let text: string;
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new UserError('bad-format', `${path}: not a regular file; ${IDENTITY_FILE}`);
    if (st.size > IDENTITY_FILE_MAX_BYTES) throw new UserError('bad-format', `${path}: ${st.size} bytes; ${IDENTITY_FILE}`);
    const buf = Buffer.alloc(IDENTITY_FILE_MAX_BYTES);
    let length = 0;
    for (let n = 1; n > 0 && length < buf.length; length += n) n = readSync(fd, buf, length, buf.length - length, null);
    text = buf.subarray(0, length).toString('utf8').replace(/^\uFEFF/, '');
  } finally {
    closeSync(fd);
  }
  const identities: string[] = [];
  for (const [i, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    if (!/^AGE-SECRET-KEY-(PQ-)?1[0-9A-Z]+$/.test(line)) throw new UserError('bad-format', `${path}: line ${i + 1} is not an age identity; ${IDENTITY_FILE}`);
    try {
      new Decrypter().addIdentity(line); // decodes the key now, so a damaged one is named here
    } catch {
      // Neither typage's message nor its error as the cause: it quotes the key.
      throw new UserError('bad-format', `${path}: line ${i + 1} is not a valid age identity (a damaged key: its checksum or length is wrong)`);
    }
    identities.push(line);
  }
  if (identities.length === 0) throw new UserError('bad-format', `${path}: no identity in it; ${IDENTITY_FILE}`);
  return identities;
}
