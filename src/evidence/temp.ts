/**
 * Private scratch space: one 0700 folder per process under the system temp area, holding copies of SQLite
 * evidence (with their -wal/-shm) and the run's own scratch databases. It is removed when the run ends,
 * on error, and on Ctrl-C or SIGTERM. Nothing is ever written next to evidence.
 *
 * Other scratch paths a run creates outside the temp area (an output folder being written, which becomes
 * the result only at the very end) are registered here too, so that every exit path removes them.
 */
import { accessSync, chmodSync, constants, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UserError } from '../errors.js';

let root: string | null = null;
let counter = 0;
let hooksInstalled = false;
const registered = new Set<string>();

/**
 * Fails with one line when the temp area cannot hold the private folder (TMPDIR missing, not a folder, or
 * read-only), so a run stops before any slow work instead of failing inside the first artifact.
 */
export function assertUsableTempArea(): void {
  const dir = tmpdir();
  const hint = 'Tracehound needs a private scratch folder there; set TMPDIR to a writable folder';
  let isDir: boolean;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    throw new UserError('usage', `temp folder ${dir}: no such folder (${hint})`);
  }
  if (!isDir) throw new UserError('usage', `temp folder ${dir}: not a folder (${hint})`);
  try {
    accessSync(dir, constants.W_OK | constants.X_OK);
    // access() says yes to root on a read-only mount: only creating something tells.
    rmSync(mkdtempSync(join(dir, 'tracehound-probe-')), { recursive: true, force: true });
  } catch (err) {
    throw new UserError('usage', `temp folder ${dir}: not writable (${hint})`, { cause: err });
  }
}

export function privateTempRoot(): string {
  if (root === null) {
    // Hooks first: a Ctrl-C between creating the folder and hooking the signals would leave it behind.
    installCleanupHooks();
    try {
      root = mkdtempSync(join(tmpdir(), 'tracehound-'));
    } catch (err) {
      throw new UserError('usage', `temp folder ${tmpdir()}: cannot create a private folder there (set TMPDIR to a writable folder)`, { cause: err });
    }
    chmodSync(root, 0o700);
  }
  return root;
}

/**
 * In a worker thread of a `--jobs` pool: scratch goes inside the main thread's private folder, which the main
 * thread removes (on every exit path, signals included: a worker thread gets no signals and no exit hooks).
 */
export function usePrivateTempOf(parentRoot: string): void {
  root = parentRoot;
  hooksInstalled = true;
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

/** A scratch path outside the temp area (a half-written output folder) that every exit path must remove. */
export function registerScratchPath(path: string): void {
  installCleanupHooks();
  registered.add(path);
}

/** The path became a result (or was removed by its owner): exits no longer remove it. */
export function unregisterScratchPath(path: string): void {
  registered.delete(path);
}

let holders = 0;

/**
 * Marks the temp area as in use by one run (a check, a decrypt) until the returned release is called; the last
 * release removes it. Two runs in one process (a library user's `Promise.all`) so never pull the folder from
 * under each other.
 */
export function holdPrivateTemp(): () => void {
  holders++;
  let released = false;
  return () => {
    if (released) return;
    released = true;
    if (--holders === 0) {
      if (root !== null) rmSync(root, { recursive: true, force: true });
      root = null;
    }
  };
}

/**
 * Removes everything this process put in the temp area and every registered scratch path. Synchronous, so
 * a signal handler can call it right before exiting. Safe to call more than once.
 */
export function cleanupPrivateTemp(): void {
  for (const path of registered) rmSync(path, { recursive: true, force: true });
  registered.clear();
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
    const onSignal = () => {
      // When the application handles the signal itself (the CLI aborts the run, which then cleans up in its
      // `finally` blocks, and exits 130/143), removing files under the still-running work would only turn the
      // interruption into confusing read errors. Alone (library use), clean up and die of the signal.
      if (process.listenerCount(signal) > 1) return;
      cleanupPrivateTemp();
      process.removeListener(signal, onSignal);
      process.kill(process.pid, signal);
    };
    process.on(signal, onSignal);
  }
}
