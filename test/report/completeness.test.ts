/** What makes a check incomplete, and how the terminal says it instead of "No high or critical findings". */
import { describe, expect, it } from 'vitest';
import type { EvidenceFile } from '../../src/evidence/source.js';
import type { Coverage } from '../../src/findings/coverage.js';
import { assessCompleteness, describeIncompleteness } from '../../src/report/completeness.js';
import { renderSummary } from '../../src/report/terminal.js';

const file = (storedPath: string): EvidenceFile => ({ ref: { root: '/b', storedPath, backup: { domain: 'HomeDomain', relativePath: `x/${storedPath}`, fileId: storedPath } } });
const cov = (artifact: string, state: Coverage['state'], missing: string[] = []): Coverage => ({
  artifact,
  title: artifact,
  state,
  records: state === 'parsed' ? 3 : 0,
  files: [],
  issues: missing.map((m) => ({ code: 'file-missing' as const, file: file(m), message: `${m} is listed in Manifest.db but absent from the backup` })),
  ...(state === 'parsed' ? {} : { reason: 'why' }),
});

describe('assessCompleteness', () => {
  it('complete: everything read, absent without an index entry, or skipped', () => {
    expect(assessCompleteness([cov('a', 'parsed'), cov('b', 'empty'), cov('c', 'missing'), cov('d', 'skipped')])).toEqual({
      complete: true,
      artifacts: 3,
      foundArtifacts: 2,
      failedArtifacts: 0,
      missingFiles: 0,
      missingFromBackup: false,
      containerProblems: 0,
    });
  });

  it('counts failed artifacts and distinct listed-but-absent files (two artifacts reading one file count it once)', () => {
    const c = assessCompleteness([cov('a', 'failed'), cov('b', 'missing', ['2e/2e57']), cov('c', 'missing', ['2e/2e57']), cov('d', 'missing', ['5a/5a49']), cov('e', 'skipped')]);
    expect(c).toEqual({ complete: false, artifacts: 4, foundArtifacts: 1, failedArtifacts: 1, missingFiles: 2, missingFromBackup: true, containerProblems: 0 });
    expect(describeIncompleteness(c)).toBe('Incomplete check: 1 of 4 artifacts failed, 2 files listed in Manifest.db are missing from the backup');
  });

  it('a problem of the archive (a refused member, damage) alone makes the check incomplete', () => {
    const c = assessCompleteness([cov('a', 'parsed')], ['/x/backup.zip: member ../escape.txt refused: parent-folder component (..) in the name']);
    expect(c).toMatchObject({ complete: false, failedArtifacts: 0, missingFiles: 0, containerProblems: 1 });
    expect(describeIncompleteness(c)).toBe('Incomplete check: 1 problem with the archive (members refused or damaged)');
  });

  it('one missing file, no failures', () => {
    expect(describeIncompleteness(assessCompleteness([cov('a', 'missing', ['5a/5a49']), cov('b', 'parsed')]))).toBe('Incomplete check: 1 file listed in Manifest.db is missing from the backup');
  });

  it('an acquisition in which no artifact found its files was not checked (an empty dump or sysdiagnose)', () => {
    const c = assessCompleteness([cov('a', 'missing'), cov('b', 'missing'), cov('c', 'skipped')]);
    expect(c).toMatchObject({ complete: false, artifacts: 2, foundArtifacts: 0, failedArtifacts: 0, missingFiles: 0 });
    expect(describeIncompleteness(c)).toBe('Incomplete check: none of the 2 artifacts found its files: nothing was checked');
    expect(describeIncompleteness(assessCompleteness([cov('a', 'skipped')]))).toBe('Incomplete check: no artifact applies to this acquisition');
  });

  it('must not match: an artifact that read its file and found no rows counts as checked', () => {
    expect(assessCompleteness([cov('a', 'empty'), cov('b', 'missing')]).complete).toBe(true);
  });
});

describe('the terminal summary of an incomplete check', () => {
  it('ends with the incompleteness, never with "No high or critical findings"', () => {
    const text = renderSummary({ target: '/b', findings: [], coverage: [cov('ios.sms', 'failed'), cov('ios.tcc', 'parsed')], indicatorCount: 0, indicatorFiles: 0 });
    expect(text.split('\n').slice(-3)).toEqual([
      '',
      'Incomplete check: 1 of 2 artifacts failed.',
      'Nothing high or critical in the part that could be read; the rest was not checked, so this says little about the device.',
    ]);
    expect(text).not.toContain('No high or critical findings');
  });

  it('must not match: a complete check keeps the usual last line', () => {
    const text = renderSummary({ target: '/b', findings: [], coverage: [cov('ios.tcc', 'parsed')], indicatorCount: 0, indicatorFiles: 0 });
    expect(text.split('\n').at(-1)).toBe('No high or critical findings. This does not prove the device is clean: indicators only cover known operations.');
    expect(text).not.toContain('Incomplete');
  });
});
