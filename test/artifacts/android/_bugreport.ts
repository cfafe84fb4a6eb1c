/** Opens a bugreport (folder, archive or lone dumpstate) as the CLI would, and writes generated ones. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { AnyArtifact } from '../../../src/artifacts/artifact.js';
import { detectInput } from '../../../src/evidence/detect.js';
import { InputLog } from '../../../src/evidence/input-log.js';
import { parseSource, type ArtifactResult } from '../../helpers/artifacts.js';
import { shared } from '../../helpers/data.js';

export const mvtBugreport = () => shared('mvt-test-artifacts', 'android_data', 'bugreport');
export const mvtAndroidData = (name: string) => shared('mvt-test-artifacts', 'android_data', name);
export const oldBugreport = () => shared('samples', 'chkbugreport', 'examples', 'bugreports', 'bugreport_deadlock.txt');

export async function parseBugreport<R>(artifact: AnyArtifact, path: string): Promise<ArtifactResult<R>> {
  const found = await detectInput(path, 'android-bugreport');
  const source = await found.open(new InputLog());
  try {
    return await parseSource<R>(artifact, source);
  } finally {
    await source.close();
  }
}

/** A temp bugreport folder holding `files`; main_entry.txt naming dumpstate.txt is added when absent. */
export function writeBugreport(files: Record<string, string | Buffer>): { root: string; base: string; remove(): void } {
  const base = mkdtempSync(join(tmpdir(), 'tracehound-bugreport-'));
  const root = join(base, 'bugreport-a10-2024-05-01');
  mkdirSync(root);
  const all = { 'main_entry.txt': 'dumpstate.txt', 'dumpstate.txt': '== dumpstate: 2024-05-01 10:11:12\n', ...files };
  for (const [rel, data] of Object.entries(all)) {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), data);
  }
  return { root, base, remove: () => rmSync(base, { recursive: true, force: true }) };
}

/** Parses `artifact` on a generated bugreport folder holding `files`. */
export async function parseBugreportFiles<R>(artifact: AnyArtifact, files: Record<string, string | Buffer>): Promise<ArtifactResult<R>> {
  const tree = writeBugreport(files);
  try {
    return await parseBugreport<R>(artifact, tree.root);
  } finally {
    tree.remove();
  }
}
