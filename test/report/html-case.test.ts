/**
 * `tracehound report CASE`: the report of a case of two devices, one of them the MVT test backup, after a
 * recheck found one more finding with a new indicator file (the acceptance). The model lists every
 * finding of the case, the page renders in headless chromium with no console error and shows each of them; a
 * report of one device names its person and only its findings.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recheck } from '../../src/app/recheck.js';
import { loadCaseReport } from '../../src/case/report-model.js';
import { modelFromCase } from '../../src/report/html/from-case.js';
import { generateIosBackup } from '../../src/synth/ios-backup.js';
import { checkIntoCase } from '../case/_case.js';
import { tempDir } from '../fixtures/ios-backup.js';
import { mvtIosBackup, mvtTestStix } from '../helpers/data.js';
import { stixBundle } from '../indicators/bundle.js';
import { capturedOutput, run } from '../helpers/cli.js';
import { browserAvailable, closeBrowsers, open } from './_browser.js';

let root = '';
let caseDir = '';

const out = capturedOutput();

beforeAll(async () => {
  root = tempDir('case-report');
  caseDir = join(root, 'case');
  const second = generateIosBackup(join(root, 'second'), { seed: 7, manifestEntries: 200, messages: 20, visits: 20, processes: 10 }).dir;
  await checkIntoCase(mvtIosBackup(), { dir: caseDir, device: 'phone-a', person: 'Rania', organisation: 'Org 1' }, [mvtTestStix()]);
  await checkIntoCase(second, { dir: caseDir, device: 'phone-b', person: 'Omar' }, [mvtTestStix()]);
  const extra = join(root, 'new-domain.stix2');
  writeFileSync(extra, JSON.stringify(stixBundle({ malware: ['Retro'], indicators: [{ pattern: "[domain-name:value = 'gstatic.com']", malware: 'Retro' }] })));
  await recheck({ cases: [caseDir], iocs: [mvtTestStix(), extra], userIocDir: null });
}, 120_000);
afterAll(closeBrowsers);

describe('the report model of a case', () => {
  it('holds every current finding of the case, each naming its device, and both devices in the subject', () => {
    const report = loadCaseReport(caseDir);
    const model = modelFromCase(report);
    expect(report.findings.length).toBeGreaterThan(5);
    expect(model.findings).toHaveLength(report.findings.length);
    expect(model.findings.filter((f) => f.basis?.kind === 'indicator' && f.basis.value === 'gstatic.com')).toHaveLength(1);
    expect(model.findings.every((f) => /^phone-[ab]: /.test(f.evidence.file))).toBe(true);
    expect(model.subject.device.name).toBe('2 devices: phone-a, phone-b');
    expect(model.provenance.inputs.length).toBe(report.acquisitions.flatMap((a) => a.inputs).length);
    expect(model.provenance.indicatorFiles.map((f) => f.indicators).sort()).toEqual([1, 9]);
  });

  it('of one device: its person and organisation, its findings only, the device facts the backup gave', () => {
    const model = modelFromCase(loadCaseReport(caseDir, 'phone-a'));
    expect(model.subject).toMatchObject({ person: 'Rania', organisation: 'Org 1', device: { name: 'phone-a', model: 'iPhone9,3', os: 'iOS 14.3 (18C66)' } });
    expect(model.findings.every((f) => !f.evidence.file.startsWith('phone-'))).toBe(true);
    expect(model.findings.some((f) => f.title.includes('"Launch"'))).toBe(true);
  });
});

describe('tracehound report CASE', () => {
  it('writes the case report and says how many findings it holds', async () => {
    const file = join(root, 'case.html');
    expect(await run('report', caseDir, '-o', file)).toBe(0);
    expect(out.stdout).toMatch(/^Report with \d+ finding\(s\) written to /);
  });

  it('refuses a case and an output folder together, or neither, in one line (exit 2)', async () => {
    for (const args of [[caseDir, '--from-output', root, '-o', join(root, 'x.html')], ['-o', join(root, 'y.html')]]) {
      out.stderr = '';
      expect(await run('report', ...args)).toBe(2);
      expect(out.stderr.trim().split('\n')).toHaveLength(1);
    }
  });

  it('refuses a device the case does not have, naming it', async () => {
    expect(await run('report', caseDir, '--device', 'nobody', '-o', join(root, 'z.html'))).toBe(2);
    expect(out.stderr).toContain('no device named "nobody"');
  });

  it.runIf(browserAvailable)('renders in headless chromium with no console error, no request, and shows every finding of the case', async () => {
    const file = join(root, 'case.html');
    const expected = loadCaseReport(caseDir).findings.length;
    const url = pathToFileURL(file).href;
    const w = await open(url);
    expect(w.consoleErrors).toEqual([]);
    expect(w.requests).toEqual([url]);
    expect(await w.page.locator('#findings-list article.finding').count()).toBe(expected);
    await expect(w.page.locator('#findings-list').textContent()).resolves.toContain('gstatic.com');
  }, 60_000);
});
