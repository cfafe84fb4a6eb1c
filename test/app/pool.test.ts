/**
 * The worker pool on its own: a worker that cannot open the acquisition fails the artifacts with one line each
 * (the run goes on and ends), an abort stops every worker and rejects with the interruption, and the values a
 * worker sends keep their classes (Moment, Buffer) on arrival.
 */
import { describe, expect, it } from 'vitest';
import type { AnyArtifact } from '../../src/artifacts/artifact.js';
import { allArtifacts } from '../../src/app/check.js';
import { runPool } from '../../src/app/pool/pool.js';
import { pack, unpack } from '../../src/app/pool/transfer.js';
import { InputLog } from '../../src/evidence/input-log.js';
import { InterruptedError } from '../../src/errors.js';
import type { Coverage } from '../../src/findings/coverage.js';
import { Moment } from '../../src/formats/time.js';
import { fanOut } from '../../src/report/output.js';
import { tempDir } from '../fixtures/ios-backup.js';
import { mvtIosBackup } from '../helpers/data.js';

const byId = (id: string): AnyArtifact => allArtifacts.find((a) => a.id === id)!;

function poolOn(target: string, plan: readonly AnyArtifact[], signal: AbortSignal, onStarted: (id: string) => void = () => {}) {
  const coverage: Coverage[] = [];
  const outcome = runPool({
    plan,
    jobs: 2,
    setup: { target, kind: 'ios-backup', key: null, collections: [], tempRoot: tempDir('pool'), sqliteCopies: {} },
    sinks: [],
    hooks: fanOut([{ artifactStarted: (a) => onStarted(a.id), artifactFinished: (_a, c) => void coverage.push(c) }]),
    inputs: new InputLog(),
    onTimelineEvents: () => {},
    signal,
  });
  return { outcome, coverage };
}

describe('the worker pool', () => {
  it('fails every artifact with one line when no worker can open the acquisition, and ends', async () => {
    const { outcome, coverage } = poolOn('/nonexistent/backup', [byId('ios.sms'), byId('ios.tcc'), byId('ios.calendar')], new AbortController().signal);
    await expect(outcome).resolves.toEqual({ decrypted: null, notes: [] });
    expect(coverage.map((c) => [c.artifact, c.state, c.records])).toEqual([
      ['ios.sms', 'failed', 0],
      ['ios.tcc', 'failed', 0],
      ['ios.calendar', 'failed', 0],
    ]);
    for (const c of coverage) expect(c.reason).toBe('internal error: the worker thread running it stopped (it could not open the acquisition: /nonexistent/backup: no such file or folder)');
  });

  it('an abort terminates the workers and rejects with the interruption', async () => {
    const controller = new AbortController();
    const plan = allArtifacts.filter((a) => a.inputs['ios-backup'] !== undefined).slice(0, 6);
    const { outcome } = poolOn(mvtIosBackup(), plan, controller.signal, () => setTimeout(() => controller.abort(new InterruptedError('SIGTERM')), 0));
    await expect(outcome).rejects.toThrow(new InterruptedError('SIGTERM'));
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
