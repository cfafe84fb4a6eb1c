/**
 * MCProfileEvents.plist inside a sysdiagnose (logs/MCState/Shared/), read by the existing ios.profile_events
 * artifact. Until its `'ios-sysdiagnose'` input line lands in src/artifacts/ios/profile_events.ts (requested in
 * issue #9), the test gives it that line itself, so it pins what the line must be.
 */
import { describe, expect, it } from 'vitest';
import type { AnyArtifact } from '../../../src/artifacts/artifact.js';
import profileEvents, { type ProfileEventRecord } from '../../../src/artifacts/ios/profile_events.js';
import { sysdiagnoseContent, sysdiagnoseFolderName } from '../../../src/synth/sysdiagnose-content.js';
import { parseSource } from '../../helpers/artifacts.js';
import { writeSysdiagnoseTree } from './_sysdiagnose-tree.js';

const sysdiagnoseInput = { by: 'path-glob', pattern: 'logs/MCState/Shared/MCProfileEvents.plist' } as const;
const onSysdiagnose: AnyArtifact = profileEvents.inputs['ios-sysdiagnose'] ? profileEvents : { ...profileEvents, inputs: { ...profileEvents.inputs, 'ios-sysdiagnose': [sysdiagnoseInput] } };

describe('ios.profile_events on a sysdiagnose', () => {
  it('reads who installed each profile and when, the planted one included', async () => {
    const at = new Date(Date.UTC(2024, 5, 21, 22, 5, 0));
    const files = sysdiagnoseContent(9, { plants: [{ kind: 'profile', identifier: 'com.example.notify', uuid: 'A1B2C3D4-0000-4000-8000-000000000001', displayName: 'Security Update', payloadType: 'com.apple.notificationsettings', at }] });
    const tree = writeSysdiagnoseTree(sysdiagnoseFolderName(), files.filter((f) => f.path.endsWith('MCProfileEvents.plist')));
    try {
      const source = tree.open();
      const { records, coverage, observables } = await parseSource<ProfileEventRecord>(onSysdiagnose, source);
      await source.close();
      expect(coverage.issues).toEqual([]);
      expect(records.map((r) => [r.profile_id, r.operation, r.process, r.timestamp?.iso()])).toEqual([
        ['org.eduroam.wifi.profile', 'install', 'profiled', '2023-12-11T16:04:05.000000Z'],
        ['com.example.notify', 'install', 'profiled', '2024-06-21T22:05:00.000000Z'],
      ]);
      expect(observables).toContainEqual({ kind: 'profile_id', value: 'com.example.notify', field: 'profile_id' });
    } finally {
      tree.remove();
    }
  });
});
