/**
 * The key of an encrypted case from the command line. Opening: `--identity FILE` (age identity files, for a
 * case encrypted to recipients) or the passphrase, from TRACEHOUND_CASE_PASSPHRASE or a prompt without echo,
 * asked only when the case's header has an scrypt stanza. Creating (`check --case DIR --encrypt`, `case
 * lock`): `--recipient age1…` (repeatable) and `--recipients-file FILE` encrypt to public keys; otherwise a
 * new passphrase, from the environment or typed twice. A passphrase is never an option: the process list
 * would show it.
 */
import { readFileSync, statSync } from 'node:fs';
import { newSeal, type CaseSeal } from '../case/sealed.js';
import { caseKind, unlockSeal } from '../case/store.js';
import { UserError, errorMessage } from '../errors.js';
import { readAgeIdentityFile, type AgeCredentialProvider } from '../evidence/fs/age.js';
import { promptPassword } from './password-prompt.js';

export const CASE_PASSPHRASE_ENV = 'TRACEHOUND_CASE_PASSPHRASE';

export interface CaseOpenFlags {
  /** `--identity FILE` (`--case-identity` on check), repeatable. */
  identity?: string[];
}

export interface CaseSealFlags {
  /** `--recipient age1…`, repeatable. */
  recipient?: string[];
  recipientsFile?: string;
}

/** Identity files are read at once (a typo fails before anything else); the passphrase only when asked for. */
export function caseCredentials(flags: CaseOpenFlags): AgeCredentialProvider {
  const identities = (flags.identity ?? []).flatMap((path) => readAgeIdentityFile(path));
  return async (file, header) => {
    if (!header.recipientTypes.includes('scrypt')) {
      if (identities.length === 0) {
        throw new UserError('encrypted-backup', `${file}: encrypted case for a recipient key (${[...new Set(header.recipientTypes)].join(', ')}); pass its identity file with --identity FILE`);
      }
      return { identities };
    }
    const fromEnv = process.env[CASE_PASSPHRASE_ENV];
    if (fromEnv !== undefined) return { identities, passphrase: fromEnv };
    if (!process.stdin.isTTY) throw new UserError('encrypted-backup', `${file}: encrypted case; set ${CASE_PASSPHRASE_ENV} or run in a terminal to be asked for its passphrase`);
    return { identities, passphrase: await promptPassword(`Passphrase of the case ${file}: `) };
  };
}

/** The seal of the case in `dir` when it is encrypted (its credentials asked for), else undefined. */
export function openingSeal(dir: string, flags: CaseOpenFlags): Promise<CaseSeal | undefined> {
  const credentials = caseCredentials(flags);
  return unlockSeal(dir, credentials);
}

/** A seal for a case about to be encrypted: to the recipients given, else to a new passphrase. */
export async function newCaseSeal(dir: string, flags: CaseSealFlags): Promise<CaseSeal> {
  const recipients = [...(flags.recipient ?? []), ...(flags.recipientsFile !== undefined ? readRecipientsFile(flags.recipientsFile) : [])];
  if (recipients.length > 0) return newSeal({ recipients });
  return newSeal({ passphrase: await newPassphrase(dir) });
}

/**
 * The seal a check into `dir` uses: the case's own when it is encrypted (`--encrypt` or not: a case created
 * encrypted stays so), a new one when `--encrypt` creates the case, none for a plain case (with `--encrypt`:
 * refused, `case lock` is the way).
 */
export async function checkSeal(dir: string, flags: CaseOpenFlags & CaseSealFlags & { encrypt?: true }, warn: (line: string) => void): Promise<CaseSeal | undefined> {
  const encrypt = flags.encrypt === true || (flags.recipient ?? []).length > 0 || flags.recipientsFile !== undefined;
  const kind = caseKind(dir);
  if (kind === 'encrypted') {
    if ((flags.recipient ?? []).length > 0 || flags.recipientsFile !== undefined) warn('warning: --recipient and --recipients-file ignored: an encrypted case keeps the key it was encrypted with');
    return openingSeal(dir, flags);
  }
  if ((flags.identity ?? []).length > 0) warn('warning: --case-identity ignored: the case is not encrypted');
  if (!encrypt) return undefined;
  if (kind === 'plain') throw new UserError('usage', `${dir}: the case is not encrypted; \`tracehound case lock ${dir}\` encrypts it (--encrypt applies to a new case)`);
  return newCaseSeal(dir, flags);
}

async function newPassphrase(dir: string): Promise<string> {
  const fromEnv = process.env[CASE_PASSPHRASE_ENV];
  if (fromEnv !== undefined) {
    if (fromEnv === '') throw new UserError('usage', `${CASE_PASSPHRASE_ENV} is empty (a case passphrase cannot be empty)`);
    return fromEnv;
  }
  if (!process.stdin.isTTY) throw new UserError('usage', `${dir}: a passphrase for the encrypted case is needed; set ${CASE_PASSPHRASE_ENV}, pass --recipient, or run in a terminal to be asked`);
  const first = await promptPassword(`New passphrase of the case ${dir}: `);
  if (first === '') throw new UserError('usage', 'a case passphrase cannot be empty');
  if ((await promptPassword('Same passphrase again: ')) !== first) throw new UserError('usage', 'the two passphrases differ; nothing was written');
  return first;
}

const RECIPIENTS_FILE_MAX_BYTES = 256 * 1024;

/** An age recipients file: `age1…` lines, `#` comments and blank lines (as `age -R` reads). */
export function readRecipientsFile(path: string): string[] {
  let text: string;
  try {
    const st = statSync(path);
    if (!st.isFile()) throw new UserError('usage', `${path}: not a regular file (expected an age recipients file)`);
    if (st.size > RECIPIENTS_FILE_MAX_BYTES) throw new UserError('usage', `${path}: ${st.size} bytes, too big for an age recipients file`);
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw new UserError('not-found', `${path}: cannot read the recipients file (${(err as NodeJS.ErrnoException).code ?? errorMessage(err)})`, { cause: err });
  }
  const recipients: string[] = [];
  for (const [i, raw] of text.replace(/^\uFEFF/, '').split(/\r?\n/).entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    if (!line.startsWith('age1')) throw new UserError('usage', `${path}: line ${i + 1} is not an age recipient (expected age1… public keys, # comments and blank lines)`);
    recipients.push(line);
  }
  if (recipients.length === 0) throw new UserError('usage', `${path}: no recipient in it (expected age1… public keys)`);
  return recipients;
}
