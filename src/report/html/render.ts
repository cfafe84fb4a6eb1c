/**
 * `renderReport(model)`: one self-contained HTML file. Inline CSS, one inline script, inline SVG; no URL is
 * ever loaded (a Content-Security-Policy with `default-src 'none'` makes sure, and only the exact style and
 * script written here may run, by hash). Everything readable is rendered here, so the summary, the findings,
 * the timeline chart, the coverage and the provenance all show with scripts blocked.
 *
 * For the person checked first (the summary), then for the analyst: findings by severity, the timeline,
 * coverage, provenance.
 */
import { createHash } from 'node:crypto';
import { SCRIPT, STYLE } from './assets.js';
import { esc } from './escape.js';
import { reportLevels, type CoverageEntry, type ReportFinding, type ReportModel, type TimelineEvent } from './model.js';
import { summarise } from './summary.js';
import { MAX_EVENTS_DRAWN, timelineSvg } from './timeline-svg.js';

/** Event rows listed under the chart; the chart draws more, and the native files hold them all. */
export const MAX_EVENT_ROWS = 500;

export function renderReport(model: ReportModel): string {
  const summary = summarise(model);
  const device = model.subject.device;
  const who = [model.subject.person, model.subject.organisation].filter((s): s is string => s !== undefined && s !== '');
  const deviceLine = [device.name, device.model, device.os].filter((s): s is string => s !== undefined && s !== '').join(' · ');
  const title = `Tracehound report${deviceLine ? ` – ${deviceLine}` : ''}`;
  const csp = `default-src 'none'; style-src '${hash(STYLE)}'; script-src '${hash(SCRIPT)}'; img-src data:; base-uri 'none'; form-action 'none'`;

  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${esc(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="generator" content="${esc(`${model.provenance.tool.name} ${model.provenance.tool.version}`)}">
<title>${esc(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<header class="top">
<h1>${esc(title)}</h1>
<p class="meta">${who.length ? `Checked for ${esc(who.join(', '))} · ` : ''}Report made ${esc(model.generatedAt)} by ${esc(`${model.provenance.tool.name} ${model.provenance.tool.version}`)}${model.provenance.acquisition.acquiredAt ? ` · acquisition made ${esc(model.provenance.acquisition.acquiredAt)}` : ''}</p>
</header>

<section id="summary" aria-labelledby="summary-h">
<h2 id="summary-h">Summary</h2>
<div class="summary ${summary.verdict}">
<p class="headline">${esc(summary.headline)}</p>
<dl>
<dt>What we found</dt><dd>${esc(summary.found)}</dd>
<dt>How sure we are</dt><dd>${esc(summary.certainty)}</dd>
<dt>What to do next</dt><dd><ol>${summary.nextSteps.map((s) => `<li>${esc(s)}</li>`).join('')}</ol></dd>
<dt>What was checked</dt><dd>${esc(summary.checked)}${summary.gaps.length ? `<ul>${summary.gaps.map((g) => `<li>${esc(g)}</li>`).join('')}</ul>Details under “Coverage”.` : ''}</dd>
</dl>
<ul class="counts" aria-label="Findings by level">${[...reportLevels]
    .reverse()
    .map((l) => `<li><span class="badge ${l}">${l}</span> ${summary.counts[l]}</li>`)
    .join('')}</ul>
</div>
</section>

<section id="findings" aria-labelledby="findings-h">
<h2 id="findings-h">Findings (${model.findings.length})</h2>
${model.findings.length === 0 ? '<p>No findings. See “Coverage” for what was and was not checked.</p>' : `<div id="findings-list">\n${findingsByLevel(model.findings)}\n</div>`}
</section>

<section id="timeline" aria-labelledby="timeline-h">
<h2 id="timeline-h">Timeline</h2>
${timelineSection(model)}
</section>

<section id="coverage" aria-labelledby="coverage-h">
<h2 id="coverage-h">Coverage</h2>
<p>${esc(summary.checked)} An area that was not read cannot show a trace: “no findings” there means “not checked”, not “clean”.</p>
${coverageTable(model.coverage)}
</section>

<section id="provenance" aria-labelledby="provenance-h">
<h2 id="provenance-h">Provenance</h2>
${provenanceSection(model)}
</section>

<footer>Made offline by ${esc(`${model.provenance.tool.name} ${model.provenance.tool.version}`)}. This file loads nothing from the network; it contains personal data from the phone: share it only with people who help the person checked.</footer>
</main>
<script>${SCRIPT}</script>
</body>
</html>
`;
}

function hash(text: string): string {
  return `sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}`;
}

function findingsByLevel(findings: readonly ReportFinding[]): string {
  const out: string[] = [];
  for (const level of [...reportLevels].reverse()) {
    const group = findings.filter((f) => f.level === level).sort(byTime);
    if (group.length === 0) continue;
    out.push(`<h3><span class="badge ${level}">${level}</span> ${group.length} finding${group.length === 1 ? '' : 's'}</h3>`);
    for (const f of group) out.push(findingArticle(f));
  }
  return out.join('\n');
}

function byTime(a: ReportFinding, b: ReportFinding): number {
  if (a.time === b.time) return 0;
  if (a.time === null) return 1;
  if (b.time === null) return -1;
  return a.time < b.time ? -1 : 1;
}

function findingArticle(f: ReportFinding): string {
  const rows: [string, string][] = [
    ['When', f.time === null ? 'no time recorded' : f.time],
    ['Artifact', f.artifact],
    ['Evidence', [f.evidence.file, f.evidence.locator].filter((s) => s !== undefined && s !== '').join(', ')],
  ];
  if (f.evidence.storedAs !== undefined && f.evidence.storedAs !== f.evidence.file) rows.push(['Stored as', f.evidence.storedAs]);
  const b = f.basis;
  if (b?.kind === 'indicator') {
    rows.push(['Indicator', `${b.value} (${b.collection})`]);
    if (b.observed !== undefined && b.observed !== b.value) rows.push(['Seen on the phone', b.observed]);
    rows.push(['Indicator file', `${b.file}${b.fileSha256 ? ` sha256 ${b.fileSha256}` : ''}`]);
  } else if (b?.kind === 'rule') {
    rows.push(['Heuristic', `${b.id}${b.version !== undefined ? ` v${b.version}` : ''}`]);
    if (b.source) rows.push(['Source', b.source]);
  }
  if (f.recovered) rows.push(['Note', 'recovered from a damaged file: weaker evidence']);
  return `<article class="finding ${f.level}">
<span class="badge ${f.level}">${f.level}</span>
<h4>${esc(f.title)}</h4>
<p>${esc(f.explanation)}</p>
<dl>${rows.map(([k, v]) => `<dt>${esc(k)}</dt><dd${k === 'Evidence' || k === 'Stored as' || k === 'Indicator file' ? ' class="mono"' : ''}>${esc(v)}</dd>`).join('')}</dl>
</article>`;
}

function timelineSection(model: ReportModel): string {
  const { events, omitted, span } = model.timeline;
  const dated = model.findings.filter((f) => f.time !== null).length;
  const undated = model.findings.length - dated;
  const parts: string[] = [];
  const spanText = span ? `The acquisition’s timeline holds ${span.total} events from ${span.first} to ${span.last}.` : '';
  if (dated === 0) {
    parts.push(`<p>No finding carries a time, so there is no timeline of findings to draw. ${esc(spanText)}</p>`);
    if (events.length === 0) return parts.join('\n');
  } else {
    parts.push(
      `<p>${dated} finding${dated === 1 ? '' : 's'} with a time${undated ? ` (${undated} without one, listed above only)` : ''}, and ${events.length} event${events.length === 1 ? '' : 's'} recorded around ${dated === 1 ? 'it' : 'them'}${omitted ? ` (${omitted} more in the same window are in the output folder’s timeline)` : ''}. ${esc(spanText)}</p>`,
    );
  }
  parts.push(timelineSvg(model.findings, events));
  if (events.length > MAX_EVENTS_DRAWN) parts.push(`<p class="note">The chart draws the first ${MAX_EVENTS_DRAWN} events.</p>`);
  if (events.length) parts.push(eventTable(events));
  return parts.join('\n');
}

function eventTable(events: readonly TimelineEvent[]): string {
  const rows = events.slice(0, MAX_EVENT_ROWS);
  return `<details><summary>Events around the findings (${events.length}${events.length > rows.length ? `, first ${rows.length} listed` : ''})</summary>
<table><thead><tr><th>Time (UTC)</th><th>Artifact</th><th>Event</th><th>Description</th></tr></thead><tbody>
${rows.map((e) => `<tr><td class="mono">${esc(e.time)}</td><td>${esc(e.artifact)}</td><td>${esc(e.event)}</td><td>${esc(e.description)}</td></tr>`).join('\n')}
</tbody></table></details>`;
}

const STATE_WORDS: Record<CoverageEntry['state'], string> = {
  parsed: 'read',
  partial: 'read in part',
  empty: 'read, empty',
  missing: 'not in acquisition',
  failed: 'could not be read',
  skipped: 'skipped',
};

function coverageTable(coverage: readonly CoverageEntry[]): string {
  const order: CoverageEntry['state'][] = ['failed', 'partial', 'missing', 'skipped', 'empty', 'parsed'];
  const sorted = [...coverage].sort((a, b) => order.indexOf(a.state) - order.indexOf(b.state) || a.artifact.localeCompare(b.artifact));
  return `<table><thead><tr><th>Area</th><th>Artifact</th><th>State</th><th>Records</th><th>Why</th></tr></thead><tbody>
${sorted.map((c) => `<tr class="${c.state}"><td>${esc(c.title)}</td><td class="mono">${esc(c.artifact)}</td><td class="state">${STATE_WORDS[c.state]}</td><td>${c.records ?? ''}</td><td>${esc(c.reason ?? '')}</td></tr>`).join('\n')}
</tbody></table>`;
}

function provenanceSection(model: ReportModel): string {
  const p = model.provenance;
  const d = model.subject.device;
  const facts: [string, string | undefined][] = [
    ['Tool', `${p.tool.name} ${p.tool.version}`],
    ['Check ran', p.startedAt ? `${p.startedAt} to ${p.finishedAt ?? '?'}` : undefined],
    ['Acquisition', p.acquisition.kind],
    ['Read from', p.acquisition.target],
    ['Acquisition made', p.acquisition.acquiredAt],
    ['Encrypted', p.acquisition.encrypted === undefined ? undefined : p.acquisition.encrypted ? 'yes' : 'no'],
    ['Device name', d.name],
    ['Model', d.model],
    ['Operating system', d.os],
    ['Serial number', d.serial],
    ['Device id', d.id],
  ];
  const out: string[] = [`<table><tbody>${facts
    .filter((f): f is [string, string] => f[1] !== undefined && f[1] !== '')
    .map(([k, v]) => `<tr><th scope="row">${esc(k)}</th><td>${esc(v)}</td></tr>`)
    .join('')}</tbody></table>`];
  out.push(`<h3>Input files (${p.inputs.length})</h3>`);
  out.push(
    p.inputs.length
      ? `<table><thead><tr><th>File</th><th>SHA-256</th><th>Bytes</th></tr></thead><tbody>${p.inputs.map((i) => `<tr><td class="mono">${esc(i.label ?? i.path)}</td><td class="mono">${esc(i.sha256)}</td><td>${i.bytes ?? ''}</td></tr>`).join('\n')}</tbody></table>`
      : '<p>No input file hashes were recorded.</p>',
  );
  out.push(`<h3>Indicator files (${p.indicatorFiles.length})</h3>`);
  out.push(
    p.indicatorFiles.length
      ? `<table><thead><tr><th>File</th><th>SHA-256</th><th>Indicators</th></tr></thead><tbody>${p.indicatorFiles.map((f) => `<tr><td class="mono">${esc(f.path)}</td><td class="mono">${esc(f.sha256)}</td><td>${f.indicators}</td></tr>`).join('\n')}</tbody></table>`
      : '<p>No indicator file was loaded: only the heuristics ran, so no finding can come from published indicators.</p>',
  );
  if (p.rejectedIndicatorFiles.length) out.push(`<p>Indicator files refused:</p><ul>${p.rejectedIndicatorFiles.map((r) => `<li>${esc(r.reason)}</li>`).join('')}</ul>`);
  if (p.notes.length) out.push(`<h3>Notes on the acquisition</h3><ul>${p.notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>`);
  if (p.artifacts?.length || p.rules?.length) {
    out.push(
      `<details><summary>Artifact and rule versions</summary><p class="mono">${[...(p.artifacts ?? []), ...(p.rules ?? [])].map((a) => esc(`${a.id} v${a.version}`)).join(', ')}</p></details>`,
    );
  }
  return out.join('\n');
}
