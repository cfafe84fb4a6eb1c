/**
 * The contract every decoder is fuzzed against: on any input it returns, or throws the error type it
 * documents (FormatError for the formats/ decoders), within a time bound, and the process's memory stays
 * bounded. Short runs in the normal suite; `npm run fuzz` sets TRACEHOUND_FUZZ_RUNS for the long one.
 */
import fc from 'fast-check';
import { isDeepStrictEqual } from 'node:util';
import { expect } from 'vitest';
import { FormatError } from '../../src/errors.js';

/**
 * Runs per property: the short default, or in the long run TRACEHOUND_FUZZ_RUNS inputs per decoder, shared
 * among the decoder's `properties` (so that every decoder gets at least that many inputs in all).
 */
export function fuzzRuns(short: number, properties = 1): number {
  const perDecoder = Number(process.env.TRACEHOUND_FUZZ_RUNS);
  return Number.isInteger(perDecoder) && perDecoder > 0 ? Math.ceil(perDecoder / properties) : short;
}

export const isLongRun = (): boolean => fuzzRuns(0) > 0;

/** Milliseconds one input may take. The hostile cases the limits stop take about a second at most. */
export const MAX_MS_PER_INPUT = 5_000;
/** Resident memory the whole run may reach (vitest and the decoded values of one input included). */
export const MAX_RSS_BYTES = 1.5 * 1024 ** 3;

export type Outcome = 'returned' | 'refused';

/**
 * Runs `decode` on one input: it must return or throw `allowed`, with a one-line message, within the time
 * bound. Anything else (a TypeError, a RangeError, a hang) fails the property with the input that caused it.
 */
export function checkBounded(decode: () => unknown, allowed: (err: unknown) => boolean = (err) => err instanceof FormatError): Outcome {
  const started = performance.now();
  let outcome: Outcome = 'returned';
  try {
    decode();
  } catch (err) {
    if (!allowed(err)) throw err;
    must(!/[\n\r]/.test((err as Error).message), `error message is not one line: ${JSON.stringify((err as Error).message)}`);
    outcome = 'refused';
  }
  const ms = performance.now() - started;
  if (ms > MAX_MS_PER_INPUT) throw new Error(`took ${ms.toFixed(0)} ms (bound ${MAX_MS_PER_INPUT} ms)`);
  return outcome;
}

/*
 * Checks inside properties avoid vitest's expect on the passing path: it costs milliseconds per call, which
 * would make a million-input run take hours. A failing check still reports through expect, with its diff.
 */

/** Fails the property with `message` unless `condition` holds. */
export function must(condition: boolean, message: string): void {
  if (!condition) throw new Error(message);
}

/** Deep equality, strict and fast when it holds; a mismatch is reported with vitest's diff. */
export function same(actual: unknown, expected: unknown): void {
  if (!isDeepStrictEqual(actual, expected)) expect(actual).toStrictEqual(expected);
}

export interface FuzzStats {
  readonly name: string;
  readonly inputs: number;
  readonly seconds: number;
  readonly returned: number;
  readonly refused: number;
  readonly maxRssMb: number;
}

/**
 * Asserts a property over `runs` generated inputs and reports inputs per second, how many decoded and how
 * many were refused (a fuzzer that only ever reaches the first check proves little), and the peak memory.
 */
export function fuzz<T>(name: string, arbitrary: fc.Arbitrary<T>, run: (input: T) => Outcome, runs: number, seed?: number): FuzzStats {
  let returned = 0;
  let refused = 0;
  let maxRss = process.memoryUsage.rss();
  let n = 0;
  const started = performance.now();
  fc.assert(
    fc.property(arbitrary, (input) => {
      if (run(input) === 'returned') returned++;
      else refused++;
      if (++n % 1000 === 0) {
        const rss = process.memoryUsage.rss();
        maxRss = Math.max(maxRss, rss);
        if (rss > MAX_RSS_BYTES) throw new Error(`resident memory ${(rss / 1024 ** 2).toFixed(0)} MB exceeds ${MAX_RSS_BYTES / 1024 ** 2} MB`);
      }
    }),
    { numRuns: runs, ...(seed === undefined ? {} : { seed }) },
  );
  const stats: FuzzStats = {
    name,
    inputs: returned + refused,
    seconds: (performance.now() - started) / 1000,
    returned,
    refused,
    maxRssMb: Math.round(Math.max(maxRss, process.memoryUsage.rss()) / 1024 ** 2),
  };
  if (isLongRun()) {
    // The long run's figures go to the terminal (docs/dev/fuzzing.md says how to read them).
    console.log(
      `fuzz ${name}: ${stats.inputs} inputs in ${stats.seconds.toFixed(1)} s (${Math.round(stats.inputs / stats.seconds)}/s), ${returned} decoded, ${refused} refused, peak RSS ${stats.maxRssMb} MB`,
    );
  }
  return stats;
}

/** A vitest timeout that fits the run length: generous per input, never below the suite default. */
export function timeoutFor(runs: number, msPerInput = 2): number {
  return Math.max(60_000, runs * msPerInput + 60_000);
}

/** Byte-level mutations of a valid input: the structure-aware half of every decoder's fuzzing. */
export const mutation = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('setEnd' as const), back: fc.integer({ min: 1, max: 40 }), byte: fc.constantFrom(0, 1, 2, 8, 0x7f, 0x80, 0xff) }),
  fc.record({ kind: fc.constant('truncate' as const), keep: fc.double({ min: 0, max: 1, noNaN: true }) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
);
export type Mutation = typeof mutation extends fc.Arbitrary<infer M> ? M : never;

export function mutate(input: Buffer, mutations: readonly Mutation[]): Buffer {
  let out = Buffer.from(input);
  for (const m of mutations) {
    if (out.length === 0) break;
    switch (m.kind) {
      case 'flip':
        out[m.at % out.length]! ^= 1 << m.bit;
        break;
      case 'set':
        out[m.at % out.length] = m.byte;
        break;
      case 'setEnd':
        out[Math.max(0, out.length - m.back)] = m.byte;
        break;
      case 'truncate':
        out = out.subarray(0, Math.floor(out.length * m.keep));
        break;
      case 'insert': {
        const at = m.at % (out.length + 1);
        out = Buffer.concat([out.subarray(0, at), Buffer.from(m.bytes), out.subarray(at)]);
        break;
      }
    }
  }
  return out;
}

export const mutations = fc.array(mutation, { minLength: 1, maxLength: 4 });

/**
 * Any UTF-16 text, lone surrogates included. Built from code units rather than fast-check's `unit: 'binary'`
 * strings, whose first use costs seconds of set-up in every test file.
 */
export const anyText = (maxLength: number): fc.Arbitrary<string> =>
  fc.array(fc.integer({ min: 0, max: 0xffff }), { maxLength }).map((units) => String.fromCharCode(...units));

/** A text decoder with no error to throw: whatever it is given, it returns, with what it could not read counted. */
export interface TextDecoderUnderFuzz {
  readonly name: string;
  /** A real (or real-shaped) file of its format, mutated byte by byte. */
  readonly sample: Buffer;
  readonly decode: (text: string) => unknown;
}

const neverThrows = () => false;

/** The decoder on random text (any UTF-16, lone surrogates included). */
export function fuzzOnAnyText(d: TextDecoderUnderFuzz, runs: number, maxLength = 2_000): FuzzStats {
  return fuzz(`${d.name} random`, anyText(maxLength), (text) => checkBounded(() => d.decode(text), neverThrows), runs);
}

/** The decoder on its sample mutated byte by byte, read as UTF-8. */
export function fuzzOnMutatedSample(d: TextDecoderUnderFuzz, runs: number): FuzzStats {
  return fuzz(`${d.name} mutated`, fc.tuple(mutations), ([m]) => checkBounded(() => d.decode(mutate(d.sample, m).toString('utf8')), neverThrows), runs);
}

/** `buf` cut at the given offsets (taken modulo its length, any order, repeats allowed: empty chunks too), for readers fed in chunks. */
export function cutAt(buf: Buffer, at: readonly number[]): Buffer[] {
  const offsets = [...new Set(at.map((n) => n % (buf.length + 1)))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let from = 0;
  for (const o of offsets) {
    chunks.push(buf.subarray(from, o));
    from = o;
  }
  chunks.push(buf.subarray(from));
  return chunks;
}
