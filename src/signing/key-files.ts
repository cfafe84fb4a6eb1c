/**
 * Key files on disk: `tracehound keys new` writes KEY (mode 0600) and KEY.pub, never over an existing file;
 * `export --sign` and `verify --key` read them back, bounded, with one-line errors naming the file.
 */
import { closeSync, lstatSync, openSync, readFileSync, writeSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import { UserError, FormatError, errorMessage } from '../errors.js';
import { WrongPassphraseError, formatPrivateKey, formatPublicKey, generateKeyPair, isEncryptedPrivateKey, parsePrivateKey, parsePublicKey, type Ed25519Pair, type Ed25519Public } from './keys.js';

/** Key files are a few hundred bytes; anything much larger is not a key. */
const MAX_KEY_FILE_BYTES = 64 * 1024;

export interface NewKeyResult {
  readonly privatePath: string;
  readonly publicPath: string;
  readonly publicLine: string;
}

export function defaultComment(): string {
  let user = 'tracehound';
  try {
    user = userInfo().username;
  } catch {
    // No passwd entry (containers): keep the neutral name.
  }
  return `${user}@${hostname()}`;
}

/** `passphrase`: encrypt KEY as ssh-keygen does (aes256-ctr, bcrypt_pbkdf with 16 rounds). */
export function createKeyFiles(path: string, comment = defaultComment(), passphrase?: string): NewKeyResult {
  const pubPath = `${path}.pub`;
  for (const p of [path, pubPath]) {
    if (exists(p)) throw new UserError('output', `${p}: already exists (refusing to overwrite a key; choose another --output)`);
  }
  const pair = generateKeyPair(comment);
  const publicLine = formatPublicKey(pair);
  writeNew(path, formatPrivateKey(pair, passphrase), 0o600);
  writeNew(pubPath, publicLine, 0o644);
  return { privatePath: path, publicPath: pubPath, publicLine };
}

export function readPrivateKeyFile(path: string, passphrase?: string): Ed25519Pair {
  return parseKeyFile(path, 'an OpenSSH Ed25519 private key', (text) => parsePrivateKey(text, path, passphrase));
}

/** Whether KEY is passphrase-protected (false for a file that is not a key: reading it then says why). */
export function privateKeyFileIsEncrypted(path: string): boolean {
  try {
    return parseKeyFile(path, 'an OpenSSH Ed25519 private key', isEncryptedPrivateKey);
  } catch {
    return false;
  }
}

export function readPublicKeyFile(path: string): Ed25519Public {
  return parseKeyFile(path, 'an OpenSSH Ed25519 public key ("ssh-ed25519 AAAA…")', (text) => parsePublicKey(text, path));
}

function parseKeyFile<T>(path: string, expected: string, parse: (text: string) => T): T {
  let text: string;
  try {
    const st = lstatSync(path);
    if (!st.isFile()) throw new UserError('bad-format', `${path}: not a regular file (expected ${expected})`);
    if (st.size > MAX_KEY_FILE_BYTES) throw new UserError('bad-format', `${path}: ${st.size} bytes (expected ${expected}, at most ${MAX_KEY_FILE_BYTES} bytes)`);
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw new UserError('not-found', `${path}: cannot read (${errorMessage(err)}); expected ${expected}`, { cause: err });
  }
  try {
    return parse(text);
  } catch (err) {
    if (err instanceof WrongPassphraseError) throw new UserError('wrong-password', err.message, { cause: err });
    if (err instanceof FormatError) throw new UserError('bad-format', err.message, { cause: err });
    throw err;
  }
}

function exists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

function writeNew(path: string, text: string, mode: number): void {
  let fd: number;
  try {
    // 'wx': fails if anything (even a dangling link) appeared since the check.
    fd = openSync(path, 'wx', mode);
  } catch (err) {
    throw new UserError('output', `${path}: cannot create (${errorMessage(err)})`, { cause: err });
  }
  try {
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
}
