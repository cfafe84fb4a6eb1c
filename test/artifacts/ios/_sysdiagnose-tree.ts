/** Writes generated sysdiagnose files into a temp folder named like Apple's, and opens it as the CLI would. */
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { InputLog } from '../../../src/evidence/input-log.js';
import { openSysdiagnose } from '../../../src/evidence/ios-sysdiagnose.js';
import type { Source } from '../../../src/evidence/source.js';
import type { SysdiagnoseFile } from '../../../src/synth/sysdiagnose-files.js';

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
