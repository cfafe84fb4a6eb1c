import { buildBinary } from 'plist';
import { describe, expect, it } from 'vitest';
import settings, { decodeSettingsEvents, type SettingsEventRecord } from '../../../src/artifacts/ios/sysdiagnose_settings_events.js';
import type { SysdiagnosePlant } from '../../../src/synth/sysdiagnose-content.js';
import type { SysdiagnoseFile } from '../../../src/synth/sysdiagnose-files.js';
import { parseMcState, spyProfile } from './_sysdiagnose-tree.js';

const parse = (plants: readonly SysdiagnosePlant[] = [], extra: readonly SysdiagnoseFile[] = []) => parseMcState<SettingsEventRecord>(settings, plants, extra);

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
