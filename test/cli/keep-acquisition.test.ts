/**
 * `check --case DIR --keep-acquisition` (issue #12 part 4): the acquisition is kept in the encrypted case,
 * sealed under the case's own key, and checked later straight from that copy with the case's identity.
 */
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { newAgeKeys } from '../fixtures/age.js';
import { tempDir } from '../fixtures/ios-backup.js';
import { capturedOutput, run } from '../helpers/cli.js';
import { mvtIosBackup, mvtTestStix } from '../helpers/data.js';

const out = capturedOutput();

describe('check --keep-acquisition', () => {
  it('keeps the backup sealed to the lab key in the case, and a later check of the kept copy finds the same', async () => {
    const lab = await newAgeKeys();
    const keyDir = tempDir('keep-keys');
    const identity = join(keyDir, 'lab.key');
    writeFileSync(identity, `${lab.identity}\n`, { mode: 0o600 });
    const caseDir = join(tempDir('keep-cli'), 'case');

    expect(await run('check', mvtIosBackup(), '--no-default-iocs', '--iocs', mvtTestStix(), '--case', caseDir, '--device', 'phone-a', '--recipient', lab.recipient, '--keep-acquisition')).toBe(1);
    expect(out.stderr).toMatch(new RegExp(`kept the acquisition sealed with the case's key: ${join(caseDir, 'acquisitions', '1.zip.age')} \\(\\d+ files, \\d+ bytes\\)\\n`));
    expect(readdirSync(caseDir).sort()).toEqual(['acquisitions', 'case.db.age']);
    expect(readdirSync(join(caseDir, 'acquisitions'))).toEqual(['1.zip.age']);
    const kept = readFileSync(join(caseDir, 'acquisitions', '1.zip.age'));
    // The case's own header: whoever opens the case opens the copy.
    expect(kept.subarray(0, 200).toString('latin1')).toContain('-> X25519 ');
    for (const s of ['badbadbad.example.org', 'Manifest.db', 'HomeDomain']) expect(kept.includes(s), s).toBe(false);

    const copy = join(caseDir, 'acquisitions', '1.zip.age');
    out.stderr = '';
    const second = await run('check', copy, '--age-identity', identity, '--no-default-iocs', '--iocs', mvtTestStix(), '--case', caseDir, '--case-identity', identity, '--device', 'phone-a', '--quiet');
    expect(out.stderr).toBe('');
    expect(second).toBe(1);
    out.stdout = '';
    expect(await run('case', 'show', caseDir, '--json', '--identity', identity)).toBe(0);
    const shown = JSON.parse(out.stdout) as { acquisitions: { id: number; kind: string }[]; findings: { acquisitionId: number; level: string; artifact: string; message: string }[] };
    expect(shown.acquisitions.map((a) => [a.id, a.kind])).toEqual([[1, 'ios-backup'], [2, 'ios-backup']]);
    const of = (id: number) => shown.findings.filter((f) => f.acquisitionId === id).map((f) => `${f.level} ${f.artifact} ${f.message}`).sort();
    expect(of(1)).toHaveLength(5);
    expect(of(2)).toEqual(of(1));
  });

  it.each([
    ['without --case', () => ['check', mvtIosBackup(), '--keep-acquisition'], /^tracehound: --keep-acquisition keeps the acquisition in a case: use it with --case DIR\n$/],
    ['into a case that is not encrypted', () => ['check', mvtIosBackup(), '--case', join(tempDir('keep-plain'), 'case'), '--keep-acquisition'], /--keep-acquisition: the case .* is not encrypted; an acquisition is kept only sealed with the case's key/],
  ])('is refused %s, with one line and exit 2, before reading anything', async (_label, args, message) => {
    expect(await run(...args())).toBe(2);
    expect(out.stderr).toMatch(message);
  });
});
