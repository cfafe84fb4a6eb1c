/**
 * Property: whatever text the evidence holds, in any field, the page keeps its own structure: exactly one
 * <style>, one <script>, no element the renderer did not write, and every string appears escaped.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ReportFinding } from '../../../src/report/html/model.js';
import { renderReport } from '../../../src/report/html/render.js';
import { fuzz, fuzzRuns, must, timeoutFor } from '../../fuzz/_fuzz.js';
import { indicatorFinding, model } from './_model.js';

const RUNS = fuzzRuns(200);
/** Text rich in markup: tags the page uses, comment and CDATA openers, quotes, control characters. */
const markup = fc
  .array(fc.oneof(fc.constantFrom('<script>', '</script>', '</style>', '<style>', '<img src=x onerror=a()>', '<!--', '-->', '<![CDATA[', '"', "'", '&amp;', '<svg onload=b()>', '</svg>', '\u0000', '\u2028', 'é'), fc.string({ maxLength: 8 })), { maxLength: 12 })
  .map((parts) => parts.join(''));

const TAGS_WRITTEN = new Set(['html', 'head', 'meta', 'title', 'style', 'body', 'main', 'header', 'h1', 'h2', 'h3', 'h4', 'p', 'section', 'div', 'dl', 'dt', 'dd', 'ol', 'ul', 'li', 'span', 'article', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'details', 'summary', 'svg', 'rect', 'text', 'line', 'circle', 'footer', 'script']);

describe('renderReport on hostile text', () => {
  it('keeps its structure and escapes every field', () => {
    const stats = fuzz(
      'report hostile text',
      fc.tuple(markup, markup, markup),
      ([a, b, c]) => {
        const f: ReportFinding = { ...indicatorFinding, title: a, explanation: b, artifact: c, evidence: { file: a, locator: b, storedAs: c }, basis: { kind: 'rule', id: a, source: b } };
        const html = renderReport(model([f], { subject: { person: a, device: { name: b, model: c } }, timeline: { events: [{ time: '2021-10-18T12:01:00Z', artifact: a, event: b, description: c }], omitted: 0 } }));
        must((html.match(/<script>/g) ?? []).length === 1 && (html.match(/<\/script>/g) ?? []).length === 1, 'one script element');
        must((html.match(/<style>/g) ?? []).length === 1 && (html.match(/<\/style>/g) ?? []).length === 1, 'one style element');
        must(!html.includes('<!--') && !html.includes('<![CDATA['), 'no comment or CDATA opened by evidence');
        for (const m of html.matchAll(/<\/?([a-zA-Z][a-zA-Z0-9]*)/g)) must(TAGS_WRITTEN.has((m[1] ?? '').toLowerCase()), `unexpected element <${m[1]}>`);
        return 'returned';
      },
      RUNS,
    );
    expect(stats.returned).toBe(RUNS);
  }, timeoutFor(RUNS, 50));
});
