/**
 * Where the password of an encrypted backup comes from, in order: a key file, a command-line password (with a
 * warning: it shows in the process list), the environment, then an interactive prompt. What is typed on the
 * command line wins over the environment, as with any option; when both are there, a warning says which is used.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import type { BackupCredential, CredentialProvider } from '../evidence/ios-backup-keys.js';
import { UserError } from '../errors.js';
import { promptPassword } from './password-prompt.js';

export const PASSWORD_ENV = 'TRACEHOUND_BACKUP_PASSWORD';

/** A key file is 64 hex digits, maybe with a newline or a BOM; anything past this is not one. */
const MAX_KEY_FILE_BYTES = 1024;

export interface CredentialFlags {
  keyFile?: string;
  password?: string;
}

export function credentialProvider(flags: CredentialFlags, warn: (line: string) => void = (l) => void process.stderr.write(`${l}\n`)): CredentialProvider {
  if (flags.keyFile && flags.password) throw new UserError('usage', '--key-file and --password cannot be used together');
  return async (root: string): Promise<BackupCredential> => {
    const fromEnv = process.env[PASSWORD_ENV];
    if (flags.keyFile) {
      if (fromEnv) warn(`warning: both --key-file and ${PASSWORD_ENV} are set; using --key-file`);
      return { kind: 'key', key: readKeyFileBounded(flags.keyFile) };
    }
    if (flags.password !== undefined) {
      if (fromEnv) warn(`warning: both --password and ${PASSWORD_ENV} are set; using --password`);
      warn('warning: a password given with --password is visible in the process list; prefer the prompt, TRACEHOUND_BACKUP_PASSWORD or --key-file');
      return { kind: 'password', password: flags.password };
    }
    if (fromEnv) return { kind: 'password', password: fromEnv };
    if (!process.stdin.isTTY) {
      throw new UserError('encrypted-backup', `${root}: this backup is encrypted; set ${PASSWORD_ENV}, pass --key-file, or run in a terminal to be asked for the password`);
    }
    return { kind: 'password', password: await promptPassword(`Password of the encrypted backup ${root}: `) };
  };
}

/**
 * Reads a key file (`tracehound ios extract-key`, or MVT's) without trusting it: a regular file only (a folder,
 * a FIFO or `/dev/zero` would fail late or never end), at most MAX_KEY_FILE_BYTES read.
 */
export function readKeyFileBounded(path: string): Buffer {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UserError('not-found', `${path}: no such key file`);
    if (code === 'EISDIR') throw new UserError('bad-format', `${path}: is a folder; expected a key file (64 hexadecimal digits)`);
    throw new UserError('usage', `${path}: cannot read the key file (${code ?? 'error'})`, { cause: err });
  }
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) throw new UserError('bad-format', `${path}: is a folder; expected a key file (64 hexadecimal digits)`);
    if (!st.isFile()) throw new UserError('bad-format', `${path}: is not a regular file; expected a key file (64 hexadecimal digits)`);
    const buf = Buffer.alloc(MAX_KEY_FILE_BYTES + 1);
    let length = 0;
    for (let n = 1; n > 0 && length < buf.length; length += n) n = readSync(fd, buf, length, buf.length - length, null);
    if (length > MAX_KEY_FILE_BYTES) throw new UserError('bad-format', `${path}: not a backup key file (expected 64 hexadecimal digits, found over ${MAX_KEY_FILE_BYTES} bytes)`);
    const text = buf.subarray(0, length).toString('utf8').replace(/^\uFEFF/, '').trim();
    if (!/^[0-9a-fA-F]{64}$/.test(text)) throw new UserError('bad-format', `${path}: not a backup key file (expected 64 hexadecimal digits)`);
    return Buffer.from(text, 'hex');
  } finally {
    closeSync(fd);
  }
}
