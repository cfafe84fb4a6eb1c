import { describe, expect, it } from 'vitest';
import { localWallClock } from '../../src/formats/dumpsys-time.js';

describe('dumpsys wall-clock times', () => {
  it('keep the printed reading, marked device-local, with milliseconds as printed', () => {
    const m = localWallClock('2022-03-29 18:37:30.315')!;
    expect([m.mvt(), m.epoch, m.raw]).toEqual(['2022-03-29 18:37:30.315000', 'device_local', '2022-03-29 18:37:30.315']);
    expect(localWallClock('2022-08-16')!.mvt()).toBe('2022-08-16 00:00:00.000000');
    // Our outputs write it as an ISO 8601 local time: no "Z", since the zone is not known.
    expect([m.iso(), JSON.stringify(m)]).toEqual(['2022-03-29T18:37:30.315000', '"2022-03-29T18:37:30.315000"']);
  });

  it('a date that does not exist, a time out of range or other text is no time', () => {
    expect(['2022-02-30 10:00:00.000', '2022-01-01 24:00:00', '07-15 20:27:39.431', '', '2022-01-01T10:00:00Z'].map((t) => localWallClock(t))).toEqual([null, null, null, null, null]);
  });
});
