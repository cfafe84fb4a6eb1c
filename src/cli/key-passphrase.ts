/**
 * The passphrase of a signing key: from TRACEHOUND_KEY_PASSPHRASE (scripts, tests), else asked at a prompt
 * without echo; never an option on the command line, where the process list would show it.
 */
import { UserError } from '../errors.js';
import { promptPassword } from './password-prompt.js';

export const KEY_PASSPHRASE_ENV = 'TRACEHOUND_KEY_PASSPHRASE';

export async function keyPassphrase(keyPath: string, confirm: boolean): Promise<string> {
  const fromEnv = process.env[KEY_PASSPHRASE_ENV];
  if (fromEnv !== undefined) {
    if (fromEnv === '') throw new UserError('usage', `${KEY_PASSPHRASE_ENV} is empty (a key passphrase cannot be empty)`);
    return fromEnv;
  }
  if (!process.stdin.isTTY) throw new UserError('usage', `${keyPath}: a passphrase is needed; set ${KEY_PASSPHRASE_ENV} or run in a terminal to be asked`);
  const first = await promptPassword(`Passphrase of the signing key ${keyPath}: `);
  if (first === '') throw new UserError('usage', 'a key passphrase cannot be empty');
  if (confirm && (await promptPassword('Same passphrase again: ')) !== first) throw new UserError('usage', 'the two passphrases differ; nothing was written');
  return first;
}
