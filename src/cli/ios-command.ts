import { SingleBar } from 'cli-progress';
import { decryptBackup, saveBackupKey } from '../app/ios-backup-tools.js';
import { readKeyFile } from '../evidence/ios-backup-keys.js';
import { credentialProvider } from './credentials.js';

export async function runExtractKey(backup: string, flags: { output: string; password?: string; force?: true }): Promise<number> {
  const written = await saveBackupKey(backup, flags.output, credentialProvider(flags), { force: flags.force === true });
  process.stderr.write(`Key written to ${written} (mode 0600). It opens the backup like the password does: keep it as safe.\n`);
  return 0;
}

export async function runDecrypt(backup: string, flags: { output: string; keyFile?: string; password?: string; quiet?: true; signal?: AbortSignal }): Promise<number> {
  if (flags.keyFile) readKeyFile(flags.keyFile); // a bad key file: one line before anything else
  const tty = !flags.quiet && process.stderr.isTTY === true;
  const bar = tty ? new SingleBar({ format: ' {bar} {value}/{total} files  {mb} MB', stream: process.stderr, hideCursor: true }) : null;
  let started = false;
  let result: Awaited<ReturnType<typeof decryptBackup>>;
  try {
    result = await decryptBackup(backup, flags.output, credentialProvider(flags), {
      ...(flags.signal ? { signal: flags.signal } : {}),
      onProgress: (p) => {
        if (!bar) return;
        if (!started) {
          bar.start(p.total, 0, { mb: '0' });
          started = true;
        }
        bar.update(p.done, { mb: (p.bytes / 1e6).toFixed(0) });
      },
    });
  } finally {
    if (bar && started) bar.stop();
  }
  if (!flags.quiet) {
    process.stderr.write(
      `Decrypted ${result.files} files (${(result.bytes / 1e6).toFixed(1)} MB) to ${flags.output}.\nThis folder holds the phone's data in plaintext: keep it encrypted at rest and delete it when done.\n`,
    );
  }
  return 0;
}
