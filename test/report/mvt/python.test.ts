/**
 * MVT's Python renderings: the one-pass writer renders byte for byte what the previous, string-building
 * implementation rendered (kept below as the oracle), on generated values, and a few renderings are pinned.
 */
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Moment } from '../../../src/formats/time.js';
import { JsonArrayWriter, indentedArrayLayout } from '../../../src/report/json-stream.js';
import { backslashReplace, pyCsvRow, pyJson, pyString, writePyJson } from '../../../src/report/mvt/python.js';
import { tempDir } from '../../fixtures/ios-backup.js';

// ---------------------------------------------------------------------------------------------------------
// The oracle: the renderer as it was before it streamed (commit 24d0918), unchanged.

function oldPyJson(value: unknown, indent = 4, depth = 0): string {
  const pad = ' '.repeat(indent * (depth + 1));
  const end = ' '.repeat(indent * depth);
  if (value === null || value === undefined) return 'null';
  if (value instanceof Moment) return oldPyString(value.mvt());
  if (value instanceof Date) return oldPyString(value.toISOString());
  if (typeof value === 'string') return oldPyString(value);
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : value > 0 ? 'Infinity' : Number.isNaN(value) ? 'NaN' : '-Infinity';
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (Buffer.isBuffer(value)) return oldPyString(backslashReplace(value));
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    return `[\n${value.map((v) => pad + oldPyJson(v, indent, depth + 1)).join(',\n')}\n${end}]`;
  }
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
  if (entries.length === 0) return '{}';
  return `{\n${entries.map(([k, v]) => `${pad}${oldPyString(k)}: ${oldPyJson(v, indent, depth + 1)}`).join(',\n')}\n${end}}`;
}

function oldPyString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const ch = s[i]!;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c === 8) out += '\\b';
    else if (c === 12) out += '\\f';
    else if (c < 0x20 || c > 0x7e) out += `\\u${c.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

function oldPyCsvRow(fields: readonly (string | number | null | undefined)[]): string {
  return `${fields.map((f) => `"${String(f ?? '').replace(/\\/g, '\\\\').replace(/"/g, '""')}"`).join(',')}\r\n`;
}

// ---------------------------------------------------------------------------------------------------------

const RUNS = 500;

/** Any UTF-16 unit, so lone surrogates, controls, DEL and pairs all occur. */
const anyUnit = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));
const anyText = fc.oneof(fc.string(), fc.string({ unit: anyUnit }), fc.string({ unit: 'grapheme' }), fc.string({ unit: 'binary' }));

/** Values as MVT records hold them: JSON values, timestamps, bytes, big integers, non-finite numbers. */
const recordLike = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.constant(undefined),
    fc.boolean(),
    anyText,
    fc.double(),
    fc.integer(),
    fc.bigInt(),
    fc.constantFrom(Number.MAX_SAFE_INTEGER, 2 ** 64, 1e21, 1e-7, -0, 5e-324, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY),
    fc.date({ noInvalidDate: true }),
    fc.integer({ min: -2_000_000_000, max: 2_000_000_000 }).map((s) => Moment.fromUnixSeconds(s + 0.000_25)),
    fc.uint8Array({ maxLength: 8 }).map((b) => Buffer.from(b)),
    tie('list'),
    tie('dict'),
  ),
  list: fc.array(tie('value'), { maxLength: 5 }),
  dict: fc.dictionary(anyText, tie('value'), { maxKeys: 5 }),
})).value;

describe('pyJson and writePyJson', () => {
  it('render byte for byte what the previous renderer rendered, at any indent and depth', () => {
    fc.assert(
      fc.property(recordLike, fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 3 }), (value, indent, depth) => {
        expect(pyJson(value, indent, depth)).toBe(oldPyJson(value, indent, depth));
      }),
      { numRuns: RUNS },
    );
  });

  it('stream an MVT module file equal to the previous list rendering', () => {
    fc.assert(
      fc.property(fc.array(recordLike, { minLength: 1, maxLength: 6 }), (list) => {
        const path = join(tempDir('py-json'), 'module.json');
        // MVT's module files: json.dump(list, indent=4), no newline at the end.
        const w = JsonArrayWriter.streaming(path, (out, v) => writePyJson(out, v, 4, 1), indentedArrayLayout(4, '\n]'));
        for (const v of list) w.write(v);
        w.close();
        expect(readFileSync(path, 'utf8')).toBe(oldPyJson(list));
      }),
      { numRuns: 50 },
    );
  });

  it('writes what Python json.dump(indent=4) writes for a record with every kind of value', () => {
    const record = {
      text: 'Tap “here” → 😀',
      quote: 'say "hi"\\now',
      controls: '\t\n\r\b\f\u0001\u007f',
      lone: '\ud800x\udfff',
      big: 2 ** 64,
      tiny: 1e-7,
      nan: Number.NaN,
      inf: Number.NEGATIVE_INFINITY,
      when: Moment.fromUnixSeconds(1_566_918_489.253_102),
      bytes: Buffer.from([0x61, 0xff]),
      gone: undefined,
      nested: [[], {}, [null, true]],
    };
    expect(pyJson(record)).toBe(
      [
        '{',
        '    "text": "Tap \\u201chere\\u201d \\u2192 \\ud83d\\ude00",',
        '    "quote": "say \\"hi\\"\\\\now",',
        '    "controls": "\\t\\n\\r\\b\\f\\u0001\\u007f",',
        '    "lone": "\\ud800x\\udfff",',
        '    "big": 18446744073709552000,',
        '    "tiny": 1e-7,',
        '    "nan": NaN,',
        '    "inf": -Infinity,',
        '    "when": "2019-08-27 15:08:09.253102",',
        '    "bytes": "a\\\\xff",',
        '    "nested": [',
        '        [],',
        '        {},',
        '        [',
        '            null,',
        '            true',
        '        ]',
        '    ]',
        '}',
      ].join('\n'),
    );
  });
});

describe('pyString', () => {
  it('escapes as the previous character-by-character escaper did, for any UTF-16 text', () => {
    fc.assert(
      fc.property(anyText, (s) => {
        expect(pyString(s)).toBe(oldPyString(s));
      }),
      { numRuns: 2_000 },
    );
  });

  it('leaves printable ASCII as it is and escapes everything else as ASCII', () => {
    expect(pyString('https://example.com/?q=1&r=~')).toBe('"https://example.com/?q=1&r=~"');
    expect(pyString('é\u2028😀')).toBe('"\\u00e9\\u2028\\ud83d\\ude00"');
  });
});

describe('pyCsvRow', () => {
  it('writes what the previous row writer wrote, for any fields', () => {
    const field = fc.oneof(anyText, fc.constantFrom('"', '\\', '\\"', '""'), fc.double(), fc.constant(null), fc.constant(undefined));
    fc.assert(
      fc.property(fc.array(field, { maxLength: 5 }), (fields) => {
        expect(pyCsvRow(fields)).toBe(oldPyCsvRow(fields));
      }),
      { numRuns: RUNS },
    );
  });

  it('quotes every field, doubles quotes and backslashes, ends with CRLF', () => {
    expect(pyCsvRow(['2024-01-01 00:00:00.000000', 'SMS', 'say "hi"', 'C:\\x', null, 3])).toBe('"2024-01-01 00:00:00.000000","SMS","say ""hi""","C:\\\\x","","3"\r\n');
  });
});
