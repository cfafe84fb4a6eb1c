import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import installs, { type AppInstallRecord } from '../../../src/artifacts/ios/sysdiagnose_app_installs.js';
import { plainDescription } from '../../../src/report/native.js';
import { sysdiagnoseContent, sysdiagnoseFolderName } from '../../../src/synth/sysdiagnose-content.js';
import { parseSource } from '../../helpers/artifacts.js';
import { shared } from '../../helpers/data.js';
import { writeSysdiagnoseTree } from './_sysdiagnose-tree.js';

async function parseTree(name: string, files: Parameters<typeof writeSysdiagnoseTree>[1]) {
  const tree = writeSysdiagnoseTree(name, files);
  try {
    const source = tree.open();
    const result = await parseSource<AppInstallRecord>(installs, source);
    await source.close();
    return result;
  } finally {
    tree.remove();
  }
}

describe('ios.sysdiagnose_app_installs on plaso\'s real mobile_installation.log', () => {
  it('dates each entry with the offset in the folder name: 05:51:02 at +0200 is 03:51:02 UTC', async () => {
    const data = readFileSync(shared('samples', 'plaso', 'test_data', 'ios_sysdiag.log'));
    const { records, items, coverage, observables, timeline } = await parseTree('sysdiagnose_2021.08.12_10-00-00+0200_iPhone-OS_iPhone_18G82', [
      { path: 'logs/MobileInstallation/mobile_installation.log.0', data },
    ]);
    expect(coverage.issues).toEqual([]);
    expect(records).toHaveLength(14);
    expect(records[0]).toEqual({
      event: 'container_live',
      time: records[0]!.time,
      local_time: 'Wed Aug 11 05:51:02 2021',
      utc_offset_min: 120,
      bundle_id: 'com.apple.CoreCDPUI.localSecretPrompt',
      version: null,
      install_type: null,
      requested_by: null,
      container_path: '/private/var/mobile/Containers/Data/PluginKitPlugin/B327BDD9-BD0D-490A-9A31-D07E95DB23E1',
      text: 'Made container live for com.apple.CoreCDPUI.localSecretPrompt at /private/var/mobile/Containers/Data/PluginKitPlugin/B327BDD9-BD0D-490A-9A31-D07E95DB23E1',
      log_file: 'mobile_installation.log.0',
    });
    expect(records[0]!.time?.iso()).toBe('2021-08-11T03:51:02.000000Z');
    expect(items[0]!.source.at).toEqual({ line: 1 });
    expect(observables[0]).toEqual({ kind: 'app_id', value: 'com.apple.CoreCDPUI.localSecretPrompt', field: 'bundle_id' });
    expect(plainDescription(timeline[0]!.description)).toBe('Container made live for com.apple.CoreCDPUI.localSecretPrompt');
  });

  it('keeps the local time but gives no UTC time when the folder name states no offset', async () => {
    const data = readFileSync(shared('samples', 'plaso', 'test_data', 'ios_sysdiag.log'));
    const { records } = await parseTree('renamed-by-someone', [{ path: 'logs/MobileInstallation/mobile_installation.log', data }]);
    expect(records[0]).toMatchObject({ time: null, utc_offset_min: null, local_time: 'Wed Aug 11 05:51:02 2021' });
  });
});

describe('ios.sysdiagnose_app_installs on a generated log', () => {
  it('reads installs, updates and a planted install and removal, with who asked for the removal', async () => {
    const at = new Date(Date.UTC(2024, 5, 20, 9, 30, 0));
    const removed = new Date(Date.UTC(2024, 5, 20, 9, 41, 12));
    const files = sysdiagnoseContent(3, { plants: [{ kind: 'app-install', bundleId: 'com.fiore.trolldecrypt', version: '1.2', at, uninstalledAt: removed }] });
    const { records, coverage } = await parseTree(sysdiagnoseFolderName(), files.filter((f) => f.path.startsWith('logs/MobileInstallation/')));
    expect(coverage.issues).toEqual([]);
    expect(records.filter((r) => r.event === 'install_succeeded').length).toBeGreaterThanOrEqual(13);
    expect(records.filter((r) => r.event === 'reboot')).toHaveLength(1);
    const planted = records.filter((r) => r.bundle_id === 'com.fiore.trolldecrypt');
    expect(planted.map((r) => [r.event, r.time?.iso(), r.version, r.requested_by, r.install_type])).toEqual([
      ['installing', '2024-06-20T09:30:00.000000Z', '1.2', null, null],
      ['container_live', '2024-06-20T09:30:00.000000Z', null, null, null],
      ['install_succeeded', '2024-06-20T09:30:00.000000Z', null, null, 'Customer'],
      ['uninstall_requested', '2024-06-20T09:41:12.000000Z', null, 'installcoordinationd', null],
      ['uninstall', '2024-06-20T09:41:12.000000Z', null, null, null],
      ['container_destroyed', '2024-06-20T09:41:12.000000Z', null, null, null],
    ]);
  });

  it('gives one issue for a log that is not one, and reads the other rotations', async () => {
    const files = sysdiagnoseContent(3).filter((f) => f.path.startsWith('logs/MobileInstallation/'));
    const { records, coverage } = await parseTree(sysdiagnoseFolderName(), [
      ...files,
      { path: 'logs/MobileInstallation/mobile_installation.log.1', data: 'garbage line\nmore garbage\n' },
      { path: 'logs/MobileInstallation/mobile_installation.log.2', data: Buffer.from([0, 1, 2, 3, 0, 0xff]) },
    ]);
    expect(records.length).toBeGreaterThan(30);
    expect(coverage.issues.map((i) => i.message)).toEqual([
      'mobile_installation.log.1: line 1: no dated entry ("Wed Aug 11 05:51:02 2021 [pid] <level> (0x…) …") in the file',
      'mobile_installation.log.2: binary data where text was expected; not read',
    ]);
  });
});
