/**
 * A full-filesystem dump of an iPhone, as a folder or inside a zip, tar or tar.gz (stored-files.ts), possibly
 * below one leading folder (the device's name), in either layout of fs-layout.ts: the device's tree as is
 * (`private/var/…`; absolute member names read from the archive's root) or one folder per partition
 * (`filesystem1/` = `/`, `filesystem2/` = `/private/var/`). Files are addressed by device path (`device-glob`
 * specs) whatever the layout; the rest is the generic tree source (tree-source.ts).
 *
 * Links: a dump keeps the phone's own symlinks (`var` → `private/var`, `/etc` → `private/etc`, app
 * containers), so links are followed while they resolve inside the dump's real root. A link that leads out
 * of it (planted, or an absolute link of the phone now pointing into the analyst's machine) is never followed:
 * the file is reported missing with the reason "link to outside the acquisition: not read".
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { realRoot } from './contained.js';
import { dumpLayoutOf, MountedFiles, PARTITION_MOUNTS, type DumpLayout } from './fs-layout.js';
import type { InputLog } from './input-log.js';
import type { Source } from './source.js';
import { FolderFiles, type StoredFiles } from './stored-files.js';
import { TreeSource } from './tree-source.js';

export { DATA_PARTITION_MARKERS as IOS_FS_MARKERS } from './fs-layout.js';

function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** A dump in a folder: at its root or in one sub-folder of it (the device's name), and its layout. */
export interface FolderDump {
  readonly dir: string;
  readonly layout: DumpLayout;
  /** Set when the dump is in a sub-folder. */
  readonly note?: string;
}

/**
 * The dump `dir` holds, or null. Several sub-folders holding dumps give null with no guess: which device
 * to check is the user's choice.
 */
export function iosFilesystemWithin(dir: string): FolderDump | null {
  const here = dumpLayoutOf((p) => isFolder(join(dir, p)));
  if (here !== null) return { dir, layout: here };
  let subs: string[];
  try {
    subs = readdirSync(dir).filter((n) => !n.startsWith('.') && isFolder(join(dir, n)));
  } catch {
    return null;
  }
  const found = subs.flatMap((n) => {
    const layout = dumpLayoutOf((p) => isFolder(join(dir, n, p)));
    return layout === null ? [] : [{ dir: join(dir, n), layout, note: `found an iOS filesystem dump in sub-folder ${n}` }];
  });
  return found.length === 1 ? found[0]! : null;
}

export function looksLikeIosFilesystem(dir: string): boolean {
  return iosFilesystemWithin(dir) !== null;
}

export function openIosFilesystem(root: string, inputs: InputLog, layout: DumpLayout = 'tree'): Source {
  return openIosFilesystemIn(new FolderFiles(realRoot(root), 'links-inside'), inputs, layout);
}

/** A dump wherever its files are stored (`files` follows the phone's links while they stay inside). The source closes `files`. */
export function openIosFilesystemIn(files: StoredFiles, inputs: InputLog, layout: DumpLayout = 'tree'): Source {
  const view = layout === 'partitions' ? new MountedFiles(files, PARTITION_MOUNTS) : files;
  return new TreeSource(view, inputs, { kind: 'ios-fs', specKind: 'device-glob', devicePath: (rel) => `/${rel}` });
}
