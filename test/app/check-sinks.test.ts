/** A check feeds every sink as things happen; a run can feed several, beside the results folder. */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { check } from '../../src/app/check.js';
import type { Sink } from '../../src/report/output.js';
import { tempDir } from '../fixtures/ios-backup.js';
import { mvtTestStix } from '../helpers/data.js';
import { insertHandle, insertMessage, smsBackup, smsDbBytes } from '../fixtures/sms.js';

const backup = () =>
  smsBackup(
    smsDbBytes((db) => {
      const h = insertHandle(db, '+41790000000');
      insertMessage(db, { guid: 'g1', handle_id: h, date: 700_000_000_000_000_000n, text: 'see https://example.org/x' });
    }),
  );

/** A sink that writes down what it was told, one line per event, and "writes" one file. */
function recordingSink(log: string[]): Sink {
  return {
    start: (run) => log.push(`start ${run.acquisition.kind} ${run.artifacts.length} artifacts`),
    artifactStarted: (a) => a.id === 'ios.sms' && log.push(`started ${a.id}`),
    record: (a, item, observables) => log.push(`record ${a.id} ${JSON.stringify(item.source.at)} observables=${observables.map((o) => o.value).join('|')}`),
    timeline: (a, e) => log.push(`timeline ${a.id} ${e.event}`),
    finding: (f) => log.push(`finding ${f.artifact} ${f.level} ${f.rule?.id ?? f.match?.kind}`),
    artifactFinished: (a, c) => a.id === 'ios.sms' && log.push(`finished ${a.id} ${c.state} ${c.records}`),
    finish: async (info) => {
      log.push(`finish ${info.coverage.length} coverage entries`);
      return ['/elsewhere/case.db'];
    },
    dispose: () => log.push('dispose'),
  };
}

describe('sinks', () => {
  it('receive the run start, each record with its observables, its timeline events and findings, coverage, then the end', async () => {
    const log: string[] = [];
    const result = await check({ target: backup(), iocs: [mvtTestStix()], userIocDir: null, only: ['ios.sms'], sinks: [recordingSink(log)] });
    expect(log).toEqual([
      'start ios-backup 1 artifacts',
      'started ios.sms',
      'record ios.sms {"table":"message","rowid":1} observables=https://example.org/x',
      'timeline ios.sms sms_received',
      'finding ios.sms critical domain',
      'finished ios.sms parsed 1',
      'finish 1 coverage entries',
      'dispose',
    ]);
    expect(result.outputFiles).toEqual(['/elsewhere/case.db']);
  });

  it('feed the results folder and the extra sinks from one run', async () => {
    const log: string[] = [];
    const out = join(tempDir('sinks'), 'out');
    const result = await check({ target: backup(), userIocDir: null, only: ['ios.sms'], output: out, sinks: [recordingSink(log)] });
    expect(result.outputFiles.map((f) => f.replace(out, '<out>'))).toEqual([
      '<out>/ios.sms.json',
      '<out>/timeline.csv',
      '<out>/alerts.json',
      '<out>/coverage.json',
      '<out>/info.json',
      '/elsewhere/case.db',
    ]);
  });
});
