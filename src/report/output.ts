/**
 * Sinks: what a check feeds, as things happen (vitest's reporters are the model). The native files, the
 * MVT-compatible files and the CLI's progress are sinks; the case store will be one more. Every hook is
 * optional, so a sink implements only the events it needs.
 */
import type { AnyArtifact, Observable, Parsed, TimelineEvent } from '../artifacts/artifact.js';
import type { Coverage } from '../findings/coverage.js';
import type { AcquisitionInfo } from '../evidence/source.js';
import type { InputRecord } from '../evidence/input-log.js';
import type { Finding } from '../findings/finding.js';
import { OutputError, errorMessage } from '../errors.js';
import type { TimelineLine } from './timeline-runs.js';

export interface IndicatorFileInfo {
  readonly path: string;
  readonly sha256: string;
  readonly indicators: number;
  readonly collections: number;
  readonly skipped: number;
  /** Same content as this earlier file, so loaded once (under that path). */
  readonly duplicateOf?: string;
}

/** What is known when the first artifact starts: the acquisition opened, the indicators loaded, the plan. */
export interface RunStart {
  readonly acquisition: AcquisitionInfo;
  readonly indicatorFiles: readonly IndicatorFileInfo[];
  /** Total indicators compiled (0: heuristics only). */
  readonly indicatorCount: number;
  /** The artifacts that will run, in order. */
  readonly artifacts: readonly AnyArtifact[];
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
  /** Problems of the container itself (refused archive members, damage): the check did not see everything. */
  readonly containerNotes: readonly string[];
  readonly artifacts: readonly { readonly id: string; readonly version: number }[];
  readonly rules: readonly { readonly id: string; readonly version: number }[];
}

/**
 * A sink's per-record work as pure functions of the record, so a worker thread can do it (`--jobs`): their
 * results must survive postMessage (strings, plain data; Moments and Buffers are carried by app/pool/transfer).
 */
export interface RecordRenderer {
  record(artifact: AnyArtifact, item: Parsed<unknown>): unknown;
  /** The event's sort key and its finished line in the sink's timeline file. */
  timeline(artifact: AnyArtifact, event: TimelineEvent): TimelineLine;
}

/** The renderers a worker knows by name (report/renderers.ts). */
export type RendererKind = 'native' | 'mvt';

export interface Sink {
  /**
   * Set by a sink whose `record` and `timeline` hooks only hand `renderedRecord`/`renderedTimeline` what the
   * named renderer makes of the record: a pool of worker threads then renders there and calls those two hooks
   * with the results, in the same order. A sink with `record` or `timeline` hooks and no `rendering` (the case
   * store keeps record objects) makes the check run in one thread.
   */
  readonly rendering?: RendererKind;
  /** What the renderer made of a record; a string may arrive as its UTF-8 bytes (a Uint8Array) from a worker thread. */
  renderedRecord?(artifact: AnyArtifact, rendered: unknown): void;
  /** What the renderer made of a timeline event; its line may arrive as UTF-8 bytes from a worker thread. */
  renderedTimeline?(artifact: AnyArtifact, rendered: TimelineLine): void;
  start?(run: RunStart): void;
  artifactStarted?(artifact: AnyArtifact, position: { readonly index: number; readonly total: number }): void;
  /** A parsed record, with the observables detection saw in it (what a case store keeps for a re-check). */
  record?(artifact: AnyArtifact, item: Parsed<unknown>, observables: readonly Observable[]): void;
  timeline?(artifact: AnyArtifact, event: TimelineEvent): void;
  /** Each finding as detection produces it; a sink that needs them ordered keeps what it needs. */
  finding?(finding: Finding): void;
  artifactFinished?(artifact: AnyArtifact, coverage: Coverage): void;
  /** Writes the remaining files and returns the paths of every file written. */
  finish?(info: RunInfo): Promise<readonly string[]>;
  /** Releases scratch space; called also when the run fails. */
  dispose?(): void;
}

/**
 * Each artifact's place in the run's plan, for a sink that must write what arrives interleaved (the records and
 * timeline events of artifacts that run side by side, `--jobs`) as one thread would have: in plan order.
 */
export class PlanRanks {
  private readonly rank = new Map<string, number>();

  set(plan: readonly AnyArtifact[]): void {
    plan.forEach((a, i) => this.rank.set(a.id, i));
  }

  /** The artifact's place (0 before `set`, and for an artifact outside the plan). */
  of(artifact: { readonly id: string }): number {
    return this.rank.get(artifact.id) ?? 0;
  }

  /** Items sorted by their artifact's place (a stable sort: items of one artifact keep their order). */
  inPlanOrder<T>(items: Iterable<T>, artifactId: (item: T) => string): T[] {
    return [...items].sort((a, b) => this.of({ id: artifactId(a) }) - this.of({ id: artifactId(b) }));
  }
}

/** Every event hook, as `fanOut` gives them (rendered results are fed to each sink by the worker pool). */
export type SinkHooks = Required<Omit<Sink, 'rendering' | 'renderedRecord' | 'renderedTimeline'>>;

/** One sink that feeds several, in order; `finish` returns every file any of them wrote. */
export function fanOut(sinks: readonly Sink[]): SinkHooks {
  return {
    start: (run) => sinks.forEach((s) => s.start?.(run)),
    artifactStarted: (artifact, position) => sinks.forEach((s) => s.artifactStarted?.(artifact, position)),
    record: (artifact, item, observables) => sinks.forEach((s) => s.record?.(artifact, item, observables)),
    timeline: (artifact, event) => sinks.forEach((s) => s.timeline?.(artifact, event)),
    finding: (finding) => sinks.forEach((s) => s.finding?.(finding)),
    artifactFinished: (artifact, coverage) => sinks.forEach((s) => s.artifactFinished?.(artifact, coverage)),
    async finish(info) {
      const files: string[] = [];
      for (const s of sinks) files.push(...((await s.finish?.(info)) ?? []));
      return files;
    },
    dispose() {
      // Every sink gets to release its scratch space, even when one of them fails to.
      let failure: Error | undefined;
      for (const s of sinks) {
        try {
          s.dispose?.();
        } catch (err) {
          failure ??= err instanceof Error ? err : new Error(String(err));
        }
      }
      if (failure !== undefined) throw failure;
    },
  };
}

/**
 * Turns any failure of a file-writing sink into an OutputError (exit 2, one line), so a disk or folder problem
 * stops the run instead of passing for an unreadable artifact and silently dropping its findings.
 */
export function guardWrites(sink: Sink, dir: string): Sink {
  const failed = (err: unknown) => new OutputError(`cannot write results to ${dir}: ${errorMessage(err)}; the check was stopped`, { cause: err });
  const guarded =
    <A extends unknown[]>(fn: ((...args: A) => void) | undefined) =>
    (...args: A): void => {
      try {
        fn?.(...args);
      } catch (err) {
        throw failed(err);
      }
    };
  return {
    ...(sink.rendering ? { rendering: sink.rendering } : {}),
    renderedRecord: guarded(sink.renderedRecord?.bind(sink)),
    renderedTimeline: guarded(sink.renderedTimeline?.bind(sink)),
    start: guarded(sink.start?.bind(sink)),
    artifactStarted: guarded(sink.artifactStarted?.bind(sink)),
    record: guarded(sink.record?.bind(sink)),
    timeline: guarded(sink.timeline?.bind(sink)),
    finding: guarded(sink.finding?.bind(sink)),
    artifactFinished: guarded(sink.artifactFinished?.bind(sink)),
    async finish(info) {
      try {
        return (await sink.finish?.(info)) ?? [];
      } catch (err) {
        throw failed(err);
      }
    },
    dispose: () => sink.dispose?.(),
  };
}
