import { buildBinary } from 'plist';
import { describe, expect, it } from 'vitest';
import settings, { decodeSettingsEvents, type SettingsEventRecord } from '../../../src/artifacts/ios/sysdiagnose_settings_events.js';
import { sysdiagnoseContent, sysdiagnoseFolderName, type SysdiagnosePlant } from '../../../src/synth/sysdiagnose-content.js';
import { parseSource } from '../../helpers/artifacts.js';
import { writeSysdiagnoseTree } from './_sysdiagnose-tree.js';

async function parse(plants: readonly SysdiagnosePlant[] = [], extra: Parameters<typeof writeSysdiagnoseTree>[1] = []) {
  const files = sysdiagnoseContent(9, { plants }).filter((f) => f.path.startsWith('logs/MCState/'));
  const tree = writeSysdiagnoseTree(sysdiagnoseFolderName(), [...files, ...extra]);
  try {
    const source = tree.open();
    const result = await parseSource<SettingsEventRecord>(settings, source);
    await source.close();
    return result;
  } finally {
    tree.remove();
  }
}

const spyProfile: SysdiagnosePlant = {
  kind: 'profile',
  identifier: 'com.example.notify',
  uuid: 'A1B2C3D4-0000-4000-8000-000000000001',
  displayName: 'Security Update',
  payloadType: 'com.apple.notificationsettings',
  at: new Date(Date.UTC(2024, 5, 21, 22, 5, 0)),
};

describe('ios.sysdiagnose_settings_events', () => {
  it('reads each dated setting change with its process', async () => {
    const { records, coverage, observables } = await parse([spyProfile]);
    expect(coverage.issues).toEqual([]);
    expect(records.map((r) => [r.setting, r.event, r.process, r.timestamp?.iso()])).toEqual([
      ['SettingsEvents/restrictedBool/allowAppInstallation', 'changed', 'Preferences', '2024-05-19T16:04:05.000000Z'],
      ['SettingsEvents/profiles/org.eduroam.wifi.profile', 'installed', 'profiled', '2023-12-11T16:04:05.000000Z'],
      ['SettingsEvents/profiles/com.example.notify', 'installed', 'profiled', '2024-06-21T22:05:00.000000Z'],
    ]);
    expect(observables[0]).toEqual({ kind: 'process', value: 'Preferences', field: 'process' });
  });

  it('names a file that is not a dictionary', async () => {
    const { records, coverage } = await parse([], [{ path: 'logs/MCState/Shared/MCSettingsEvents.plist', data: Buffer.from(buildBinary([1, 2])) }]);
    expect(records).toEqual([]);
    expect(coverage.issues.map((i) => i.message)).toEqual(['MCSettingsEvents.plist: expected a dictionary at the top level']);
  });
});

describe('decodeSettingsEvents', () => {
  it('stops at a hostile depth and says so', () => {
    let deep: Record<string, unknown> = { event: 'changed', process: 'x', timestamp: new Date(0) };
    for (let i = 0; i < 40; i++) deep = { [`k${i}`]: deep };
    const { events, truncated } = decodeSettingsEvents(deep as never);
    expect(events).toEqual([]);
    expect(truncated).toBe(true);
  });
});
