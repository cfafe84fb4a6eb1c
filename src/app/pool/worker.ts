/**
 * A worker thread of the `--jobs` pool: opens the acquisition itself (its own SQLite handles, the main thread's
 * copies of large databases) while the main thread loads the indicators, compiles them once they come (its first
 * message), and runs the artifacts it is given, sending back per artifact what the sinks' renderers made of each
 * record, the findings and the coverage. It never writes results: the main thread writes what it sends.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { AnyArtifact, Parsed, TimelineEvent } from '../../artifacts/artifact.js';
import { allArtifacts } from '../../artifacts/index.js';
import { createDetector, type Detector } from '../../detection/detector.js';
import { openAcquisition } from '../../evidence/detect.js';
import { withGivenTimeZone } from '../../evidence/device-zone.js';
import { InputLog } from '../../evidence/input-log.js';
import type { BackupCredential } from '../../evidence/ios-backup-keys.js';
import type { Source } from '../../evidence/source.js';
import { useSharedSqliteCopies } from '../../evidence/sqlite.js';
import { usePrivateTempOf } from '../../evidence/temp.js';
import { errorMessage } from '../../errors.js';
import type { Finding } from '../../findings/finding.js';
import type { Collection } from '../../indicators/collection.js';
import { compileIndicators } from '../../indicators/match.js';
import { recordRenderers } from '../../report/renderers.js';
import { rulesFor } from '../../rules/index.js';
import { runArtifact, type ArtifactFlow } from '../run-artifact.js';
import type { TimelineLine } from '../../report/timeline-runs.js';
import type { EncodedLines, EncodedTexts, FromWorker, ToWorker, WorkerSetup } from './protocol.js';
import { pack } from './transfer.js';

const port = parentPort;
if (port === null) throw new Error('app/pool/worker.ts runs as a worker thread of the --jobs pool');
const setup = workerData as WorkerSetup;
const post = (message: FromWorker) => port.postMessage(message);

usePrivateTempOf(setup.tempRoot);
useSharedSqliteCopies(setup.sqliteCopies);
const key = setup.key;
const credentials = key === null ? undefined : async (): Promise<BackupCredential> => ({ kind: 'key', key: Buffer.from(key) });

// Opened while the main thread loads the indicators; a failure is said once the main thread listens (its first message).
const opening = openAcquisition(setup.target, setup.kind, credentials, undefined, InputLog.knowing(setup.openedInputs)).then(
  (opened) => ({ opened }),
  (err: unknown) => ({ failure: err }),
);
const renderers = setup.renderers.map((kind) => recordRenderers[kind]);
const byId = new Map<string, AnyArtifact>(allArtifacts.map((a) => [a.id, a]));
// The pool is stopped by terminating this thread; nothing aborts from inside.
const signal = new AbortController().signal;

interface Ready {
  readonly source: Source;
  readonly inputs: InputLog;
  readonly detector: Detector;
  /** What opening decrypted (the main thread's own opening counted it already). */
  readonly decryptedAtOpen: ReturnType<NonNullable<Source['stats']>>;
}
let ready: Promise<Ready> | null = null;
// Messages are handled one after another: a unit's run waits for the one before (and for the indicators).
let queue: Promise<void> = Promise.resolve();

port.on('message', (message: ToWorker) => {
  if (message.type === 'indicators') ready = prepare(message.collections);
  const started = ready!;
  queue = queue.then(async () => {
    const r = await started;
    if (message.type === 'run') await runUnit(r, message.artifacts);
    else if (message.type === 'close') await close(r);
  });
});

async function prepare(collections: readonly Collection[]): Promise<Ready> {
  const outcome = await opening;
  if ('failure' in outcome) {
    post({ type: 'open-failed', message: errorMessage(outcome.failure) });
    port!.close();
    throw outcome.failure;
  }
  const { inputs } = outcome.opened;
  // The same zone as the main thread's source, so `--jobs N` gives the same bytes (device-zone.ts).
  const source = withGivenTimeZone(outcome.opened.source, setup.deviceTimeZone);
  const decryptedAtOpen = source.stats?.();
  inputs.watch();
  inputs.takeTouched();
  return { source, inputs, detector: createDetector(compileIndicators([...collections]), rulesFor(source.kind)), decryptedAtOpen };
}

/** Runs one unit: an artifact and those that need its records, in plan order (their records stay here). */
async function runUnit({ source, inputs, detector }: Ready, ids: readonly string[]): Promise<void> {
  const unit = ids.map((id) => byId.get(id)!);
  const needed = new Set(unit.flatMap((a) => a.needs ?? []));
  const kept = new Map<string, readonly unknown[]>();
  for (const artifact of unit) {
    const batch = createBatch(artifact);
    const { coverage, records } = await runArtifact(artifact, source, kept, needed.has(artifact.id), batch.flow, detector, signal);
    if (records) kept.set(artifact.id, records);
    batch.flush();
    post({ type: 'done', artifact: artifact.id, coverage: pack(coverage), inputs: inputs.takeTouched() });
  }
  post({ type: 'unit-done' });
}

/** Collects an artifact's rendered records, timeline events and findings, and sends them every few records. */
function createBatch(artifact: AnyArtifact): { flow: ArtifactFlow; flush(): void } {
  let records: unknown[][] = renderers.map(() => []);
  let timeline: TimelineLine[][] = renderers.map(() => []);
  let findings: unknown[] = [];
  let count = 0;
  let events = 0;
  const flush = () => {
    if (count === 0 && events === 0 && findings.length === 0) return;
    const encoded = records.map(encodeTexts);
    const lines = timeline.map(encodeLines);
    const texts = [...encoded.filter(isEncoded), ...lines.map((l) => l.lines)];
    const transfer = texts.flatMap((t) => [t.bytes.buffer as ArrayBuffer, t.ends.buffer as ArrayBuffer]);
    port!.postMessage({ type: 'batch', artifact: artifact.id, recordCount: count, records: encoded, timeline: lines, timelineEvents: events, findings } satisfies FromWorker, transfer);
    records = renderers.map(() => []);
    timeline = renderers.map(() => []);
    findings = [];
    count = 0;
    events = 0;
  };
  const flow: ArtifactFlow = {
    record(item: Parsed<unknown>) {
      for (let i = 0; i < renderers.length; i++) records[i]!.push(pack(renderers[i]!.record(artifact, item)));
      if (++count >= setup.batchRecords) flush();
    },
    timeline(event: TimelineEvent) {
      events++;
      for (let i = 0; i < renderers.length; i++) timeline[i]!.push(renderers[i]!.timeline(artifact, event));
    },
    finding(finding: Finding) {
      findings.push(pack(finding));
    },
  };
  return { flow, flush };
}

/**
 * A batch of rendered strings as one UTF-8 buffer, handed over without a copy: the main thread writes the bytes
 * as they are (no string to copy across threads, nothing to encode there). Anything else stays as it is.
 */
function encodeTexts(rendered: unknown[]): unknown[] | EncodedTexts {
  if (rendered.length === 0 || !rendered.every((r) => typeof r === 'string')) return rendered;
  return encodeStrings(rendered);
}

/** A batch's timeline lines, encoded the same way; their keys travel as strings. */
function encodeLines(timeline: readonly TimelineLine[]): EncodedLines {
  return { keys: timeline.map((l) => l.sortKey), lines: encodeStrings(timeline.map((l) => l.line as string)) };
}

function encodeStrings(texts: readonly string[]): EncodedTexts {
  const ends = new Uint32Array(texts.length);
  let total = 0;
  for (let i = 0; i < texts.length; i++) ends[i] = total += Buffer.byteLength(texts[i]!, 'utf8');
  const bytes = new Uint8Array(total);
  const view = Buffer.from(bytes.buffer, 0, total);
  for (let i = 0, at = 0; i < texts.length; i++) at += view.write(texts[i]!, at, 'utf8');
  return { bytes, ends };
}

function isEncoded(r: unknown[] | EncodedTexts): r is EncodedTexts {
  return !Array.isArray(r);
}

async function close({ source, decryptedAtOpen }: Ready): Promise<void> {
  const now = source.stats?.();
  const decrypted = now && decryptedAtOpen ? { filesDecrypted: now.filesDecrypted - decryptedAtOpen.filesDecrypted, bytesDecrypted: now.bytesDecrypted - decryptedAtOpen.bytesDecrypted } : null;
  const notes = source.notes?.() ?? [];
  await source.close();
  post({ type: 'closed', decrypted, notes: [...notes] });
  port!.close();
}
