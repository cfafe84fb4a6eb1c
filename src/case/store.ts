/**
 * Opening a case folder: `DIR/case.db`, created (folder 0700, file 0600: a case holds what the evidence says)
 * when asked to, migrated to the current schema, refused with one line when it is not a case or is damaged.
 *
 * An encrypted case holds `DIR/case.db.age` instead (sealed.ts: an age file of the database's image), opened
 * with the `CaseSeal` its credentials unlock (`unlockSeal`); `lockCase` and `unlockCase` turn one kind into
 * the other. A folder never holds both: that is an interrupted lock or unlock, refused with one line.
 */
import { closeSync, constants, existsSync, fsyncSync, lstatSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { UserError, errorMessage } from '../errors.js';
import type { AgeCredentialProvider } from '../evidence/fs/age.js';
import { caseDbImage, openCaseDb, openSealedCaseDb, sealCaseDbImage, sealedCaseDbImage, type CaseDb } from './db.js';
import { CaseError } from './errors.js';
import { migrate } from './schema.js';
import { openSeal, readSealed, type CaseSeal } from './sealed.js';

export const CASE_DB_NAME = 'case.db';
export const SEALED_CASE_DB_NAME = 'case.db.age';

export interface OpenCase {
  readonly dir: string;
  /** The database file on disk: `case.db`, or `case.db.age` for an encrypted case. */
  readonly dbPath: string;
  readonly db: CaseDb;
  /** True when this open created the case. */
  readonly created: boolean;
  readonly encrypted: boolean;
  close(): void;
}

export interface OpenCaseOptions {
  /** A missing or empty folder becomes a new case (encrypted when `seal` is given). */
  readonly create?: boolean;
  /** The key of an encrypted case (`unlockSeal`), or of the new encrypted case `create` makes (`newSeal`). */
  readonly seal?: CaseSeal;
}

export function caseDbPath(dir: string): string {
  return join(resolve(dir), CASE_DB_NAME);
}

/** What `dir` holds: a plain case, an encrypted one, or no case; a folder holding both is refused. */
export function caseKind(dir: string): 'plain' | 'encrypted' | 'none' {
  const root = resolve(dir);
  const plain = existsSync(join(root, CASE_DB_NAME));
  const sealed = existsSync(join(root, SEALED_CASE_DB_NAME));
  if (plain && sealed) {
    throw new CaseError(
      'bad-case-folder',
      `${root}: holds both ${CASE_DB_NAME} and ${SEALED_CASE_DB_NAME} (an interrupted \`case lock\` or \`case unlock\`?): check which one opens, then remove the other`,
    );
  }
  return sealed ? 'encrypted' : plain ? 'plain' : 'none';
}

/**
 * The seal of the encrypted case in `dir`, the credentials asked for what its header needs (a wrong one is a
 * UserError naming the case file, exit 2); undefined when the case is not encrypted (nothing is asked).
 */
export async function unlockSeal(dir: string, credentials: AgeCredentialProvider): Promise<CaseSeal | undefined> {
  if (caseKind(dir) !== 'encrypted') return undefined;
  return openSeal(join(resolve(dir), SEALED_CASE_DB_NAME), credentials);
}

/**
 * Opens the case in `dir`. `create`: a missing or empty folder becomes a new case; a folder holding other
 * files is refused (a case never mixes with other data, so it is never written beside evidence by mistake).
 */
export function openCase(dir: string, opts: OpenCaseOptions = {}): OpenCase {
  const root = resolve(dir);
  const kind = caseKind(root);
  const encrypted = kind === 'encrypted' || (kind === 'none' && opts.seal !== undefined);
  const dbPath = join(root, encrypted ? SEALED_CASE_DB_NAME : CASE_DB_NAME);
  let created = false;
  if (kind === 'none') {
    if (opts.create !== true) throw new CaseError('not-a-case', `${root}: not a case folder (no ${CASE_DB_NAME}; \`tracehound check PATH --case ${dir}\` creates one)`);
    prepareFolder(root);
    created = true;
  } else if (!lstatSync(dbPath).isFile()) {
    throw new CaseError('bad-case-folder', `${dbPath}: not a regular file (expected the case database)`);
  } else if (kind === 'encrypted' && opts.seal === undefined) {
    throw new CaseError('encrypted', `${dbPath}: an encrypted case; its passphrase or identity is needed to open it`);
  } else if (kind === 'plain' && opts.seal !== undefined) {
    throw new CaseError('wrong-state', `${root}: the case is not encrypted (${CASE_DB_NAME}); \`tracehound case lock ${dir}\` encrypts it`);
  }
  let db: CaseDb;
  try {
    if (encrypted) {
      db = openSealedCaseDb(dbPath, opts.seal!, { create: created });
    } else {
      if (created) closeSync(openSync(dbPath, 'wx', 0o600));
      db = openCaseDb(dbPath);
    }
  } catch (err) {
    if (err instanceof UserError) throw new CaseError('damaged', err.message, { cause: err });
    throw new CaseError('damaged', `${dbPath}: not a readable case database (${errorMessage(err)})`, { cause: err });
  }
  try {
    // Reading commands migrate too: a case is always read at the version this build writes.
    migrate(db);
    // In a transaction: an encrypted case writes only what a transaction commits.
    if (created) db.transaction(() => db.prepare(`INSERT INTO case_info (name, value) VALUES ('created_at', ?)`).run(new Date().toISOString()));
  } catch (err) {
    db.close();
    if (err instanceof CaseError) throw new CaseError(err.problem, `${dbPath}: ${err.message}`, { cause: err });
    if (err instanceof UserError) throw err; // a save that could not be written names the file itself
    throw new CaseError('damaged', `${dbPath}: not a readable case database (${errorMessage(err)})`, { cause: err });
  }
  return { dir: root, dbPath, db, created, encrypted, close: () => db.close() };
}

/**
 * Encrypts the plain case in `dir` with `seal`: `case.db.age` written (and read back and compared), then
 * `case.db` overwritten with zeros, fsynced and removed. The overwrite is best effort: on an SSD or a
 * copy-on-write file system the old blocks may survive it (docs/case-encryption.md).
 */
export function lockCase(dir: string, seal: CaseSeal): string {
  const root = resolve(dir);
  refuseCaseState(root, 'encrypted');
  // Opened (and migrated) first: a folder that is not a readable case is refused before anything is written.
  openCase(root).close();
  const plainPath = join(root, CASE_DB_NAME);
  const sealedPath = join(root, SEALED_CASE_DB_NAME);
  let image: Buffer;
  try {
    image = caseDbImage(plainPath);
  } catch (err) {
    throw new CaseError('damaged', `${plainPath}: cannot read the case to encrypt it (${errorMessage(err)}); nothing changed`, { cause: err });
  }
  try {
    try {
      sealCaseDbImage(sealedPath, seal, image);
    } catch (err) {
      throw new UserError('output', `${sealedPath}: cannot write the encrypted case (${(err as NodeJS.ErrnoException).code ?? errorMessage(err)}); ${CASE_DB_NAME} is left as it was`, { cause: err });
    }
    const back = readSealed(sealedPath, seal);
    const same = back.equals(image);
    back.fill(0);
    if (!same) {
      rmSync(sealedPath, { force: true });
      throw new CaseError('damaged', `${sealedPath}: the encrypted copy does not read back as written; ${CASE_DB_NAME} is left as it was`);
    }
  } finally {
    image.fill(0);
  }
  wipeFile(plainPath);
  return sealedPath;
}

/** Decrypts the encrypted case in `dir` into a plain `case.db` (mode 0600), then removes `case.db.age`. */
export function unlockCase(dir: string, seal: CaseSeal): string {
  const root = resolve(dir);
  refuseCaseState(root, 'plain');
  const plainPath = join(root, CASE_DB_NAME);
  const sealedPath = join(root, SEALED_CASE_DB_NAME);
  let image: Buffer;
  try {
    image = sealedCaseDbImage(sealedPath, seal);
  } catch (err) {
    if (err instanceof UserError) throw new CaseError('damaged', err.message, { cause: err });
    throw new CaseError('damaged', `${sealedPath}: not a readable case database (${errorMessage(err)})`, { cause: err });
  }
  try {
    writeAtomically(plainPath, image);
  } catch (err) {
    throw new UserError('output', `${plainPath}: cannot write the decrypted case (${(err as NodeJS.ErrnoException).code ?? errorMessage(err)}); ${SEALED_CASE_DB_NAME} is left as it was`, { cause: err });
  } finally {
    image.fill(0);
  }
  rmSync(sealedPath);
  syncFolder(root);
  return plainPath;
}

/**
 * A report or bundle of an encrypted case is plaintext the user asked for, but never written beside the
 * ciphertext it was read from: an encrypted case folder holds only ciphertext.
 */
export function refuseInsideEncryptedCase(caseDir: string, output: string, what: 'report' | 'bundle'): void {
  const root = resolve(caseDir);
  if (caseKind(root) !== 'encrypted') return;
  const rel = relative(root, resolve(output));
  if (rel === '' || (!rel.startsWith('..') && !isAbsolute(rel))) {
    throw new UserError('usage', `--output ${output}: is inside the encrypted case ${root}; write the ${what} elsewhere (an encrypted case folder holds only ciphertext)`);
  }
}

/** The one-line refusal of `case lock` (`state` encrypted) or `case unlock` (plain) when the case already is so, or is no case. */
export function refuseCaseState(dir: string, state: 'plain' | 'encrypted'): void {
  const root = resolve(dir);
  const kind = caseKind(root);
  if (kind === 'none') throw new CaseError('not-a-case', `${root}: not a case folder (no ${CASE_DB_NAME} or ${SEALED_CASE_DB_NAME})`);
  if (kind === state) throw new CaseError('wrong-state', `${root}: ${state === 'encrypted' ? `the case is already encrypted (${SEALED_CASE_DB_NAME})` : `the case is not encrypted (${CASE_DB_NAME})`}; nothing changed`);
}

function prepareFolder(root: string): void {
  if (existsSync(root)) {
    const info = lstatSync(root);
    if (!info.isDirectory()) throw new CaseError('bad-case-folder', `${root}: not a folder (expected a case folder, new or empty)`);
    const names = readdirSync(root);
    if (names.length > 0) throw new CaseError('bad-case-folder', `${root}: folder is not empty and holds no ${CASE_DB_NAME} (expected a case folder, new or empty)`);
    return;
  }
  try {
    mkdirSync(root, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw new CaseError('bad-case-folder', `${root}: cannot create the case folder (${errorMessage(err)})`, { cause: err });
  }
}

const WIPE_BLOCK = 1024 * 1024;

/** Overwrites a file with zeros, fsyncs it and removes it. */
function wipeFile(path: string): void {
  const fd = openSync(path, constants.O_WRONLY | (constants.O_NOFOLLOW ?? 0));
  try {
    const size = lstatSync(path).size;
    const zeros = Buffer.alloc(Math.min(WIPE_BLOCK, Math.max(size, 1)));
    for (let at = 0; at < size; ) at += writeSync(fd, zeros, 0, Math.min(zeros.length, size - at), at);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  rmSync(path);
  syncFolder(resolve(path, '..'));
}

function writeAtomically(path: string, data: Uint8Array): void {
  const scratch = join(resolve(path, '..'), `.${CASE_DB_NAME}.${randomBytes(6).toString('hex')}.tmp`);
  const fd = openSync(scratch, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0), 0o600);
  try {
    for (let at = 0; at < data.length; ) at += writeSync(fd, data, at, data.length - at);
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    rmSync(scratch, { force: true });
    throw err;
  }
  closeSync(fd);
  renameSync(scratch, path);
}

function syncFolder(dir: string): void {
  try {
    const fd = openSync(dir, constants.O_RDONLY);
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // not every platform can fsync a folder; the rename is atomic all the same
  }
}
