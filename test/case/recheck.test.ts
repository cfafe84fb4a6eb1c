/**
 * Retro-hunting, as the acceptance states it: acquisitions checked into a case with no indicators (or
 * old ones), then rechecked against new indicators without reading the evidence again. The new findings are
 * exactly those a direct check with the same indicators gives; a recheck with nothing changed reports
 * nothing; withdrawing an indicator file reports its findings gone, naming the file and its SHA-256.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { check } from '../../src/app/check.js';
import { recheck } from '../../src/app/recheck.js';
import { loadCaseReport } from '../../src/case/report-model.js';
import { generateIosBackup } from '../../src/synth/ios-backup.js';
import { tempDir } from '../fixtures/ios-backup.js';
import { mvtIosBackup, mvtTestStix } from '../helpers/data.js';
import { stixBundle } from '../indicators/bundle.js';
import { checkIntoCase, findingKey } from './_case.js';

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

describe('recheck of the MVT test backup against test.stix2', () => {
  let caseDir: string;
  let direct: Awaited<ReturnType<typeof check>>;
  beforeAll(async () => {
    caseDir = join(tempDir('case'), 'case');
    const added = await checkIntoCase(mvtIosBackup(), { dir: caseDir, device: 'phone-a', person: 'A', organisation: 'Org 1' });
    expect(added.findings.filter((f) => f.indicator)).toHaveLength(0);
    direct = await check({ target: mvtIosBackup(), iocs: [mvtTestStix()], userIocDir: null });
  }, 60_000);

  it('reports as new exactly the indicator findings a direct check gives, naming the file and its SHA-256', async () => {
    const directFindings = direct.findings.filter((f) => f.indicator);
    expect(directFindings).toHaveLength(3);
    const { cases } = await recheck({ cases: [caseDir], iocs: [mvtTestStix()], userIocDir: null });
    const r = cases[0]!;
    expect(r.gone).toEqual([]);
    expect(r.new).toHaveLength(directFindings.length);
    expect(r.new.map((f) => findingKey({ ...f, indicator: f.indicator })).sort()).toEqual(directFindings.map((f) => findingKey({ ...f, indicator: f.indicator && { value: f.indicator.value, file: f.indicator.file.path } })).sort());
    for (const f of r.new) {
      expect(f.indicator.file).toBe(mvtTestStix());
      expect(f.indicator.sha256).toBe(sha256(mvtTestStix()));
      expect(f.device).toBe('phone-a');
    }
    expect(r.new.map((f) => f.observed).sort()).toEqual(['Launch', 'https://badbadbad.example.org/', 'https://example.org/news']);
  });

  it('reports nothing new when rechecked again with the same indicators', async () => {
    const { cases } = await recheck({ cases: [caseDir], iocs: [mvtTestStix()], userIocDir: null });
    expect(cases[0]!.new).toEqual([]);
    expect(cases[0]!.gone).toEqual([]);
    expect(cases[0]!.current).toBe(3);
  });

  it('reports the findings gone when the indicator file is withdrawn, naming the file they came from', async () => {
    const { cases } = await recheck({ cases: [caseDir], iocs: [], userIocDir: null });
    expect(cases[0]!.new).toEqual([]);
    expect(cases[0]!.gone).toHaveLength(3);
    for (const f of cases[0]!.gone) expect(f.indicator).toMatchObject({ file: mvtTestStix(), sha256: sha256(mvtTestStix()), collection: 'TestMalware' });
    // The case now shows the check's two rule findings only.
    const report = loadCaseReport(caseDir);
    expect(report.findings.map((f) => f.level).sort()).toEqual(['informational', 'low']);
    expect(report.runs.map((r) => r.kind)).toEqual(['check', 'recheck', 'recheck', 'recheck']);
  });
});

describe('a case of two devices and a new indicator file (the issue acceptance)', () => {
  it('reports exactly the one new finding with its file, then reports it gone when the file is withdrawn', async () => {
    const root = tempDir('case2');
    const caseDir = join(root, 'case');
    const second = generateIosBackup(join(root, 'second'), { seed: 7, manifestEntries: 200, messages: 20, visits: 20, processes: 10 }).dir;
    await checkIntoCase(mvtIosBackup(), { dir: caseDir, device: 'phone-a' }, [mvtTestStix()]);
    await checkIntoCase(second, { dir: caseDir, device: 'phone-b', person: 'B' }, [mvtTestStix()]);

    const extra = join(root, 'new-domain.stix2');
    // gstatic.com is in the MVT backup's WebKit resource load statistics; test.stix2 does not list it, and the
    // generated phone never went there.
    writeFileSync(extra, JSON.stringify(stixBundle({ malware: ['Retro'], indicators: [{ pattern: "[domain-name:value = 'gstatic.com']", malware: 'Retro' }] })));

    const first = await recheck({ cases: [caseDir], iocs: [mvtTestStix(), extra], userIocDir: null });
    const r = first.cases[0]!;
    expect(r.acquisitions).toBe(2);
    expect(r.gone).toEqual([]);
    expect(r.new).toHaveLength(1);
    expect(r.new[0]).toMatchObject({
      device: 'phone-a',
      level: 'critical',
      artifact: 'ios.webkit_resource_load_statistics',
      observed: 'gstatic.com',
      indicator: { value: 'gstatic.com', collection: 'Retro', file: extra, sha256: sha256(extra) },
    });
    // The same finding as a direct check with both files gives.
    const direct = await check({ target: mvtIosBackup(), iocs: [mvtTestStix(), extra], userIocDir: null });
    expect(direct.findings.filter((f) => f.indicator?.value === 'gstatic.com').map((f) => f.message)).toEqual([r.new[0]!.message]);

    const withdrawn = await recheck({ cases: [caseDir], iocs: [mvtTestStix()], userIocDir: null });
    expect(withdrawn.cases[0]!.new).toEqual([]);
    expect(withdrawn.cases[0]!.gone.map((f) => [f.indicator.value, f.indicator.file])).toEqual([['gstatic.com', extra]]);
  }, 60_000);

  it('leaves a clean phone quiet: a generated ordinary backup rechecked against every real feed gains no finding', async () => {
    const root = tempDir('case-clean');
    const caseDir = join(root, 'case');
    const clean = generateIosBackup(join(root, 'clean'), { seed: 11, manifestEntries: 300, messages: 60, visits: 60, processes: 20 }).dir;
    await checkIntoCase(clean, { dir: caseDir, device: 'clean' });
    const { cases, indicators } = await recheck({ cases: [caseDir], iocs: [join(mvtTestStix(), '..', '..', '..', 'iocs')], userIocDir: null });
    expect(indicators.total).toBeGreaterThan(1000);
    expect(cases[0]!.matchedRecords).toBe(0);
    expect(cases[0]!.new).toEqual([]);
  }, 60_000);
});

describe('recheck of something that is not a case', () => {
  it('names the folder in one line and still rechecks the other cases', async () => {
    const root = tempDir('case-bad');
    const good = join(root, 'good');
    await checkIntoCase(mvtIosBackup(), { dir: good });
    const { cases, failed } = await recheck({ cases: [join(root, 'nothing-here'), good], iocs: [mvtTestStix()], userIocDir: null });
    expect(failed).toHaveLength(1);
    expect(failed[0]!.reason).toMatch(/nothing-here: not a case folder \(no case\.db/);
    expect(failed[0]!.reason).not.toContain('\n');
    expect(cases).toHaveLength(1);
    expect(cases[0]!.new).toHaveLength(3);
  }, 60_000);
});
