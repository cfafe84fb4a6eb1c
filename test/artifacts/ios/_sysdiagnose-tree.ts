/** Writes generated sysdiagnose files into a temp folder named like Apple's, and opens it as the CLI would. */
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { InputLog } from '../../../src/evidence/input-log.js';
import { openSysdiagnose } from '../../../src/evidence/ios-sysdiagnose.js';
import type { Source } from '../../../src/evidence/source.js';
import type { AnyArtifact } from '../../../src/artifacts/artifact.js';
import { sysdiagnoseContent, sysdiagnoseFolderName, type SysdiagnosePlant } from '../../../src/synth/sysdiagnose-content.js';
import type { SysdiagnoseFile } from '../../../src/synth/sysdiagnose-files.js';
import { parseSource } from '../../helpers/artifacts.js';

export interface SysdiagnoseTree {
  readonly root: string;
  open(): Source;
  remove(): void;
}

export function writeSysdiagnoseTree(name: string, files: readonly SysdiagnoseFile[]): SysdiagnoseTree {
  const base = mkdtempSync(join(tmpdir(), 'tracehound-sd-'));
  const root = join(base, name);
  mkdirSync(root);
  writeFileSync(join(root, 'sysdiagnose.log'), 'sysdiagnose: collection log\n');
  for (const f of files) {
    const path = join(root, f.path);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, f.data);
    if (f.mtime) utimesSync(path, f.mtime, f.mtime);
  }
  return { root, open: () => openSysdiagnose(root, new InputLog()), remove: () => rmSync(base, { recursive: true, force: true }) };
}

/** An ordinary phone's `logs/MCState/` (profiles and settings events) with `plants` and `extra` files, parsed by `artifact`. */
export async function parseMcState<R>(artifact: AnyArtifact, plants: readonly SysdiagnosePlant[] = [], extra: readonly SysdiagnoseFile[] = []) {
  const files = sysdiagnoseContent(9, { plants }).filter((f) => f.path.startsWith('logs/MCState/'));
  const tree = writeSysdiagnoseTree(sysdiagnoseFolderName(), [...files, ...extra]);
  try {
    const source = tree.open();
    const result = await parseSource<R>(artifact, source);
    await source.close();
    return result;
  } finally {
    tree.remove();
  }
}

/** A profile that silences notifications, installed by "Security Update": the shape of a spyware lure. */
export const spyProfile: SysdiagnosePlant = {
  kind: 'profile',
  identifier: 'com.example.notify',
  uuid: 'A1B2C3D4-0000-4000-8000-000000000001',
  displayName: 'Security Update',
  payloadType: 'com.apple.notificationsettings',
  at: new Date(Date.UTC(2024, 5, 21, 22, 5, 0)),
};
