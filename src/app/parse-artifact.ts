/**
 * Runs one artifact against a source: resolves its inputs, checks declared schemas, collects issues and
 * decides its coverage state. Parsers never write coverage themselves (STYLE.md §8).
 */
import type { AnyArtifact, ParseContext, ParseIssue, Parsed } from '../artifacts/artifact.js';
import type { EvidenceFile, Source } from '../evidence/source.js';
import { describeFile } from '../evidence/source.js';
import type { SqliteHandle } from '../evidence/sqlite.js';
import { FormatError, UserError, errorMessage } from '../errors.js';
import type { Coverage } from '../findings/coverage.js';

export interface ArtifactRun {
  readonly context: ParseContext;
  readonly coverage: () => Coverage;
  readonly noteRecord: () => void;
  readonly fail: (err: unknown) => void;
}

export function createArtifactRun(
  artifact: AnyArtifact,
  source: Source,
  dependencies: ReadonlyMap<string, readonly unknown[]>,
  signal: AbortSignal,
): ArtifactRun {
  const issues: ParseIssue[] = [];
  const files: EvidenceFile[] = [];
  const missing: EvidenceFile[] = [];
  let looked = false;
  let records = 0;
  let failure: string | null = null;
  const specs = artifact.inputs[source.kind] ?? [];

  const context: ParseContext = {
    source,
    signal,
    async findInputs() {
      looked = true;
      const found: EvidenceFile[] = [];
      for (const spec of specs) {
        const hits = await source.find(spec);
        if (hits.length === 0) missing.push(...(await source.missing(spec)));
        found.push(...hits);
        if (found.length > 0 && (artifact.inputMode ?? 'first') === 'first') break;
      }
      files.push(...found);
      for (const m of missing) {
        // A refused file (a link out of the acquisition) is present but not read: its reason, not "absent".
        const message = m.refused
          ? describeFile(m)
          : m.ref.backup
            ? `${describeFile(m)} is listed in Manifest.db but absent from the backup`
            : `${m.ref.storedPath} is missing from ${m.ref.root}`;
        issues.push({ code: 'file-missing', file: m, message });
      }
      return found;
    },
    async openDatabase(file) {
      let handle: SqliteHandle;
      try {
        handle = await source.openSqlite(file);
      } catch (err) {
        issues.push({ code: 'bad-sqlite', file, message: errorMessage(err) });
        return null;
      }
      let problems: ReturnType<typeof checkSchema>;
      try {
        problems = checkSchema(handle, artifact.requires ?? {});
      } catch (err) {
        // A truncated file can open and still fail on its first read of sqlite_master.
        issues.push({ code: 'corrupted', file, message: `${handle.what}: database is damaged (${errorMessage(err)})` });
        handle.close();
        return null;
      }
      if (problems.length > 0) {
        issues.push({ code: problems[0]!.code, file, message: `${handle.what}: ${problems.map((p) => p.text).join('; ')}` });
        handle.close();
        return null;
      }
      return handle;
    },
    dependency<T>(id: string): readonly T[] {
      return (dependencies.get(id) ?? []) as readonly T[];
    },
    warn(issue) {
      issues.push(issue);
    },
  };

  return {
    context,
    noteRecord: () => void records++,
    fail(err) {
      failure = err instanceof UserError || err instanceof FormatError ? errorMessage(err) : `internal error: ${errorMessage(err)}`;
      if (!(err instanceof UserError || err instanceof FormatError) && process.env.TRACEHOUND_DEBUG) console.error(err);
    },
    coverage() {
      const base = { artifact: artifact.id, title: artifact.title, records, files: files.map(describeFile), issues };
      if (specs.length === 0) return { ...base, state: 'skipped', reason: `does not apply to ${source.kind}` };
      if (failure !== null) return { ...base, state: 'failed', reason: failure };
      const blocking = issues.filter((i) => i.code !== 'file-missing' && i.code !== 'row-skipped' && i.code !== 'section-missing');
      if (files.length === 0) {
        const reason = missing.length > 0 ? issues.find((i) => i.code === 'file-missing')!.message : looked ? 'not present in this acquisition' : 'no input read';
        return { ...base, state: 'missing', reason };
      }
      if (records === 0 && blocking.length > 0) return { ...base, state: 'failed', reason: blocking[0]!.message };
      if (issues.length > 0) return { ...base, state: records > 0 ? 'partial' : 'empty', reason: issues[0]!.message };
      return { ...base, state: records > 0 ? 'parsed' : 'empty' };
    },
  };
}

type SchemaProblem = { code: 'missing-table' | 'missing-column' | 'not-a-table'; text: string };

function checkSchema(handle: SqliteHandle, requires: Readonly<Record<string, readonly string[]>>): SchemaProblem[] {
  const out: SchemaProblem[] = [];
  for (const [table, cols] of Object.entries(requires)) {
    const refused = handle.notATable(table);
    if (refused !== null) {
      out.push({ code: 'not-a-table', text: refused });
      continue;
    }
    if (!handle.hasTable(table)) {
      out.push({ code: 'missing-table', text: `no table ${table}` });
      continue;
    }
    const have = handle.columns(table);
    const lacking = cols.filter((c) => !have.has(c));
    if (lacking.length > 0) out.push({ code: 'missing-column', text: `table ${table} lacks column(s) ${lacking.join(', ')}` });
  }
  return out;
}

/** Parses an artifact to completion, collecting its records (tests and small dependencies). */
export async function collectArtifact<R>(
  artifact: AnyArtifact,
  source: Source,
  dependencies: ReadonlyMap<string, readonly unknown[]> = new Map(),
): Promise<{ items: Parsed<R>[]; coverage: Coverage }> {
  const run = createArtifactRun(artifact, source, dependencies, new AbortController().signal);
  const items: Parsed<R>[] = [];
  try {
    for await (const item of artifact.parse(run.context) as AsyncIterable<Parsed<R>>) {
      items.push(item);
      run.noteRecord();
    }
  } catch (err) {
    run.fail(err);
  }
  return { items, coverage: run.coverage() };
}
