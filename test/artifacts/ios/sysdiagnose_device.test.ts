import { describe, expect, it } from 'vitest';
import device, { decodeRemotectlLocalDevice, type SysdiagnoseDeviceRecord } from '../../../src/artifacts/ios/sysdiagnose_device.js';
import { localMoment, sysdiagnoseClock } from '../../../src/artifacts/ios/_sysdiagnose.js';
import { sysdiagnoseContent, sysdiagnoseFolderName } from '../../../src/synth/sysdiagnose-content.js';
import { parseSource } from '../../helpers/artifacts.js';
import { writeSysdiagnoseTree } from './_sysdiagnose-tree.js';

async function parse(name: string, files: Parameters<typeof writeSysdiagnoseTree>[1]) {
  const tree = writeSysdiagnoseTree(name, files);
  try {
    const source = tree.open();
    const result = await parseSource<SysdiagnoseDeviceRecord>(device, source);
    await source.close();
    return result;
  } finally {
    tree.remove();
  }
}

const identityFiles = (options = {}) => sysdiagnoseContent(1, options).filter((f) => f.path === 'logs/SystemVersion/SystemVersion.plist' || f.path === 'remotectl_dumpstate.txt');

describe('ios.sysdiagnose_device', () => {
  it('gives one record from the folder name, SystemVersion.plist and remotectl, with the version the build is', async () => {
    const { records, coverage, timeline } = await parse(sysdiagnoseFolderName(), identityFiles());
    expect(coverage.issues).toEqual([]);
    expect(records).toHaveLength(1);
    const r = records[0]!;
    expect({ ...r, collected_at: r.collected_at?.iso() }).toEqual({
      folder_name: 'sysdiagnose_2024.06.28_18-04-05+0200_iPhone-OS_iPhone_21F90',
      collected_at: '2024-06-28T16:04:05.000000Z',
      utc_offset_min: 120,
      name_build: '21F90',
      product_name: 'iPhone OS',
      product_version: '17.5.1',
      build_version: '21F90',
      version_from_build: '17.5.1',
      product_type: 'iPhone14,2',
      device_properties: { AppleInternal: 'false', CPUArchitecture: 'arm64e', OSVersion: '17.5.1', BuildVersion: '21F90', ProductType: 'iPhone14,2' },
      files: ['SystemVersion.plist', 'remotectl_dumpstate.txt'],
    });
    expect(timeline[0]!.description).toBe('Sysdiagnose taken on iPhone14,2 running iPhone OS 17.5.1 (21F90)');
  });

  it('works from one file, and names the ones that are damaged', async () => {
    const files = identityFiles({ buildVersion: '19D52', productVersion: '15.3.1' });
    const { records, coverage } = await parse('sysdiagnose_2022.03.01_09-00-00-0500_iPhone-OS_iPhone_19D52', [
      ...files.filter((f) => f.path === 'remotectl_dumpstate.txt'),
      { path: 'logs/SystemVersion/SystemVersion.plist', data: '<?xml version="1.0"?><plist><dict><key>Product' },
    ]);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ utc_offset_min: -300, name_build: '19D52', build_version: null, version_from_build: '15.3.1', product_type: 'iPhone14,2', files: ['remotectl_dumpstate.txt'] });
    expect(coverage.issues).toHaveLength(1);
    expect(coverage.issues[0]!.message).toMatch(/^SystemVersion\.plist: /);
  });

  it('gives nothing when neither file is there (the folder name is the acquisition\'s own description)', async () => {
    const { records } = await parse(sysdiagnoseFolderName(), []);
    expect(records).toEqual([]);
  });
});

describe('decodeRemotectlLocalDevice', () => {
  it('reads the local device block only, and nothing from text without one', () => {
    const text = 'Local device\n\tProduct Type: "iPhone9,3"\n\tProperties: {\n\t\tChipID => 32784\n\t}\n\nFound peer\n\tProduct Type: MacBookPro15,1\n\t\tChipID => 1\n';
    expect(decodeRemotectlLocalDevice(text)).toEqual({ product_type: 'iPhone9,3', properties: { ChipID: '32784' } });
    expect(decodeRemotectlLocalDevice('nothing here')).toBeNull();
  });
});

describe('sysdiagnoseClock: the collection time and offset in the name', () => {
  it.each([
    ['sysdiagnose_2024.01.02_03-04-05+0200_iPhone-OS_iPhone_21C66', '2024-01-02T01:04:05.000000Z', 120],
    ['sysdiagnose_2023.12.31_18-30-00-0500_iPhone-OS_iPhone_21C66.tar.gz', '2023-12-31T23:30:00.000000Z', -300],
    ['sysdiagnose_2024.03.10_02-15-00+0530_iPhone-OS_iPhone_21D61', '2024-03-09T20:45:00.000000Z', 330],
  ])('%s', (name, iso, offset) => {
    const clock = sysdiagnoseClock(name)!;
    expect(clock.collectedAt.iso()).toBe(iso);
    expect(clock.offsetMinutes).toBe(offset);
  });

  it('gives nothing for another name', () => {
    expect(sysdiagnoseClock('backup-2024')).toBeNull();
    expect(sysdiagnoseClock('sysdiagnose_2024.01.02_03-04-05_iPhone')).toBeNull();
  });

  it('turns a local wall-clock time into UTC with that offset, and refuses impossible fields', () => {
    expect(localMoment({ year: 2021, month: 8, day: 11, hour: 5, minute: 51, second: 2 }, 120, 'Wed Aug 11 05:51:02 2021')?.iso()).toBe('2021-08-11T03:51:02.000000Z');
    expect(localMoment({ year: 2021, month: 13, day: 11, hour: 5, minute: 51, second: 2 }, 0, 'x')).toBeNull();
  });
});
