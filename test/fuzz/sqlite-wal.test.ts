/**
 * Fuzzing applyWal: random database and WAL bytes, and WALs built frame by frame with valid checksums (so
 * the replay really reaches the frames) whose headers are crafted: page numbers 0, small or up to 2^32 − 1,
 * commit sizes up to 2^32 − 1, salts and checksums that sometimes break the chain, torn tails. applyWal never
 * throws (a WAL it cannot use is returned unchanged, with the reason), stays within the time bound, and the
 * image never outgrows the main file's pages plus one page per frame.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyWal } from '../../src/formats/sqlite-wal.js';
import { checkBounded, fuzz, fuzzRuns, must, mutate, mutations, timeoutFor } from './_fuzz.js';

const RUNS = fuzzRuns(500, 3);
const TIMEOUT = timeoutFor(RUNS);
const PAGE = 512;
const nothingAllowed = () => false;

/** SQLite's WAL checksum (fileformat2 §4.4), written here apart from the code under test. */
function checksum(buf: Buffer, from: number, to: number, seed: [number, number], bigEndian: boolean): [number, number] {
  let [s0, s1] = seed;
  for (let i = from; i < to; i += 8) {
    s0 = (s0 + (bigEndian ? buf.readUInt32BE(i) : buf.readUInt32LE(i)) + s1) >>> 0;
    s1 = (s1 + (bigEndian ? buf.readUInt32BE(i + 4) : buf.readUInt32LE(i + 4)) + s0) >>> 0;
  }
  return [s0, s1];
}

const frame = fc.record({
  pgno: fc.oneof(fc.integer({ min: 1, max: 8 }), fc.constant(0), fc.integer({ min: 1, max: 2 ** 32 - 1 })),
  dbSize: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 12 }), fc.constantFrom(500_000, 1_000_000, 2 ** 32 - 1)),
  fill: fc.integer({ min: 0, max: 255 }),
  breakSalt: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
  breakChecksum: fc.integer({ min: 0, max: 19 }).map((n) => n === 0),
});

const crafted = fc
  .record({
    mainPages: fc.integer({ min: 0, max: 4 }),
    dbPageSize: fc.constantFrom(PAGE, PAGE, PAGE, 1024, 1),
    bigEndian: fc.boolean(),
    salts: fc.tuple(fc.nat(), fc.nat()),
    frames: fc.array(frame, { maxLength: 8 }),
    tornBytes: fc.constantFrom(0, 0, 0, 100),
  })
  .map(({ mainPages, dbPageSize, bigEndian, salts, frames, tornBytes }) => {
    const db = Buffer.alloc(mainPages * PAGE, 0x11);
    if (db.length >= 100) db.writeUInt16BE(dbPageSize, 16);
    const header = Buffer.alloc(32);
    header.writeUInt32BE(bigEndian ? 0x377f0683 : 0x377f0682, 0);
    header.writeUInt32BE(3007000, 4);
    header.writeUInt32BE(PAGE, 8);
    header.writeUInt32BE(salts[0], 16);
    header.writeUInt32BE(salts[1], 20);
    let sum = checksum(header, 0, 24, [0, 0], bigEndian);
    header.writeUInt32BE(sum[0], 24);
    header.writeUInt32BE(sum[1], 28);
    const parts = [header];
    for (const f of frames) {
      const bytes = Buffer.alloc(24 + PAGE, f.fill);
      bytes.writeUInt32BE(f.pgno, 0);
      bytes.writeUInt32BE(f.dbSize, 4);
      bytes.writeUInt32BE(f.breakSalt ? (salts[0] ^ 1) >>> 0 : salts[0], 8);
      bytes.writeUInt32BE(salts[1], 12);
      sum = checksum(bytes, 0, 8, sum, bigEndian);
      sum = checksum(bytes, 24, 24 + PAGE, sum, bigEndian);
      bytes.writeUInt32BE(f.breakChecksum ? (sum[0] ^ 1) >>> 0 : sum[0], 16);
      bytes.writeUInt32BE(sum[1], 20);
      parts.push(bytes);
    }
    const wal = Buffer.concat(parts);
    return { db, wal: tornBytes > 0 ? wal.subarray(0, Math.max(32, wal.length - tornBytes)) : wal };
  });

/** How many replays applied frames, and how many were capped: the crafted inputs must reach both. */
const seen = { applied: 0, capped: 0 };

const replaysWithinBounds = ({ db, wal }: { db: Buffer; wal: Buffer }) =>
  checkBounded(() => {
    const r = applyWal(db, wal);
    if (r.framesApplied > 0) seen.applied++;
    if (r.note?.includes('image capped')) seen.capped++;
    const frames = Math.max(0, Math.floor((wal.length - 32) / (24 + PAGE)));
    must(r.image === db || r.image.length <= (Math.ceil(db.length / PAGE) + frames) * PAGE, `image of ${r.image.length} bytes from a ${db.length}-byte file and ${frames} frames`);
    must(r.framesApplied <= frames, `${r.framesApplied} frames applied of ${frames}`);
    must(r.pages.every((p, i) => i === 0 || p > r.pages[i - 1]!), `pages not ascending: ${r.pages.join(',')}`);
    must(r.pages.length === 0 || r.pages.at(-1)! * PAGE <= r.image.length, `page ${r.pages.at(-1)} outside a ${r.image.length}-byte image`);
    must(r.framesApplied > 0 || r.image === db, 'nothing applied, yet the image is a copy');
  }, nothingAllowed);

describe('applyWal fuzzing', () => {
  it('random database and WAL bytes', { timeout: TIMEOUT }, () => {
    const pair = fc.record({ db: fc.uint8Array({ maxLength: 1200 }).map((b) => Buffer.from(b)), wal: fc.uint8Array({ maxLength: 1200 }).map((b) => Buffer.from(b)) });
    fuzz('wal random bytes', pair, replaysWithinBounds, RUNS);
  });

  it('WALs with valid checksums and crafted frame headers (commit sizes up to 2^32 − 1)', { timeout: TIMEOUT }, () => {
    seen.applied = seen.capped = 0;
    const s = fuzz('wal crafted frames', crafted, replaysWithinBounds, RUNS);
    expect(s.returned).toBe(s.inputs);
    expect(seen.applied).toBeGreaterThan(RUNS / 20);
    expect(seen.capped).toBeGreaterThan(0);
  });

  it('crafted WALs mutated byte by byte', { timeout: TIMEOUT }, () => {
    fuzz('wal mutated', fc.tuple(crafted, mutations), ([{ db, wal }, m]) => replaysWithinBounds({ db, wal: mutate(wal, m) }), RUNS);
  });
});
