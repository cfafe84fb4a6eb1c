/**
 * The shared third-party data is evidence too: the whole test run must leave it exactly as it found it. Every
 * entry under ../shared/data is listed and hashed before the first test file and again after the last; any
 * file created (a -wal or -shm beside a database opened in place), changed or removed fails the run, naming it.
 */
import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { sharedData } from './helpers/data.js';

function fingerprint(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      const st = lstatSync(path);
      const rel = relative(root, path);
      if (st.isDirectory()) {
        out.set(`${rel}/`, 'folder');
        walk(path);
      } else out.set(rel, st.isFile() ? createHash('sha256').update(readFileSync(path)).digest('hex') : `mode ${st.mode.toString(8)}`);
    }
  };
  walk(root);
  return out;
}

export default function setup(): () => void {
  const before = fingerprint(sharedData);
  return () => {
    const after = fingerprint(sharedData);
    const changes = [
      ...[...after.keys()].filter((k) => !before.has(k)).map((k) => `created ${k}`),
      ...[...before.keys()].filter((k) => !after.has(k)).map((k) => `removed ${k}`),
      ...[...before.keys()].filter((k) => after.has(k) && after.get(k) !== before.get(k)).map((k) => `changed ${k}`),
    ];
    if (changes.length === 0) return;
    // Vitest reports an error thrown here but still exits 0, so the exit code is set as well.
    process.exitCode = 1;
    throw new Error(`the test run modified the shared evidence in ${sharedData}: ${changes.join(', ')}`);
  };
}
