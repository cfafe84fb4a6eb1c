/**
 * Whether a check actually happened: artifacts that failed, files the backup's index lists that are not in
 * the backup, and an acquisition in which no artifact found anything to read (an empty dump or sysdiagnose). A
 * check with any of these is incomplete (exit 3 when nothing reaches --fail-on), so "no findings" is never said
 * of a check that mostly did not run.
 */
import type { Coverage } from '../findings/coverage.js';

export interface Completeness {
  readonly complete: boolean;
  /** Artifacts that applied to this acquisition (skipped ones excluded). */
  readonly artifacts: number;
  /** Applicable artifacts that found at least one of their files (read, empty, partial or failed): 0 means nothing was checked. */
  readonly foundArtifacts: number;
  readonly failedArtifacts: number;
  /** Distinct files listed in the acquisition's index (Manifest.db) but absent from it. */
  readonly missingFiles: number;
  /** The missing files are backup files (listed in Manifest.db), rather than files of another index. */
  readonly missingFromBackup: boolean;
  /** Problems of the container (archive members refused, an archive cut short): parts of it were not read. */
  readonly containerProblems: number;
}

export function assessCompleteness(coverage: readonly Coverage[], containerNotes: readonly string[] = []): Completeness {
  const applicable = coverage.filter((c) => c.state !== 'skipped');
  const failed = applicable.filter((c) => c.state === 'failed').length;
  const missing = new Set<string>();
  let fromBackup = false;
  for (const c of applicable) {
    for (const i of c.issues) {
      if (i.code !== 'file-missing' || !i.file) continue;
      missing.add(`${i.file.ref.root}\u0000${i.file.ref.storedPath}`);
      if (i.file.ref.backup) fromBackup = true;
    }
  }
  const found = applicable.filter((c) => c.state !== 'missing').length;
  return {
    complete: failed === 0 && missing.size === 0 && containerNotes.length === 0 && found > 0,
    artifacts: applicable.length,
    foundArtifacts: found,
    failedArtifacts: failed,
    missingFiles: missing.size,
    missingFromBackup: fromBackup,
    containerProblems: containerNotes.length,
  };
}

/** One line: "Incomplete check: 24 of 28 artifacts failed, 25 files listed in Manifest.db are missing from the backup". */
export function describeIncompleteness(c: Completeness): string {
  const parts: string[] = [];
  if (c.foundArtifacts === 0) parts.push(c.artifacts === 0 ? 'no artifact applies to this acquisition' : `none of the ${c.artifacts} artifacts found its files: nothing was checked`);
  if (c.failedArtifacts > 0) parts.push(`${c.failedArtifacts} of ${c.artifacts} artifacts failed`);
  if (c.missingFiles > 0) {
    const files = `${c.missingFiles} file${c.missingFiles === 1 ? '' : 's'}`;
    const verb = c.missingFiles === 1 ? 'is' : 'are';
    parts.push(c.missingFromBackup ? `${files} listed in Manifest.db ${verb} missing from the backup` : `${files} the artifacts expect ${verb} missing`);
  }
  if (c.containerProblems > 0) parts.push(`${c.containerProblems} problem${c.containerProblems === 1 ? '' : 's'} with the archive (members refused or damaged)`);
  return `Incomplete check: ${parts.join(', ')}`;
}
