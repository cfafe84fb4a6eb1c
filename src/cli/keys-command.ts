import { existsSync } from 'node:fs';
import { createKeyFiles } from '../signing/key-files.js';
import { UserError } from '../errors.js';
import { EXIT } from './exit-codes.js';
import { keyPassphrase } from './key-passphrase.js';

export interface KeysNewFlags {
  output: string;
  comment?: string;
  passphrase?: true;
}

export async function runKeysNew(flags: KeysNewFlags): Promise<number> {
  if (existsSync(flags.output)) throw new UserError('output', `${flags.output}: already exists (refusing to overwrite a key; choose another --output)`);
  const passphrase = flags.passphrase ? await keyPassphrase(flags.output, true) : undefined;
  const made = createKeyFiles(flags.output, flags.comment, passphrase);
  process.stdout.write(`private key: ${made.privatePath} (mode 0600, ${passphrase === undefined ? 'unencrypted: keep it secret' : 'passphrase-protected'})\npublic key:  ${made.publicPath}\n${made.publicLine}`);
  process.stdout.write(`A reviewer checks your bundles with this allowed-signers line:\n  you@lab namespaces="tracehound" ${made.publicLine}`);
  return EXIT.ok;
}
