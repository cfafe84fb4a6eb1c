/**
 * Ed25519 signing keys in OpenSSH's own file formats, so a second lab checks our signatures with the
 * `ssh-keygen` it already has: the private key as "openssh-key-v1" (OpenSSH PROTOCOL.key), the public key as
 * the one-line `ssh-ed25519 AAAA… comment` of authorized_keys and allowed_signers files.
 *
 * A private key is unencrypted, or encrypted as ssh-keygen does by default: aes256-ctr with a key and IV from
 * bcrypt_pbkdf (16 rounds, 16-byte salt) of the passphrase.
 */
import { createCipheriv, createDecipheriv, createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { MAX_ROUNDS, bcryptPbkdf } from './bcrypt-pbkdf.js';
import { FormatError } from '../errors.js';
import { SshReader, armor, quoted, sshString, uint32, unarmor } from './ssh-wire.js';

export const ED25519 = 'ssh-ed25519';
const MAGIC = Buffer.from('openssh-key-v1\0', 'latin1');
const PRIVATE_LABEL = 'OPENSSH PRIVATE KEY';

export interface Ed25519Public {
  /** The 32-byte public point. */
  readonly key: Buffer;
  readonly comment: string;
}

export interface Ed25519Pair extends Ed25519Public {
  /** The 32-byte private seed (RFC 8032 "private key"). */
  readonly seed: Buffer;
}

export function generateKeyPair(comment: string): Ed25519Pair {
  const { privateKey } = generateKeyPairSync('ed25519');
  const jwk = privateKey.export({ format: 'jwk' });
  if (jwk.d === undefined || jwk.x === undefined) throw new Error('node:crypto exported an Ed25519 key without d or x');
  return { seed: Buffer.from(jwk.d, 'base64url'), key: Buffer.from(jwk.x, 'base64url'), comment };
}

/** The public-key blob: string "ssh-ed25519", string key. */
export function publicKeyBlob(key: Buffer): Buffer {
  return Buffer.concat([sshString(ED25519), sshString(key)]);
}

export function formatPublicKey(pub: Ed25519Public): string {
  const comment = pub.comment.replace(/[\r\n]/g, ' ');
  return `${ED25519} ${publicKeyBlob(pub.key).toString('base64')}${comment ? ` ${comment}` : ''}\n`;
}

/** Reads a public key line (`ssh-ed25519 AAAA… comment`); the first non-comment line of the text. */
export function parsePublicKey(text: string, what = 'public key'): Ed25519Public {
  const line = text.split(/\r?\n/).find((l) => l.trim() !== '' && !l.trimStart().startsWith('#'));
  if (line === undefined) throw new FormatError(what, 'empty (expected an "ssh-ed25519 AAAA…" line)');
  const [type, b64, ...rest] = line.trim().split(/\s+/);
  if (type !== ED25519 || b64 === undefined) throw new FormatError(what, `not an Ed25519 OpenSSH public key (expected "ssh-ed25519 AAAA…", found ${quoted(type ?? '')})`);
  return { key: parseBlob(Buffer.from(b64, 'base64'), what), comment: rest.join(' ') };
}

/** The 32-byte key of a public-key blob, or a FormatError. */
export function parseBlob(blob: Buffer, what: string): Buffer {
  const r = new SshReader(blob, what);
  const type = r.text('key type');
  if (type !== ED25519) throw new FormatError(what, `key type ${quoted(type)} is not supported (expected ${ED25519})`);
  const key = r.string('public key');
  if (key.length !== 32) throw new FormatError(what, `Ed25519 public key of ${key.length} bytes (expected 32)`);
  r.end();
  return Buffer.from(key);
}

/** OpenSSH's defaults for a new encrypted key (ssh-keygen -a 16). */
const CIPHER = 'aes256-ctr';
const KDF = 'bcrypt';
const KDF_ROUNDS = 16;

export function formatPrivateKey(pair: Ed25519Pair, passphrase?: string): string {
  // Two equal random "check" words: a decryption with the wrong passphrase shows as a mismatch.
  const check = randomBytes(4);
  const body = Buffer.concat([check, check, sshString(ED25519), sshString(pair.key), sshString(Buffer.concat([pair.seed, pair.key])), sshString(pair.comment)]);
  // Padded with 1, 2, 3… to the cipher block size (8 for "none", 16 for AES).
  const block = passphrase === undefined ? 8 : 16;
  const pad = (block - (body.length % block)) % block;
  const plain = Buffer.concat([body, Buffer.from(Array.from({ length: pad }, (_, i) => i + 1))]);
  let header: Buffer[];
  let section: Buffer;
  if (passphrase === undefined) {
    header = [sshString('none'), sshString('none'), sshString('')];
    section = plain;
  } else {
    const salt = randomBytes(16);
    const { key, iv } = derive(passphrase, salt, KDF_ROUNDS);
    const cipher = createCipheriv('aes-256-ctr', key, iv);
    section = Buffer.concat([cipher.update(plain), cipher.final()]);
    header = [sshString(CIPHER), sshString(KDF), sshString(Buffer.concat([sshString(salt), uint32(KDF_ROUNDS)]))];
  }
  const file = Buffer.concat([MAGIC, ...header, uint32(1), sshString(publicKeyBlob(pair.key)), sshString(section)]);
  return armor(PRIVATE_LABEL, file);
}

function derive(passphrase: string, salt: Buffer, rounds: number): { key: Buffer; iv: Buffer } {
  const out = bcryptPbkdf(Buffer.from(passphrase, 'utf8'), salt, 48, rounds);
  return { key: out.subarray(0, 32), iv: out.subarray(32) };
}

/** Whether the key text says it is encrypted (so the caller asks for a passphrase); false for anything unreadable. */
export function isEncryptedPrivateKey(text: string): boolean {
  try {
    const r = new SshReader(unarmor(PRIVATE_LABEL, text, 'key'), 'key');
    if (!r.bytes(MAGIC.length, 'magic').equals(MAGIC)) return false;
    return r.text('cipher name') !== 'none';
  } catch {
    return false;
  }
}

/** A wrong passphrase: told apart from a damaged key, so the CLI can say which. */
export class WrongPassphraseError extends FormatError {}

export function parsePrivateKey(text: string, what = 'private key', passphrase?: string): Ed25519Pair {
  const r = new SshReader(unarmor(PRIVATE_LABEL, text, what), what);
  if (!r.bytes(MAGIC.length, 'magic').equals(MAGIC)) throw new FormatError(what, 'not an "openssh-key-v1" key');
  const cipher = r.text('cipher name');
  const kdf = r.text('kdf name');
  const kdfOptions = new SshReader(r.string('kdf options'), what);
  const encrypted = cipher !== 'none' || kdf !== 'none';
  if (encrypted && (cipher !== CIPHER || kdf !== KDF)) throw new FormatError(what, `encrypted with ${quoted(cipher)} and ${quoted(kdf)} (expected ${CIPHER} with ${KDF}, ssh-keygen's default, or no encryption)`);
  const count = r.uint32('key count');
  if (count !== 1) throw new FormatError(what, `${count} keys in the file (expected 1)`);
  const outerKey = parseBlob(r.string('public key'), what);
  let section = r.string('private section');
  r.end();
  if (encrypted) {
    if (passphrase === undefined) throw new FormatError(what, 'the key is encrypted and no passphrase was given');
    const salt = kdfOptions.string('kdf salt');
    const rounds = kdfOptions.uint32('kdf rounds');
    kdfOptions.end();
    if (salt.length === 0 || salt.length > 1024 || rounds < 1 || rounds > MAX_ROUNDS) throw new FormatError(what, `bcrypt salt of ${salt.length} bytes and ${rounds} rounds (expected a salt of 1 to 1024 bytes and 1 to ${MAX_ROUNDS} rounds)`);
    if (section.length % 16 !== 0) throw new FormatError(what, `encrypted section of ${section.length} bytes (expected whole 16-byte blocks)`);
    const { key, iv } = derive(passphrase, salt, rounds);
    const decipher = createDecipheriv('aes-256-ctr', key, iv);
    section = Buffer.concat([decipher.update(section), decipher.final()]);
  }
  const p = new SshReader(section, what);
  if (p.uint32('check word') !== p.uint32('check word')) {
    if (encrypted) throw new WrongPassphraseError(what, 'wrong passphrase (the decrypted check words differ)');
    throw new FormatError(what, 'check words differ (corrupted key)');
  }
  const type = p.text('key type');
  if (type !== ED25519) throw new FormatError(what, `key type ${quoted(type)} is not supported (expected ${ED25519})`);
  const key = p.string('public key');
  const secret = p.string('private key');
  const comment = p.text('comment');
  if (key.length !== 32 || secret.length !== 64 || !secret.subarray(32).equals(key) || !key.equals(outerKey)) throw new FormatError(what, 'inconsistent Ed25519 key (corrupted key)');
  const pair = { seed: Buffer.from(secret.subarray(0, 32)), key: Buffer.from(key), comment };
  // The seed must really give this public key: otherwise we would sign with one key and claim another.
  if (!derivePublic(pair.seed).equals(pair.key)) throw new FormatError(what, 'the private key does not match its public key (corrupted key)');
  return pair;
}

export function privateKeyObject(pair: Ed25519Pair): KeyObject {
  return createPrivateKey({ key: { kty: 'OKP', crv: 'Ed25519', d: pair.seed.toString('base64url'), x: pair.key.toString('base64url') }, format: 'jwk' });
}

export function publicKeyObject(key: Buffer): KeyObject {
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: key.toString('base64url') }, format: 'jwk' });
}

function derivePublic(seed: Buffer): Buffer {
  // PKCS#8 for Ed25519 is a fixed 16-byte prefix before the seed (RFC 8410).
  const der = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]);
  const jwk = createPublicKey(createPrivateKey({ key: der, format: 'der', type: 'pkcs8' })).export({ format: 'jwk' });
  return Buffer.from(jwk.x ?? '', 'base64url');
}
