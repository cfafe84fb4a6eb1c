import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defineArtifact, type AnyArtifact } from '../../../src/artifacts/artifact.js';
import { described, real } from '../../../src/artifacts/describe.js';
import type { Finding } from '../../../src/findings/finding.js';
import { Moment } from '../../../src/formats/time.js';
import { pythonDescription } from '../../../src/report/mvt/compat.js';
import { MvtOutput } from '../../../src/report/mvt/writer.js';
import { plainDescription } from '../../../src/report/native.js';
import type { RunInfo } from '../../../src/report/output.js';
import { tempDir } from '../../fixtures/ios-backup.js';

const at = Moment.fromUnixSeconds(1_700_000_000)!;
const info = { coverage: [], containerNotes: [], inputs: [], indicatorFiles: [], rejectedIndicatorFiles: [], artifacts: [], rules: [], options: {}, target: '/b', startedAt: new Date(0), finishedAt: new Date(0), tool: { name: 'tracehound', version: '0' }, acquisition: { kind: 'ios-backup', root: '/b', encrypted: false } } satisfies RunInfo;
const artifact = (id: string, mvt?: AnyArtifact['mvt']): AnyArtifact =>
  defineArtifact({ id, version: 1, title: id, doc: 'A test artifact.', inputs: {}, ...(mvt ? { mvt } : {}), parse: async function* () {} });
const source = { file: { ref: { root: '/b', storedPath: 'ab/abcdef' } }, at: { whole: true } } as const;
const finding = (artifactId: string): Finding => ({ level: 'high', artifact: artifactId, message: 'seen', explanation: '', eventTime: at, record: { n: 1 }, evidence: { ref: source.file.ref, at: source.at } });

describe('the MVT-compatible sink', () => {
  it('writes an artifact with an MVT counterpart under MVT\'s names, and one without under its own id', async () => {
    const dir = tempDir('mvt-names');
    const sms = artifact('ios.sms', { module: 'sms', className: 'SMS' });
    const ours = artifact('ios.only_ours');
    const out = new MvtOutput(dir);
    out.start({ acquisition: info.acquisition, indicatorFiles: [], indicatorCount: 0, artifacts: [sms, ours] });
    for (const a of [sms, ours]) {
      out.record(a, { record: { n: 1 }, source });
      out.timeline(a, { time: at, event: 'seen', description: 'x' });
      out.finding(finding(a.id));
      out.artifactFinished(a);
    }
    await out.finish(info);
    out.dispose();
    expect(readdirSync(dir).sort()).toEqual(['alerts.json', 'alerts_timeline.csv', 'info.json', 'only_ours.json', 'only_ours_detected.json', 'sms.json', 'sms_detected.json', 'timeline.csv']);
    expect(readFileSync(join(dir, 'timeline.csv'), 'utf8')).toContain('"SMS","seen","x"');
    expect(readFileSync(join(dir, 'timeline.csv'), 'utf8')).toContain('"ios.only_ours","seen","x"');
    expect(JSON.parse(readFileSync(join(dir, 'alerts.json'), 'utf8'))).toMatchObject([{ module: 'sms' }, { module: 'only_ours' }]);
  });
});

describe('timeline descriptions', () => {
  const description = described`From ${null} using ${'FaceTime'} during ${real(12)} seconds (${true}, ${real(0.5)}, ${7})`;

  it('MVT: Python\'s str() of each value', () => {
    expect(pythonDescription(description)).toBe('From None using FaceTime during 12.0 seconds (True, 0.5, 7)');
  });

  it('native: plain words', () => {
    expect(plainDescription(description)).toBe('From unknown using FaceTime during 12 seconds (true, 0.5, 7)');
  });

  it('a description built from another renders the inner values in the same style', () => {
    const who = described`${null} (ID: ${3})`;
    expect(pythonDescription(described`${who} WWAN IN: ${real(null)}`)).toBe('None (ID: 3) WWAN IN: None');
    expect(plainDescription(described`${who} WWAN IN: ${real(null)}`)).toBe('unknown (ID: 3) WWAN IN: unknown');
  });
});
