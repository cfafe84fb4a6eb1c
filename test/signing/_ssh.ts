/** OpenSSH's own tools, run for real: what a reviewing lab without Tracehound has. */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../fixtures/ios-backup.js';

export const SSH_KEYGEN = '/usr/bin/ssh-keygen';

/** `ssh-keygen -Y verify` with an allowed-signers line made from KEY.pub; returns its exit status and output. */
export function sshVerify(pubLine: string, sig: string, message: Buffer, namespace = 'tracehound') {
  const dir = tempDir('sshverify');
  writeFileSync(join(dir, 'allowed_signers'), `reviewer namespaces="${namespace}" ${pubLine}`);
  writeFileSync(join(dir, 'file.sig'), sig);
  const r = spawnSync(SSH_KEYGEN, ['-Y', 'verify', '-f', join(dir, 'allowed_signers'), '-I', 'reviewer', '-n', namespace, '-s', join(dir, 'file.sig')], { input: message, encoding: 'utf8' });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

