/**
 * Fuzzing of what the Android gaps added (docs/dev/fuzzing.md): the walker of zips among intrusion logs (a real
 * zip of exports, with a zip inside, mutated byte by byte: it never throws, ends within the time bound, and says
 * what it could not read) and the wall-clock resolver (any reading, any zone name: an instant or null, never an
 * exception or a loop).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { zipTexts } from '../../../src/artifacts/android/_intrusion-zip.js';
import { resolveWallClock } from '../../../src/formats/device-time.js';
import { intrusionLogText } from '../../../src/synth/intrusion-logs.js';
import { ZipWriter } from '../../../src/synth/zip-writer.js';
import { checkBounded, fuzz, fuzzRuns, MAX_MS_PER_INPUT, timeoutFor } from '../../fuzz/_fuzz.js';

const RUNS = fuzzRuns(150, 1);
const base = mkdtempSync(join(tmpdir(), 'tracehound-gaps-fuzz-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

async function zipOf(path: string, members: Record<string, string | Buffer>): Promise<Buffer> {
  const zip = ZipWriter.create(path);
  for (const [name, data] of Object.entries(members)) await zip.add(name, [data], new Date('2024-05-01T00:00:00Z'));
  await zip.close();
  return readFileSync(path);
}

describe('fuzzing the zips among intrusion logs', () => {
  it(
    'a real zip of exports (with a zip inside) mutated: never throws, each input bounded in time, damage said',
    async () => {
      const inner = await zipOf(join(base, 'inner.zip'), { 'day2.txt': intrusionLogText({ seed: 2, events: 40 }) });
      const sample = await zipOf(join(base, 'outer.zip'), { 'day1.txt': intrusionLogText({ seed: 1, events: 40 }), 'inner.zip': inner });
      const mutations = fc.array(fc.record({ at: fc.nat({ max: sample.length - 1 }), byte: fc.integer({ min: 0, max: 255 }) }), { minLength: 1, maxLength: 8 });
      let said = 0;
      let members = 0;
      await fc.assert(
        // Mostly whole with bytes changed (the members before a change stay readable), sometimes cut short.
        fc.asyncProperty(mutations, fc.option(fc.nat({ max: sample.length }), { freq: 3 }), async (changes, cut) => {
          const data = Buffer.from(sample.subarray(0, cut ?? sample.length));
          for (const c of changes) if (c.at < data.length) data[c.at] = c.byte;
          const started = performance.now();
          const notes: string[] = [];
          for await (const t of zipTexts(data, 'outer.zip', 1024 * 1024, (m) => void notes.push(m))) {
            members++;
            expect(typeof t.text).toBe('string');
          }
          expect(performance.now() - started).toBeLessThan(MAX_MS_PER_INPUT);
          for (const n of notes) expect(n).not.toContain('\n');
          said += notes.length;
        }),
        { numRuns: RUNS },
      );
      // The property reached both sides: members read from damaged zips, and damage reported.
      expect(members).toBeGreaterThan(0);
      expect(said).toBeGreaterThan(0);
    },
    timeoutFor(RUNS, 200),
  );
});

describe('fuzzing the wall-clock resolver', () => {
  it('any reading and zone name: an instant or null, bounded', () => {
    const zones = fc.oneof(fc.constantFrom('Europe/Paris', 'America/St_Johns', 'Australia/Lord_Howe', 'Pacific/Apia', 'Asia/Kathmandu', 'UTC'), fc.string({ maxLength: 40 }));
    const wall = fc.record({
      year: fc.integer({ min: 1, max: 9999 }),
      month: fc.integer({ min: 1, max: 12 }),
      day: fc.integer({ min: 1, max: 28 }),
      hour: fc.integer({ min: 0, max: 23 }),
      minute: fc.integer({ min: 0, max: 59 }),
      second: fc.integer({ min: 0, max: 59 }),
      micros: fc.integer({ min: 0, max: 999_999 }),
    });
    const stats = fuzz(
      'resolveWallClock',
      fc.tuple(wall, zones),
      ([w, zone]) =>
        checkBounded(() => {
          const r = resolveWallClock(w, zone);
          if (r !== null && (!Number.isFinite(r.unix) || Math.abs(r.offsetMinutes) > 24 * 60)) throw new Error(`bad resolution ${JSON.stringify(r)}`);
          return r;
        }, () => false),
      fuzzRuns(2000, 1),
    );
    expect(stats.returned).toBeGreaterThan(0);
  });
});
