/**
 * The worker pool on its own: when a worker cannot open the acquisition, the main thread runs its share (the run
 * loses time, not coverage, and says so), an abort stops every worker and rejects with the interruption, a worker
 * starts with a small young generation, and the values a worker sends keep their classes (Moment, Buffer) on arrival.
 */
import { describe, expect, it } from 'vitest';
import type { AnyArtifact } from '../../src/artifacts/artifact.js';
import { allArtifacts } from '../../src/app/check.js';
import { runPool, startWorkers, unitsOf } from '../../src/app/pool/pool.js';
import { createDetector } from '../../src/detection/detector.js';
import { openAcquisition } from '../../src/evidence/detect.js';
import { compileIndicators } from '../../src/indicators/match.js';
import { pack, unpack } from '../../src/app/pool/transfer.js';
import { InputLog } from '../../src/evidence/input-log.js';
import { InterruptedError } from '../../src/errors.js';
import type { Coverage } from '../../src/findings/coverage.js';
import { Moment } from '../../src/formats/time.js';
import { fanOut } from '../../src/report/output.js';
import { tempDir } from '../fixtures/ios-backup.js';
import { mvtIosBackup } from '../helpers/data.js';

const byId = (id: string): AnyArtifact => allArtifacts.find((a) => a.id === id)!;

async function poolOn(workerTarget: string, plan: readonly AnyArtifact[], signal: AbortSignal, onStarted: (id: string) => void = () => {}) {
  const coverage: Coverage[] = [];
  const inputs = new InputLog();
  const source = (await openAcquisition(mvtIosBackup(), 'ios-backup')).source;
  const outcome = runPool({
    plan,
    units: unitsOf(plan),
    workers: startWorkers(2, { target: workerTarget, kind: 'ios-backup', key: null, renderers: [], tempRoot: tempDir('pool'), sqliteCopies: {}, openedInputs: [], batchRecords: 1000 }),
    collections: [],
    sinks: [],
    hooks: fanOut([{ artifactStarted: (a) => onStarted(a.id), artifactFinished: (_a, c) => void coverage.push(c) }]),
    here: { source, detector: createDetector(compileIndicators([]), []) },
    inputs,
    onTimelineEvents: () => {},
    signal,
  }).finally(() => source.close());
  return { outcome, coverage };
}

describe('the worker pool', () => {
  it('runs every artifact in this thread when no worker can open the acquisition, and says so', async () => {
    const { outcome, coverage } = await poolOn('/nonexistent/backup', [byId('ios.sms'), byId('ios.tcc'), byId('ios.calendar')], new AbortController().signal);
    const note = 'a worker thread could not open the acquisition (/nonexistent/backup: no such file or folder); this thread ran its share';
    await expect(outcome).resolves.toEqual({ decrypted: null, notes: [note], workers: 2 });
    expect(coverage.map((c) => [c.artifact, c.state, c.records])).toEqual([
      ['ios.sms', 'parsed', 1],
      ['ios.tcc', 'parsed', 11],
      ['ios.calendar', 'parsed', 1],
    ]);
  });

  it('an abort terminates the workers and rejects with the interruption', async () => {
    const controller = new AbortController();
    const plan = allArtifacts.filter((a) => a.inputs['ios-backup'] !== undefined).slice(0, 6);
    const { outcome } = await poolOn(mvtIosBackup(), plan, controller.signal, () => setTimeout(() => controller.abort(new InterruptedError('SIGTERM')), 0));
    await expect(outcome).rejects.toThrow(new InterruptedError('SIGTERM'));
  });

  it('starts each worker with a 12 MB young generation, where its 200-record batches die young', async () => {
    const [started] = startWorkers(1, { target: '/nonexistent/backup', kind: 'ios-backup', key: null, renderers: [], tempRoot: tempDir('pool'), sqliteCopies: {}, openedInputs: [], batchRecords: 200 });
    try {
      expect(started!.worker.resourceLimits?.maxYoungGenerationSizeMb).toBe(12);
    } finally {
      await started!.worker.terminate();
    }
  });

  it('values keep their classes across threads', () => {
    const moment = Moment.fromUnixSeconds(1_566_918_489.253_102)!;
    const sent = structuredClone(pack({ at: moment, blob: Buffer.from('ab'), list: [moment, null, 'x'] }));
    const got = unpack(sent) as { at: Moment; blob: Buffer; list: unknown[] };
    expect(got.at).toBeInstanceOf(Moment);
    expect(got.at.iso()).toBe('2019-08-27T15:08:09.253102Z');
    expect(JSON.stringify(got)).toBe(JSON.stringify({ at: moment, blob: Buffer.from('ab'), list: [moment, null, 'x'] }));
    expect(Buffer.isBuffer(got.blob)).toBe(true);
  });
});
