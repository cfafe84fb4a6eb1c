import { buildBinary } from 'plist';
import { describe, expect, it } from 'vitest';
import profileEvents, { type ProfileEventRecord } from '../../../src/artifacts/ios/profile_events.js';
import { buildBackup } from '../../fixtures/ios-backup.js';
import { buildDump, parseDump } from '../../fixtures/ios-dump.js';
import { parseBackup } from '../../helpers/artifacts.js';
import { mvtIosBackup } from '../../helpers/data.js';

const at = { domain: 'SysSharedContainerDomain-systemgroup.com.apple.configurationprofiles', relativePath: 'Library/ConfigurationProfiles/MCProfileEvents.plist' };

function eventsPlist(): Buffer {
  return Buffer.from(
    buildBinary({
      ProfileEvents: [
        { 'com.example.notifications': { Timestamp: new Date(Date.UTC(2021, 5, 1, 8, 30, 0)), Operation: 'install', Process: 'profiled' } },
        { 'com.example.notifications': { Timestamp: new Date(Date.UTC(2021, 5, 2, 9, 0, 0)), Operation: 'remove', Process: 'Preferences', FriendlyName: 'Notification Helper' } },
        'not an event',
      ],
    }),
  );
}

const view = (r: ProfileEventRecord) => ({ ...r, timestamp: r.timestamp?.mvt() ?? null });

describe('ios.profile_events on the MVT test backup', () => {
  it('finds no events (MVT: 0 records)', async () => {
    const { records, coverage } = await parseBackup<ProfileEventRecord>(profileEvents, mvtIosBackup());
    expect(records).toEqual([]);
    expect(coverage.state).toBe('missing');
  });
});

describe('ios.profile_events on a built MCProfileEvents.plist', () => {
  it('gives one record per event with its keys lower-cased', async () => {
    const { records, items, coverage } = await parseBackup<ProfileEventRecord>(profileEvents, buildBackup([{ ...at, data: eventsPlist() }]));
    expect(coverage.state).toBe('parsed');
    expect(coverage.issues).toEqual([]);
    expect(records.map(view)).toEqual([
      { profile_id: 'com.example.notifications', timestamp: '2021-06-01 08:30:00.000000', operation: 'install', process: 'profiled' },
      { profile_id: 'com.example.notifications', timestamp: '2021-06-02 09:00:00.000000', operation: 'remove', process: 'Preferences', friendlyname: 'Notification Helper' },
    ]);
    expect(items[1]!.source.at).toEqual({ key: 'ProfileEvents/1/com.example.notifications' });
  });

  it('dates each operation in the timeline and offers the process and profile id as observables', async () => {
    const { timeline, observables } = await parseBackup<ProfileEventRecord>(profileEvents, buildBackup([{ ...at, data: eventsPlist() }]));
    expect(timeline.map((e) => [e.time?.mvt(), e.event, e.description])).toEqual([
      ['2021-06-01 08:30:00.000000', 'profile_operation', 'Process profiled started operation install of profile com.example.notifications'],
      ['2021-06-02 09:00:00.000000', 'profile_operation', 'Process Preferences started operation remove of profile com.example.notifications'],
    ]);
    expect(observables.slice(0, 2)).toEqual([
      { kind: 'process', value: 'profiled', field: 'process' },
      { kind: 'profile_id', value: 'com.example.notifications', field: 'profile_id' },
    ]);
  });

  it('reads the file from whichever domain holds it', async () => {
    const { records } = await parseBackup<ProfileEventRecord>(profileEvents, buildBackup([{ domain: 'HomeDomain', relativePath: at.relativePath, data: eventsPlist() }]));
    expect(records).toHaveLength(2);
  });

  it('fails with a message naming the file when the plist is corrupted', async () => {
    const { records, coverage } = await parseBackup<ProfileEventRecord>(profileEvents, buildBackup([{ ...at, data: eventsPlist().subarray(0, 80) }]));
    expect(records).toEqual([]);
    expect(coverage.state).toBe('failed');
    expect(coverage.reason).toContain(`${at.domain}/${at.relativePath}`);
  });
});

describe('ios.profile_events on a filesystem dump', () => {
  it('reads MCProfileEvents.plist in the profiles group container, and in the older home location', async () => {
    const root = buildDump({
      'private/var/containers/Shared/SystemGroup/systemgroup.com.apple.configurationprofiles/Library/ConfigurationProfiles/MCProfileEvents.plist': eventsPlist(),
      'private/var/mobile/Library/ConfigurationProfiles/MCProfileEvents.plist': Buffer.from(buildBinary({ ProfileEvents: [{ 'com.example.old': { Operation: 'install', Process: 'MCInstaller' } }] })),
    });
    const { records, coverage, items } = await parseDump<ProfileEventRecord>(profileEvents, root);
    expect(coverage.state).toBe('parsed');
    expect(records.map((r) => [r.profile_id, r.operation, r.process])).toEqual([
      ['com.example.notifications', 'install', 'profiled'],
      ['com.example.notifications', 'remove', 'Preferences'],
      ['com.example.old', 'install', 'MCInstaller'],
    ]);
    expect(items[0]!.source.at).toEqual({ key: 'ProfileEvents/0/com.example.notifications' });
  });
});
