import { createKeyFiles } from '../signing/key-files.js';
import { UserError } from '../errors.js';
import { EXIT } from './exit-codes.js';

export interface KeysNewFlags {
  output: string;
  comment?: string;
  passphrase?: true;
}

export function runKeysNew(flags: KeysNewFlags): number {
  if (flags.passphrase) {
    // OpenSSH encrypts keys with bcrypt-pbkdf, which node:crypto lacks; see docs/bundle-format.md.
    throw new UserError('usage', '--passphrase: encrypted keys are not supported yet (they need bcrypt-pbkdf); keep the unencrypted key on an encrypted disk, or encrypt it afterwards with `ssh-keygen -p -f KEY`');
  }
  const made = createKeyFiles(flags.output, flags.comment);
  process.stdout.write(`private key: ${made.privatePath} (mode 0600, keep it secret)\npublic key:  ${made.publicPath}\n${made.publicLine}`);
  process.stdout.write(`A reviewer checks your bundles with this allowed-signers line:\n  you@lab namespaces="tracehound" ${made.publicLine}`);
  return EXIT.ok;
}
