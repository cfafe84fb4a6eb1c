/**
 * Zips among intrusion-log exports (MVT walks `.zip` files found among the logs, and zips inside them, naming a
 * member `a.zip::inner.txt`: reference-spec §9.4). A zip is read in memory, through the same zip layer as an
 * acquisition (names checked, sizes held, bombs cut short), never extracted; each `.txt` member is handed over as
 * text with its name. A zip inside is opened the same way, one level deep (a deeper one is a note, not a loop).
 * What cannot be read is a note naming the zip and the member; the other members are read.
 */
import { errorMessage } from '../../errors.js';
import { BufferFile } from '../../evidence/fs/byte-source.js';
import type { FileSystem } from '../../evidence/fs/file-system.js';
import { archiveLimits } from '../../evidence/fs/limits.js';
import { openZipOver } from '../../evidence/fs/zip.js';

/** Zips inside a zip are opened this many levels deep (an export zipped, and that zip zipped again). */
export const MAX_ZIP_DEPTH = 2;

export interface ZipText {
  /** `inner.txt`, or `nested.zip::inner.txt` for a member of a zip inside. */
  readonly member: string;
  readonly text: string;
}

/**
 * The `.txt` members of the zip `data` (named `what` in notes), in the zip's order, nested zips' members after
 * their zip's position. `maxBytes` bounds each member and each nested zip.
 */
export async function* zipTexts(data: Buffer, what: string, maxBytes: number, note: (message: string) => void, depth = 1, prefix = ''): AsyncGenerator<ZipText> {
  let fs: FileSystem;
  try {
    fs = await openZipOver(what, new BufferFile(data), data.length);
  } catch (err) {
    note(firstLine(errorMessage(err)));
    return;
  }
  try {
    for (const r of fs.refused) note(`${what}: member ${r.name} refused: ${r.reason}`);
    let members = 0;
    for await (const entry of fs.entries()) {
      if (entry.type !== 'file') continue;
      const isText = entry.path.endsWith('.txt');
      const isZip = entry.path.endsWith('.zip');
      if (!isText && !isZip) continue;
      if (++members > archiveLimits.maxMembers) {
        note(`${what}: more than ${archiveLimits.maxMembers} log members: the rest are not read`);
        break;
      }
      const name = `${prefix}${entry.path}`;
      if (isZip && depth >= MAX_ZIP_DEPTH) {
        note(`${what}: ${name}: a zip inside a zip inside the logs, deeper than ${MAX_ZIP_DEPTH} levels: not opened`);
        continue;
      }
      let bytes: Buffer;
      try {
        bytes = await fs.read(entry.path, { maxBytes });
      } catch (err) {
        note(`${what}: ${name}: ${firstLine(errorMessage(err))}`);
        continue;
      }
      if (isText) yield { member: name, text: bytes.toString('utf8') };
      else yield* zipTexts(bytes, `${what}::${entry.path}`, maxBytes, note, depth + 1, `${name}::`);
    }
    if (fs.damage) note(`${what}: ${fs.damage}`);
  } finally {
    await fs.close();
  }
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? '';
}
