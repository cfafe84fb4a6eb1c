/**
 * For people who need them: the derived key of an encrypted backup (so the password need not be typed
 * again), and a full decrypted copy for tools that cannot read encrypted backups. `check` needs neither.
 */
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { utimes } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { buildBinary } from 'plist';
import { detectAcquisition } from '../evidence/detect.js';
import { openIosBackup } from '../evidence/ios-backup.js';
import { readEncryptionInfo, unlockBackup, type CredentialProvider } from '../evidence/ios-backup-keys.js';
import { InputLog } from '../evidence/input-log.js';
import { assertUsableTempArea, holdPrivateTemp } from '../evidence/temp.js';
import { InterruptedError, UserError, interruption } from '../errors.js';
import { isDict, parsePlist } from '../formats/plist.js';
import { openOutputFile, openOutputFolder } from './output-target.js';

function encryptedBackupRoot(path: string): string {
  const d = detectAcquisition(path, 'ios-backup');
  if (d.answer === 'archive') throw new UserError('usage', `${path}: an archive; extract-key and decrypt read a backup folder (check reads archives directly)`);
  if (d.answer !== 'locked') throw new UserError('usage', `${path}: this backup is not encrypted; there is no key to extract and nothing to decrypt`);
  return d.root;
}

export async function extractBackupKey(backup: string, credentials: CredentialProvider): Promise<Buffer> {
  const root = encryptedBackupRoot(backup);
  const keys = await unlockBackup(root, readEncryptionInfo(root), await credentials(root));
  return keys.derivedKey;
}

/**
 * Derives the key and saves it as a key file. The target is validated first (never inside the backup, never a
 * link, folder or device, an existing file only with `force`), so a bad `-o` fails before the slow derivation.
 */
export async function saveBackupKey(backup: string, output: string, credentials: CredentialProvider, options: { force?: boolean } = {}): Promise<string> {
  const root = encryptedBackupRoot(backup);
  const target = openOutputFile(output, { flag: '--output', evidence: [backup, root], privateMode: true, ...(options.force ? { force: true } : {}) });
  try {
    const keys = await unlockBackup(root, readEncryptionInfo(root), await credentials(root));
    target.commit(keys.derivedKey.toString('hex'));
  } catch (err) {
    target.discard();
    throw err;
  }
  return target.path;
}

/**
 * 64 hex digits and no newline, as MVT writes it (so either tool reads the other's key files); mode 0600.
 * A new file only: `saveBackupKey` is the guarded way to write one.
 */
export function writeKeyFile(path: string, key: Buffer): void {
  writeFileSync(path, key.toString('hex'), { mode: 0o600, flag: 'wx' });
  chmodSync(path, 0o600);
}

export interface DecryptProgress {
  readonly done: number;
  /** Files Manifest.db lists; those absent from the backup are skipped, so `done` may end below it. */
  readonly total: number;
  readonly bytes: number;
}

export interface DecryptOptions {
  readonly onProgress?: (p: DecryptProgress) => void;
  /** Aborting stops the copy; the partial plaintext is removed and InterruptedError thrown. */
  readonly signal?: AbortSignal;
}

export interface DecryptResult {
  readonly root: string;
  readonly files: number;
  readonly bytes: number;
}

/**
 * Writes a standard, unencrypted backup: the same `<id[0:2]>/<id>` layout, a decrypted Manifest.db, and a
 * Manifest.plist that says it is not encrypted and carries no keybag. The copy is written under a hidden name
 * beside `output` (0700, files 0600) and renamed into place only when complete: an interrupted or failed run
 * leaves no partial plaintext behind.
 */
export async function decryptBackup(backup: string, output: string, credentials: CredentialProvider, options: DecryptOptions = {}): Promise<DecryptResult> {
  const root = encryptedBackupRoot(backup);
  assertUsableTempArea();
  const target = openOutputFolder(output, { flag: '--output', evidence: [backup, root], privateMode: true }, { replace: 'never' });
  const releaseTemp = holdPrivateTemp();
  const signal = options.signal ?? new AbortController().signal;
  const onProgress = options.onProgress;
  const out = target.dir;
  let source: Awaited<ReturnType<typeof openIosBackup>>;
  try {
    source = await openIosBackup(root, new InputLog(), credentials);
  } catch (err) {
    target.discard();
    releaseTemp();
    throw err;
  }
  let committed = false;
  try {
    // Workers pull from one lazy iterator: the file list is never held whole (a backup can list millions).
    const files = source.storedFiles();
    const total = source.listedFileCount();
    let done = 0;
    let bytes = 0;
    const folders = new Set<string>();
    const worker = async () => {
      for (let next = files.next(); !next.done; next = files.next()) {
        if (signal.aborted) throw interruption(signal);
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
    if (signal.aborted) throw interruption(signal);
    writeFileSync(join(out, 'Manifest.db'), source.manifestImage(), { mode: 0o600 });
    for (const name of ['Info.plist', 'Status.plist']) {
      if (!existsSync(join(root, name))) continue;
      copyFileSync(join(root, name), join(out, name));
      chmodSync(join(out, name), 0o600);
    }
    writeFileSync(join(out, 'Manifest.plist'), unencryptedManifestPlist(join(root, 'Manifest.plist')), { mode: 0o600 });
    target.commit();
    committed = true;
    return { root, files: done, bytes };
  } catch (err) {
    if (signal.aborted && !(err instanceof InterruptedError)) throw interruption(signal);
    throw err;
  } finally {
    if (!committed) target.discard();
    await source.close();
    releaseTemp();
  }
}

function unencryptedManifestPlist(path: string): Buffer {
  const plist = parsePlist(readFileSync(path), 'Manifest.plist');
  if (!isDict(plist)) throw new UserError('bad-format', `${path}: expected a dictionary`);
  const { BackupKeyBag: _bag, ManifestKey: _key, ...rest } = plist;
  return Buffer.from(buildBinary({ ...rest, IsEncrypted: false }));
}
