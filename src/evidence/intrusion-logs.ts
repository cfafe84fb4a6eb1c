/**
 * Android 16 intrusion-logging exports on their own (MVT's `check-intrusion-logs`): a folder (or a zip, tar,
 * tar.gz, or an age-encrypted zip) of `.txt` files, one JSON event a line. Recognised by content, never by
 * name: a text file at the root, or in one top-level folder (`intrusion_logs/`), whose first line is a JSON
 * object keyed by an intrusion-log event type. The artifacts read `*.txt` and `*\/*.txt` below that root.
 * There is no getprop.txt beside them, so times are given in UTC only (docs/dev/time.md).
 */
import { closeSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { INTRUSION_TYPES, isObject } from '../formats/intrusion-logs.js';
import { realRoot } from './contained.js';
import type { FileSystem } from './fs/file-system.js';
import type { InputLog } from './input-log.js';
import type { Source } from './source.js';
import { FolderFiles, type StoredFiles } from './stored-files.js';
import { TreeSource } from './tree-source.js';

/** Enough for the first line of any real export; the rest of the file is the artifacts' business. */
const PROBE_BYTES = 64 * 1024;
/** Files looked at per folder when recognising one: a folder of thousands of unrelated .txt files is not opened in full. */
const PROBE_FILES = 20;

/** True when the first non-empty line of `head` is a JSON object with an intrusion-log event type as a key. */
export function looksLikeIntrusionLog(head: Buffer): boolean {
  const text = head.toString('utf8');
  const line = text.split('\n').find((l) => l.trim() !== '');
  if (line === undefined) return false;
  try {
    const value: unknown = JSON.parse(line);
    return isObject(value) && INTRUSION_TYPES.some((t) => isObject(value[t]));
  } catch {
    return false;
  }
}

function probeFile(path: string): Buffer {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return Buffer.alloc(0);
  }
  try {
    const buf = Buffer.alloc(PROBE_BYTES);
    return buf.subarray(0, readSync(fd, buf, 0, PROBE_BYTES, 0));
  } catch {
    return Buffer.alloc(0);
  } finally {
    closeSync(fd);
  }
}

function folderHoldsLogs(dir: string): boolean {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.txt')).sort().slice(0, PROBE_FILES);
  } catch {
    return false;
  }
  return names.some((n) => {
    try {
      return statSync(join(dir, n)).isFile() && looksLikeIntrusionLog(probeFile(join(dir, n)));
    } catch {
      return false;
    }
  });
}

/** The folder itself, or its `intrusion_logs` sub-folder, when it holds intrusion-log exports. */
export function intrusionLogsRootWithin(dir: string): string | null {
  if (folderHoldsLogs(dir)) return dir;
  const sub = join(dir, 'intrusion_logs');
  return folderHoldsLogs(sub) ? sub : null;
}

/** The archive's root ('') or top-level folders whose `.txt` files are intrusion-log exports. */
export async function intrusionLogPrefixes(fs: FileSystem, tops: readonly string[]): Promise<string[]> {
  const candidates = new Map<string, string[]>();
  for await (const e of fs.entries()) {
    if (e.type !== 'file' || !e.path.endsWith('.txt')) continue;
    const cut = e.path.indexOf('/');
    const prefix = cut === -1 ? '' : e.path.slice(0, cut);
    if (cut !== -1 && (e.path.indexOf('/', cut + 1) !== -1 || !tops.includes(prefix))) continue;
    const list = candidates.get(prefix) ?? [];
    if (list.length < PROBE_FILES) list.push(e.path);
    candidates.set(prefix, list);
  }
  const found: string[] = [];
  for (const [prefix, paths] of candidates) {
    for (const path of paths) {
      if (looksLikeIntrusionLog(await streamHead(fs, path))) {
        found.push(prefix);
        break;
      }
    }
  }
  return found.includes('') ? [''] : found.sort();
}

async function streamHead(fs: FileSystem, path: string): Promise<Buffer> {
  const parts: Buffer[] = [];
  let got = 0;
  try {
    const stream = await fs.openStream(path);
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      parts.push(chunk);
      got += chunk.length;
      if (got >= PROBE_BYTES) break;
    }
    stream.destroy();
  } catch {
    // A member that cannot be read is not evidence of anything here; the artifacts report it.
  }
  return Buffer.concat(parts).subarray(0, PROBE_BYTES);
}

export function openIntrusionLogs(root: string, inputs: InputLog): Source {
  return openIntrusionLogsIn(new FolderFiles(realRoot(root), 'no-links'), inputs);
}

/** The source closes `files`. */
export function openIntrusionLogsIn(files: StoredFiles, inputs: InputLog): Source {
  return new TreeSource(files, inputs, { kind: 'android-intrusion-logs', specKind: 'path-glob' });
}
