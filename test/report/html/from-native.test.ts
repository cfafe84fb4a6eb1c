/**
 * The report model from a real check's output folder: the MVT test backup checked with MVT's test
 * indicators. Then what a damaged or foreign folder gives: one line naming the file and the expectation.
 */
import { cpSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../../src/cli/main.js';
import { UserError } from '../../../src/errors.js';
import { modelFromNativeOutput } from '../../../src/report/html/from-native.js';
import { tempDir } from '../../fixtures/ios-backup.js';
import { mvtIosBackup, mvtTestStix } from '../../helpers/data.js';

let out = '';
let stdout = '';
beforeAll(async () => {
  out = join(tempDir('native'), 'out');
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  expect(await main(['node', 'tracehound', 'check', mvtIosBackup(), '--iocs', mvtTestStix(), '--no-default-iocs', '-o', out, '-q'])).toBe(1);
  spy.mockRestore();
}, 60_000);
beforeEach(() => {
  stdout = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((stdout += String(chunk)), true));
});
afterEach(() => vi.restoreAllMocks());

describe('modelFromNativeOutput on the MVT test backup', () => {
  it('carries the five findings with their level, evidence and basis', async () => {
    const m = await modelFromNativeOutput(out, { now: () => new Date('2026-12-03T08:00:00Z') });
    expect(m.generatedAt).toBe('2026-12-03T08:00:00.000Z');
    expect(m.findings.map((f) => [f.level, f.artifact])).toEqual([
      ['low', 'ios.datausage'],
      ['critical', 'ios.tcc'],
      ['critical', 'ios.sms'],
      ['critical', 'ios.whatsapp'],
      ['informational', 'ios.global_preferences'],
    ]);
    const tcc = m.findings[1];
    expect(tcc?.title).toBe('Found a known suspicious process name "Launch" matching indicators from "TestMalware"');
    expect(tcc?.evidence).toEqual({ file: 'HomeDomain/Library/TCC/TCC.db', locator: 'table access, row 52', storedAs: '64/64d0019cb3d46bfc8cce545a8ba54b93e7ea9347' });
    expect(tcc?.basis).toEqual({ kind: 'indicator', value: 'Launch', collection: 'TestMalware', file: 'test.stix2', fileSha256: '0f787d161ced161d9b36778423558c902b0105a7bd3c8490a58d4a0e5ed576d2', observed: 'Launch' });
    expect(m.findings[0]?.basis).toMatchObject({ kind: 'rule', id: 'ios.datausage.missing_process', version: 1 });
    expect(m.findings[0]?.time).toBe('2019-08-27T15:08:09.253102Z');
    expect(m.findings[4]?.evidence.locator).toBe('key LDMGlobalEnabled');
  });

  it('carries coverage, the events within a day of the dated finding, and the provenance', async () => {
    const m = await modelFromNativeOutput(out);
    expect(m.coverage).toHaveLength(28);
    const states = m.coverage.reduce<Record<string, number>>((n, c) => ({ ...n, [c.state]: (n[c.state] ?? 0) + 1 }), {});
    expect(states).toEqual({ parsed: 12, empty: 1, missing: 14, failed: 1 });
    expect(m.coverage.find((c) => c.state === 'failed')).toMatchObject({ artifact: 'ios.sms_attachments', title: 'SMS and iMessage attachments' });
    expect(m.timeline.span).toEqual({ first: '1980-01-01T00:00:00.000000Z', last: '2025-12-09T12:26:40.000000Z', total: 5980 });
    expect(m.timeline.events).toHaveLength(74);
    expect(m.timeline.omitted).toBe(0);
    for (const e of m.timeline.events) expect(Math.abs(Date.parse(e.time) - Date.parse('2019-08-27T15:08:09Z'))).toBeLessThanOrEqual(24 * 3_600_000);
    expect(m.subject.device).toEqual({ name: 'iPhone', model: 'iPhone9,3', os: 'iOS 14.3 (18C66)', serial: 'F1234567890', id: '1CB128EAFA77C5BE74283E9A3A2130AF36A3C059' });
    expect(m.provenance.acquisition).toEqual({ kind: 'ios-backup', target: mvtIosBackup(), acquiredAt: '2021-12-03T19:33:13.000Z', encrypted: false });
    expect(m.provenance.indicatorFiles).toEqual([{ path: mvtTestStix(), sha256: '0f787d161ced161d9b36778423558c902b0105a7bd3c8490a58d4a0e5ed576d2', indicators: 9 }]);
    expect(m.provenance.inputs.find((i) => i.label === 'Manifest.db')?.sha256).toBe('7876f1034a5082d2aaef9f6df2f90ca72168616bb724efd8bd856e0c9d7ecd96');
  });

  it('bounds the events it keeps and counts the rest', async () => {
    const m = await modelFromNativeOutput(out, { maxEvents: 10 });
    expect(m.timeline.events).toHaveLength(10);
    expect(m.timeline.omitted).toBe(64);
  });
});

describe('tracehound report --from-output', () => {
  it('writes the HTML report of the folder and says where', async () => {
    const file = join(tempDir('report'), 'report.html');
    expect(await main(['node', 'tracehound', 'report', '--from-output', out, '--output', file])).toBe(0);
    expect(stdout).toMatch(new RegExp(`^Report with 5 finding\\(s\\) written to ${file} \\(\\d+ bytes, self-contained`));
    const html = readFileSync(file, 'utf8');
    expect(html).toContain('Found a known suspicious process name &quot;Launch&quot; matching indicators from &quot;TestMalware&quot;');
    expect(html).toContain('Findings (5)');
    // Private: the report quotes the phone's messages.
    expect(statSync(file).mode & 0o777).toBe(0o600);
    // An existing file is replaced only with --force; the evidence folder is never written.
    expect(await main(['node', 'tracehound', 'report', '--from-output', out, '--output', file])).toBe(2);
    expect(await main(['node', 'tracehound', 'report', '--from-output', out, '--output', file, '--force', '-q'])).toBe(0);
    expect(await main(['node', 'tracehound', 'report', '--from-output', out, '--output', join(mvtIosBackup(), 'report.html')])).toBe(2);
    expect(existsSync(join(mvtIosBackup(), 'report.html'))).toBe(false);
  });

  it('exits 2 with one line naming info.json for a folder that is not an output folder', async () => {
    let stderr = '';
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((stderr += String(chunk)), true));
    const empty = tempDir('empty');
    expect(await main(['node', 'tracehound', 'report', '--from-output', empty, '-o', join(empty, 'r.html')])).toBe(2);
    expect(stderr).toBe(`tracehound: ${join(empty, 'info.json')}: missing (expected the info.json of \`tracehound check --output\`: is ${empty} an output folder of \`tracehound check --output\`?)\n`);
  });

  it.each([
    ['a truncated alerts.json', 'alerts.json', '[{"level": "crit', /\/alerts\.json: not valid JSON \(.*; expected a list of findings\)$/],
    ['a finding with an unknown level', 'alerts.json', '[{"level": "severe", "message": "x"}]', /\/alerts\.json: unexpected content \(expected finding 1 to have a level/],
    ['coverage that is not a list', 'coverage.json', '{}', /\/coverage\.json: unexpected content \(expected a list of coverage entries\)$/],
    ['a timeline.csv with an open quote', 'timeline.csv', 'time,artifact,event,description\n2019-08-27T15:08:09Z,a,b,"open', /\/timeline\.csv: CSV: row 2: unterminated quoted field at the end of the file \(expected the timeline\.csv/],
  ])('refuses %s with one line naming the file', async (_label, name, content, message) => {
    const copy = join(tempDir('damaged'), 'out');
    cpSync(out, copy, { recursive: true });
    writeFileSync(join(copy, name), content);
    const err = await modelFromNativeOutput(copy).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toMatch(message);
    expect((err as Error).message).not.toMatch(/\n/);
  });
});
