import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeAcquisitionJson, deviceFromGetprop } from '../../src/evidence/androidqf.js';
import { detectAcquisition, detectInput, openAcquisition } from '../../src/evidence/detect.js';
import { InputLog } from '../../src/evidence/input-log.js';
import { packAcquisition, type PackedKind } from '../fixtures/archives.js';
import { shared } from '../helpers/data.js';
import { snapshotTree } from '../helpers/tree.js';

const realFolder = () => shared('mvt-test-artifacts', 'androidqf');
const realZip = () => shared('mvt-test-artifacts', 'androidqf.zip');

const GETPROP = ['[ro.product.model]: [SM-G991B]', '[ro.build.version.release]: [14]', '[ro.build.id]: [UP1A.231005.007]', '[ro.serialno]: [R5CR10ABCDE]', '[persist.sys.timezone]: [Europe/Berlin]', ''].join('\n');
const ACQUISITION = JSON.stringify({ uuid: 'f0e1', androidqf_version: '1.7.0', started: '2024-05-01T10:11:12.5+02:00', completed: '2024-05-01T10:20:00+02:00', adb_host_public_key: 'QUJDRA== user@host\n' });

describe('androidqf acquisitions: detection', () => {
  let base: string;
  let root: string;
  beforeAll(() => {
    base = mkdtempSync(join(tmpdir(), 'tracehound-aqf-src-'));
    root = join(base, 'aqf');
    mkdirSync(root);
    writeFileSync(join(root, 'getprop.txt'), GETPROP);
    writeFileSync(join(root, 'acquisition.json'), ACQUISITION);
    writeFileSync(join(root, 'packages.json'), '[]');
  });
  afterAll(() => rmSync(base, { recursive: true, force: true }));

  it('MVT\'s folder is an androidqf acquisition, read in place without writing anything', async () => {
    const before = snapshotTree(realFolder());
    expect(detectAcquisition(realFolder())).toEqual({ answer: 'match', kind: 'android-androidqf', root: realFolder() });
    const { source } = await openAcquisition(realFolder());
    expect(source.kind).toBe('android-androidqf');
    // Its getprop.txt names no device property MVT's test file keeps: no device facts, and no acquisition.json.
    expect(source.describe()).toEqual({ kind: 'android-androidqf', root: realFolder(), encrypted: false });
    expect((await source.find({ by: 'path-glob', pattern: 'settings_*.txt' })).map((f) => f.ref.storedPath)).toEqual(['settings_random.txt']);
    await source.close();
    expect(snapshotTree(realFolder())).toEqual(before);
  });

  it('MVT\'s zip (one top folder) is read from the archive', async () => {
    const found = await detectInput(realZip());
    expect(found.detection).toEqual({ answer: 'match', kind: 'android-androidqf', root: realZip(), note: `found an androidqf acquisition in folder androidqfzip of ${realZip()}` });
    const source = await found.open(new InputLog());
    const [file] = await source.find({ by: 'path-glob', pattern: 'getprop.txt' });
    expect(file!.ref).toEqual({ root: realZip(), storedPath: 'getprop.txt', container: { container: 'zip', archive: realZip(), prefix: 'androidqfzip' } });
    await source.close();
  });

  it('a folder holding one androidqf folder is read, with a note', () => {
    expect(detectAcquisition(base)).toEqual({ answer: 'match', kind: 'android-androidqf', root, note: `found an androidqf acquisition in sub-folder ${root}` });
  });

  it('describe() gives the start time and adb host key from acquisition.json and the device from getprop.txt, and logs both inputs', async () => {
    const inputs = new InputLog();
    const source = await (await detectInput(root)).open(inputs);
    expect(source.describe()).toEqual({
      kind: 'android-androidqf',
      root,
      encrypted: false,
      acquiredAt: new Date('2024-05-01T08:11:12.500Z'),
      adbHostKey: 'QUJDRA== user@host\n',
      device: { productType: 'SM-G991B', productVersion: '14', buildVersion: 'UP1A.231005.007', serialNumber: 'R5CR10ABCDE', timeZone: 'Europe/Berlin' },
    });
    expect(inputs.all().map((e) => e.label).sort()).toEqual(['acquisition.json', 'getprop.txt']);
    await source.close();
  });

  it.each<[PackedKind, string | undefined]>([
    ['zip', undefined],
    ['tar', undefined],
    ['tar.gz', undefined],
    ['tar.gz', 'androidqf_20240501'],
  ])('a %s with the files %s is read (MVT misses an archive with them at its root)', async (kind, lead) => {
    const archive = await packAcquisition(root, kind, join(base, `packed-${lead ?? 'root'}.${kind}`), lead);
    const { source, note } = await openAcquisition(archive);
    expect(source.kind).toBe('android-androidqf');
    expect(note).toBe(lead ? `found an androidqf acquisition in folder ${lead} of ${archive}` : undefined);
    expect(source.describe().device?.productType).toBe('SM-G991B');
    expect(source.describe().acquiredAt?.toISOString()).toBe('2024-05-01T08:11:12.500Z');
    expect((await source.find({ by: 'path-glob', pattern: 'packages.json' })).map((f) => f.size)).toEqual([2]);
    await source.close();
  });

  it('--type android-androidqf on something else names only what it expected', async () => {
    const ios = shared('mvt-test-artifacts', 'ios_backup');
    expect(() => detectAcquisition(ios, 'android-androidqf')).toThrow(/not a supported acquisition \(expected an androidqf acquisition \(getprop\.txt, packages\.json…\)\)$/);
  });

  it('an archive holding two androidqf folders is refused: which phone to check is not ours to guess', async () => {
    const two = join(base, 'two');
    for (const name of ['phone-a', 'phone-b']) {
      mkdirSync(join(two, name), { recursive: true });
      writeFileSync(join(two, name, 'getprop.txt'), GETPROP);
    }
    const archive = await packAcquisition(two, 'zip', join(base, 'two.zip'));
    await expect(detectInput(archive)).rejects.toThrow(`${archive}: holds 2 androidqf acquisitions (phone-a, phone-b); an archive of one is expected`);
  });

  it('a folder without getprop.txt is not one', () => {
    const other = join(base, 'other');
    mkdirSync(other);
    writeFileSync(join(other, 'packages.json'), '[]');
    expect(() => detectAcquisition(other)).toThrow(/not a supported acquisition \(expected .* an androidqf acquisition \(getprop\.txt, packages\.json…\)/);
  });
});

describe('acquisition context decoders', () => {
  it('acquisition.json: the start time and adb key; anything else ignored', () => {
    expect(decodeAcquisitionJson(ACQUISITION)).toEqual({ started: new Date('2024-05-01T08:11:12.500Z'), adbHostPublicKey: 'QUJDRA== user@host\n' });
    expect(decodeAcquisitionJson('{"started": null, "adb_host_public_key": null}')).toEqual({});
    expect(decodeAcquisitionJson('{"started": "yesterday"}')).toEqual({});
    expect(decodeAcquisitionJson('[1, 2]')).toEqual({});
    expect(decodeAcquisitionJson('{"started": "2024-05-01T')).toEqual({});
  });

  it('getprop: model, release, build and serial, with vendor fallbacks; empty values skipped', () => {
    expect(deviceFromGetprop('[ro.product.vendor.model]: [Pixel 8]\n[ro.product.model]: []\n[ro.build.display.id]: [AP2A]\n')).toEqual({ productType: 'Pixel 8', buildVersion: 'AP2A' });
    expect(deviceFromGetprop('garbage')).toEqual({});
  });
});
