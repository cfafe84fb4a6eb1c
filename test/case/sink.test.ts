/**
 * The case store as a sink of a check: what one check adds (device, person, organisation, acquisition with the
 * SHA-256 of every input, the run with its tool and indicator files, records with observables, findings with
 * their evidence, coverage), all or nothing; never inside the evidence.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { check } from '../../src/app/check.js';
import { openCaseForCheck } from '../../src/app/case-check.js';
import { loadCaseReport } from '../../src/case/report-model.js';
import { openCase } from '../../src/case/store.js';
import { OutputError } from '../../src/errors.js';
import { tempDir } from '../fixtures/ios-backup.js';
import { mvtIosBackup, mvtTestStix } from '../helpers/data.js';
import { checkIntoCase } from './_case.js';

describe('a check into a case', () => {
  it('stores the acquisition, its inputs with their SHA-256, the run, findings with evidence and coverage', async () => {
    const caseDir = join(tempDir('sink'), 'case');
    const result = await checkIntoCase(mvtIosBackup(), { dir: caseDir, device: 'phone-a', person: 'Rania', organisation: 'Al-Haq' }, [mvtTestStix()]);
    const report = loadCaseReport(caseDir);
    expect(report.devices).toEqual([{ id: 1, name: 'phone-a', person: 'Rania', organisation: 'Al-Haq' }]);
    const acq = report.acquisitions[0]!;
    expect(acq).toMatchObject({ id: result.acquisitionId, kind: 'ios-backup', target: mvtIosBackup(), encrypted: false });
    expect(acq.inputs.length).toBeGreaterThan(5);
    const manifest = acq.inputs.find((i) => i.path.endsWith('Manifest.db'))!;
    expect(manifest.sha256).toBe(createHash('sha256').update(readFileSync(manifest.path)).digest('hex'));
    expect(report.runs).toHaveLength(1);
    expect(report.runs[0]!.indicatorFiles).toEqual([
      { path: mvtTestStix(), sha256: createHash('sha256').update(readFileSync(mvtTestStix())).digest('hex'), indicators: 9, collections: 1 },
    ]);
    // The same findings as the check returned, each with where it was read.
    expect(report.findings.map((f) => f.message).sort()).toEqual(result.findings.map((f) => f.message).sort());
    const sms = report.findings.find((f) => f.artifact === 'ios.sms')!;
    expect(sms).toMatchObject({ level: 'critical', evidence: { file: 'HomeDomain/Library/SMS/sms.db', at: { table: 'message' } }, match: { kind: 'subdomain', observed: 'https://badbadbad.example.org/' } });
    expect(sms.record).toMatchObject({ links: ['https://badbadbad.example.org/'] });
    expect(report.coverage.map((c) => c.artifact)).toEqual(result.coverage.map((c) => c.artifact));
    expect(report.coverage.find((c) => c.artifact === 'ios.sms')).toMatchObject({ state: 'parsed', records: 1 });
    // Every record and observable of the check is kept for rechecks.
    const store = openCase(caseDir);
    try {
      expect(Number(store.db.prepare('SELECT count(*) AS n FROM records').get()!.n)).toBeGreaterThan(3000);
      expect(Number(store.db.prepare(`SELECT count(*) AS n FROM observables o JOIN observable_fields f ON f.id = o.field_id WHERE f.kind = 'url'`).get()!.n)).toBeGreaterThan(0);
      // Compact: each (artifact, evidence file) stored once, records deflated together in blocks of up to 256.
      const n = (sql: string) => Number(store.db.prepare(sql).get()!.n);
      expect(n('SELECT count(*) AS n FROM record_sources')).toBe(n('SELECT count(*) AS n FROM (SELECT DISTINCT r.source_id FROM records r)'));
      expect(n('SELECT count(*) AS n FROM record_sources')).toBeLessThan(50);
      expect(n('SELECT sum(records) AS n FROM record_blocks')).toBe(n('SELECT count(*) AS n FROM records'));
      expect(n('SELECT max(records) AS n FROM record_blocks')).toBeLessThanOrEqual(256);
      expect(n('SELECT count(*) AS n FROM records WHERE block_id IS NULL OR source_id IS NULL')).toBe(0);
    } finally {
      store.close();
    }
  }, 60_000);

  it('adds a second acquisition of the same device to it, keeping the person', async () => {
    const caseDir = join(tempDir('sink2'), 'case');
    await checkIntoCase(mvtIosBackup(), { dir: caseDir, device: 'phone-a', person: 'Rania' });
    await checkIntoCase(mvtIosBackup(), { dir: caseDir, device: 'phone-a' });
    const report = loadCaseReport(caseDir, 'phone-a');
    expect(report.devices).toEqual([{ id: 1, name: 'phone-a', person: 'Rania', organisation: null }]);
    expect(report.acquisitions.map((a) => a.id)).toEqual([1, 2]);
    expect(() => loadCaseReport(caseDir, 'phone-z')).toThrow(/no device named "phone-z" in this case/);
  }, 60_000);

  it('leaves the case as it was when the check stops half-way', async () => {
    const caseDir = join(tempDir('sink3'), 'case');
    await checkIntoCase(mvtIosBackup(), { dir: caseDir, device: 'first' });
    const c = openCaseForCheck({ dir: caseDir, device: 'second' }, mvtIosBackup());
    let artifacts = 0;
    const failing = {
      artifactFinished() {
        if (++artifacts === 5) throw new OutputError('disk full (simulated)');
      },
    };
    await expect(check({ target: mvtIosBackup(), userIocDir: null, sinks: [c.sink, failing] })).rejects.toThrow(/disk full/);
    c.close();
    const report = loadCaseReport(caseDir);
    expect(report.devices.map((d) => d.name)).toEqual(['first']);
    expect(report.acquisitions).toHaveLength(1);
    expect(readdirSync(caseDir)).toEqual(['case.db']);
  }, 60_000);

  it('is never written inside the evidence', () => {
    expect(() => openCaseForCheck({ dir: join(mvtIosBackup(), 'case') }, mvtIosBackup())).toThrow(/--case .*: is inside the evidence/);
    expect(existsSync(join(mvtIosBackup(), 'case'))).toBe(false);
  });
});
