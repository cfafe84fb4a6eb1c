/**
 * A case keeps the events a report draws around each check's findings (within a day of a dated finding, at
 * most 5,000) and the span of the whole timeline, not every event of the phone: `report CASE` draws the same
 * chart as the report of the check's own output folder.
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { openCaseForCheck } from '../../src/app/case-check.js';
import { check } from '../../src/app/check.js';
import { recheck } from '../../src/app/recheck.js';
import { openCase } from '../../src/case/store.js';
import { loadCaseReport } from '../../src/case/report-model.js';
import { modelFromCase } from '../../src/report/html/from-case.js';
import { modelFromNativeOutput } from '../../src/report/html/from-native.js';
import type { ReportModel } from '../../src/report/html/model.js';
import { tempDir } from '../fixtures/ios-backup.js';
import { mvtIosBackup, mvtTestStix } from '../helpers/data.js';
import { checkIntoCase } from './_case.js';

describe('the timeline a case keeps', () => {
  let caseDir: string;
  let native: ReportModel['timeline'];
  beforeAll(async () => {
    const root = tempDir('case-timeline');
    caseDir = join(root, 'case');
    const out = join(root, 'out');
    const c = openCaseForCheck({ dir: caseDir, device: 'phone-a' }, mvtIosBackup());
    try {
      await check({ target: mvtIosBackup(), iocs: [mvtTestStix()], userIocDir: null, output: out, sinks: [c.sink] });
    } finally {
      c.close();
    }
    native = (await modelFromNativeOutput(out)).timeline;
  }, 60_000);

  it('is the window of events around the findings that the output folder\'s report draws, with the same span', () => {
    expect(native.events).toHaveLength(74);
    const acquisition = loadCaseReport(caseDir).acquisitions[0]!;
    expect(acquisition.timeline).toEqual({ events: native.events, omitted: 0, span: { first: '1980-01-01T00:00:00.000000Z', last: '2025-12-09T12:26:40.000000Z', total: 5980 } });
    expect(modelFromCase(loadCaseReport(caseDir)).timeline).toEqual(native);
  });

  it('stores those events only, not the whole timeline', () => {
    const store = openCase(caseDir);
    try {
      expect(store.db.prepare('SELECT count(*) AS n FROM timeline_events').get()).toEqual({ n: 74 });
      expect(store.db.prepare('SELECT total, omitted, window_ms FROM acquisition_timelines').get()).toEqual({ total: 5980, omitted: 0, window_ms: 86_400_000 });
    } finally {
      store.close();
    }
  });

  it('is kept by the check: a recheck that adds indicator findings draws them over the events their check stored', async () => {
    const dir = join(tempDir('case-timeline-recheck'), 'case');
    const added = await checkIntoCase(mvtIosBackup(), { dir, device: 'phone-b' }, []);
    // Without indicators the check's one dated finding is its data-usage heuristic, whose day holds the 74 events.
    expect(added.findings.filter((f) => f.eventTime !== null).map((f) => f.eventTime!.iso())).toEqual(['2019-08-27T15:08:09.253102Z']);
    await recheck({ cases: [dir], iocs: [mvtTestStix()], userIocDir: null });
    const report = loadCaseReport(dir);
    expect(report.findings.filter((f) => f.indicator !== null)).toHaveLength(3);
    expect(modelFromCase(report).timeline).toEqual(native);
  });
});
