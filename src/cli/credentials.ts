/**
 * Where the password of an encrypted backup comes from, in order: a key file, a command-line password (with a
 * warning: it shows in the process list), the environment, then an interactive prompt. An age-encrypted
 * acquisition (androidqf's `.zip.age`) has its own: identity files, or a passphrase (environment, prompt). What is typed on the
 * command line wins over the environment, as with any option; when both are there, a warning says which is used.
 */
import { readKeyFile, type BackupCredential, type CredentialProvider } from '../evidence/ios-backup-keys.js';
import { AGE_PASSPHRASE_ENV, readAgeIdentityFile, type AgeCredentialProvider } from '../evidence/fs/age.js';
import { UserError } from '../errors.js';
import { promptPassword } from './password-prompt.js';

export const PASSWORD_ENV = 'TRACEHOUND_BACKUP_PASSWORD';

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
      return { kind: 'key', key: readKeyFile(flags.keyFile) };
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

export interface AgeFlags {
  /** `--age-identity FILE`, repeatable. */
  ageIdentity?: string[];
}

/**
 * Identities of an age-encrypted acquisition come from `--age-identity` files (read and checked at once, so a
 * typo fails before any evidence is touched); a passphrase-encrypted file (a `scrypt` stanza) takes
 * TRACEHOUND_AGE_PASSPHRASE, or asks on a terminal. Nothing is asked for a file that is not age-encrypted.
 */
export function ageCredentialProvider(flags: AgeFlags): AgeCredentialProvider {
  const identities = (flags.ageIdentity ?? []).flatMap((path) => readAgeIdentityFile(path));
  return async (file, header) => {
    if (!header.recipientTypes.includes('scrypt')) {
      if (identities.length === 0) {
        throw new UserError('encrypted-backup', `${file}: age-encrypted to a recipient key (${[...new Set(header.recipientTypes)].join(', ')}); pass its identity file with --age-identity FILE`);
      }
      return { identities };
    }
    const fromEnv = process.env[AGE_PASSPHRASE_ENV];
    if (fromEnv !== undefined) return { identities, passphrase: fromEnv };
    if (!process.stdin.isTTY) {
      throw new UserError('encrypted-backup', `${file}: age-encrypted with a passphrase; set ${AGE_PASSPHRASE_ENV} or run in a terminal to be asked for it`);
    }
    return { identities, passphrase: await promptPassword(`Passphrase of the age-encrypted ${file}: `) };
  };
}
