import { describe, expect, it } from 'vitest';
import { fromChrome, fromCocoa, fromCocoaAuto, fromUnix, compareMoments } from '../../src/formats/time.js';

describe('timestamps keep their epoch and render like MVT', () => {
  it('renders Unix seconds as MVT does (reference-spec §13.3 test_utils)', () => {
    expect(fromUnix(1626566400)?.mvt()).toBe('2021-07-18 00:00:00.000000');
    expect(fromUnix(1626566400)?.iso()).toBe('2021-07-18T00:00:00.000000Z');
  });

  it('adds the 2001 epoch offset to Cocoa seconds', () => {
    expect(fromCocoa(1626566400 - 978307200)?.mvt()).toBe('2021-07-18 00:00:00.000000');
    expect(fromCocoa(588637289.253102)?.mvt()).toBe('2019-08-27 22:21:29.253102');
  });

  it('treats very large Cocoa values as nanoseconds whatever their digit count', () => {
    const ns = 588637289_253102000; // 18 digits
    expect(fromCocoaAuto(ns)?.mvt()).toBe('2019-08-27 22:21:29.253102');
    expect(fromCocoaAuto(588637289)?.mvt()).toBe('2019-08-27 22:21:29.000000');
    // 2003: 17 digits of nanoseconds, where MVT's "18-digit" rule gives a date in 2034 (§15 item 19).
    expect(fromCocoaAuto(80_000_000_000_000_000)?.mvt()).toBe('2003-07-15 22:13:20.000000');
  });

  it('converts Chrome/WebKit microseconds since 1601', () => {
    expect(fromChrome(13_276_800_000_000_000)?.mvt()).toBe('2021-09-22 16:00:00.000000');
  });

  it('treats zero and NULL as "no time", sorted first', () => {
    expect(fromUnix(0)).toBeNull();
    expect(fromCocoa(null)).toBeNull();
    expect(compareMoments(null, fromUnix(1))).toBeLessThan(0);
  });
});
