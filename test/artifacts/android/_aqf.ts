/** Opens an androidqf acquisition (folder or archive) as the CLI would, and writes generated ones. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { AnyArtifact } from '../../../src/artifacts/artifact.js';
import { detectInput } from '../../../src/evidence/detect.js';
import { InputLog } from '../../../src/evidence/input-log.js';
import { parseSource, type ArtifactResult } from '../../helpers/artifacts.js';
import { shared } from '../../helpers/data.js';

export const mvtAndroidqf = () => shared('mvt-test-artifacts', 'androidqf');
export const mvtAndroidqfZip = () => shared('mvt-test-artifacts', 'androidqf.zip');

export async function parseAqf<R>(artifact: AnyArtifact, path: string): Promise<ArtifactResult<R>> {
  const found = await detectInput(path, 'android-androidqf');
  const source = await found.open(new InputLog());
  try {
    return await parseSource<R>(artifact, source);
  } finally {
    await source.close();
  }
}

/** A temp androidqf folder holding `files` (getprop.txt is added when absent, as androidqf always writes it). */
export function writeAqf(files: Record<string, string | Buffer>): { root: string; remove(): void } {
  const base = mkdtempSync(join(tmpdir(), 'tracehound-aqf-'));
  const root = join(base, 'androidqf_2024-05-01');
  mkdirSync(root);
  const all = { 'getprop.txt': '[ro.build.version.release]: [14]\n', ...files };
  for (const [rel, data] of Object.entries(all)) {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), data);
  }
  return { root, remove: () => rmSync(base, { recursive: true, force: true }) };
}

/** Parses `artifact` on a generated androidqf folder holding `files`. */
export async function parseAqfFiles<R>(artifact: AnyArtifact, files: Record<string, string | Buffer>): Promise<ArtifactResult<R>> {
  const tree = writeAqf(files);
  try {
    return await parseAqf<R>(artifact, tree.root);
  } finally {
    tree.remove();
  }
}
