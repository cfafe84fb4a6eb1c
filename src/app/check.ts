/**
 * The check use case, orchestration only: open an acquisition, parse every applicable artifact, hand each
 * record's facts to detection (src/detection), and feed records, timeline events, findings and coverage to the
 * sinks as they happen. Progress is reported as events and sink hooks; printing is the CLI's job.
 */
import { statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, relative } from 'node:path';
import type { AnyArtifact } from '../artifacts/artifact.js';
import { allArtifacts } from '../artifacts/index.js';
import { detectAcquisition, openAcquisition } from '../evidence/detect.js';
import type { CredentialProvider } from '../evidence/ios-backup-keys.js';
import type { AgeCredentialProvider } from '../evidence/fs/age.js';
import type { AcquisitionInfo, Source, SourceKind } from '../evidence/source.js';
import { holdSealedScratch } from '../evidence/sealed-scratch.js';
import { sqliteCopiesToShare } from '../evidence/sqlite.js';
import { checkedTimeZone, withGivenTimeZone } from '../evidence/device-zone.js';
import { assertUsableTempArea, holdPrivateTemp, privateTempRoot } from '../evidence/temp.js';
import { UserError, interruption } from '../errors.js';
import { createDetector } from '../detection/detector.js';
import type { Finding } from '../findings/finding.js';
import { loadIndicators, type LoadedIndicators } from '../indicators/load.js';
import { compileIndicators } from '../indicators/match.js';
import { MvtOutput } from '../report/mvt/writer.js';
import { NativeOutput } from '../report/native.js';
import { fanOut, guardWrites, type RunInfo, type Sink } from '../report/output.js';
import { allRules, rulesFor } from '../rules/index.js';
import { toolVersion } from '../version.js';
import type { Coverage } from '../findings/coverage.js';
import { openOutputFolder, previousRunOf, type PendingFolder } from './output-target.js';
import { runArtifact, type ArtifactFlow } from './run-artifact.js';
import { WORKER_BATCH_RECORDS, largestFirst, renderersOf, runPool, startWorkers, unitsOf, workersFor, type PoolOutcome, type StartedWorker } from './pool/pool.js';
import { orderArtifacts } from './order.js';

export type OutputFormat = 'native' | 'mvt';

export interface CheckOptions {
  readonly target: string;
  readonly type?: SourceKind;
  readonly iocs?: readonly string[];
  /** Value of TRACEHOUND_IOCS. */
  readonly envIocs?: string;
  /** Folder of indicator files loaded by default; null to disable. */
  readonly userIocDir?: string | null;
  /**
   * Folder for the results: new, empty, or holding a previous run of the same acquisition (then replaced
   * whole). Written under a hidden name beside it and renamed into place when the run ends.
   */
  readonly output?: string;
  readonly format?: OutputFormat;
  readonly only?: readonly string[];
  /** Asked for the password or key of an encrypted backup, only when one is opened. */
  readonly credentials?: CredentialProvider;
  /** Asked for the identities or passphrase of an age-encrypted acquisition (`.zip.age`), only when one is opened. */
  readonly ageCredentials?: AgeCredentialProvider;
  readonly onEvent?: (event: CheckEvent) => void;
  /**
   * More sinks fed by this run, as things happen (a progress display, later the case store); the results
   * folder's sink (`output` in `format`) comes first. What their `finish` returns is added to `outputFiles`.
   */
  readonly sinks?: readonly Sink[];
  readonly signal?: AbortSignal;
  /**
   * Nothing derived from the evidence is written in plaintext to the temp folder (for encrypted cases): every
   * SQLite database is opened from memory (up to `sqliteLimits.maxSealedInMemoryBytes`; a larger one is refused
   * with a coverage line), decrypted files stay in memory, and what must spill is sealed with a key held only in
   * memory (src/evidence/sealed-scratch.ts; docs/dev/file-systems.md, "Sealed scratch"). Off: large databases are
   * copied to temp as plaintext, as before.
   */
  readonly sealedScratch?: boolean;
  /**
   * Threads that run the artifacts (`--jobs`): the caller's and `jobs - 1` worker threads; the outputs are the
   * same bytes whatever the number. `'auto'` (the CLI's default): one, and one more per 80 MiB of files to read, at
   * most one per core (`poolLimits`). Default 1: everything in the caller's thread. Some runs use one thread
   * whatever is asked; `CheckResult.threads` says which and why.
   */
  readonly jobs?: number | 'auto';
  /**
   * The device's time zone as the examiner knows it (`--device-time-zone`, an IANA name; MVT's
   * `check-intrusion-logs -t`), for an acquisition that names none: device-local times (dumpsys, tombstones) get
   * their UTC instant and intrusion-log times their wall-clock label in it. The acquisition's own
   * `persist.sys.timezone` wins when present (src/evidence/device-zone.ts). Checked before anything is opened.
   */
  readonly deviceTimeZone?: string;
}

export type CheckEvent =
  | { readonly type: 'source-opened'; readonly acquisition: AcquisitionInfo; readonly note?: string }
  | { readonly type: 'indicators-loaded'; readonly indicators: LoadedIndicators }
  | { readonly type: 'artifact-started'; readonly id: string; readonly title: string; readonly index: number; readonly total: number }
  | { readonly type: 'artifact-finished'; readonly coverage: Coverage }
  | { readonly type: 'finding'; readonly finding: Finding };

export interface CheckResult {
  readonly acquisition: AcquisitionInfo;
  readonly findings: readonly Finding[];
  readonly coverage: readonly Coverage[];
  readonly indicators: LoadedIndicators;
  readonly outputFiles: readonly string[];
  readonly timelineEvents: number;
  /** For encrypted backups: what was decrypted (only what the parsers read). */
  readonly decrypted?: { readonly filesDecrypted: number; readonly bytesDecrypted: number };
  /** Problems of the container itself (archive members refused, where an archive broke), one line each. */
  readonly containerNotes: readonly string[];
  /** Worker threads that ran artifacts beside the caller's (0: only the caller's), and why none when more were asked for. */
  readonly threads: { readonly workers: number; readonly oneThreadBecause?: string };
}

// Re-exported: the CLI, the docs generator and library users find the registries here.
export { allArtifacts, allRules };

export async function check(options: CheckOptions): Promise<CheckResult> {
  const startedAt = new Date();
  const emit = options.onEvent ?? (() => {});
  const signal = options.signal ?? new AbortController().signal;
  // A zone name this tool cannot use is a usage error before anything is opened (the CLI checked it already).
  const givenZone = options.deviceTimeZone === undefined ? undefined : checkedTimeZone(options.deviceTimeZone);
  assertUsableTempArea();
  // Sealed before anything is opened: the acquisition's own index (Manifest.db) is read while opening it.
  const releaseSealed = options.sealedScratch ? holdSealedScratch() : () => {};
  const releaseHeldTemp = holdPrivateTemp();
  const releaseTemp = (): void => {
    releaseSealed();
    releaseHeldTemp();
  };
  let pending: PendingFolder | null = null;
  let opened: Awaited<ReturnType<typeof openAcquisition>>;
  let indicatorsLoading: Promise<LoadedIndicators>;
  try {
    // The output is validated (and its scratch twin created) before the slow part: opening an encrypted backup
    // derives its key, and a bad `-o` should cost nothing.
    if (options.output) pending = openOutputTarget(options.output, options.target, options.type);
    // Loaded while the acquisition opens, which mostly waits: on a password prompt, on the disk (a large database
    // is copied on libuv's threads). Awaited once the acquisition is open: a failure to open is the one reported.
    indicatorsLoading = loadIndicators({ paths: [...(options.iocs ?? [])], env: options.envIocs, userDir: options.userIocDir });
    indicatorsLoading.catch(() => {});
    opened = await openAcquisition(options.target, options.type, options.credentials, options.ageCredentials);
  } catch (err) {
    pending?.discard();
    releaseTemp();
    throw err;
  }
  const { inputs, note } = opened;
  // Every artifact and the check itself see the examiner's zone through the source's description (device-zone.ts).
  const source = withGivenTimeZone(opened.source, givenZone);
  const results = collectResults(emit);
  let sink = fanOut([results.sink]);
  let committed = false;
  let stopping: unknown;
  let workers: StartedWorker[] = [];
  try {
    if (signal.aborted) throw interruption(signal);
    const acquisition = source.describe();
    emit({ type: 'source-opened', acquisition, ...(note ? { note } : {}) });
    const folder = pending === null ? null : guardWrites(folderSink(options.format ?? 'native', pending), pending.path);
    const writers = [...(folder ? [folder] : []), ...(options.sinks ?? [])];
    sink = fanOut([...writers, results.sink]);

    const applicable = allArtifacts.filter((a) => a.inputs[source.kind] !== undefined);
    const selected = options.only?.length ? selectArtifacts(options.only, applicable) : applicable;
    const plan = orderArtifacts(selected, applicable);
    const neededLater = new Set(plan.flatMap((a) => a.needs ?? []));
    const asked = options.jobs === 'auto' ? availableParallelism() : (options.jobs ?? 1);
    let jobs = asked;
    let oneThreadBecause = plan.length === 0 ? 'nothing to run' : whyOneThread(jobs, source, acquisition, plan, writers, options.sealedScratch === true);
    let units: AnyArtifact[][] = [];
    if (oneThreadBecause === null) {
      const sized = await largestFirst(unitsOf(plan), source);
      units = sized.units;
      if (options.jobs === 'auto') {
        jobs = autoThreads(sized.bytes, asked);
        if (jobs < 2) oneThreadBecause = `a small acquisition (${megabytes(sized.bytes)} to read): one thread is quicker than starting more`;
      }
    }
    if (oneThreadBecause === null) {
      // Started now: they load the program and open the acquisition while this thread loads the indicators.
      const credential = source.reopenCredential?.();
      workers = startWorkers(workersFor(jobs, units), {
        target: options.target,
        kind: source.kind,
        key: credential?.kind === 'key' ? credential.key : null,
        renderers: renderersOf(writers),
        tempRoot: privateTempRoot(),
        sqliteCopies: sqliteCopiesToShare(),
        openedInputs: inputs.all(),
        batchRecords: WORKER_BATCH_RECORDS,
        ...(givenZone === undefined ? {} : { deviceTimeZone: givenZone }),
      });
    }

    const indicators = await indicatorsLoading;
    emit({ type: 'indicators-loaded', indicators });
    // A rule written for some acquisition kinds only (a binary looked for on a dump) is not run, nor listed, elsewhere.
    const rules = rulesFor(source.kind);
    const indicatorFiles = indicators.files.map((f) => ({
      path: f.path,
      sha256: f.sha256,
      indicators: f.indicators,
      collections: f.collections,
      skipped: f.skipped,
      ...(f.duplicateOf === undefined ? {} : { duplicateOf: f.duplicateOf }),
    }));

    // A source inside a tar.gz reads every input the plan will ask for in one pass; elsewhere this does nothing.
    await source.prepare?.(plan.flatMap((a) => a.inputs[source.kind] ?? []));
    sink.start({ acquisition, indicatorFiles, indicatorCount: indicators.total, artifacts: plan });

    let pooled: PoolOutcome | null = null;
    // In a pool, each worker compiles its own too.
    const detector = createDetector(compileIndicators(indicators.collections), rules);
    if (oneThreadBecause === null) {
      pooled = await runPool({
        plan,
        units,
        workers,
        collections: indicators.collections,
        here: { source, detector },
        sinks: writers,
        hooks: sink,
        inputs,
        onTimelineEvents: results.addTimelineEvents,
        signal,
      });
    } else {
      const kept = new Map<string, readonly unknown[]>();
      for (const [index, artifact] of plan.entries()) {
        if (signal.aborted) throw interruption(signal);
        sink.artifactStarted(artifact, { index, total: plan.length });
        const flow: ArtifactFlow = {
          record: (item, observables) => sink.record(artifact, item, observables),
          timeline(event) {
            sink.timeline(artifact, event);
            results.addTimelineEvents(1);
          },
          finding: (f) => sink.finding(f),
        };
        const { coverage, records } = await runArtifact(artifact, source, kept, neededLater.has(artifact.id), flow, detector, signal);
        if (records) kept.set(artifact.id, records);
        sink.artifactFinished(artifact, coverage);
      }
    }

    const containerNotes = [...(source.notes?.() ?? [])];
    for (const note of pooled?.notes ?? []) if (!containerNotes.includes(note)) containerNotes.push(note);
    const info: RunInfo = {
      tool: { name: 'tracehound', version: toolVersion },
      startedAt,
      finishedAt: new Date(),
      target: source.root,
      acquisition,
      inputs: inputs.all(),
      indicatorFiles,
      rejectedIndicatorFiles: indicators.rejected,
      options: { type: source.kind, format: options.format ?? 'native', iocs: options.iocs ?? [], only: options.only ?? null, output: options.output ?? null, ...(givenZone === undefined ? {} : { deviceTimeZone: givenZone }) },
      coverage: results.coverage,
      containerNotes,
      artifacts: plan.map((a) => ({ id: a.id, version: a.version })),
      rules: rules.filter((r) => plan.some((a) => a.id === r.artifact)).map((r) => ({ id: r.id, version: r.version })),
    };
    const written = await sink.finish(info);
    if (signal.aborted) throw interruption(signal);
    if (pending) {
      pending.commit();
      committed = true;
    }
    // The folder sink wrote under the staging name; once renamed, its files are under the name the user gave.
    const staged = pending;
    const outputFiles = written.map((f) => (staged && !relative(staged.dir, f).startsWith('..') ? join(staged.path, relative(staged.dir, f)) : f));
    const decrypted = addDecrypted(source.stats?.(), pooled?.decrypted ?? null);
    return {
      acquisition,
      findings: results.findings,
      coverage: results.coverage,
      indicators,
      outputFiles,
      timelineEvents: results.timelineEvents(),
      ...(decrypted ? { decrypted } : {}),
      containerNotes,
      threads: pooled ? { workers: pooled.workers } : { workers: 0, ...(asked > 1 && oneThreadBecause ? { oneThreadBecause } : {}) },
    };
  } catch (err) {
    stopping = err;
    throw err;
  } finally {
    try {
      // Workers the run never took over (it stopped while loading the indicators) are not left running.
      await Promise.allSettled(workers.map((w) => w.worker.terminate()));
      sink.dispose();
      if (pending && !committed) pending.discard();
      await closeQuietlyWhenStopping(source, stopping);
    } finally {
      releaseTemp();
    }
  }
}

/**
 * Closes the source; when the run is already ending with an error (an interruption, a write error), a close
 * failure (a statement a stopped parser left open) must not replace that error with a confusing one.
 */
async function closeQuietlyWhenStopping(source: Source, stopping: unknown): Promise<void> {
  try {
    await source.close();
  } catch (err) {
    if (stopping === undefined) throw err;
    if (process.env.TRACEHOUND_DEBUG) console.error('while stopping, closing the source failed:', err);
  }
}

/** The sink that writes the results folder in the chosen format. */
function folderSink(format: OutputFormat, pending: PendingFolder): Sink {
  return format === 'mvt' ? new MvtOutput(pending.dir, pending.fileMode) : new NativeOutput(pending.dir, pending.fileMode);
}

/**
 * What `check()` returns and reports through `onEvent`, gathered as one more sink. The findings are kept whole
 * because the result hands them to the caller (the CLI's exit code and `--json`, library users).
 */
function collectResults(emit: (event: CheckEvent) => void) {
  const findings: Finding[] = [];
  const coverage: Coverage[] = [];
  let timelineEvents = 0;
  const sink: Sink = {
    artifactStarted: (artifact, { index, total }) => emit({ type: 'artifact-started', id: artifact.id, title: artifact.title, index, total }),
    finding(finding) {
      findings.push(finding);
      emit({ type: 'finding', finding });
    },
    artifactFinished(_artifact, cov) {
      coverage.push(cov);
      emit({ type: 'artifact-finished', coverage: cov });
    },
  };
  return { sink, findings, coverage, timelineEvents: () => timelineEvents, addTimelineEvents: (n: number) => void (timelineEvents += n) };
}

function openOutputTarget(dir: string, target: string, type: SourceKind | undefined): PendingFolder {
  const detected = detectAcquisition(target, type);
  if (detected.answer === 'no') throw new UserError('not-an-acquisition', `${target}: not a supported acquisition`);
  return openOutputFolder(
    dir,
    // An archive may hold an encrypted backup, known only once opened: its results are treated as plaintext of it.
    { flag: '--output', evidence: [target, detected.root], privateMode: detected.answer === 'locked' || detected.answer === 'archive' },
    { replace: 'previous-run', sameRun: previousRunOf(detected.root) },
  );
}

function selectArtifacts(ids: readonly string[], applicable: readonly AnyArtifact[]): AnyArtifact[] {
  const unknown = ids.filter((id) => !applicable.some((a) => a.id === id));
  if (unknown.length > 0) {
    throw new UserError('usage', `--only: unknown artifact(s) ${unknown.join(', ')} for this acquisition (see \`tracehound artifacts\`)`);
  }
  return applicable.filter((a) => ids.includes(a.id));
}

/**
 * With `jobs: 'auto'`, one thread per `autoBytesPerThread` of input (the files the plan's artifacts read), at most
 * one per core: a worker costs about half a second of CPU to start (the program loaded again, the acquisition
 * opened, the indicators compiled) and 70–120 MB of memory. On the bench backups, two threads took longer than one
 * at 10k entries (12 MB to read), as long at 50k (60 MB, for more CPU and memory), and less at 100k (119 MB):
 * bench/README.md. Tests lower it.
 */
export const poolLimits = { autoBytesPerThread: 80 << 20 };

/** Threads for `jobs: 'auto'`: one, and one more per `autoBytesPerThread` of input, at most `cores`. */
export function autoThreads(inputBytes: number, cores: number): number {
  const per = poolLimits.autoBytesPerThread;
  return per <= 0 ? cores : Math.min(cores, 1 + Math.floor(inputBytes / per));
}

const megabytes = (bytes: number): string => `${(bytes / 1e6).toFixed(1)} MB`;

/**
 * Why this run uses one thread whatever `jobs` asks (null: the pool can run it). A worker opens the acquisition
 * again: cheap for a folder, a zip or a plain tar (random access), not for what is read in one pass.
 */
function whyOneThread(jobs: number, source: Source, acquisition: AcquisitionInfo, plan: readonly AnyArtifact[], sinks: readonly Sink[], sealed: boolean): string | null {
  if (jobs <= 1) return 'one job asked for';
  // The sealed-scratch policy is a setting of this thread's modules; a worker would not have it.
  if (sealed) return 'a sealed-scratch run keeps the evidence in this thread';
  const container = acquisition.container;
  if (container?.encryption) return `an ${container.encryption}-encrypted acquisition is decrypted once, in memory, by one thread`;
  if (container?.container === 'tar.gz') return 'a tar.gz is read in one streaming pass';
  if (!container && !isFolder(source.root)) return `${source.root} is one file read in one pass`;
  const raw = sinks.find((s) => !s.rendering && (s.record !== undefined || s.timeline !== undefined));
  if (raw) return 'a sink takes the records themselves (the case store), not rendered ones';
  if (unitsOf(plan).length < 2) return 'one artifact (or one chain of artifacts that need each other) to run';
  return null;
}

function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

type Decrypted = { readonly filesDecrypted: number; readonly bytesDecrypted: number };

function addDecrypted(own: Decrypted | undefined, workers: Decrypted | null): Decrypted | undefined {
  if (!own || !workers) return own;
  return { filesDecrypted: own.filesDecrypted + workers.filesDecrypted, bytesDecrypted: own.bytesDecrypted + workers.bytesDecrypted };
}
