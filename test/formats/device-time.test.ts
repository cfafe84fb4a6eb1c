/**
 * Device-local wall-clock readings and the device's time zone (docs/dev/time.md): a reading names an instant
 * only with the zone; the hour a clock goes back (overlap) and the hour it skips (gap) are decided explicitly.
 */
import { describe, expect, it } from 'vitest';
import { inDeviceZone, parseWallClock, resolveWallClock } from '../../src/formats/device-time.js';
import { localWallClock } from '../../src/formats/dumpsys-time.js';
import { Moment, compareMoments } from '../../src/formats/time.js';

const iso = (unix: number) => new Date(unix * 1000).toISOString();
const resolve = (text: string, zone: string) => {
  const r = resolveWallClock(parseWallClock(text)!, zone);
  return r && { utc: iso(r.unix), offset: r.offsetMinutes, fold: r.fold };
};

describe('a wall-clock reading in a known zone', () => {
  it('names one instant outside transitions (summer and winter time)', () => {
    expect(resolve('2023-07-01 12:00:00', 'Europe/Paris')).toEqual({ utc: '2023-07-01T10:00:00.000Z', offset: 120, fold: 'exact' });
    expect(resolve('2023-01-15 12:00:00', 'Europe/Paris')).toEqual({ utc: '2023-01-15T11:00:00.000Z', offset: 60, fold: 'exact' });
    expect(resolve('2023-07-01 12:00:00', 'America/St_Johns')).toEqual({ utc: '2023-07-01T14:30:00.000Z', offset: -150, fold: 'exact' });
  });

  it('in the hour the clock goes back (2023-10-29 02:30 in Paris happened twice) is the earlier instant, marked overlap', () => {
    expect(resolve('2023-10-29 02:30:00', 'Europe/Paris')).toEqual({ utc: '2023-10-29T00:30:00.000Z', offset: 120, fold: 'overlap' });
    // Either side of the overlap is exact again.
    expect(resolve('2023-10-29 01:59:59', 'Europe/Paris')).toEqual({ utc: '2023-10-28T23:59:59.000Z', offset: 120, fold: 'exact' });
    expect(resolve('2023-10-29 03:00:00', 'Europe/Paris')).toEqual({ utc: '2023-10-29T02:00:00.000Z', offset: 60, fold: 'exact' });
  });

  it('in the hour the clock skips (2023-03-26 02:30 never showed in Paris) reads with the offset before the jump, marked gap', () => {
    expect(resolve('2023-03-26 02:30:00', 'Europe/Paris')).toEqual({ utc: '2023-03-26T01:30:00.000Z', offset: 60, fold: 'gap' });
    expect(resolve('2023-03-26 03:00:00', 'Europe/Paris')).toEqual({ utc: '2023-03-26T01:00:00.000Z', offset: 120, fold: 'exact' });
  });

  it('a zone this Node does not know gives no instant', () => {
    expect(resolve('2023-07-01 12:00:00', 'Mars/Olympus_Mons')).toBeNull();
    expect(resolve('2023-07-01 12:00:00', '')).toBeNull();
  });
});

describe('a device-local Moment', () => {
  it('with its zone: MVT\'s rendering unchanged, ours with the offset, and its instant in UTC', () => {
    const m = localWallClock('2023-10-29 02:30:00.5', 'Europe/Paris')!;
    expect(m.mvt()).toBe('2023-10-29 02:30:00.500000');
    expect(m.iso()).toBe('2023-10-29T02:30:00.500000+02:00');
    expect(m.deviceZone).toEqual({ zone: 'Europe/Paris', offsetMinutes: 120, fold: 'overlap' });
    expect(m.instant()!.iso()).toBe('2023-10-29T00:30:00.500000Z');
    expect(localWallClock('2023-07-01 12:00:00', 'America/St_Johns')!.iso()).toBe('2023-07-01T12:00:00.000000-02:30');
  });

  it('without a zone, or with an unknown one: the reading only, no designator, no instant', () => {
    for (const m of [localWallClock('2023-07-01 12:00:00')!, localWallClock('2023-07-01 12:00:00', 'Not/A_Zone')!]) {
      expect([m.iso(), m.mvt(), m.instant(), m.deviceZone]).toEqual(['2023-07-01T12:00:00.000000', '2023-07-01 12:00:00.000000', null, undefined]);
    }
  });

  it('inDeviceZone zones a reading once and leaves stored instants alone', () => {
    const reading = localWallClock('2023-07-01 12:00:00')!;
    const zoned = inDeviceZone(reading, 'Asia/Kolkata');
    expect(zoned.iso()).toBe('2023-07-01T12:00:00.000000+05:30');
    expect(inDeviceZone(zoned, 'Europe/Paris')).toBe(zoned);
    const instant = Moment.fromUnixSeconds(1_688_212_800)!;
    expect(inDeviceZone(instant, 'Europe/Paris')).toBe(instant);
    expect(inDeviceZone(reading, undefined)).toBe(reading);
  });

  it('orders by its instant when zoned: 12:00 in Paris (10:00 UTC) comes before 11:00 UTC', () => {
    const paris = localWallClock('2023-07-01 12:00:00', 'Europe/Paris');
    const utc = Moment.fromUnixSeconds(Date.UTC(2023, 6, 1, 11) / 1000);
    expect(compareMoments(paris, utc)).toBeLessThan(0);
    expect(compareMoments(localWallClock('2023-07-01 12:00:00'), utc)).toBeGreaterThan(0);
  });
});
