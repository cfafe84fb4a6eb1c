/**
 * A full-filesystem dump of an iPhone (`private/var/…` at its root), as a folder or inside a zip, tar or
 * tar.gz (stored-files.ts), possibly below one leading folder. Files are addressed by device path
 * (`device-glob` specs); the rest is the generic tree source (tree-source.ts).
 *
 * Links: a dump keeps the phone's own symlinks (`var` → `private/var`, `/etc` → `private/etc`, app
 * containers), so links are followed while they resolve inside the dump's real root. A link that leads out
 * of it (planted, or an absolute link of the phone now pointing into the analyst's machine) is never followed:
 * the file is reported missing with the reason "link to outside the acquisition: not read".
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { realRoot } from './contained.js';
import type { InputLog } from './input-log.js';
import type { Source } from './source.js';
import { FolderFiles, type StoredFiles } from './stored-files.js';
import { TreeSource } from './tree-source.js';

/** Folders only a dump of an iPhone's data partition has at its root. */
export const IOS_FS_MARKERS = ['private/var/mobile', 'private/var/wireless'] as const;

export function looksLikeIosFilesystem(dir: string): boolean {
  return IOS_FS_MARKERS.some((marker) => existsSync(join(dir, marker)));
}

export function openIosFilesystem(root: string, inputs: InputLog): Source {
  return openIosFilesystemIn(new FolderFiles(realRoot(root), 'links-inside'), inputs);
}

/** A dump wherever its files are stored (`files` follows the phone's links while they stay inside). The source closes `files`. */
export function openIosFilesystemIn(files: StoredFiles, inputs: InputLog): Source {
  return new TreeSource(files, inputs, { kind: 'ios-fs', specKind: 'device-glob', devicePath: (rel) => `/${rel}` });
}
