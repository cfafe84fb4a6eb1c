/**
 * A sysdiagnose: the archive an iPhone writes when its owner presses both volume buttons and the side button
 * (`sysdiagnose_2024.01.02_03-04-05+0200_iPhone-OS_iPhone_21C66.tar.gz`, one top-level folder of the same
 * name), read as a folder or straight from the archive (stored-files.ts), never extracted. Files are
 * addressed by their path inside that folder (`path-glob` specs: `logs/MobileInstallation/…`).
 *
 * A sysdiagnose holds no links of the phone's; any link in it is refused like one in a backup.
 */
import { statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { realRoot } from './contained.js';
import type { InputLog } from './input-log.js';
import type { AcquisitionInfo, Source } from './source.js';
import { FolderFiles, type StoredFiles } from './stored-files.js';
import { TreeSource } from './tree-source.js';
import { folderOrOnlySubfolder } from './folder-root.js';

/** Entries every sysdiagnose has at the top of its folder: the collection log and the unified log archive. */
export const SYSDIAGNOSE_MARKERS = [
  { path: 'sysdiagnose.log', type: 'file' },
  { path: 'system_logs.logarchive', type: 'directory' },
] as const;

export function looksLikeSysdiagnose(dir: string): boolean {
  return SYSDIAGNOSE_MARKERS.some((m) => {
    try {
      const st = statSync(join(dir, m.path));
      return m.type === 'file' ? st.isFile() : st.isDirectory();
    } catch {
      return false;
    }
  });
}

/** The folder itself, or its one sub-folder that is a sysdiagnose (an archive unpacked into a folder of its own). */
export function sysdiagnoseRootWithin(dir: string): string | null {
  return folderOrOnlySubfolder(dir, looksLikeSysdiagnose);
}

/**
 * What the folder name says: `sysdiagnose_<YYYY.MM.DD>_<HH-MM-SS><±HHMM>_<platform>_<model>_<build>`. The
 * time is the phone's local time with its offset, so it converts to UTC exactly.
 */
export function sysdiagnoseNameInfo(name: string): Partial<Pick<AcquisitionInfo, 'device' | 'acquiredAt'>> {
  const m = /^sysdiagnose_(\d{4})\.(\d{2})\.(\d{2})_(\d{2})-(\d{2})-(\d{2})([+-]\d{2})(\d{2})_(.+?)(?:\.tar\.gz|\.tgz)?$/.exec(name);
  if (!m) return {};
  const [, y, mo, d, h, mi, s, oh, om, rest] = m;
  const acquiredAt = new Date(`${y}-${mo}-${d}T${h}:${mi}:${s}${oh}:${om}`);
  const parts = rest!.split('_');
  const build = parts.length >= 3 ? parts[parts.length - 1] : undefined;
  const productType = parts.length >= 3 ? parts.slice(1, -1).join('_') : undefined;
  return {
    ...(Number.isNaN(acquiredAt.getTime()) ? {} : { acquiredAt }),
    device: { ...(productType ? { productType } : {}), ...(build ? { buildVersion: build } : {}) },
  };
}

export function openSysdiagnose(root: string, inputs: InputLog): Source {
  return openSysdiagnoseIn(new FolderFiles(realRoot(root), 'no-links'), inputs, basename(root));
}

/** `name` is the sysdiagnose folder's name (what it says about the device and the time is read from it). The source closes `files`. */
export function openSysdiagnoseIn(files: StoredFiles, inputs: InputLog, name: string): Source {
  return new TreeSource(files, inputs, { kind: 'ios-sysdiagnose', specKind: 'path-glob', describe: () => sysdiagnoseNameInfo(name) });
}
