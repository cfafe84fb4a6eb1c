/**
 * The streaming JSON writer renders exactly what JSON.stringify renders (the reference, on generated values),
 * one value at a time into a buffered file, and the buffered file writes exactly the text it was given.
 */
import fc from 'fast-check';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Moment } from '../../src/formats/time.js';
import { BufferedFile } from '../../src/report/buffered-file.js';
import { JsonArrayWriter, StringSink, compactArrayLayout, indentedArrayLayout, writeJson } from '../../src/report/json-stream.js';
import { tempDir } from '../fixtures/ios-backup.js';

const RUNS = 300;

/** Any UTF-16 unit, so lone surrogates, controls and pairs all occur. */
const anyUnit = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));
const anyText = fc.oneof(fc.string(), fc.string({ unit: anyUnit }), fc.string({ unit: 'grapheme' }), fc.string({ unit: 'binary' }));

/** Values as records hold them: JSON values plus what JSON.stringify treats specially. */
const recordLike = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    anyText,
    fc.double(),
    fc.integer(),
    fc.constantFrom(Number.MAX_SAFE_INTEGER, 2 ** 64, 1e21, 1e-7, -0, 5e-324, Number.NaN, Number.POSITIVE_INFINITY),
    fc.constant(undefined),
    fc.date({ noInvalidDate: true }),
    fc.integer({ min: 0, max: 2_000_000_000 }).map((s) => Moment.fromUnixSeconds(s + 0.25)),
    fc.uint8Array({ maxLength: 8 }).map((b) => Buffer.from(b)),
    tie('list'),
    tie('dict'),
  ),
  list: fc.array(tie('value'), { maxLength: 5 }),
  dict: fc.dictionary(anyText, tie('value'), { maxKeys: 5 }),
})).value;

const rendered = (value: unknown, indent: number, depth = 0): string => {
  const out = new StringSink();
  writeJson(out, value, indent, depth);
  return out.text;
};

describe('writeJson', () => {
  it.each([1, 2, 4])('renders what JSON.stringify(value, null, %i) renders', (indent) => {
    fc.assert(
      fc.property(
        recordLike.filter((v) => v !== undefined),
        (value) => {
          expect(rendered(value, indent)).toBe(JSON.stringify(value, null, indent));
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('renders compact JSON as JSON.stringify does', () => {
    fc.assert(
      fc.property(
        recordLike.filter((v) => v !== undefined),
        (value) => {
          expect(rendered(value, 0)).toBe(JSON.stringify(value));
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('renders a value `depth` levels deep with its inner lines indented that much more', () => {
    fc.assert(
      fc.property(
        recordLike.filter((v) => v !== undefined),
        fc.integer({ min: 0, max: 3 }),
        (value, depth) => {
          // JSON text never holds a raw line break inside a string: every line break is structure.
          expect(rendered(value, 2, depth)).toBe(JSON.stringify(value, null, 2).replaceAll('\n', `\n${'  '.repeat(depth)}`));
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('calls toJSON with the key, skips what JSON omits in objects and writes null for it in arrays', () => {
    const keys: string[] = [];
    const spy = { toJSON: (key: string) => (keys.push(key), 'x') };
    const value = { a: undefined, b: () => 1, c: Symbol('s'), d: [undefined, () => 1, spy], e: { toJSON: () => undefined }, f: spy, g: new Number(3), h: new String('s') };
    expect(rendered(value, 2)).toBe('{\n  "d": [\n    null,\n    null,\n    "x"\n  ],\n  "f": "x",\n  "g": 3,\n  "h": "s"\n}');
    expect(keys).toEqual(['2', 'f']);
    expect(rendered(value, 2)).toBe(JSON.stringify(value, null, 2));
  });

  it('fails as JSON.stringify fails: on a BigInt, a cycle, or a value with no JSON at all', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => rendered({ n: 1n }, 2)).toThrow(TypeError);
    expect(() => rendered(cyclic, 2)).toThrow(/circular/);
    expect(() => rendered(undefined, 2)).toThrow(TypeError);
    expect(() => rendered(undefined, 0)).toThrow(TypeError);
  });

  it('caps the indent at 10 spaces, as JSON.stringify does', () => {
    expect(rendered([1], 12)).toBe(JSON.stringify([1], null, 12));
  });
});

describe('JsonArrayWriter', () => {
  it('streams an indented array file equal to JSON.stringify(list, null, 2) and a newline', () => {
    fc.assert(
      fc.property(fc.array(recordLike.filter((v) => v !== undefined), { maxLength: 6 }), (list) => {
        const path = join(tempDir('json-array'), 'list.json');
        const w = JsonArrayWriter.streaming(path, (out, v) => writeJson(out, v, 2, 1), indentedArrayLayout(2));
        for (const v of list) w.write(v);
        w.close();
        expect(w.written).toBe(list.length);
        expect(readFileSync(path, 'utf8')).toBe(`${JSON.stringify(list, null, 2)}\n`);
      }),
      { numRuns: 50 },
    );
  });

  it('writes one compact value per line, and `[]` when nothing was written', () => {
    const dir = tempDir('json-array');
    const w = JsonArrayWriter.streaming(join(dir, 'a.json'), (out, v) => writeJson(out, v), compactArrayLayout, 0o600);
    w.write({ a: 1, é: 'ü' });
    w.write([true, null]);
    w.close();
    expect(readFileSync(join(dir, 'a.json'), 'utf8')).toBe('[\n{"a":1,"é":"ü"},\n[true,null]\n]\n');
    expect(statSync(join(dir, 'a.json')).mode & 0o777).toBe(0o600);

    const empty = JsonArrayWriter.streaming(join(dir, 'b.json'), (out, v) => writeJson(out, v), compactArrayLayout);
    empty.close();
    expect(readFileSync(join(dir, 'b.json'), 'utf8')).toBe('[]\n');
  });

  it('still takes a formatting function that returns each element as a string', () => {
    const path = join(tempDir('json-array'), 'c.json');
    const w = new JsonArrayWriter(path, (v) => JSON.stringify(v), ',\n', '[\n', '\n]');
    w.write(1);
    w.write('two');
    w.close();
    w.close(); // closing twice is harmless
    expect(readFileSync(path, 'utf8')).toBe('[\n1,\n"two"\n]');
    expect(() => w.write(3)).toThrow(/already closed/);
  });
});

describe('BufferedFile', () => {
  it('writes exactly the text given, however it is cut: tiny pieces, pieces larger than its buffer, any characters', () => {
    const piece = fc.oneof(
      { weight: 5, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }) },
      { weight: 1, arbitrary: fc.integer({ min: 1, max: 3 }).map((n) => '€😀'.repeat(n * 300_000)) },
      { weight: 1, arbitrary: fc.integer({ min: 1, max: 2 }).map((n) => 'x'.repeat(n * 17_000)) },
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 40 }), (pieces) => {
        const path = join(tempDir('buffered'), 'out.txt');
        const file = new BufferedFile(path);
        for (const p of pieces) file.write(p);
        file.close();
        expect(readFileSync(path, 'utf8')).toBe(pieces.join(''));
      }),
      { numRuns: 40 },
    );
  });

  it('refuses to write once closed, and closing twice is harmless', () => {
    const file = new BufferedFile(join(tempDir('buffered'), 'closed.txt'));
    file.close();
    file.close();
    expect(() => {
      file.write('x'.repeat(1 << 15));
    }).toThrow(/already closed/);
  });
});
