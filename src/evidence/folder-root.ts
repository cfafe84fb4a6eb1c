/**
 * Where in a folder the user gave an acquisition is: the folder itself, or its one sub-folder that is one (an
 * archive unpacked into a folder of its own). Two candidate sub-folders is no answer: which one was meant is
 * not ours to guess. An unreadable folder holds none.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export function folderOrOnlySubfolder(dir: string, isAcquisition: (dir: string) => boolean): string | null {
  if (isAcquisition(dir)) return dir;
  if (!existsSync(dir)) return null;
  let inside: string[];
  try {
    inside = readdirSync(dir, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => join(dir, d.name))
      .filter(isAcquisition);
  } catch {
    return null;
  }
  return inside.length === 1 ? inside[0]! : null;
}
