import { describe, expect, it } from 'vitest';
import { jsonArrayItems, jsonLinesItems } from '../../src/formats/json-items.js';

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
