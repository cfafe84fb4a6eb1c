/** Timeline CSVs stay inert in a spreadsheet: phone content never runs as a formula (OWASP CSV injection). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { iosArtifacts } from '../../src/artifacts/ios/index.js';
import { Moment } from '../../src/formats/time.js';
import { neutraliseFormula } from '../../src/report/csv-safety.js';
import { MvtOutput } from '../../src/report/mvt/writer.js';
import { NativeOutput } from '../../src/report/native.js';
import type { RunInfo } from '../../src/report/output.js';
import { tempDir } from '../fixtures/ios-backup.js';

describe('neutraliseFormula', () => {
  it.each([
    ['=HYPERLINK("https://evil.example","click")', '\'=HYPERLINK("https://evil.example","click")'],
    ['+1+cmd|calc', "'+1+cmd|calc"],
    ['-2+3', "'-2+3"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\t=1', "'\t=1"],
    ['\r=1', "'\r=1"],
  ])('prefixes %j with a quote', (cell, expected) => {
    expect(neutraliseFormula(cell)).toBe(expected);
  });

  it.each(['Visited https://example.com', '2024-01-01T00:00:00Z', 'a=b', 'x-y', '', "'already text"])('must not touch %j', (cell) => {
    expect(neutraliseFormula(cell)).toBe(cell);
  });
});

const tabs = iosArtifacts.find((a) => a.id === 'ios.safari_browser_state')!;
const manifest = iosArtifacts.find((a) => a.id === 'ios.manifest')!;
const at = Moment.fromUnixSeconds(1_700_000_000)!;

async function writeTimeline(writer: NativeOutput | MvtOutput): Promise<void> {
  writer.timeline(tabs, { time: at, event: 'tab', description: '=HYPERLINK("https://evil.example/x","Open me")' });
  writer.timeline(manifest, { time: at, event: '--CB', description: 'HomeDomain/Library/x' });
  const info = { coverage: [], containerNotes: [], inputs: [], indicatorFiles: [], rejectedIndicatorFiles: [], artifacts: [], rules: [], options: {}, target: '/b', startedAt: new Date(0), finishedAt: new Date(0), tool: { name: 'tracehound', version: '0' }, acquisition: { kind: 'ios-backup', root: '/b', encrypted: false } } satisfies RunInfo;
  await writer.finish(info);
  writer.dispose();
}

describe('timeline.csv', () => {
  it('native: a description starting with = gets a quote; our own MACB event markers are left as they are', async () => {
    const dir = tempDir('csv-native');
    await writeTimeline(new NativeOutput(dir));
    expect(readFileSync(join(dir, 'timeline.csv'), 'utf8').split('\n')).toEqual([
      'time,artifact,event,description',
      `2023-11-14T22:13:20.000000Z,ios.safari_browser_state,tab,"'=HYPERLINK(""https://evil.example/x"",""Open me"")"`,
      '2023-11-14T22:13:20.000000Z,ios.manifest,--CB,HomeDomain/Library/x',
      '',
    ]);
  });

  it('MVT format: the same neutralising (a deliberate difference: MVT writes the formula as it is)', async () => {
    const dir = tempDir('csv-mvt');
    await writeTimeline(new MvtOutput(dir));
    const lines = readFileSync(join(dir, 'timeline.csv'), 'utf8').split('\r\n');
    expect(lines).toContain(`"2023-11-14 22:13:20.000000","SafariBrowserState","tab","'=HYPERLINK(""https://evil.example/x"",""Open me"")"`);
    expect(lines).toContain('"2023-11-14 22:13:20.000000","Manifest","--CB","HomeDomain/Library/x"');
  });
});
