/**
 * For people who need them: the derived key of an encrypted backup (so the password need not be typed
 * again), and a full decrypted copy for tools that cannot read encrypted backups. `check` needs neither.
 */
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { utimes } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { buildBinary } from 'plist';
import { detectAcquisition } from '../evidence/detect.js';
import { openIosBackup } from '../evidence/ios-backup.js';
import { readEncryptionInfo, unlockBackup, type CredentialProvider } from '../evidence/ios-backup-keys.js';
import { InputLog } from '../evidence/input-log.js';
import { cleanupPrivateTemp } from '../evidence/temp.js';
import { UserError } from '../errors.js';
import { isDict, parsePlist } from '../formats/plist.js';

function encryptedBackupRoot(path: string): string {
  const d = detectAcquisition(path, 'ios-backup');
  if (d.answer !== 'locked') throw new UserError('usage', `${path}: this backup is not encrypted; there is no key to extract and nothing to decrypt`);
  return d.root;
}

export async function extractBackupKey(backup: string, credentials: CredentialProvider): Promise<Buffer> {
  const root = encryptedBackupRoot(backup);
  const keys = await unlockBackup(root, readEncryptionInfo(root), await credentials(root));
  return keys.derivedKey;
}

/** 64 hex digits and no newline, as MVT writes it (so either tool reads the other's key files); mode 0600. */
export function writeKeyFile(path: string, key: Buffer): void {
  writeFileSync(path, key.toString('hex'), { mode: 0o600 });
  chmodSync(path, 0o600);
}

export interface DecryptProgress {
  readonly done: number;
  /** Files Manifest.db lists; those absent from the backup are skipped, so `done` may end below it. */
  readonly total: number;
  readonly bytes: number;
}

export interface DecryptResult {
  readonly root: string;
  readonly files: number;
  readonly bytes: number;
}

/**
 * Writes a standard, unencrypted backup: the same `<id[0:2]>/<id>` layout, a decrypted Manifest.db, and a
 * Manifest.plist that says it is not encrypted and carries no keybag.
 */
export async function decryptBackup(backup: string, output: string, credentials: CredentialProvider, onProgress?: (p: DecryptProgress) => void): Promise<DecryptResult> {
  const root = encryptedBackupRoot(backup);
  const out = resolve(output);
  refuseOverlap(root, out);
  if (existsSync(out) && readdirSync(out).length > 0) throw new UserError('usage', `--output ${output}: exists and is not empty`);
  const source = await openIosBackup(root, new InputLog(), credentials);
  try {
    mkdirSync(out, { recursive: true, mode: 0o700 });
    // Workers pull from one lazy iterator: the file list is never held whole (a backup can list millions).
    const files = source.storedFiles();
    const total = source.listedFileCount();
    let done = 0;
    let bytes = 0;
    const folders = new Set<string>();
    const worker = async () => {
      for (let next = files.next(); !next.done; next = files.next()) {
        const file = next.value;
        const dest = join(out, file.ref.storedPath);
        const folder = dirname(dest);
        if (!folders.has(folder)) {
          mkdirSync(folder, { recursive: true });
          folders.add(folder);
        }
        const written = await source.exportFile(file, dest); // not `bytes += await …`: that would lose updates
        bytes += written;
        const mtime = file.times?.modified;
        if (mtime) await utimes(dest, mtime, mtime);
        done++; // not inside onProgress?.(…): optional chaining would skip the increment without a callback
        onProgress?.({ done, total, bytes });
      }
    };
    await Promise.all(Array.from({ length: Math.max(4, availableParallelism() * 4) }, worker));
    writeFileSync(join(out, 'Manifest.db'), source.manifestImage(), { mode: 0o600 });
    for (const name of ['Info.plist', 'Status.plist']) if (existsSync(join(root, name))) copyFileSync(join(root, name), join(out, name));
    writeFileSync(join(out, 'Manifest.plist'), unencryptedManifestPlist(join(root, 'Manifest.plist')));
    return { root, files: done, bytes };
  } finally {
    await source.close();
    cleanupPrivateTemp();
  }
}

function refuseOverlap(root: string, out: string): void {
  const inside = (parent: string, child: string) => {
    const rel = relative(parent, child);
    return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
  };
  if (inside(root, out) || inside(out, root)) throw new UserError('usage', `--output ${out}: overlaps the backup ${root}; write the decrypted copy elsewhere`);
}

function unencryptedManifestPlist(path: string): Buffer {
  const plist = parsePlist(readFileSync(path), 'Manifest.plist');
  if (!isDict(plist)) throw new UserError('bad-format', `${path}: expected a dictionary`);
  const { BackupKeyBag: _bag, ManifestKey: _key, ...rest } = plist;
  return Buffer.from(buildBinary({ ...rest, IsEncrypted: false }));
}
