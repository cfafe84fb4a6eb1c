/**
 * `tracehound export CASE --device NAME` (issue #12 part 1): a bundle of a device's latest acquisition with the
 * findings current for it — its check's rule findings and the indicator findings of the latest recheck — that
 * verifies with OpenSSH alone and with `tracehound verify`, and that `verify --acquisition` reproduces from the
 * original backup with the indicator files the bundle carries.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { check } from '../../src/app/check.js';
import { recheck } from '../../src/app/recheck.js';
import { createKeyFiles } from '../../src/signing/key-files.js';
import { checkIntoCase } from '../case/_case.js';
import { tempDir } from '../fixtures/ios-backup.js';
import { capturedOutput, run } from '../helpers/cli.js';
import { mvtIosBackup, mvtTestStix } from '../helpers/data.js';
import { OPENSSH_RECIPE, membersOf } from './_bundle.js';

type Json = Record<string, unknown>;

/** A finding's JSON with keys sorted, to compare bundles and a check's alerts.json as multisets. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (typeof v === 'object' && v !== null) {
    const o = v as Json;
    return `{${Object.keys(o).sort().map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}
const asSet = (findings: unknown[]) => findings.map(canonical).sort();

const out = capturedOutput();
let root: string;
let caseDir: string;
let key: string;
let directAlerts: Json[];

beforeAll(async () => {
  root = tempDir('export-case');
  caseDir = join(root, 'case');
  // Checked with no indicators; the indicator findings come from a later recheck, as in a retro-hunt.
  await checkIntoCase(mvtIosBackup(), { dir: caseDir, device: 'phone-a', person: 'A' });
  await recheck({ cases: [caseDir], iocs: [mvtTestStix()], userIocDir: null });
  const direct = join(root, 'direct');
  await check({ target: mvtIosBackup(), iocs: [mvtTestStix()], userIocDir: null, output: direct });
  directAlerts = JSON.parse(readFileSync(join(direct, 'alerts.json'), 'utf8')) as Json[];
  key = join(root, 'lab-key');
  createKeyFiles(key, 'lab-a@example');
}, 120_000);

function opensshVerify(bundle: string) {
  const dir = tempDir('review');
  writeFileSync(join(dir, 'allowed_signers'), `reviewer namespaces="tracehound" ${readFileSync(`${key}.pub`, 'utf8')}`);
  return spawnSync('bash', ['-c', OPENSSH_RECIPE], { encoding: 'utf8', env: { ...process.env, BUNDLE: bundle, WORK: join(dir, 'x'), ALLOWED: join(dir, 'allowed_signers') } }).status;
}

describe('tracehound export CASE --device NAME', () => {
  it('holds the findings a direct check with the recheck\'s indicators gives, written as its alerts.json writes them', async () => {
    const bundle = join(root, 'after-recheck.zip');
    expect(await run('export', caseDir, '--device', 'phone-a', '-o', bundle, '--sign', key)).toBe(0);
    expect(out.stdout).toMatch(/after-recheck\.zip: 5 findings \(acquisition 1: .*\), 8 files, signed\n$/);
    const m = await membersOf(bundle);
    expect([...m.keys()].sort()).toEqual(
      ['coverage.json', 'findings.json', 'indicators/0f787d161ced161d9b36778423558c902b0105a7bd3c8490a58d4a0e5ed576d2.json', 'manifest.json', 'manifest.json.sig', 'observables.json', 'provenance.json', 'report.html'].sort(),
    );
    const findings = JSON.parse(m.get('findings.json')!.toString()) as Json[];
    expect(asSet(findings)).toEqual(asSet(directAlerts));
    const observables = JSON.parse(m.get('observables.json')!.toString()) as { observed: string }[];
    expect(observables.map((o) => o.observed).sort()).toEqual(['Launch', 'https://badbadbad.example.org/', 'https://example.org/news']);
    const provenance = JSON.parse(m.get('provenance.json')!.toString()) as Json & { case: { device: string; runs: { kind: string }[] }; inputs: unknown[]; artifacts: unknown[] };
    expect(provenance.case.device).toBe('phone-a');
    expect(provenance.case.runs.map((r) => r.kind)).toEqual(['check', 'recheck']);
    expect(provenance.inputs.length).toBeGreaterThan(5);
    expect(provenance.artifacts.length).toBeGreaterThan(20);
    expect(m.get('report.html')!.toString()).toContain('badbadbad.example.org');
    expect(opensshVerify(bundle)).toBe(0);
  });

  it('is reproduced by `verify --acquisition` on the original backup, with the indicator file the recheck used', async () => {
    const bundle = join(root, 'reproduce.zip');
    expect(await run('export', caseDir, '--device', 'phone-a', '-o', bundle, '--sign', key, '--quiet')).toBe(0);
    expect(await run('verify', bundle, '--key', `${key}.pub`, '--acquisition', mvtIosBackup())).toBe(0);
    expect(out.stdout).toMatch(/re-check gives the same 5 findings\n$/);
  });

  it('follows a withdrawal: after a recheck with no indicators, the bundle holds the two rule findings and still reproduces', async () => {
    const dir = join(tempDir('withdrawn'), 'case');
    await checkIntoCase(mvtIosBackup(), { dir, device: 'phone-b' }, [mvtTestStix()]);
    await recheck({ cases: [dir], iocs: [], userIocDir: null });
    const bundle = join(root, 'withdrawn.zip');
    expect(await run('export', dir, '--device', 'phone-b', '-o', bundle, '--sign', key, '--quiet')).toBe(0);
    const m = await membersOf(bundle);
    const findings = JSON.parse(m.get('findings.json')!.toString()) as { level: string; artifact: string }[];
    expect(findings.map((f) => `${f.level} ${f.artifact}`).sort()).toEqual(['informational ios.global_preferences', 'low ios.datausage']);
    expect([...m.keys()].some((k) => k.startsWith('indicators/'))).toBe(false);
    expect(await run('verify', bundle, '--key', `${key}.pub`, '--acquisition', mvtIosBackup())).toBe(0);
  });

  it.each([
    ['no --device', () => ['export', caseDir, '-o', join(root, 'x1.zip')], /^tracehound: export .*: --device NAME is required/],
    ['an unknown device', () => ['export', caseDir, '--device', 'nobody', '-o', join(root, 'x2.zip')], /: no device named "nobody" in this case/],
    ['a case and --from-output', () => ['export', caseDir, '--device', 'phone-a', '--from-output', root, '-o', join(root, 'x3.zip')], /give a case folder with --device NAME, or --from-output DIR/],
    ['--include-records with a case', () => ['export', caseDir, '--device', 'phone-a', '--include-records', '-o', join(root, 'x4.zip')], /--include-records works with --from-output only/],
    ['a folder that is no case', () => ['export', root, '--device', 'phone-a', '-o', join(root, 'x5.zip')], /not a case folder/],
  ])('refuses %s with one line and exit 2', async (_label, args, message) => {
    expect(await run(...args())).toBe(2);
    expect(out.stderr).toMatch(message);
    expect(out.stderr.trim().split('\n')).toHaveLength(1);
  });
});
