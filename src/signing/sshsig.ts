/**
 * SSHSIG signatures (OpenSSH PROTOCOL.sshsig), the format of `ssh-keygen -Y sign`, written and checked with
 * node:crypto. What is signed is not the message but a blob naming the namespace and a SHA-512 of it, so a
 * signature made for Tracehound cannot be replayed as, say, a git commit signature.
 */
import { createHash, sign as edSign, verify as edVerify } from 'node:crypto';
import { FormatError } from '../errors.js';
import { ED25519, parseBlob, privateKeyObject, publicKeyBlob, publicKeyObject, type Ed25519Pair } from './keys.js';
import { SshReader, armor, quoted, sshString, uint32, unarmor } from './ssh-wire.js';

export const NAMESPACE = 'tracehound';
const MAGIC = Buffer.from('SSHSIG', 'latin1');
const LABEL = 'SSH SIGNATURE';
const VERSION = 1;
/** The largest armored signature read: an Ed25519 SSHSIG is about 300 bytes. */
export const MAX_SIGNATURE_BYTES = 16 * 1024;

type HashAlg = 'sha256' | 'sha512';

function signedData(namespace: string, hash: HashAlg, message: Buffer): Buffer {
  const digest = createHash(hash).update(message).digest();
  return Buffer.concat([MAGIC, sshString(namespace), sshString(''), sshString(hash), sshString(digest)]);
}

/** The armored signature of `message` (text, as `ssh-keygen -Y sign` writes it). */
export function signMessage(pair: Ed25519Pair, message: Buffer, namespace = NAMESPACE): string {
  const sig = edSign(null, signedData(namespace, 'sha512', message), privateKeyObject(pair));
  const body = Buffer.concat([MAGIC, uint32(VERSION), sshString(publicKeyBlob(pair.key)), sshString(namespace), sshString(''), sshString('sha512'), sshString(Buffer.concat([sshString(ED25519), sshString(sig)]))]);
  return armor(LABEL, body);
}

export type SignatureCheck = { ok: true } | { ok: false; reason: string };

/**
 * Checks an armored SSHSIG over `message` against the trusted public key. A malformed signature throws a
 * FormatError; a well-formed one that does not verify (other key, other namespace, changed message) answers
 * `{ ok: false, reason }`.
 */
export function verifyMessage(armored: string, message: Buffer, trustedKey: Buffer, namespace = NAMESPACE, what = 'signature'): SignatureCheck {
  if (armored.length > MAX_SIGNATURE_BYTES) throw new FormatError(what, `${armored.length} bytes (expected an SSH signature of at most ${MAX_SIGNATURE_BYTES})`);
  const r = new SshReader(unarmor(LABEL, armored, what), what);
  if (!r.bytes(MAGIC.length, 'magic').equals(MAGIC)) throw new FormatError(what, 'not an SSHSIG signature (no "SSHSIG" magic)');
  const version = r.uint32('version');
  if (version !== VERSION) throw new FormatError(what, `SSHSIG version ${version} (expected ${VERSION})`);
  const signer = parseBlob(r.string('public key'), what);
  const ns = r.text('namespace');
  r.string('reserved');
  const hash = r.text('hash algorithm');
  const sigBlob = new SshReader(r.string('signature'), what);
  r.end();
  const sigType = sigBlob.text('signature type');
  const sig = sigBlob.string('signature bytes');
  sigBlob.end();
  if (hash !== 'sha512' && hash !== 'sha256') throw new FormatError(what, `hash algorithm ${quoted(hash)} (expected sha512 or sha256)`);
  if (sigType !== ED25519 || sig.length !== 64) throw new FormatError(what, `signature of type ${quoted(sigType)} and ${sig.length} bytes (expected a 64-byte ${ED25519} signature)`);
  if (!signer.equals(trustedKey)) return { ok: false, reason: 'signed by another key than the one given' };
  if (ns !== namespace) return { ok: false, reason: `signature namespace is ${quoted(ns)} (expected "${namespace}")` };
  const good = edVerify(null, signedData(ns, hash, message), publicKeyObject(trustedKey), sig);
  return good ? { ok: true } : { ok: false, reason: 'the signature does not match the signed file (it was changed after signing)' };
}
