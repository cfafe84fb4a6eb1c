import { describe, expect, it } from 'vitest';
import getprop, { type AqfPropertyRecord } from '../../../src/artifacts/android/aqf_getprop.js';
import { decodeGetprop } from '../../../src/formats/android-getprop.js';
import { shared } from '../../helpers/data.js';
import { readFileSync } from 'node:fs';
import { mvtAndroidqf, mvtAndroidqfZip, parseAqf, parseAqfFiles } from './_aqf.js';

describe('android.aqf_getprop on MVT\'s androidqf test acquisitions', () => {
  it.each([
    ['folder', mvtAndroidqf],
    ['zip (one top folder)', mvtAndroidqfZip],
  ])('reads the 10 properties of the %s, the first dalvik.vm.appimageformat = lz4, with no timeline and no issue', async (_, path) => {
    const { records, items, coverage, timeline, observables } = await parseAqf<AqfPropertyRecord>(getprop, path());
    expect(coverage.state).toBe('parsed');
    expect(coverage.issues).toEqual([]);
    expect(records).toHaveLength(10);
    expect(records[0]).toEqual({ name: 'dalvik.vm.appimageformat', value: 'lz4' });
    expect(records.find((r) => r.name === 'dalvik.vm.heapmaxfree')).toEqual({ name: 'dalvik.vm.heapmaxfree', value: '8m' });
    expect(items[0]!.source.at).toEqual({ line: 1 });
    expect(timeline).toEqual([]);
    expect(observables[8]).toEqual({ kind: 'android_property', value: 'dalvik.vm.heapmaxfree', field: 'name' });
  });

  it('reads android_data/getprop.txt (13 properties across a blank line)', () => {
    const decoded = decodeGetprop(readFileSync(shared('mvt-test-artifacts', 'android_data', 'getprop.txt'), 'utf8'));
    expect(decoded.properties).toHaveLength(13);
    expect(decoded.skipped).toEqual([]);
  });
});

describe('decodeGetprop', () => {
  it('keeps empty values (MVT drops them) and reports garbage lines by number', () => {
    const d = decodeGetprop('[ro.a]: [1]\n[ro.empty]: []\ngarbage here\n\r\n[ro.b]: [two words]\r\n[ro.c]: [x');
    expect(d.properties.map((p) => [p.name, p.value, p.line])).toEqual([
      ['ro.a', '1', 1],
      ['ro.empty', '', 2],
      ['ro.b', 'two words', 5],
    ]);
    expect(d.empty).toBe(1);
    expect(d.skipped).toEqual([
      { line: 3, text: 'garbage here' },
      { line: 6, text: '[ro.c]: [x' },
    ]);
  });

  it('stops at the line bound', () => {
    const d = decodeGetprop('[a]: [1]\n'.repeat(50), 10);
    expect(d.properties).toHaveLength(10);
    expect(d.truncated).toBe(true);
  });
});

describe('android.aqf_getprop on bad input', () => {
  it('garbage lines are one issue; the properties around them are read', async () => {
    const { records, coverage } = await parseAqfFiles<AqfPropertyRecord>(getprop, { 'getprop.txt': '[ro.a]: [1]\nnot a property\nneither\n[ro.b]: [2]\n' });
    expect(records.map((r) => r.name)).toEqual(['ro.a', 'ro.b']);
    expect(coverage.state).toBe('partial');
    expect(coverage.issues.map((i) => i.message)).toEqual(['getprop.txt: 2 line(s) that are not "[name]: [value]", the first at line 2']);
  });

  it('a binary getprop.txt is one issue and no record', async () => {
    const { records, coverage } = await parseAqfFiles<AqfPropertyRecord>(getprop, { 'getprop.txt': Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 0, 1, 2]) });
    expect(records).toEqual([]);
    expect(coverage.issues.map((i) => i.message)).toEqual(['getprop.txt: binary data where text was expected; not read']);
  });
});
