import { describe, expect, it } from 'vitest';
import { jsonArrayItems, jsonLinesItems, JsonItemsReader, readJsonItems } from '../../src/formats/json-items.js';

/** Every item and how the reader ended, for a list given as text. */
function readList(text: string, max = 100) {
  const items = jsonArrayItems(Buffer.from(text), max);
  const out: unknown[] = [];
  for (;;) {
    const next = items.next();
    if (next.done) return { items: out, end: next.value };
    out.push(next.value.ok ? next.value.value : `bad: ${next.value.index}`);
  }
}

describe('jsonArrayItems', () => {
  it('yields each item of a list, nested values and strings with brackets and escaped quotes included', () => {
    expect(readList(' [{"a":[1,2]}, "x]\\"}", 3 ,[]] ')).toEqual({ items: [{ a: [1, 2] }, 'x]"}', 3, []], end: 'complete' });
  });

  it('reads an empty list and a list with a byte-order mark', () => {
    expect(readList('[]')).toEqual({ items: [], end: 'complete' });
    expect(readList('\uFEFF[1]')).toEqual({ items: [1], end: 'complete' });
  });

  it('keeps the items before damage and says how the list ended', () => {
    expect(readList('[1, 2, {"a": ')).toEqual({ items: [1, 2], end: 'the list is cut short' });
    expect(readList('[1] x')).toEqual({ items: [1], end: 'text after the end of the list' });
    expect(readList('{"a":1}')).toEqual({ items: [], end: 'not a JSON list' });
    expect(readList('[1, tru, 3]')).toEqual({ items: [1, 'bad: 1', 3], end: 'complete' });
  });

  it('stops at the first item past the bound', () => {
    expect(readList('[1,2,3,4]', 2)).toEqual({ items: [1, 2], end: 'truncated' });
  });

  // Found by fuzzing MVT's files.json: `[{]` closes the object early, so a later `}` closed nothing and the
  // reader yielded an empty item at it forever (five million of them, 60 s, before the bound).
  it('stops at a } that closes nothing instead of yielding empty items', () => {
    const r = readList('[{]\u0000"path":"/sdcard/x","size":36}, {"path":"/b"}]');
    expect(r.end).toBe('an unmatched } in the list');
    expect(r.items.length).toBeLessThan(5);
  });
});

describe('jsonLinesItems', () => {
  it('yields one item per non-empty line with its line number, a damaged line included', () => {
    const items = [...jsonLinesItems(Buffer.from('{"a":1}\n\n  \n{"b":\n[2]\n'), 10)];
    expect(items.map((i) => [i.line, i.ok ? i.value : 'bad'])).toEqual([
      [1, { a: 1 }],
      [4, 'bad'],
      [5, [2]],
    ]);
  });

  it('says truncated when more lines follow the bound', () => {
    const gen = jsonLinesItems(Buffer.from('1\n2\n3\n'), 2);
    expect([gen.next().value, gen.next().value, gen.next()]).toMatchObject([{ value: 1 }, { value: 2 }, { done: true, value: 'truncated' }]);
  });
});

describe('JsonItemsReader (chunks of any size)', () => {
  const read = (chunks: string[], options: ConstructorParameters<typeof JsonItemsReader>[1] = {}, max = 100) => {
    const items = readJsonItems(new JsonItemsReader(max, options), chunks.map((c) => Buffer.from(c, 'latin1')));
    const out: unknown[] = [];
    for (;;) {
      const next = items.next();
      if (next.done) return { items: out, end: next.value };
      out.push(next.value.ok ? next.value.value : next.value.reason);
    }
  };

  it('decides the layout from the first byte that is not white space: a list, JSON Lines, empty or neither', () => {
    expect(read([' \n[1', ',2]'])).toEqual({ items: [1, 2], end: 'complete' });
    expect(read(['\n', '\n{"a"', ':1}\n'])).toEqual({ items: [{ a: 1 }], end: 'complete' });
    expect(read([' ', '\n'])).toEqual({ items: [], end: 'empty' });
    expect(read(['"x"'])).toEqual({ items: [], end: 'neither a JSON list nor JSON lines' });
  });

  it('skips a byte-order mark cut between chunks, and reads a lone part of one as a byte', () => {
    expect(read(['\xef', '\xbb', '\xbf[', '1]'])).toEqual({ items: [1], end: 'complete' });
    expect(read(['\xef', '\xbb'])).toEqual({ items: [], end: 'neither a JSON list nor JSON lines' });
  });

  it('keeps a string escape cut between chunks', () => {
    expect(read(['["a\\', '"",', ' "b"]'])).toEqual({ items: ['a"', 'b'], end: 'complete' });
  });

  it('skips an item past the byte or depth bound with why, without holding it, and reads on', () => {
    expect(read(['[1, "', 'x'.repeat(40), '", 2]'], { maxItemBytes: 16 })).toEqual({ items: [1, 'larger than 16 bytes; not read', 2], end: 'complete' });
    expect(read(['[[[[1]]], [[2]]]'], { maxDepth: 2 })).toEqual({ items: ['nested deeper than 2 levels; not read', [[2]]], end: 'complete' });
    expect(read(['{"a":"', 'x'.repeat(40), '"}\n{}\n'], { maxItemBytes: 16 })).toEqual({ items: ['larger than 16 bytes; not read', {}], end: 'complete' });
  });

  it('is done once it knows how the input ends, and ignores what follows', () => {
    const reader = new JsonItemsReader(1);
    expect([...reader.push(Buffer.from('[1, 2'))].map((i) => i.ok && i.value)).toEqual([1]);
    expect(reader.done).toBe(true);
    expect([...reader.push(Buffer.from(', 3]'))]).toEqual([]);
    expect(reader.end().next()).toEqual({ done: true, value: 'truncated' });
  });
});
