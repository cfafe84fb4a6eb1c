/**
 * Private scratch space: one 0700 folder per process under the system temp area, holding copies of SQLite
 * evidence (with their -wal/-shm) and the run's own scratch databases. It is removed when the run ends,
 * on error, and on Ctrl-C or SIGTERM. Nothing is ever written next to evidence.
 */
import { mkdtempSync, rmSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let root: string | null = null;
let counter = 0;
let hooksInstalled = false;

export function privateTempRoot(): string {
  if (root === null) {
    // Hooks first: a Ctrl-C between creating the folder and hooking the signals would leave it behind.
    installCleanupHooks();
    root = mkdtempSync(join(tmpdir(), 'tracehound-'));
    chmodSync(root, 0o700);
  }
  return root;
}

/** A fresh, private sub-folder for one use (one SQLite copy, one scratch store). */
export function privateTempDir(label: string): string {
  const dir = mkdtempSync(join(privateTempRoot(), `${label.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 40)}-${counter++}-`));
  chmodSync(dir, 0o700);
  return dir;
}

export function removeTempDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** Removes everything this process put in the temp area. Safe to call more than once. */
export function cleanupPrivateTemp(): void {
  if (root !== null) {
    rmSync(root, { recursive: true, force: true });
    root = null;
  }
}

function installCleanupHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.once('exit', cleanupPrivateTemp);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      cleanupPrivateTemp();
      process.kill(process.pid, signal);
    });
  }
}
