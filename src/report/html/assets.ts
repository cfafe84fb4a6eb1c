/**
 * The report's inline stylesheet and its one small script. The page is complete without the script (it is
 * rendered on the server side); the script only adds a filter by level and a button to open every detail.
 */

export const STYLE = `
:root { --fg: #1b1f24; --muted: #57606a; --line: #d0d7de; --bg: #ffffff; --soft: #f6f8fa;
  --critical: #a40e26; --high: #d1242f; --medium: #bc4c00; --low: #9a6700; --informational: #0969da; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif; color: var(--fg); background: var(--bg); }
main { max-width: 1040px; margin: 0 auto; padding: 24px 20px 64px; }
header.top { border-bottom: 1px solid var(--line); margin-bottom: 24px; padding-bottom: 12px; }
header.top h1 { font-size: 1.6rem; margin: 0 0 4px; }
.meta { color: var(--muted); font-size: .92rem; margin: 0; }
h2 { font-size: 1.3rem; margin: 40px 0 12px; border-bottom: 1px solid var(--line); padding-bottom: 6px; }
h3 { font-size: 1.05rem; margin: 20px 0 8px; }
.summary { border: 2px solid var(--line); border-radius: 10px; padding: 18px 22px; background: var(--soft); }
.summary.strong { border-color: var(--critical); background: #fff5f5; }
.summary.review { border-color: var(--medium); background: #fff8f0; }
.summary.nothing-found { border-color: var(--informational); background: #f3f8ff; }
.summary .headline { font-size: 1.25rem; font-weight: 650; margin: 0 0 10px; }
.summary dt { font-weight: 650; margin-top: 10px; }
.summary dd { margin: 2px 0 0; }
.summary ol { margin: 4px 0 0; padding-left: 22px; }
.counts { display: flex; flex-wrap: wrap; gap: 8px; margin: 12px 0 0; padding: 0; list-style: none; }
.badge { display: inline-block; border-radius: 999px; padding: 1px 10px; font-size: .82rem; font-weight: 650; color: #fff; text-transform: uppercase; letter-spacing: .02em; }
.badge.critical { background: var(--critical); } .badge.high { background: var(--high); } .badge.medium { background: var(--medium); }
.badge.low { background: var(--low); } .badge.informational { background: var(--informational); }
.finding { border: 1px solid var(--line); border-left: 6px solid var(--line); border-radius: 6px; padding: 12px 16px; margin: 10px 0; }
.finding.critical { border-left-color: var(--critical); } .finding.high { border-left-color: var(--high); } .finding.medium { border-left-color: var(--medium); }
.finding.low { border-left-color: var(--low); } .finding.informational { border-left-color: var(--informational); }
.finding h4 { margin: 6px 0; font-size: 1rem; overflow-wrap: anywhere; }
.finding p { margin: 6px 0; }
.finding dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 14px; margin: 8px 0 0; font-size: .9rem; }
.finding dt { color: var(--muted); }
.finding dd { margin: 0; overflow-wrap: anywhere; }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .88em; overflow-wrap: anywhere; }
table { border-collapse: collapse; width: 100%; font-size: .9rem; }
th, td { text-align: left; vertical-align: top; border-bottom: 1px solid var(--line); padding: 5px 8px; overflow-wrap: anywhere; }
th { background: var(--soft); white-space: nowrap; }
td.state { white-space: nowrap; font-weight: 600; }
tr.failed td.state, tr.partial td.state { color: var(--high); }
tr.missing td.state, tr.skipped td.state { color: var(--muted); }
details { margin: 8px 0; } summary { cursor: pointer; }
svg.timeline { display: block; border: 1px solid var(--line); border-radius: 6px; background: #fff; }
svg.timeline .lane { fill: #ffffff; } svg.timeline .lane.odd { fill: #f6f8fa; }
svg.timeline .lane-label { font: 12px ui-monospace, Menlo, Consolas, monospace; fill: #1b1f24; }
svg.timeline .axis { font: 11px system-ui, sans-serif; fill: #57606a; }
svg.timeline .grid { stroke: #d0d7de; stroke-dasharray: 2 3; }
svg.timeline .event { stroke: #8c959f; stroke-width: 1; }
svg.timeline .dot { stroke: #fff; stroke-width: 2; }
svg.timeline .dot.critical { fill: #a40e26; } svg.timeline .dot.high { fill: #d1242f; } svg.timeline .dot.medium { fill: #bc4c00; }
svg.timeline .dot.low { fill: #9a6700; } svg.timeline .dot.informational { fill: #0969da; }
.note { color: var(--muted); font-size: .9rem; }
.filters { display: flex; flex-wrap: wrap; gap: 10px; align-items: center; margin: 6px 0 10px; font-size: .92rem; }
.hidden { display: none; }
footer { margin-top: 48px; color: var(--muted); font-size: .85rem; border-top: 1px solid var(--line); padding-top: 10px; }
@media print { .filters, .no-print { display: none; } details { display: block; } .finding { break-inside: avoid; } }
`;

/** Adds a level filter above the findings and an "open all" button; nothing on the page depends on it. */
export const SCRIPT = `
(function () {
  var list = document.getElementById('findings-list');
  if (!list) return;
  var bar = document.createElement('div');
  bar.className = 'filters';
  bar.appendChild(document.createTextNode('Show levels: '));
  ['critical', 'high', 'medium', 'low', 'informational'].forEach(function (level) {
    var label = document.createElement('label');
    var box = document.createElement('input');
    box.type = 'checkbox'; box.checked = true; box.value = level;
    box.addEventListener('change', function () {
      list.querySelectorAll('.finding.' + level).forEach(function (el) { el.classList.toggle('hidden', !box.checked); });
    });
    label.appendChild(box); label.appendChild(document.createTextNode(' ' + level));
    bar.appendChild(label);
  });
  var open = document.createElement('button');
  open.type = 'button'; open.textContent = 'Open all details';
  open.addEventListener('click', function () { document.querySelectorAll('details').forEach(function (d) { d.open = true; }); });
  bar.appendChild(open);
  list.parentNode.insertBefore(bar, list);
})();
`;
