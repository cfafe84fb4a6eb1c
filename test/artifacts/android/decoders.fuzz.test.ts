/**
 * Property-based fuzzing of the androidqf decoders (docs/dev/fuzzing.md): random text, random JSON values and
 * MVT's real files mutated byte by byte. None of them has an error to throw: each returns, with what it could
 * not read counted, within the time bound. Lives beside the artifacts it covers.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeFilesJson } from '../../../src/artifacts/android/aqf_files.js';
import { decodePackages } from '../../../src/artifacts/android/aqf_packages.js';
import { decodeSettings } from '../../../src/artifacts/android/aqf_settings.js';
import { decodeMounts } from '../../../src/artifacts/android/mounts.js';
import { decodeRootBinaries } from '../../../src/artifacts/android/root_binaries.js';
import { decodeAcquisitionJson, deviceFromGetprop } from '../../../src/evidence/androidqf.js';
import { decodeAndroidPs } from '../../../src/formats/android-ps.js';
import { decodeGetprop } from '../../../src/formats/android-getprop.js';
import { checkBounded, fuzz, fuzzRuns, timeoutFor, fuzzOnAnyText, fuzzOnMutatedSample } from '../../fuzz/_fuzz.js';
import { mvtAndroidqf } from './_aqf.js';

const RUNS = fuzzRuns(200, 3);
const TIMEOUT = timeoutFor(RUNS, 40);
const never = () => false;
const real = (name: string) => readFileSync(join(mvtAndroidqf(), name));

/** Decoders of text; a JSON decoder gets the text parsed when it parses, the raw text otherwise. */
const asJson = (decode: (v: unknown) => unknown) => (text: string) => {
  let value: unknown = text;
  try {
    value = JSON.parse(text);
  } catch {
    // Not JSON: the decoder gets the string, which it must refuse by returning a reason.
  }
  return decode(value);
};

const decoders = [
  { name: 'getprop.txt', sample: real('getprop.txt'), decode: (t: string) => [decodeGetprop(t), deviceFromGetprop(t)] },
  { name: 'ps.txt', sample: real('ps.txt'), decode: (t: string) => decodeAndroidPs(t) },
  { name: 'settings_random.txt', sample: real('settings_random.txt'), decode: (t: string) => decodeSettings(t, 'random') },
  { name: 'files.json', sample: real('files.json'), decode: (t: string) => decodeFilesJson(Buffer.from(t)) },
  { name: 'packages.json', sample: real('packages.json'), decode: asJson(decodePackages) },
  { name: 'root_binaries.json', sample: real('root_binaries.json'), decode: asJson(decodeRootBinaries) },
  {
    name: 'mounts.json',
    sample: Buffer.from(JSON.stringify(['/dev/block/dm-12 on / type ext4 (ro,seclabel,noatime)', '/dev/block/by-name/system on /system type ext4 (rw,seclabel,noatime)'])),
    decode: asJson(decodeMounts),
  },
  { name: 'acquisition.json', sample: Buffer.from(JSON.stringify({ started: '2024-05-01T10:11:12Z', adb_host_public_key: 'QUJD user@host' })), decode: (t: string) => decodeAcquisitionJson(t) },
] as const;

describe.each(decoders)('$name decoder under fuzzing', (d) => {
  it('returns on any text', () => {
    expect(fuzzOnAnyText(d, RUNS).returned).toBe(RUNS);
  }, TIMEOUT);

  it('returns on the real file mutated byte by byte', () => {
    expect(fuzzOnMutatedSample(d, RUNS).returned).toBe(RUNS);
  }, TIMEOUT);
});

describe('JSON decoders on any JSON value', () => {
  it.each([
    ['packages', decodePackages],
    ['root binaries', decodeRootBinaries],
    ['mounts', decodeMounts],
  ] as const)('%s: returns records or a reason', (_, decode) => {
    const stats = fuzz(`${_} json`, fc.jsonValue({ maxDepth: 4 }), (v) => checkBounded(() => decode(v), never), RUNS);
    expect(stats.returned).toBe(RUNS);
  }, TIMEOUT);
});
