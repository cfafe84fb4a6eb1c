/**
 * The HTML report as a specification: one file with nothing to fetch; a summary in plain words whose
 * verdict follows the most severe finding and never calls a phone clean; findings by severity with their
 * evidence and explanation; hostile evidence shown as text, never run.
 */
import { describe, expect, it } from 'vitest';
import type { ReportFinding } from '../../../src/report/html/model.js';
import { renderReport } from '../../../src/report/html/render.js';
import { summarise } from '../../../src/report/html/summary.js';
import { coverage, indicatorFinding, infoFinding, model, ruleFinding } from './_model.js';

/** The text of an element by id, tags stripped (enough for the server-side rendered page). */
function section(html: string, id: string): string {
  const start = html.indexOf(`<section id="${id}"`);
  const end = html.indexOf('</section>', start);
  return html.slice(start, end).replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
}

describe('renderReport', () => {
  const html = renderReport(model([ruleFinding, infoFinding, indicatorFinding]));

  it('is one self-contained document: inline style, inline script, no URL fetched, a CSP that forbids fetching any', () => {
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).not.toMatch(/<(link|img|iframe|object|embed)\b/i);
    expect(html).not.toMatch(/\b(src|href)\s*=/i);
    expect(html).not.toMatch(/url\(/i);
    expect(html).not.toMatch(/@import/i);
    expect(html).toMatch(/<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;; style-src &#39;sha256-[A-Za-z0-9+/=]+&#39;; script-src &#39;sha256-[A-Za-z0-9+/=]+&#39;;/);
    expect(html.match(/<script>/g)).toHaveLength(1);
  });

  it('lists the findings most severe first, each with its evidence, explanation and basis', () => {
    const text = section(html, 'findings');
    expect(text).toContain('Findings (3)');
    const order = ['CRITICAL', 'LOW', 'INFORMATIONAL'].map((l) => html.indexOf(`<span class="badge ${l.toLowerCase()}">${l.toLowerCase()}</span>`, html.indexOf('id="findings"')));
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(text).toContain('AppDomainGroup-group.net.whatsapp.WhatsApp.shared/ChatStorage.sqlite, table ZWAMESSAGE, row 2');
    expect(text).toContain('Indicator example.org (TestMalware)');
    expect(text).toContain('Seen on the phone https://example.org/news');
    expect(text).toContain('Heuristic ios.datausage.missing_process v1');
    expect(text).toContain('When no time recorded');
  });

  it('draws the timeline as inline SVG with one dot per dated finding and one tick per event', () => {
    const svg = html.slice(html.indexOf('<svg'), html.indexOf('</svg>'));
    expect(svg.match(/<circle class="dot /g)).toHaveLength(2);
    expect(svg.match(/<line class="event"/g)).toHaveLength(2);
    expect(svg).toContain('<text class="lane-label" x="202" y="44" text-anchor="end">ios.datausage</text>');
    expect(section(html, 'timeline')).toContain('2 findings with a time (1 without one, listed above only), and 2 events recorded around them');
  });

  it('shows coverage worst first and the provenance a second lab needs', () => {
    const cov = section(html, 'coverage');
    expect(cov.indexOf('could not be read')).toBeLessThan(cov.indexOf('not in acquisition'));
    expect(cov).toContain('SMS attachments ios.sms_attachments could not be read 0 sms.db: no table attachment');
    const prov = section(html, 'provenance');
    expect(prov).toContain('Manifest.db 7876f1034a5082d2aaef9f6df2f90ca72168616bb724efd8bd856e0c9d7ecd96 3285008');
    expect(prov).toContain('/iocs/test.stix2 0f787d161ced161d9b36778423558c902b0105a7bd3c8490a58d4a0e5ed576d2 9');
    expect(prov).toContain('Serial number F1234567890');
  });

  it('escapes hostile evidence everywhere: tags, </style>, </script>, quotes and control characters stay text', () => {
    const evil = '"><script>alert(1)</script></style><img src=x onerror=alert(2)>\'</svg><!--\u0000\u001b';
    const hostile: ReportFinding = {
      ...indicatorFinding,
      title: evil,
      explanation: evil,
      artifact: evil,
      evidence: { file: evil, locator: evil, storedAs: evil },
      basis: { kind: 'indicator', value: evil, collection: evil, file: evil, observed: evil },
    };
    const page = renderReport(
      model([hostile], {
        subject: { person: evil, device: { name: evil, model: evil } },
        timeline: { events: [{ time: '2021-10-18T12:01:00Z', artifact: evil, event: evil, description: evil }], omitted: 0 },
        coverage: [{ artifact: evil, title: evil, state: 'failed', reason: evil }],
      }),
    );
    expect(page.match(/<script>/g)).toHaveLength(1);
    expect(page.match(/<\/script>/g)).toHaveLength(1);
    expect(page.match(/<\/style>/g)).toHaveLength(1);
    expect(page).not.toContain('<img');
    expect(page).not.toContain('<!--');
    expect(page).not.toContain('\u0000');
    expect(page).toContain('&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;/style&gt;&lt;img src=x onerror=alert(2)&gt;&#39;&lt;/svg&gt;&lt;!--\ufffd\ufffd');
  });
});

describe('the summary for the person checked', () => {
  it('says known spyware was matched, how sure that is, and not to wipe the phone, when an indicator matched', () => {
    const s = summarise(model([indicatorFinding, ruleFinding]));
    expect(s.verdict).toBe('strong');
    expect(s.headline).toBe('We found traces that match known spyware on this phone.');
    expect(s.found).toBe('1 serious finding matching published indicators of TestMalware, and 1 weaker sign that need an expert’s review.');
    expect(s.certainty).toMatch(/^A match with a published indicator is strong evidence .* It is not yet proof/);
    expect(s.nextSteps[0]).toMatch(/^Do not reset, update or wipe the phone yet/);
  });

  it('asks for an expert review, not alarm, when only heuristics fired', () => {
    const s = summarise(model([ruleFinding, infoFinding]));
    expect(s.verdict).toBe('review');
    expect(s.headline).toBe('We found signs that need an expert’s review, but no match with known spyware.');
    expect(s.certainty).toContain('weak evidence');
  });

  it('never calls a phone with no findings clean, and names what could not be checked', () => {
    const s = summarise(model([infoFinding]));
    expect(s.verdict).toBe('nothing-found');
    expect(s.headline).toBe('We found no known trace of spyware in what we could check.');
    expect(`${s.headline} ${s.found} ${s.nextSteps.join(' ')}`).not.toMatch(/\bclean\b|\bsafe\b|no spyware/i);
    expect(s.certainty).toMatch(/^This does not prove the phone is free of spyware\./);
    expect(s.checked).toBe('We looked at 5 areas of the phone (kinds of records). 2 were read, 2 were not in this acquisition, 1 could not be read. They were compared with 9 published indicators from 1 file.');
    // An artifact the acquisition never holds is not a gap; one whose file is listed but absent is.
    expect(s.gaps).toEqual(['Could not be read: SMS attachments.', 'Listed in the acquisition, but the files were absent: Safari history.']);
    expect(coverage).toHaveLength(5);
  });

  it('says so when no indicator was used, so that heuristics alone are not read as a full check', () => {
    const base = model([]);
    const s = summarise({ ...base, provenance: { ...base.provenance, indicatorFiles: [] } });
    expect(s.checked).toMatch(/No published indicators of spyware were used in this check: only heuristics could find anything\.$/);
  });

  it('renders the summary as server-side HTML, so it reads with scripts blocked', () => {
    const html = renderReport(model([]));
    const text = section(html, 'summary');
    expect(text).toContain('We found no known trace of spyware in what we could check.');
    expect(text).toContain('Could not be read: SMS attachments. Listed in the acquisition, but the files were absent: Safari history. Details under “Coverage”.');
    expect(section(html, 'findings')).toContain('No findings. See “Coverage” for what was and was not checked.');
  });
});
