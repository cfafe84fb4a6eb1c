/** The hooks `app/` calls while a check runs; each output format implements them. */
import type { AnyArtifact, Parsed, TimelineEvent } from '../artifacts/artifact.js';
import type { Coverage } from '../findings/coverage.js';
import type { AcquisitionInfo } from '../evidence/source.js';
import type { InputRecord } from '../evidence/input-log.js';
import type { Finding } from '../findings/finding.js';
import { OutputError, errorMessage } from '../errors.js';

export interface IndicatorFileInfo {
  readonly path: string;
  readonly sha256: string;
  readonly indicators: number;
  readonly collections: number;
  readonly skipped: number;
  /** Same content as this earlier file, so loaded once (under that path). */
  readonly duplicateOf?: string;
}

export interface RunInfo {
  readonly tool: { readonly name: 'tracehound'; readonly version: string };
  readonly startedAt: Date;
  readonly finishedAt: Date;
  readonly target: string;
  readonly acquisition: AcquisitionInfo;
  readonly inputs: readonly InputRecord[];
  readonly indicatorFiles: readonly IndicatorFileInfo[];
  readonly rejectedIndicatorFiles: readonly { readonly path: string; readonly reason: string }[];
  readonly options: Readonly<Record<string, unknown>>;
  readonly coverage: readonly Coverage[];
  readonly artifacts: readonly { readonly id: string; readonly version: number }[];
  readonly rules: readonly { readonly id: string; readonly version: number }[];
}

export interface OutputWriter {
  record(artifact: AnyArtifact, item: Parsed<unknown>): void;
  timeline(artifact: AnyArtifact, event: TimelineEvent): void;
  artifactFinished(artifact: AnyArtifact, coverage: Coverage): void;
  /** Writes the remaining files and returns the paths of every file written. */
  finish(findings: readonly Finding[], info: RunInfo): Promise<string[]>;
  /** Releases scratch space; called also when the run fails. */
  dispose(): void;
}

/** For runs without --output: nothing is written, but the interface stays the same. */
export const noOutput: OutputWriter = {
  record() {},
  timeline() {},
  artifactFinished() {},
  finish: async () => [],
  dispose() {},
};

/**
 * Turns any failure of a writer into an OutputError (exit 2, one line), so a disk or folder problem stops the
 * run instead of passing for an unreadable artifact and silently dropping its findings.
 */
export function guardWrites(writer: OutputWriter, dir: string): OutputWriter {
  const failed = (err: unknown) => new OutputError(`cannot write results to ${dir}: ${errorMessage(err)}; the check was stopped`, { cause: err });
  const guarded =
    <A extends unknown[], R>(fn: (...args: A) => R) =>
    (...args: A): R => {
      try {
        return fn(...args);
      } catch (err) {
        throw failed(err);
      }
    };
  return {
    record: guarded(writer.record.bind(writer)),
    timeline: guarded(writer.timeline.bind(writer)),
    artifactFinished: guarded(writer.artifactFinished.bind(writer)),
    async finish(findings, info) {
      try {
        return await writer.finish(findings, info);
      } catch (err) {
        throw failed(err);
      }
    },
    dispose: writer.dispose.bind(writer),
  };
}
