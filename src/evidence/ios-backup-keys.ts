/**
 * Unlocking an encrypted backup: Manifest.plist's keybag and ManifestKey, a credential (the password, or the
 * derived key from `tracehound ios extract-key`), and the class keys they unlock. The keys live only in
 * memory, in the source that uses them; refs, records, logs and outputs never contain them.
 */
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { FormatError, UserError, errorMessage } from '../errors.js';
import { parseKeybag, type Keybag } from '../formats/keybag.js';
import { isDict, parsePlist } from '../formats/plist.js';
import { deriveBackupKey, unlockClassKeys, WrongKeyError } from './backup-crypto.js';
import { ContainedRoot, realRoot } from './contained.js';

export type BackupCredential = { readonly kind: 'password'; readonly password: string } | { readonly kind: 'key'; readonly key: Buffer };

/** Asked only when an encrypted backup is actually opened (so no prompt for an unencrypted one). */
export type CredentialProvider = (backupRoot: string) => Promise<BackupCredential>;

export interface EncryptionInfo {
  readonly keybag: Keybag;
  /** Absent in backups made before iOS 10.2, whose Manifest.db is not encrypted. */
  readonly manifestKey: Buffer | null;
}

export interface BackupKeys {
  readonly derivedKey: Buffer;
  readonly classKeys: ReadonlyMap<number, Buffer>;
  readonly manifestKey: Buffer | null;
}

export function readEncryptionInfo(root: string): EncryptionInfo {
  const files = new ContainedRoot(realRoot(root), 'no-links');
  const path = join(files.root, 'Manifest.plist');
  const where = files.locate('Manifest.plist');
  if (where.kind === 'absent') throw new UserError('bad-format', `${path}: missing (an encrypted backup keeps its keys there)`);
  if (where.kind === 'refused') throw new UserError('bad-format', `${path}: ${where.reason} (expected the backup's own Manifest.plist)`);
  let bytes: Buffer;
  try {
    bytes = files.read('Manifest.plist', 'Manifest.plist');
  } catch (err) {
    throw new UserError('bad-format', `${path}: ${errorMessage(err).replace(/^Manifest\.plist: /, '')}`, { cause: err });
  }
  return encryptionInfoFrom(path, bytes);
}

/** The keybag and ManifestKey of Manifest.plist's bytes (read from a folder or an archive); `path` names it in messages. */
export function encryptionInfoFrom(path: string, manifestPlist: Buffer): EncryptionInfo {
  let plist;
  try {
    plist = parsePlist(manifestPlist, 'Manifest.plist');
  } catch (err) {
    throw new UserError('bad-format', `${path}: ${errorMessage(err).replace(/^Manifest\.plist: /, '')}`, { cause: err });
  }
  if (!isDict(plist)) throw new UserError('bad-format', `${path}: expected a dictionary`);
  const bag = plist.BackupKeyBag;
  if (!Buffer.isBuffer(bag)) throw new UserError('bad-format', `${path}: no BackupKeyBag (expected the keybag of an encrypted backup)`);
  let keybag: Keybag;
  try {
    // The decoder refuses a bad ITER/DPIC, so it is reported here, before the password is asked for.
    keybag = parseKeybag(bag);
  } catch (err) {
    if (err instanceof FormatError) throw new UserError('bad-format', `${path}: ${err.message}`, { cause: err });
    throw err;
  }
  const manifestKey = plist.ManifestKey;
  return { keybag, manifestKey: Buffer.isBuffer(manifestKey) ? manifestKey : null };
}

/** Derives the key (once: PBKDF2 with the backup's own iteration counts) and unlocks the class keys. */
export async function unlockBackup(root: string, info: EncryptionInfo, credential: BackupCredential): Promise<BackupKeys> {
  const derivedKey = credential.kind === 'key' ? credential.key : await deriveBackupKey(credential.password, info.keybag);
  try {
    return { derivedKey, classKeys: unlockClassKeys(info.keybag, derivedKey), manifestKey: info.manifestKey };
  } catch (err) {
    if (err instanceof WrongKeyError) {
      throw new UserError(
        'wrong-password',
        credential.kind === 'key' ? `${root}: the key file does not unlock this backup` : `${root}: wrong backup password (it does not unlock the backup's keybag)`,
        { cause: err },
      );
    }
    throw err;
  }
}

/** Generous room for 64 hex digits, a newline, a BOM and stray whitespace; anything larger is not a key file. */
export const KEY_FILE_MAX_BYTES = 1024;

const KEY_FILE = 'expected a key file (64 hexadecimal digits)';

/**
 * A key file holds the 32-byte derived key as 64 hex digits (MVT's format); a trailing newline is fine. It is read
 * without trusting it: a regular file only (a folder, a FIFO or `/dev/zero` would fail late or never end), and
 * never more than KEY_FILE_MAX_BYTES, whatever the file claims or grows to.
 */
export function readKeyFile(path: string): Buffer {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK); // a FIFO must not block the open
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UserError('not-found', `${path}: no such key file`);
    throw new UserError('usage', `${path}: cannot read the key file (${code ?? errorMessage(err)})`, { cause: err });
  }
  let text: string;
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) throw new UserError('bad-format', `${path}: is a folder; ${KEY_FILE}`);
    if (!st.isFile()) throw new UserError('bad-format', `${path}: is not a regular file; ${KEY_FILE}`);
    if (st.size > KEY_FILE_MAX_BYTES) throw new UserError('bad-format', `${path}: ${st.size} bytes; ${KEY_FILE}`);
    const buf = Buffer.alloc(KEY_FILE_MAX_BYTES);
    let length = 0;
    for (let n = 1; n > 0 && length < buf.length; length += n) n = readSync(fd, buf, length, buf.length - length, null);
    text = buf.subarray(0, length).toString('utf8').replace(/^\uFEFF/, '').trim();
  } finally {
    closeSync(fd);
  }
  if (!/^[0-9a-fA-F]{64}$/.test(text)) throw new UserError('bad-format', `${path}: not a backup key file (expected 64 hexadecimal digits)`);
  return Buffer.from(text, 'hex');
}
