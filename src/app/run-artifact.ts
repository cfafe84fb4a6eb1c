/**
 * Runs one artifact: parses it, and hands each record, its timeline events and detection's findings to `flow`,
 * as they come. The same loop serves the one-thread check and each worker thread of a `--jobs` pool.
 */
import type { AnyArtifact, Observable, Parsed, TimelineEvent } from '../artifacts/artifact.js';
import type { Detector } from '../detection/detector.js';
import type { RecordFacts } from '../detection/facts.js';
import type { Source } from '../evidence/source.js';
import { InterruptedError, OutputError, interruption } from '../errors.js';
import type { Coverage } from '../findings/coverage.js';
import type { Finding } from '../findings/finding.js';
import { zonedEvent, zonedFinding } from './device-zone.js';
import { deviceTimeZone } from '../evidence/device-zone.js';
import { createPacer } from './pacer.js';
import { createArtifactRun } from './parse-artifact.js';

/** Where one artifact's records go while it runs. */
export interface ArtifactFlow {
  record(item: Parsed<unknown>, observables: readonly Observable[]): void;
  timeline(event: TimelineEvent): void;
  finding(finding: Finding): void;
}

/**
 * Parses one artifact, streaming each record to `flow` and detection; records are kept only for artifact-scope
 * rules and for artifacts that others need (`neededLater`).
 */
export async function runArtifact(
  artifact: AnyArtifact,
  source: Source,
  kept: ReadonlyMap<string, readonly unknown[]>,
  neededLater: boolean,
  flow: ArtifactFlow,
  detector: Detector,
  signal: AbortSignal,
): Promise<{ coverage: Coverage; records: readonly unknown[] | null }> {
  const keepFacts = detector.needsAllRecords(artifact.id);
  const factsKept: RecordFacts[] = [];
  const recordsKept: unknown[] = [];
  const run = createArtifactRun(artifact, source, kept, signal);
  const pacer = createPacer(signal);
  // Device-local times get their UTC instant when the device's time zone is known (src/evidence/device-zone.ts).
  const zone = deviceTimeZone(source.describe());
  try {
    for await (const item of artifact.parse(run.context) as AsyncIterable<Parsed<unknown>>) {
      if (pacer.due()) await pacer.turn();
      run.noteRecord();
      const facts = factsOf(artifact, item);
      flow.record(item, facts.observables);
      for (const event of artifact.timeline?.(item.record) ?? []) flow.timeline(zonedEvent(event, zone));
      for (const f of detector.record(facts)) flow.finding(zonedFinding(f, zone));
      if (keepFacts) factsKept.push(facts);
      if (neededLater) recordsKept.push(item.record);
    }
    for (const f of detector.artifact(artifact.id, factsKept)) flow.finding(zonedFinding(f, zone));
  } catch (err) {
    // Neither a write error nor an interruption says anything about the evidence: they stop the run.
    if (err instanceof OutputError || err instanceof InterruptedError) throw err;
    if (signal.aborted) throw interruption(signal);
    run.fail(err);
  }
  if (signal.aborted) throw interruption(signal);
  return { coverage: run.coverage(), records: neededLater ? recordsKept : null };
}

/** A parsed record as detection sees it: the data, what it declares observable, where it was read. */
function factsOf(artifact: AnyArtifact, item: Parsed<unknown>): RecordFacts {
  return {
    artifact: artifact.id,
    record: item.record,
    observables: artifact.observables?.(item.record) ?? [],
    evidence: { ref: item.source.file.ref, at: item.source.at },
  };
}
