/**
 * Opening a case folder: `DIR/case.db`, created (folder 0700, file 0600: a case holds what the evidence says)
 * when asked to, migrated to the current schema, refused with one line when it is not a case or is damaged.
 */
import { closeSync, existsSync, lstatSync, mkdirSync, openSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { errorMessage } from '../errors.js';
import { openCaseDb, type CaseDb } from './db.js';
import { CaseError } from './errors.js';
import { migrate } from './schema.js';

export const CASE_DB_NAME = 'case.db';

export interface OpenCase {
  readonly dir: string;
  readonly dbPath: string;
  readonly db: CaseDb;
  /** True when this open created the case. */
  readonly created: boolean;
  close(): void;
}

export function caseDbPath(dir: string): string {
  return join(resolve(dir), CASE_DB_NAME);
}

/**
 * Opens the case in `dir`. `create`: a missing or empty folder becomes a new case; a folder holding other
 * files is refused (a case never mixes with other data, so it is never written beside evidence by mistake).
 */
export function openCase(dir: string, opts: { readonly create?: boolean } = {}): OpenCase {
  const root = resolve(dir);
  const dbPath = join(root, CASE_DB_NAME);
  let created = false;
  if (!existsSync(dbPath)) {
    if (opts.create !== true) throw new CaseError('not-a-case', `${root}: not a case folder (no ${CASE_DB_NAME}; \`tracehound check PATH --case ${dir}\` creates one)`);
    prepareFolder(root);
    created = true;
  } else if (!lstatSync(dbPath).isFile()) {
    throw new CaseError('bad-case-folder', `${dbPath}: not a regular file (expected the case database)`);
  }
  let db: CaseDb;
  try {
    if (created) closeSync(openSync(dbPath, 'wx', 0o600));
    db = openCaseDb(dbPath);
  } catch (err) {
    throw new CaseError('damaged', `${dbPath}: not a readable case database (${errorMessage(err)})`, { cause: err });
  }
  try {
    // Reading commands migrate too: a case is always read at the version this build writes.
    migrate(db);
    if (created) db.prepare(`INSERT INTO case_info (name, value) VALUES ('created_at', ?)`).run(new Date().toISOString());
  } catch (err) {
    db.close();
    if (err instanceof CaseError) throw new CaseError(err.problem, `${dbPath}: ${err.message}`, { cause: err });
    throw new CaseError('damaged', `${dbPath}: not a readable case database (${errorMessage(err)})`, { cause: err });
  }
  return { dir: root, dbPath, db, created, close: () => db.close() };
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
