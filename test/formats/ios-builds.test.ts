import { describe, expect, it } from 'vitest';
import { iosVersionOfBuild, knownIosBuilds } from '../../src/formats/ios-builds.js';

describe('iOS builds to versions', () => {
  it('names the version of known release builds, whatever the case of the query', () => {
    // The MVT test backup (Info.plist: 14.3, 18C66) and the clean iOS 15.3.1 image.
    expect(iosVersionOfBuild('18C66')).toBe('14.3');
    expect(iosVersionOfBuild('19D52')).toBe('15.3.1');
    expect(iosVersionOfBuild('19d52')).toBe('15.3.1');
    expect(iosVersionOfBuild(' 20B110 ')).toBe('16.1.2');
    expect(iosVersionOfBuild('21A351')).toBe('17.0.2');
    expect(iosVersionOfBuild('22G100')).toBe('18.6.2');
  });

  it('gives null for a build it does not know (a beta, a typo), never a guess', () => {
    expect(iosVersionOfBuild('22A5282m')).toBeNull();
    expect(iosVersionOfBuild('')).toBeNull();
    expect(iosVersionOfBuild('not a build')).toBeNull();
  });

  it('lists every build once, each well formed, versions in release order', () => {
    const all = knownIosBuilds();
    expect(new Set(all.map((b) => b.build)).size).toBe(all.length);
    expect(all.every((b) => /^\d{2}[A-Z]\d{2,5}$/.test(b.build) && /^\d+\.\d+(\.\d+)?$/.test(b.version))).toBe(true);
    const numeric = (v: string) => v.split('.').map(Number).reduce((acc, n, i) => acc + n * 100 ** (2 - i), 0);
    const versions = all.map((b) => numeric(b.version));
    expect(versions).toEqual([...versions].sort((a, b) => a - b));
    // A build's major number follows the iOS major: 18x = iOS 14, … 22x = iOS 18.
    expect(all.every((b) => Number(b.build.slice(0, 2)) - 4 === Number(b.version.split('.')[0]))).toBe(true);
  });
});
