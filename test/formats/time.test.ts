import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Moment, fromChrome, fromCocoa, fromCocoaAuto, fromUnix, compareMoments } from '../../src/formats/time.js';

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

  it('renders every instant a Date can hold as the Date UTC getters give it (the calendar is computed, not asked of Date)', () => {
    const viaDate = (m: Moment): string => {
      const d = m.date;
      const year = d.getUTCFullYear();
      const y = year < 0 ? `-${String(-year).padStart(6, '0')}` : String(year).padStart(4, '0');
      const two = (n: number) => String(n).padStart(2, '0');
      return `${y}-${two(d.getUTCMonth() + 1)}-${two(d.getUTCDate())} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}.${String(m.micros).padStart(6, '0')}`;
    };
    const seconds = fc.oneof(fc.integer({ min: -8.64e12, max: 8.64e12 }), fc.integer({ min: -100 * 366 * 86_400, max: 3000 * 366 * 86_400 }), fc.double({ min: -1e10, max: 1e10, noNaN: true }));
    fc.assert(
      fc.property(seconds, (s) => {
        const m = Moment.fromUnixSeconds(s);
        if (m === null) return;
        expect(m.mvt()).toBe(viaDate(m));
        expect(m.iso()).toBe(`${viaDate(m).replace(' ', 'T')}Z`);
      }),
      { numRuns: 20_000 },
    );
    // Leap days, century rules and the edges of the range.
    for (const [iso, s] of [
      ['2000-02-29T23:59:59.000000Z', 951_868_799],
      ['1900-03-01T00:00:00.000000Z', -2_203_891_200],
      ['1969-12-31T23:59:59.000000Z', -1],
      ['0000-01-01T00:00:00.000000Z', -62_167_219_200],
      ['-000001-12-31T00:00:00.000000Z', -62_167_305_600],
      ['275760-09-13T00:00:00.000000Z', 8.64e12],
    ] as const)
      expect(Moment.fromUnixSeconds(s)?.iso()).toBe(iso);
  });
});
