/**
 * Decides what an input path is. Each detector answers `match`, `locked` (encrypted: say which
 * credential is needed) or `no`; none throws to say "not mine" (STYLE.md §5).
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UserError } from '../errors.js';
import { isEncryptedBackup, looksLikeIosBackup, openIosBackup } from './ios-backup.js';
import { InputLog } from './input-log.js';
import { looksLikeIosFilesystem, openIosFilesystem } from './ios-fs.js';
import type { CredentialProvider } from './ios-backup-keys.js';
import type { Source, SourceKind } from './source.js';

export type Detection =
  | { readonly answer: 'match'; readonly kind: SourceKind; readonly root: string; readonly note?: string }
  | { readonly answer: 'locked'; readonly kind: SourceKind; readonly root: string; readonly needs: 'backup-password'; readonly note?: string }
  | { readonly answer: 'no' };

interface Detector {
  readonly kind: SourceKind;
  detect(path: string): Detection;
}

const iosBackup: Detector = {
  kind: 'ios-backup',
  detect(path) {
    const root = backupRootWithin(path);
    if (root === null) return { answer: 'no' };
    const note = root.note ? { note: root.note } : {};
    if (isEncryptedBackup(root.dir)) return { answer: 'locked', kind: 'ios-backup', root: root.dir, needs: 'backup-password', ...note };
    return { answer: 'match', kind: 'ios-backup', root: root.dir, ...note };
  },
};

const iosFilesystem: Detector = {
  kind: 'ios-fs',
  detect(path) {
    return looksLikeIosFilesystem(path) ? { answer: 'match', kind: 'ios-fs', root: path } : { answer: 'no' };
  },
};

const detectors: readonly Detector[] = [iosBackup, iosFilesystem];

/**
 * A backup folder, or a folder holding exactly one backup (`MobileSync/Backup` with one device), as MVT
 * accepts. Several backups in one folder is a usage error: we would not know which device to check.
 */
function backupRootWithin(path: string): { dir: string; note?: string } | null {
  if (looksLikeIosBackup(path)) return { dir: path };
  let children: string[];
  try {
    children = readdirSync(path, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => join(path, d.name))
      .filter(looksLikeIosBackup);
  } catch {
    return null;
  }
  if (children.length === 1) return { dir: children[0]!, note: `found an iOS backup in sub-folder ${children[0]}` };
  if (children.length > 1) {
    throw new UserError('usage', `${path}: holds ${children.length} iOS backups (${children.map((c) => c.split('/').pop()).join(', ')}); pass one of them`);
  }
  return null;
}

export function detectAcquisition(input: string, forced?: SourceKind): Detection {
  const path = resolve(input);
  if (!existsSync(path)) throw new UserError('not-found', `${input}: no such file or folder`);
  if (!statSync(path).isDirectory()) {
    throw new UserError('not-an-acquisition', `${input}: is a file; expected a folder (an iOS backup or a filesystem dump)`);
  }
  for (const d of detectors) {
    if (forced && d.kind !== forced) continue;
    const answer = d.detect(path);
    if (answer.answer !== 'no') return answer;
  }
  const expected = forced === 'ios-fs' ? 'an iOS filesystem dump (private/var/…)' : forced === 'ios-backup' ? 'an iOS backup (Manifest.db and Info.plist)' : 'an iOS backup (Manifest.db and Info.plist) or an iOS filesystem dump (private/var/…)';
  throw new UserError('not-an-acquisition', `${input}: not a supported acquisition (expected ${expected})`);
}

/**
 * Detects and opens an acquisition. A locked one (an encrypted backup) asks `credentials` for its password
 * or key, and only then.
 */
export async function openAcquisition(
  input: string,
  forced?: SourceKind,
  credentials?: CredentialProvider,
): Promise<{ source: Source; inputs: InputLog; note?: string }> {
  const d = detectAcquisition(input, forced);
  if (d.answer === 'no') throw new UserError('not-an-acquisition', `${input}: not a supported acquisition`);
  const inputs = new InputLog();
  const source = d.kind === 'ios-backup' ? await openIosBackup(d.root, inputs, credentials) : openIosFilesystem(d.root, inputs);
  return { source, inputs, ...(d.note ? { note: d.note } : {}) };
}
