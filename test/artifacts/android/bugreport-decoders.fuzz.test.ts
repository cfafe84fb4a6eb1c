/**
 * Property-based fuzzing of the bugreport decoders (docs/dev/fuzzing.md): random text or bytes, and MVT's
 * real tombstones and dumpstates mutated byte by byte. The text decoders never throw (what they cannot read
 * is a returned reason); the protobuf decoder throws only FormatError, with one line; all within the bound.
 */
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeDumpstateFacts, looksLikeDumpstateHead } from '../../../src/formats/dumpstate-facts.js';
import { forEachLine } from '../../../src/formats/lines.js';
import { decodeTombstoneText, parseTombstoneTime } from '../../../src/formats/tombstone.js';
import { decodeTombstoneProto } from '../../../src/formats/tombstone-proto.js';
import { checkBounded, fuzz, fuzzRuns, mutate, mutations, timeoutFor, fuzzOnAnyText, fuzzOnMutatedSample } from '../../fuzz/_fuzz.js';
import { mvtAndroidData, mvtBugreport, oldBugreport } from './_bugreport.js';

const RUNS = fuzzRuns(200, 2);
const TIMEOUT = timeoutFor(RUNS, 60);

const textTombstone = readFileSync(mvtAndroidData('tombstone_process.txt'));
const pbTombstone = readFileSync(mvtAndroidData('tombstone_process.pb'));
// The old dumpstate's head and properties section (the rest is logs the reader never keeps).
const dumpstate = readFileSync(oldBugreport()).subarray(0, 400_000);
const mvtDumpstate = readFileSync(`${mvtBugreport()}/dumpstate.txt`);

const textDecoders = [
  { name: 'text tombstone', sample: textTombstone, decode: (t: string) => [decodeTombstoneText(t), parseTombstoneTime(t.slice(0, 60))] },
  { name: 'dumpstate facts (old format)', sample: dumpstate, decode: (t: string) => [decodeDumpstateFacts(t), looksLikeDumpstateHead(Buffer.from(t.slice(0, 4096)))] },
  { name: 'dumpstate facts (MVT)', sample: mvtDumpstate, decode: (t: string) => decodeDumpstateFacts(t) },
] as const;

describe.each(textDecoders)('$name decoder under fuzzing', (d) => {
  it('returns on any text', () => {
    expect(fuzzOnAnyText(d, RUNS).returned).toBe(RUNS);
  }, TIMEOUT);

  it('returns on the real file mutated byte by byte', () => {
    expect(fuzzOnMutatedSample(d, RUNS).returned).toBe(RUNS);
  }, TIMEOUT);
});

describe('protobuf tombstone decoder under fuzzing', () => {
  it('returns or refuses with a one-line FormatError on any bytes', () => {
    const stats = fuzz('tombstone.pb random', fc.uint8Array({ maxLength: 2_000 }), (bytes) => checkBounded(() => decodeTombstoneProto(Buffer.from(bytes), 'tombstone_00.pb')), RUNS);
    expect(stats.returned + stats.refused).toBe(RUNS);
  }, TIMEOUT);

  it('returns or refuses on MVT\'s .pb mutated byte by byte', () => {
    const stats = fuzz('tombstone.pb mutated', fc.tuple(mutations), ([m]) => checkBounded(() => decodeTombstoneProto(mutate(pbTombstone, m), 'tombstone_00.pb')), RUNS);
    expect(stats.returned + stats.refused).toBe(RUNS);
  }, TIMEOUT);
});

describe('the line splitter holds a line to its bound', () => {
  it('one endless line costs the bound, not the line', async () => {
    const chunk = Buffer.alloc(1024 * 1024, 0x41);
    const seen: number[] = [];
    const stats = await forEachLine(Readable.from(Array.from({ length: 20 }, () => chunk)), 64 * 1024, (line) => seen.push(line.length) > 0);
    expect(stats).toEqual({ lines: 1, cut: 1, stopped: false });
    expect(seen).toEqual([64 * 1024]);
  });

  it('lines split across chunks come out whole; a stop ends the read', async () => {
    const seen: string[] = [];
    const stats = await forEachLine(Readable.from([Buffer.from('ab'), Buffer.from('c\nde'), Buffer.from('f\r\ng\nh')]), 100, (line) => seen.push(line) < 3);
    expect(seen).toEqual(['abc', 'def\r', 'g']);
    expect(stats).toEqual({ lines: 3, cut: 0, stopped: true });
  });

  it('with drain, a stop still reads the stream to its end, unsplit', async () => {
    const stream = Readable.from([Buffer.from('a\nb\n'), Buffer.from('c\n'), Buffer.from('d\n')]);
    const stats = await forEachLine(stream, 100, () => false, { drain: true });
    expect(stats).toEqual({ lines: 1, cut: 0, stopped: true });
    expect(stream.readableEnded).toBe(true);
  });
});
