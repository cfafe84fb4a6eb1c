/**
 * `--jobs N`: artifacts run in N worker threads, and the sinks are fed in plan order, so every output file is
 * byte-identical whatever N. Each worker opens the acquisition itself and runs whole units (an artifact with
 * those that need its records); what it sends back for an artifact that is not yet the sinks' turn waits here.
 * A worker that dies fails the artifacts it had not finished (one line each) and the run goes on.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { AnyArtifact } from '../../artifacts/artifact.js';
import type { InputLog } from '../../evidence/input-log.js';
import { errorMessage, interruption } from '../../errors.js';
import type { Coverage } from '../../findings/coverage.js';
import type { Finding } from '../../findings/finding.js';
import type { RendererKind, Sink, SinkHooks } from '../../report/output.js';
import type { EncodedTexts, FromWorker, ToWorker, WorkerSetup } from './protocol.js';
import { unpack } from './transfer.js';

export interface PoolRun {
  readonly plan: readonly AnyArtifact[];
  /** Most worker threads to start (fewer when the plan has fewer units). */
  readonly jobs: number;
  readonly setup: Omit<WorkerSetup, 'renderers' | 'batchRecords'>;
  /** Sinks that take rendered records (`rendering`); the others must have no `record`/`timeline` hook. */
  readonly sinks: readonly Sink[];
  /** Every sink, for the other events. */
  readonly hooks: SinkHooks;
  /** The run's input log: each artifact's reads are logged in plan order. */
  readonly inputs: InputLog;
  readonly onTimelineEvents: (count: number) => void;
  readonly signal: AbortSignal;
  /** Records per batch message (default 1000; tests lower it). */
  readonly batchRecords?: number;
}

export interface PoolOutcome {
  /** What the workers decrypted beyond opening the backup (null: nothing encrypted). */
  readonly decrypted: { readonly filesDecrypted: number; readonly bytesDecrypted: number } | null;
  /** Problems of the container the workers met (beyond those of the main thread's opening). */
  readonly notes: readonly string[];
}

/** Artifacts linked by `needs` run in one worker, in plan order: kept records never cross threads. */
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

type Arrival = Extract<FromWorker, { type: 'batch' | 'done' }>;

interface Slot {
  readonly worker: Worker;
  unit: AnyArtifact[] | null;
  /** Artifacts of the unit the worker reported done. */
  readonly finished: Set<string>;
  closing: boolean;
  exited: boolean;
  openFailure: string | null;
}

export function runPool(run: PoolRun): Promise<PoolOutcome> {
  const { plan, hooks, signal } = run;
  const renderers: RendererKind[] = [...new Set(run.sinks.flatMap((s) => (s.rendering ? [s.rendering] : [])))];
  const setup: WorkerSetup = { ...run.setup, renderers, batchRecords: run.batchRecords ?? 1000 };
  const position = new Map(plan.map((a, i) => [a.id, i]));
  const units = unitsOf(plan);
  const waiting: Arrival[][] = plan.map(() => []);
  const received = plan.map(() => 0);
  const slots: Slot[] = [];
  const notes: string[] = [];
  let decrypted: { filesDecrypted: number; bytesDecrypted: number } | null = null;
  let current = 0;
  let respawns = 0;
  let settled = false;

  return new Promise<PoolOutcome>((resolve, reject) => {
    const stop = (err: unknown) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      // Rejected once every worker is gone: the caller then removes the temp folder they were writing in.
      const error = err instanceof Error ? err : new Error(errorMessage(err));
      void Promise.allSettled(slots.map((slot) => slot.worker.terminate())).then(() => reject(error));
    };
    const onAbort = () => stop(interruption(signal));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort);

    const finishIfDone = () => {
      if (settled || current < plan.length || slots.some((s) => !s.exited)) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      resolve({ decrypted, notes });
    };

    /** Feeds the sinks everything that arrived for the artifact whose turn it is, and the next ones' when they are complete. */
    const drain = () => {
      while (current < plan.length && waiting[current]!.length > 0) {
        const message = waiting[current]!.shift()!;
        const artifact = plan[current]!;
        if (message.type === 'batch') {
          feed(artifact, message);
          continue;
        }
        for (const i of message.inputs) run.inputs.recordDigest(i.path, i.label, i.sha256, i.bytes);
        hooks.artifactFinished(artifact, unpack(message.coverage) as Coverage);
        waiting[current] = [];
        current++;
        if (current < plan.length) hooks.artifactStarted(plan[current]!, { index: current, total: plan.length });
      }
      if (current === plan.length) for (const slot of slots) closeIfIdle(slot);
    };

    const feed = (artifact: AnyArtifact, batch: Extract<FromWorker, { type: 'batch' }>) => {
      for (const sink of run.sinks) {
        if (!sink.rendering) continue;
        const at = renderers.indexOf(sink.rendering);
        const records = batch.records[at]!;
        if ('ends' in records) forEachEncoded(records, (bytes) => sink.renderedRecord?.(artifact, bytes));
        else for (const r of records) sink.renderedRecord?.(artifact, unpack(r));
        const { keys, lines } = batch.timeline[at]!;
        let i = 0;
        forEachEncoded(lines, (line) => sink.renderedTimeline?.(artifact, { sortKey: keys[i++]!, line }));
      }
      run.onTimelineEvents(batch.timelineEvents);
      for (const f of batch.findings) hooks.finding(unpack(f) as Finding);
    };

    const arrive = (message: Arrival) => {
      const at = position.get(message.artifact)!;
      if (message.type === 'batch') received[at] = received[at]! + message.recordCount;
      waiting[at]!.push(message);
      try {
        if (at === current) drain();
      } catch (err) {
        stop(err);
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

    const spawn = () => {
      const slot: Slot = { worker: startWorker(setup), unit: null, finished: new Set(), closing: false, exited: false, openFailure: null };
      slots.push(slot);
      slot.worker.on('message', (message: FromWorker) => {
        if (settled) return;
        switch (message.type) {
          case 'ready':
            return assign(slot);
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
      let failure: string | null = null;
      slot.worker.on('error', (err) => (failure ??= errorMessage(err)));
      slot.worker.on('exit', (code) => {
        slot.exited = true;
        if (settled) return;
        if (slot.unit !== null || (!slot.closing && code !== 0)) {
          failUnit(slot, failure ?? `exit code ${code}`);
          const alive = slots.some((s) => !s.exited);
          if (slot.openFailure !== null && !alive) {
            // No thread could open the acquisition: every unit left fails with that line.
            for (const unit of units.splice(0)) failUnit({ ...slot, unit, finished: new Set() }, `it could not open the acquisition: ${slot.openFailure}`);
          } else if (slot.openFailure === null && units.length > 0 && respawns++ < plan.length) {
            spawn();
          } else if (!alive) {
            for (const unit of units.splice(0)) failUnit({ ...slot, unit, finished: new Set() }, failure ?? `exit code ${code}`);
          }
        }
        finishIfDone();
      });
    };

    hooks.artifactStarted(plan[0]!, { index: 0, total: plan.length });
    const count = Math.max(1, Math.min(run.jobs, units.length));
    for (let i = 0; i < count; i++) spawn();
  });
}

function forEachEncoded({ bytes, ends }: EncodedTexts, each: (bytes: Uint8Array) => void): void {
  for (let i = 0, start = 0; i < ends.length; start = ends[i]!, i++) each(bytes.subarray(start, ends[i]));
}

/**
 * A worker thread on this module's sibling entry: compiled, `worker.js`; on the sources (tsx, vitest), `worker.ts`
 * loaded through tsx's loader, registered inside the thread (a `--import tsx` in execArgv does not reach the
 * entry module of a worker on Node 20).
 */
function startWorker(workerData: WorkerSetup): Worker {
  const here = import.meta.url;
  if (!here.endsWith('.ts')) return new Worker(new URL('./worker.js', here), { workerData });
  const entry = new URL('./worker.ts', here).href;
  const tsx = tsxLoaderUrl(here);
  const boot = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(boot, { eval: true, workerData });
}

/** tsx's ESM loader API (`tsx/esm/api`, its `import` condition), found from this module the way Node resolves a package. */
function tsxLoaderUrl(from: string): string {
  const manifestPath = createRequire(from).resolve('tsx/package.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { exports: Record<string, { import: { default: string } }> };
  return pathToFileURL(join(dirname(manifestPath), manifest.exports['./esm/api']!.import.default)).href;
}
