/**
 * The one guard every command that writes goes through (`check -o`, `ios extract-key -o`, `ios decrypt -o`).
 *
 * - Evidence is compared by real path (symlinks resolved, for a target that does not exist yet through its
 *   nearest existing ancestor), both ways: results never go inside or onto evidence, and a folder that would
 *   be replaced never contains evidence.
 * - A symlink given as the target is refused, never followed.
 * - The target is validated, and its scratch twin created, before any slow work: a bad `-o` costs nothing.
 * - Results are written beside the target under a hidden scratch name and renamed into place at the end, so
 *   an interrupted or failed run leaves the previous results (or nothing) and never a half-written mix.
 */
import { closeSync, constants, existsSync, fsyncSync, lstatSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, realpathSync, renameSync, rmSync, statSync, writeSync, chmodSync, type Stats } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { registerScratchPath, unregisterScratchPath } from '../evidence/temp.js';
import { errorMessage, OutputError, UserError } from '../errors.js';

export interface WriteGuard {
  /** The option named in messages (`--output`). */
  readonly flag: string;
  /** Every evidence root this run reads (as given and as detected); compared by real path. */
  readonly evidence: readonly string[];
  /** Evidence is encrypted: results hold plaintext, so folders are 0700 and files 0600. */
  readonly privateMode?: boolean;
}

/** A file written in one piece at the end (a key file). */
export interface PendingFile {
  readonly path: string;
  commit(data: Buffer | string): void;
  discard(): void;
}

/** A folder filled during the run; `dir` is where to write until `commit` puts it in place. */
export interface PendingFolder {
  readonly path: string;
  readonly dir: string;
  readonly fileMode: number;
  commit(): void;
  discard(): void;
}

/** Real path of `path`, which need not exist: its nearest existing ancestor resolved, the rest appended. */
export function realPathAllowingMissing(path: string): string {
  const abs = resolve(path);
  const rest: string[] = [];
  let at = abs;
  for (;;) {
    try {
      return join(realpathSync(at), ...rest.reverse());
    } catch {
      const up = dirname(at);
      if (up === at) return abs;
      rest.push(basename(at));
      at = up;
    }
  }
}

function isWithin(parent: string, child: string): boolean {
  const rel = relative(parent, child);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

/** Refuses a target inside or equal to evidence, or one that contains evidence. */
export function refuseEvidenceOverlap(target: string, guard: WriteGuard): void {
  const real = realPathAllowingMissing(target);
  for (const given of guard.evidence) {
    const evidence = realPathAllowingMissing(given);
    if (isWithin(evidence, real)) {
      throw new UserError('usage', `${guard.flag} ${target}: is inside the evidence ${given}${real !== resolve(target) ? ` (through a link, it is ${real})` : ''}; write results elsewhere (evidence is never modified)`);
    }
    if (isWithin(real, evidence)) throw new UserError('usage', `${guard.flag} ${target}: contains the evidence ${given}; write results elsewhere`);
  }
}

function lstatOrNull(path: string): Stats | null {
  try {
    return lstatSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null; // ENOTDIR: a file on the way, reported by the caller
    throw err;
  }
}

function kindOf(st: Stats): string {
  if (st.isSymbolicLink()) return 'a symbolic link';
  if (st.isDirectory()) return 'a folder';
  if (st.isFile()) return 'a file';
  return 'a device or special file';
}

/**
 * Creates the missing folders above a target one level at a time (never `mkdir -p`: on /proc it loops
 * forever), refusing to go through anything but folders.
 */
function ensureParentFolders(target: string, flag: string): string {
  const parent = dirname(resolve(target));
  const missing: string[] = [];
  let at = parent;
  let st = lstatOrNull(at);
  while (st === null) {
    missing.push(at);
    const up = dirname(at);
    if (up === at) break;
    at = up;
    st = lstatOrNull(at);
  }
  if (st !== null) {
    const real = st.isSymbolicLink() ? statOrNull(at) : st;
    if (real === null || !real.isDirectory()) throw new UserError('usage', `${flag} ${target}: ${at} is ${real === null ? 'a dangling link' : kindOf(real)}, not a folder`);
  }
  for (const dir of missing.reverse()) {
    try {
      mkdirSync(dir, { mode: 0o755 });
    } catch (err) {
      throw new UserError('usage', `${flag} ${target}: cannot create the folder ${dir} (${errnoText(err)})`, { cause: err });
    }
  }
  return realpathSync(parent);
}

function statOrNull(path: string): Stats | null {
  try {
    return statSync(path);
  } catch {
    return null;
  }
}

function errnoText(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  const text: Record<string, string> = {
    EACCES: 'permission denied',
    EPERM: 'not permitted',
    EROFS: 'read-only file system',
    ENOENT: 'no such folder',
    ENOTDIR: 'not a folder',
    ENOSPC: 'no space left',
    EEXIST: 'already exists',
  };
  return (code && text[code]) ?? errorMessage(err);
}

/**
 * Validates a file target (`ios extract-key -o`) and creates its scratch twin at once, so an unwritable place
 * is found before the slow key derivation. An existing regular file is replaced only with `force`; a link,
 * a folder, a device (`/dev/null`) never.
 */
export function openOutputFile(target: string, guard: WriteGuard & { readonly force?: boolean }): PendingFile {
  refuseEvidenceOverlap(target, guard);
  const path = resolve(target);
  const st = lstatOrNull(path);
  if (st !== null) {
    if (!st.isFile()) throw new UserError('usage', `${guard.flag} ${target}: is ${kindOf(st)}; expected a new file name${st.isSymbolicLink() ? ' (links are never followed)' : ''}`);
    if (!guard.force) throw new UserError('usage', `${guard.flag} ${target}: already exists; choose a new name, or pass --force to replace it`);
  }
  const parent = ensureParentFolders(path, guard.flag);
  const scratch = join(parent, `.${basename(path)}.tracehound-${process.pid}-${Date.now().toString(36)}`);
  let fd: number;
  try {
    fd = openSync(scratch, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
  } catch (err) {
    throw new UserError('usage', `${guard.flag} ${target}: cannot write in ${parent} (${errnoText(err)})`, { cause: err });
  }
  registerScratchPath(scratch);
  const final = join(parent, basename(path));
  const discard = () => {
    try {
      closeSync(fd);
    } catch {
      /* already closed */
    }
    rmSync(scratch, { force: true });
    unregisterScratchPath(scratch);
  };
  return {
    path: final,
    commit(data) {
      try {
        if (typeof data === 'string') writeSync(fd, data);
        else writeSync(fd, data);
        fsyncSync(fd);
        closeSync(fd);
        chmodSync(scratch, 0o600);
        renameSync(scratch, final); // replaces a regular file (--force), never writes through a link
      } catch (err) {
        discard();
        throw new OutputError(`${guard.flag} ${target}: cannot write (${errnoText(err)})`, { cause: err });
      }
      unregisterScratchPath(scratch);
    },
    discard,
  };
}

export type ExistingFolderPolicy =
  /** Only a new or empty folder (`ios decrypt`: a plaintext copy never replaces anything). */
  | { readonly replace: 'never' }
  /** A folder holding a previous run may be replaced whole, when `sameRun` says it is one (else the reason). */
  | { readonly replace: 'previous-run'; readonly sameRun: (dir: string) => true | string };

/**
 * Validates a folder target and creates its hidden scratch twin beside it (same file system, so `commit` is a
 * rename). A non-empty folder is refused unless the policy accepts it, and is then replaced whole.
 */
export function openOutputFolder(target: string, guard: WriteGuard, policy: ExistingFolderPolicy): PendingFolder {
  refuseEvidenceOverlap(target, guard);
  const path = resolve(target);
  const st = lstatOrNull(path);
  if (st !== null) {
    if (!st.isDirectory()) throw new UserError('usage', `${guard.flag} ${target}: is ${kindOf(st)}; expected a new or empty folder${st.isSymbolicLink() ? ' (links are never followed)' : ''}`);
    const entries = readdirSync(path);
    if (entries.length > 0) {
      const verdict = policy.replace === 'previous-run' ? policy.sameRun(path) : 'is not empty';
      if (verdict !== true) throw new UserError('usage', `${guard.flag} ${target}: ${verdict}; choose a new or empty folder`);
    }
  }
  const parent = ensureParentFolders(path, guard.flag);
  const final = join(parent, basename(path));
  /** Whether the target may be replaced now: another run may have put results there since we looked. */
  const mayReplace = (): true | string => {
    const now = lstatOrNull(final);
    if (now === null || (now.isDirectory() && readdirSync(final).length === 0)) return true;
    if (!now.isDirectory()) return `is now ${kindOf(now)}`;
    return policy.replace === 'previous-run' ? policy.sameRun(final) : 'is not empty';
  };
  let dir: string;
  try {
    dir = mkdtempSync(join(parent, `.${basename(path)}.tracehound-partial-`));
  } catch (err) {
    throw new UserError('usage', `${guard.flag} ${target}: cannot write in ${parent} (${errnoText(err)})`, { cause: err });
  }
  registerScratchPath(dir);
  const privateMode = guard.privateMode === true;
  chmodSync(dir, privateMode ? 0o700 : 0o755);
  return {
    path: final,
    dir,
    fileMode: privateMode ? 0o600 : 0o644,
    commit() {
      const verdict = mayReplace();
      if (verdict !== true) throw new OutputError(`${guard.flag} ${target}: ${verdict} (another run wrote there meanwhile); these results were not kept`);
      try {
        if (existsSync(final) && readdirSync(final).length > 0) {
          // rename() cannot replace a non-empty folder: move the old one aside, put the new one in, drop the old.
          const old = mkdtempSync(join(parent, `.${basename(path)}.tracehound-old-`));
          renameSync(final, join(old, 'previous'));
          try {
            renameSync(dir, final);
          } catch (err) {
            renameSync(join(old, 'previous'), final); // the previous results stay as they were
            rmSync(old, { recursive: true, force: true });
            throw err;
          }
          rmSync(old, { recursive: true, force: true });
        } else {
          renameSync(dir, final); // also over an empty folder (POSIX rename)
        }
      } catch (err) {
        throw new OutputError(`${guard.flag} ${target}: cannot put the results in place (${errnoText(err)})`, { cause: err });
      }
      unregisterScratchPath(dir);
    },
    discard() {
      rmSync(dir, { recursive: true, force: true });
      unregisterScratchPath(dir);
    },
  };
}

/** Largest info.json read to recognise a previous run; a real one is a few KB per input file. */
const MAX_INFO_JSON_BYTES = 64 * 1024 * 1024;

/**
 * A folder holds a previous Tracehound run of the same acquisition when its info.json names the same
 * acquisition root (native `target`, MVT-format `target_path`) and it holds nothing but output files.
 */
export function previousRunOf(acquisitionRoot: string): (dir: string) => true | string {
  return (dir) => {
    const info = join(dir, 'info.json');
    const st = lstatOrNull(info);
    if (st === null || !st.isFile()) return 'is not empty and holds no Tracehound results (no info.json)';
    if (st.size > MAX_INFO_JSON_BYTES) return 'holds an info.json too large to be a Tracehound one';
    let named: unknown;
    try {
      const parsed = JSON.parse(readFileSync(info, 'utf8')) as Record<string, unknown>;
      named = parsed.target ?? parsed.target_path;
    } catch {
      return 'holds an info.json that is not Tracehound\'s';
    }
    if (typeof named !== 'string') return 'holds an info.json that names no acquisition';
    if (realPathAllowingMissing(named) !== realPathAllowingMissing(acquisitionRoot)) {
      return `holds the results of another acquisition (${named}); results of two devices are never mixed`;
    }
    const foreign = readdirSync(dir, { withFileTypes: true }).filter((e) => !e.isFile() || !/\.(json|csv)$/.test(e.name));
    if (foreign.length > 0) return `holds files Tracehound did not write (${foreign.slice(0, 3).map((e) => e.name).join(', ')})`;
    return true;
  };
}
