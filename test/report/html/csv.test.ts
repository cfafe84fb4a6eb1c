/** The timeline.csv reader: RFC 4180 as report/native.ts writes it, in any chunking, with bounded fields. */
import { describe, expect, it } from 'vitest';
import { FormatError } from '../../../src/errors.js';
import { CsvParser } from '../../../src/report/html/_csv.js';

function rows(text: string, chunk = text.length, limits?: { maxFieldChars: number; maxFields: number }): string[][] {
  const out: string[][] = [];
  const p = new CsvParser((r) => out.push(r), limits);
  for (let i = 0; i < text.length; i += chunk) p.push(text.slice(i, i + chunk));
  p.end();
  return out;
}

describe('CsvParser', () => {
  const text = 'time,artifact,event,description\n2019-08-27T15:08:09Z,ios.sms,sms,"say ""hi"", then\nleave"\r\n2019-08-28T00:00:00Z,ios.manifest,M--B,plain\n\n"",,,';
  const expected = [
    ['time', 'artifact', 'event', 'description'],
    ['2019-08-27T15:08:09Z', 'ios.sms', 'sms', 'say "hi", then\nleave'],
    ['2019-08-28T00:00:00Z', 'ios.manifest', 'M--B', 'plain'],
    ['', '', '', ''],
  ];

  it('reads quoted fields with commas, doubled quotes and line breaks, CRLF, and a last row without newline', () => {
    expect(rows(text)).toEqual(expected);
  });

  it.each([1, 2, 3, 7])('gives the same rows when the text arrives in chunks of %i characters', (chunk) => {
    expect(rows(text, chunk)).toEqual(expected);
  });

  it('refuses an overlong field, too many fields and an open quote, naming the row', () => {
    expect(() => rows('a,b\nccccc,d\n', 1, { maxFieldChars: 4, maxFields: 8 })).toThrow(new FormatError('CSV', 'row 2: a field longer than 4 characters'));
    expect(() => rows('a,b,c\n', 3, { maxFieldChars: 10, maxFields: 2 })).toThrow('CSV: row 1: more than 2 fields');
    expect(() => rows('a\n"b\n')).toThrow('CSV: row 2: unterminated quoted field at the end of the file');
  });
});
