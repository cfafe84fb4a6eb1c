/**
 * `openFileSystem(path)`: a folder, or a file recognised by its content (never by its extension, which a
 * renamed acquisition or a hostile file can lie about): zip by its local-header or end-of-directory magic,
 * tar by the ustar magic at offset 257 or, for old v7 archives, by a valid header checksum, and a tar.gz by
 * the gzip magic with a tar header inside. Anything else is one line saying what was expected.
 */
import { open, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { constants as zlibConstants, gunzipSync } from 'node:zlib';
import { Header } from 'tar';
import { FormatError, UserError, errorMessage } from '../../errors.js';
import { openDirFileSystem } from './dir.js';
import type { FileSystem, FileSystemKind } from './file-system.js';
import { openTarFileSystem } from './tar.js';
import { openZipFileSystem, openZipOver } from './zip.js';
import { AGE_PASSPHRASE_ENV, ageFlavour, openAgePayload, type AgeCredentialProvider } from './age.js';

const EXPECTED = 'expected a folder, a zip, a tar or a tar.gz';
/** Enough compressed bytes to hold the first tar header even at deflate's worst ratio, and little enough to bound a bomb here. */
const GZIP_PROBE_BYTES = 16 * 1024;

export interface OpenOptions {
  /** Asked for identities or a passphrase when the file is age-encrypted; without it such a file is refused. */
  readonly age?: AgeCredentialProvider;
}

export async function openFileSystem(path: string, options: OpenOptions = {}): Promise<FileSystem> {
  const location = resolve(path);
  const kind = await sniffContainer(location);
  switch (kind) {
    case 'age':
      return openAgeZip(location, options.age);
    case 'dir':
      return openDirFileSystem(location);
    case 'zip':
      return openZipFileSystem(location);
    case 'tar':
      return openTarFileSystem(location, false);
    case 'tar.gz':
      return openTarFileSystem(location, true);
  }
}

/**
 * An age-encrypted zip (androidqf's `.zip.age`): the age layer (age.ts) gives the zip reader the plaintext by
 * position, so nothing is decrypted but what the zip layer reads, and nothing is written.
 */
async function openAgeZip(location: string, credentials: AgeCredentialProvider | undefined): Promise<FileSystem> {
  if (!credentials) throw new UserError('encrypted-backup', `${location}: age-encrypted; give its identity file (--age-identity) or its passphrase (${AGE_PASSPHRASE_ENV})`);
  const payload = await openAgePayload(location, credentials);
  try {
    const head = Buffer.alloc(4);
    const { bytesRead } = await payload.read(head, 0, 4, 0);
    if (!isZip(head.subarray(0, bytesRead))) {
      const hex = [...head.subarray(0, bytesRead)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
      throw new UserError('bad-format', `${location}: age-encrypted, but not a zip inside (it starts with bytes ${hex || '(none)'}; expected a zip, as androidqf encrypts)`);
    }
  } catch (err) {
    await payload.close();
    if (err instanceof FormatError) throw new UserError('bad-format', err.message, { cause: err });
    throw err;
  }
  try {
    return await openZipOver(location, payload, payload.size, 'age');
  } catch (err) {
    // A damaged or cut payload breaks the zip's end records first: say that the age layer failed, not the zip.
    const inner = err instanceof Error && err.cause instanceof FormatError ? err.cause : null;
    if (inner && err instanceof UserError) throw new UserError('bad-format', `${location}: ${inner.message.replace(`${location}: `, '')}`, { cause: err });
    throw err;
  }
}

/** Which container `location` is, from its type and first bytes; a UserError naming it otherwise. */
export async function sniffContainer(location: string): Promise<FileSystemKind | 'age'> {
  let st;
  try {
    st = await stat(location);
  } catch (err) {
    throw new UserError('not-found', `${location}: no such file or folder`, { cause: err });
  }
  if (st.isDirectory()) return 'dir';
  if (!st.isFile()) throw new UserError('bad-format', `${location}: not a regular file or folder (${EXPECTED})`);
  if (st.size === 0) throw new UserError('bad-format', `${location}: an empty file (${EXPECTED})`);
  const head = await readHead(location, GZIP_PROBE_BYTES);
  if (isZip(head)) return 'zip';
  if (ageFlavour(head) !== null) return 'age';
  if (isTarHeader(head)) return 'tar';
  if (head[0] === 0x1f && head[1] === 0x8b) {
    const inner = gunzipHead(head);
    if (inner.length < 512) throw new UserError('bad-format', `${location}: gzip-compressed, but it ends or breaks before the first tar header (${EXPECTED})`);
    if (!isTarHeader(inner)) throw new UserError('bad-format', `${location}: gzip-compressed, but not a tar inside (${EXPECTED})`);
    return 'tar.gz';
  }
  if (head.length >= 512 && head.subarray(0, 512).every((b) => b === 0)) {
    throw new UserError('bad-format', `${location}: starts with a block of zeros: an empty tar or not an archive (${EXPECTED})`);
  }
  const hex = [...head.subarray(0, 4)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
  throw new UserError('bad-format', `${location}: not a zip, tar or tar.gz (it starts with bytes ${hex}; ${EXPECTED})`);
}

async function readHead(location: string, bytes: number): Promise<Buffer> {
  const handle = await open(location, 'r');
  try {
    const buf = Buffer.alloc(bytes);
    const { bytesRead } = await handle.read(buf, 0, bytes, 0);
    return buf.subarray(0, bytesRead);
  } catch (err) {
    throw new UserError('bad-format', `${location}: cannot read (${errorMessage(err)})`, { cause: err });
  } finally {
    await handle.close();
  }
}

/** PK\3\4 (a local header: every non-empty zip starts so) or PK\5\6 (the end record of an empty zip). */
function isZip(head: Buffer): boolean {
  return head.length >= 4 && head[0] === 0x50 && head[1] === 0x4b && ((head[2] === 3 && head[3] === 4) || (head[2] === 5 && head[3] === 6));
}

/** ustar (POSIX or GNU) magic with a valid checksum, or a v7 header: valid checksum, a name, type 0-7. */
export function isTarHeader(block: Buffer): boolean {
  if (block.length < 512 || block.subarray(0, 512).every((b) => b === 0)) return false;
  let header: Header;
  try {
    header = new Header(block.subarray(0, 512));
  } catch {
    return false; // node-tar throws on a malformed base-256 number: not a header
  }
  if (!header.cksumValid) return false;
  if (block.subarray(257, 262).toString('latin1') === 'ustar') return true;
  const typeflag = block[156]!;
  return block[0] !== 0 && (typeflag === 0 || (typeflag >= 0x30 && typeflag <= 0x37));
}

/** The decompressed start of a gzip probe; a stream cut by the probe still gives what it holds. */
function gunzipHead(head: Buffer): Buffer {
  try {
    return gunzipSync(head, { finishFlush: zlibConstants.Z_SYNC_FLUSH, maxOutputLength: 64 * 1024 * 1024 });
  } catch {
    return Buffer.alloc(0);
  }
}
