/**
 * `--jobs N`: artifacts run in N threads, this one and N - 1 workers, and every output file is byte-identical
 * whatever N. Each worker opens the acquisition itself and runs whole units (an artifact with those that need its
 * records); this thread runs units too, between feeding the sinks what the workers send. Records and timeline
 * events go to the sinks as they come, interleaved between artifacts (the sinks write each artifact's own file,
 * and order the timeline by plan rank); findings, coverage and the input log wait for their artifact's turn in
 * the plan. A worker that dies fails the artifacts it had not finished (one line each) and the run goes on.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { AnyArtifact } from '../../artifacts/artifact.js';
import type { InputLog, InputRecord } from '../../evidence/input-log.js';
import type { Source } from '../../evidence/source.js';
import type { Detector } from '../../detection/detector.js';
import { errorMessage, interruption } from '../../errors.js';
import type { Coverage } from '../../findings/coverage.js';
import type { Finding } from '../../findings/finding.js';
import type { Collection } from '../../indicators/collection.js';
import type { RendererKind, Sink, SinkHooks } from '../../report/output.js';
import { runArtifact, type ArtifactFlow } from '../run-artifact.js';
import type { EncodedTexts, FromWorker, ToWorker, WorkerSetup } from './protocol.js';
import { unpack } from './transfer.js';

/** A worker thread started ahead of its run: it loads the program and opens the acquisition meanwhile. */
export interface StartedWorker {
  readonly worker: Worker;
  readonly setup: WorkerSetup;
  /** Its exit code once it has exited (before the run took it over too). */
  exitCode: number | null;
  error: string | null;
}

/**
 * Starts the worker threads for a run: as soon as the acquisition is open, so that they load the program and open
 * it while this thread loads the indicators. `setup.renderers` are those of the sinks that take rendered records.
 */
export function startWorkers(count: number, setup: WorkerSetup): StartedWorker[] {
  return Array.from({ length: count }, () => {
    const started: StartedWorker = { worker: startWorker(setup), setup, exitCode: null, error: null };
    started.worker.on('error', (err) => (started.error ??= errorMessage(err)));
    started.worker.on('exit', (code) => (started.exitCode = code));
    return started;
  });
}

/** How many worker threads a run of `units` with `jobs` threads starts beside this one (which takes a unit too). */
export function workersFor(jobs: number, units: readonly AnyArtifact[][]): number {
  return Math.max(0, Math.min(jobs - 1, units.length - 1));
}

export interface PoolRun {
  readonly plan: readonly AnyArtifact[];
  /** The plan's units in the order to start them (`largestFirst`). */
  readonly units: readonly AnyArtifact[][];
  /** The worker threads (`startWorkers`); a worker that dies is replaced with the same setup. */
  readonly workers: readonly StartedWorker[];
  /** The indicators this thread loaded (each worker compiles them). */
  readonly collections: readonly Collection[];
  /** Sinks that take rendered records (`rendering`, as the workers' setup lists them); the others must have no `record`/`timeline` hook. */
  readonly sinks: readonly Sink[];
  /** Every sink, for the other events. */
  readonly hooks: SinkHooks;
  /** The acquisition as this thread opened it, and the detector this thread runs its units with. */
  readonly here: { readonly source: Source; readonly detector: Detector };
  /** The run's input log: each artifact's reads are logged in plan order. */
  readonly inputs: InputLog;
  readonly onTimelineEvents: (count: number) => void;
  readonly signal: AbortSignal;
}

export interface PoolOutcome {
  /** What the workers decrypted beyond opening the backup (null: nothing encrypted). */
  readonly decrypted: { readonly filesDecrypted: number; readonly bytesDecrypted: number } | null;
  /** Problems of the container the workers met (beyond those of the main thread's opening). */
  readonly notes: readonly string[];
  /** Worker threads started beside this one. */
  readonly workers: number;
}

/** Artifacts linked by `needs` run in one thread, in plan order: kept records never cross threads. */
export function unitsOf(plan: readonly AnyArtifact[]): AnyArtifact[][] {
  const group = new Map(plan.map((a) => [a.id, a.id]));
  const find = (id: string): string => {
    let at = id;
    while (group.get(at) !== at) at = group.get(at)!;
    return at;
  };
  for (const a of plan) for (const dep of a.needs ?? []) if (group.has(dep)) group.set(find(a.id), find(dep));
  const units = new Map<string, AnyArtifact[]>();
  for (const a of plan) {
    const head = find(a.id);
    const unit = units.get(head);
    if (unit) unit.push(a);
    else units.set(head, [a]);
  }
  return [...units.values()];
}

/** What waits for its artifact's turn in the plan. */
type InTurn =
  | { readonly type: 'findings'; readonly findings: readonly Finding[] }
  | { readonly type: 'done'; readonly coverage: Coverage; readonly inputs: readonly InputRecord[] };

interface Slot {
  readonly worker: Worker;
  unit: AnyArtifact[] | null;
  /** Artifacts of the unit the worker reported done. */
  readonly finished: Set<string>;
  closing: boolean;
  exited: boolean;
  openFailure: string | null;
}

/**
 * Units with the most input bytes first (a guess at their cost): the workers take them from the front, this thread
 * from the back, so the largest start first and the threads end about together. Outputs keep plan order.
 */
export async function largestFirst(units: readonly AnyArtifact[][], source: Source): Promise<{ units: AnyArtifact[][]; bytes: number }> {
  const bytesOf = async (unit: readonly AnyArtifact[]): Promise<number> => {
    let bytes = 0;
    for (const artifact of unit) {
      for (const spec of artifact.inputs[source.kind] ?? []) {
        // A guess for scheduling only: what cannot be found now is the artifact's own problem, reported when it runs.
        const files = await source.find(spec).catch(() => []);
        for (const file of files) bytes += file.size ?? 0;
      }
    }
    return bytes;
  };
  const sized = await Promise.all(units.map(async (unit) => ({ unit, bytes: await bytesOf(unit) })));
  sized.sort((a, b) => b.bytes - a.bytes);
  return { units: sized.map((s) => s.unit), bytes: sized.reduce((sum, s) => sum + s.bytes, 0) };
}

/** The renderers a run's workers use: those of the sinks that take rendered records, each once. */
export function renderersOf(sinks: readonly Sink[]): RendererKind[] {
  return [...new Set(sinks.flatMap((s) => (s.rendering ? [s.rendering] : [])))];
}

export function runPool(run: PoolRun): Promise<PoolOutcome> {
  const { plan, hooks, signal, here } = run;
  const renderers = renderersOf(run.sinks);
  const position = new Map(plan.map((a, i) => [a.id, i]));
  const units = [...run.units];
  const inTurn: InTurn[][] = plan.map(() => []);
  const received = plan.map(() => 0);
  const slots: Slot[] = [];
  const notes: string[] = [];
  let decrypted: { filesDecrypted: number; bytesDecrypted: number } | null = null;
  let current = 0;
  let respawns = 0;
  let settled = false;
  /** Whether this thread is running units (it stops when the queue is empty, and starts again if a worker gives its unit back). */
  let hereRunning = true;

  return new Promise<PoolOutcome>((resolve, reject) => {
    let hereDone: Promise<void> = Promise.resolve();
    // Stops this thread's unit at its next turn when the run stops for any reason (a write error met in a worker's batch too).
    const halt = new AbortController();
    const hereSignal = AbortSignal.any([signal, halt.signal]);
    const stop = (err: unknown) => {
      if (settled) return;
      settled = true;
      halt.abort(err);
      signal.removeEventListener('abort', onAbort);
      // Rejected once every worker is gone and this thread's unit has stopped (at its next turn): the caller then
      // closes the source and removes the temp folder they were using.
      const error = err instanceof Error ? err : new Error(errorMessage(err));
      void Promise.allSettled([...slots.map((slot) => slot.worker.terminate()), hereDone]).then(() => reject(error));
    };
    const onAbort = () => stop(interruption(signal));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort);

    const finishIfDone = () => {
      if (settled || current < plan.length || hereRunning || slots.some((s) => !s.exited)) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      run.inputs.unwatch();
      resolve({ decrypted, notes, workers: slots.length });
    };

    /** Hands the sinks what waits for the artifact whose turn it is, and for the next ones when they are done. */
    const drain = () => {
      while (current < plan.length && inTurn[current]!.length > 0) {
        const event = inTurn[current]!.shift()!;
        if (event.type === 'findings') {
          for (const f of event.findings) hooks.finding(f);
          continue;
        }
        run.inputs.logInTurn(event.inputs);
        hooks.artifactFinished(plan[current]!, event.coverage);
        current++;
        if (current < plan.length) hooks.artifactStarted(plan[current]!, { index: current, total: plan.length });
      }
      if (current === plan.length) {
        for (const slot of slots) closeIfIdle(slot);
        finishIfDone();
      }
    };

    const inTurnOf = (at: number, event: InTurn) => {
      inTurn[at]!.push(event);
      if (at === current) drain();
    };

    /** A worker's batch: its records and timeline events go to the sinks now, its findings wait for their turn. */
    const feed = (at: number, batch: Extract<FromWorker, { type: 'batch' }>) => {
      const artifact = plan[at]!;
      received[at] = received[at]! + batch.recordCount;
      for (const sink of run.sinks) {
        if (!sink.rendering) continue;
        const r = renderers.indexOf(sink.rendering);
        const records = batch.records[r]!;
        if ('ends' in records) forEachEncoded(records, (bytes) => sink.renderedRecord?.(artifact, bytes));
        else for (const record of records) sink.renderedRecord?.(artifact, unpack(record));
        const { keys, lines } = batch.timeline[r]!;
        let i = 0;
        forEachEncoded(lines, (line) => sink.renderedTimeline?.(artifact, { sortKey: keys[i++]!, line }));
      }
      run.onTimelineEvents(batch.timelineEvents);
      if (batch.findings.length > 0) inTurnOf(at, { type: 'findings', findings: batch.findings.map((f) => unpack(f) as Finding) });
    };

    const arrive = (message: Extract<FromWorker, { type: 'batch' | 'done' }>) => {
      const at = position.get(message.artifact)!;
      try {
        if (message.type === 'batch') feed(at, message);
        else inTurnOf(at, { type: 'done', coverage: unpack(message.coverage) as Coverage, inputs: message.inputs });
      } catch (err) {
        stop(err);
      }
    };

    /** This thread's share: units from the same queue as the workers', run between feeding the sinks. */
    const runHere = async (): Promise<void> => {
      hereRunning = true;
      try {
        // From the small end of the queue: this thread also writes what the workers send, so it takes the small
        // units while the workers take the large ones, and they meet in the middle.
        for (let unit = units.pop(); unit !== undefined && !settled; unit = units.pop()) await runUnitHere(unit);
      } catch (err) {
        stop(err);
      } finally {
        hereRunning = false;
      }
      for (const slot of slots) closeIfIdle(slot);
      finishIfDone();
    };

    const runUnitHere = async (unit: readonly AnyArtifact[]): Promise<void> => {
      const needed = new Set(unit.flatMap((a) => a.needs ?? []));
      const kept = new Map<string, readonly unknown[]>();
      for (const artifact of unit) {
        const at = position.get(artifact.id)!;
        const flow: ArtifactFlow = {
          record(item, observables) {
            received[at]!++;
            hooks.record(artifact, item, observables);
          },
          timeline(event) {
            hooks.timeline(artifact, event);
            run.onTimelineEvents(1);
          },
          finding: (f) => inTurnOf(at, { type: 'findings', findings: [f] }),
        };
        run.inputs.takeTouched();
        const { coverage, records } = await runArtifact(artifact, here.source, kept, needed.has(artifact.id), flow, here.detector, hereSignal);
        if (records) kept.set(artifact.id, records);
        inTurnOf(at, { type: 'done', coverage, inputs: run.inputs.takeTouched() });
      }
    };

    const send = (slot: Slot, message: ToWorker) => slot.worker.postMessage(message);

    const assign = (slot: Slot) => {
      const unit = units.shift();
      if (!unit) return closeIfIdle(slot);
      slot.unit = unit;
      slot.finished.clear();
      send(slot, { type: 'run', artifacts: unit.map((a) => a.id) });
    };

    function closeIfIdle(slot: Slot): void {
      if (slot.unit !== null || slot.closing || slot.exited || units.length > 0) return;
      slot.closing = true;
      send(slot, { type: 'close' });
    }

    /** The artifacts a dead worker had not finished fail, one line each; the run goes on. */
    const failUnit = (slot: Slot, why: string) => {
      const unit = slot.unit ?? [];
      slot.unit = null;
      let stopped: AnyArtifact | null = null;
      for (const artifact of unit) {
        if (slot.finished.has(artifact.id)) continue;
        const reason = stopped ? `not run: the worker thread stopped while running ${stopped.id}` : `internal error: the worker thread running it stopped (${why})`;
        stopped ??= artifact;
        const at = position.get(artifact.id)!;
        const coverage: Coverage = { artifact: artifact.id, title: artifact.title, state: 'failed', records: received[at]!, files: [], issues: [], reason };
        arrive({ type: 'done', artifact: artifact.id, coverage, inputs: [] });
      }
    };

    const adopt = (started: StartedWorker) => {
      const slot: Slot = { worker: started.worker, unit: null, finished: new Set(), closing: false, exited: false, openFailure: null };
      slots.push(slot);
      slot.worker.on('message', (message: FromWorker) => {
        if (settled) return;
        switch (message.type) {
          case 'open-failed':
            slot.openFailure = message.message;
            return;
          case 'batch':
            return arrive(message);
          case 'done':
            slot.finished.add(message.artifact);
            return arrive(message);
          case 'unit-done':
            slot.unit = null;
            return assign(slot);
          case 'closed':
            if (message.decrypted) {
              decrypted ??= { filesDecrypted: 0, bytesDecrypted: 0 };
              decrypted.filesDecrypted += message.decrypted.filesDecrypted;
              decrypted.bytesDecrypted += message.decrypted.bytesDecrypted;
            }
            for (const note of message.notes) if (!notes.includes(note)) notes.push(note);
            return;
        }
      });
      send(slot, { type: 'indicators', collections: run.collections });
      // Given its first unit at once (the thread reads it once it is ready): each worker has a share, however fast
      // this thread would get through a small plan.
      assign(slot);
      const exited = (code: number) => {
        slot.exited = true;
        if (settled) return;
        if (slot.openFailure !== null) {
          // Its share is run here: the check loses time, not coverage.
          const note = `a worker thread could not open the acquisition (${slot.openFailure}); this thread ran its share`;
          if (!notes.includes(note)) notes.push(note);
          if (slot.unit !== null) units.unshift(slot.unit);
          slot.unit = null;
          if (!hereRunning) hereDone = runHere();
        } else if (slot.unit !== null || (!slot.closing && code !== 0)) {
          failUnit(slot, started.error ?? `exit code ${code}`);
          if (units.length > 0 && respawns++ < plan.length) adopt(startWorkers(1, started.setup)[0]!);
        }
        finishIfDone();
      };
      // A worker that died while this thread was loading the indicators has already said so.
      if (started.exitCode !== null) exited(started.exitCode);
      else slot.worker.on('exit', exited);
    };

    hooks.artifactStarted(plan[0]!, { index: 0, total: plan.length });
    // This thread keeps what it opened (and the logging of its reads waits for each artifact's turn).
    run.inputs.watch({ hold: true });
    for (const started of run.workers) adopt(started);
    hereDone = runHere();
  });
}

function forEachEncoded({ bytes, ends }: EncodedTexts, each: (bytes: Uint8Array) => void): void {
  for (let i = 0, start = 0; i < ends.length; start = ends[i]!, i++) each(bytes.subarray(start, ends[i]));
}

/**
 * A worker's young generation: 12 MB (4 MB semi-spaces) instead of V8's 48. A worker's records and rendered
 * lines live only until their batch is posted, so a small nursery collects them as well; with V8's default it grew
 * to its maximum and each worker thread added about 30 MB more to the check's peak RSS (bench/README.md). This
 * pays off only with small batches (WORKER_BATCH_RECORDS): a 1,000-record batch outlived the collections of a
 * small nursery, and the old generation grew instead.
 */
const WORKER_LIMITS = { maxYoungGenerationSizeMb: 12 };

/**
 * Records a worker renders before posting them (with their timeline lines and findings): few enough that a batch
 * dies young in the worker's nursery (WORKER_LIMITS); still only 500 messages for 100,000 Manifest entries.
 */
export const WORKER_BATCH_RECORDS = 200;

/**
 * A worker thread on this module's sibling entry: compiled, `worker.js`; on the sources (tsx, vitest), `worker.ts`
 * loaded through tsx's loader, registered inside the thread (a `--import tsx` in execArgv does not reach the
 * entry module of a worker on Node 20).
 */
function startWorker(workerData: WorkerSetup): Worker {
  const here = import.meta.url;
  if (!here.endsWith('.ts')) return new Worker(new URL('./worker.js', here), { workerData, resourceLimits: WORKER_LIMITS });
  const entry = new URL('./worker.ts', here).href;
  const tsx = tsxLoaderUrl(here);
  const boot = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(boot, { eval: true, workerData, resourceLimits: WORKER_LIMITS });
}

/** tsx's ESM loader API (`tsx/esm/api`, its `import` condition), found from this module the way Node resolves a package. */
function tsxLoaderUrl(from: string): string {
  const manifestPath = createRequire(from).resolve('tsx/package.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { exports: Record<string, { import: { default: string } }> };
  return pathToFileURL(join(dirname(manifestPath), manifest.exports['./esm/api']!.import.default)).href;
}
