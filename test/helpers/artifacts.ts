import type { AnyArtifact, Observable, Parsed, TimelineEvent } from '../../src/artifacts/artifact.js';
import { collectArtifact } from '../../src/app/parse-artifact.js';
import type { Coverage } from '../../src/findings/coverage.js';
import { openIosBackup } from '../../src/evidence/ios-backup.js';
import type { Source } from '../../src/evidence/source.js';

export interface ArtifactResult<R> {
  records: R[];
  items: Parsed<R>[];
  coverage: Coverage;
  timeline: TimelineEvent[];
  observables: Observable[];
}

/** Parses one artifact on a backup folder, as the runner would, and returns what it produced. */
export async function parseBackup<R>(
  artifact: AnyArtifact,
  backupPath: string,
  dependencies: ReadonlyMap<string, readonly unknown[]> = new Map(),
): Promise<ArtifactResult<R>> {
  const source = await openIosBackup(backupPath);
  try {
    return await parseSource<R>(artifact, source, dependencies);
  } finally {
    await source.close();
  }
}

export async function parseSource<R>(
  artifact: AnyArtifact,
  source: Source,
  dependencies: ReadonlyMap<string, readonly unknown[]> = new Map(),
): Promise<ArtifactResult<R>> {
  const { items, coverage } = await collectArtifact<R>(artifact, source, dependencies);
  const records = items.map((i) => i.record);
  return {
    records,
    items,
    coverage,
    timeline: records.flatMap((r) => (artifact.timeline ? (artifact.timeline(r)) : [])),
    observables: records.flatMap((r) => (artifact.observables ? (artifact.observables(r)) : [])),
  };
}
