/**
 * The timeline chart, drawn at render time as inline SVG: one lane per artifact, grey ticks for the events
 * around the findings, coloured dots for the findings themselves, each with a `<title>` tooltip. It needs
 * no script, so it shows with scripts blocked and prints.
 */
import { esc } from './escape.js';
import type { ReportFinding, TimelineEvent } from './model.js';

/** Events drawn at most; the rest are counted in the caption (a tick per pixel is already a solid bar). */
export const MAX_EVENTS_DRAWN = 4000;

const WIDTH = 960;
const LEFT = 210;
const RIGHT = 20;
const TOP = 28;
const LANE = 24;
const AXIS = 34;

export function timelineSvg(findings: readonly ReportFinding[], events: readonly TimelineEvent[]): string {
  const dated = findings.filter((f): f is ReportFinding & { time: string } => f.time !== null && Number.isFinite(Date.parse(f.time)));
  const drawn = events.filter((e) => Number.isFinite(Date.parse(e.time))).slice(0, MAX_EVENTS_DRAWN);
  if (dated.length === 0 && drawn.length === 0) return '';
  const times = [...dated.map((f) => Date.parse(f.time)), ...drawn.map((e) => Date.parse(e.time))];
  let lo = Math.min(...times);
  let hi = Math.max(...times);
  if (hi - lo < 60_000) {
    lo -= 3_600_000;
    hi += 3_600_000;
  }
  const pad = (hi - lo) * 0.03;
  lo -= pad;
  hi += pad;
  const lanes = [...new Set([...dated.map((f) => f.artifact), ...drawn.map((e) => e.artifact)])].sort();
  const laneOf = new Map(lanes.map((a, i) => [a, i]));
  const height = TOP + lanes.length * LANE + AXIS;
  const x = (t: number) => LEFT + ((t - lo) / (hi - lo)) * (WIDTH - LEFT - RIGHT);
  const y = (artifact: string) => TOP + (laneOf.get(artifact) ?? 0) * LANE + LANE / 2;

  const out: string[] = [];
  out.push(
    `<svg class="timeline" role="img" aria-labelledby="tl-title" viewBox="0 0 ${WIDTH} ${height}" width="100%" preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg">`,
    `<title id="tl-title">Timeline: ${dated.length} dated finding(s) and ${drawn.length} event(s) around them, ${esc(iso(lo))} to ${esc(iso(hi))}</title>`,
  );
  lanes.forEach((a, i) => {
    const top = TOP + i * LANE;
    out.push(`<rect class="lane${i % 2 ? ' odd' : ''}" x="0" y="${top}" width="${WIDTH}" height="${LANE}"/>`);
    out.push(`<text class="lane-label" x="${LEFT - 8}" y="${top + LANE / 2 + 4}" text-anchor="end">${esc(a)}</text>`);
  });
  for (const tick of axisTicks(lo, hi, 6)) {
    const tx = x(tick).toFixed(1);
    out.push(`<line class="grid" x1="${tx}" x2="${tx}" y1="${TOP}" y2="${TOP + lanes.length * LANE}"/>`);
    out.push(`<text class="axis" x="${tx}" y="${TOP + lanes.length * LANE + 16}" text-anchor="middle">${esc(label(tick, hi - lo))}</text>`);
  }
  for (const e of drawn) {
    const ex = x(Date.parse(e.time)).toFixed(1);
    const ey = y(e.artifact);
    out.push(`<line class="event" x1="${ex}" x2="${ex}" y1="${ey - 7}" y2="${ey + 7}"><title>${esc(`${e.time} ${e.artifact} ${e.event}: ${e.description}`)}</title></line>`);
  }
  for (const f of dated) {
    out.push(
      `<circle class="dot ${f.level}" cx="${x(Date.parse(f.time)).toFixed(1)}" cy="${y(f.artifact)}" r="7"><title>${esc(`${f.time} ${f.level.toUpperCase()}: ${f.title}`)}</title></circle>`,
    );
  }
  out.push(`<text class="axis" x="${LEFT}" y="${TOP - 10}">Findings (dots, coloured by level) and the events recorded around them (grey ticks), UTC</text>`);
  out.push('</svg>');
  return out.join('\n');
}

function iso(t: number): string {
  return new Date(t).toISOString().replace('.000Z', 'Z');
}

/** Round tick positions: whole days for long spans, hours or minutes for short ones. */
function axisTicks(lo: number, hi: number, wanted: number): number[] {
  const steps = [60_000, 300_000, 900_000, 3_600_000, 6 * 3_600_000, 86_400_000, 7 * 86_400_000, 30 * 86_400_000, 365 * 86_400_000];
  const step = steps.find((s) => (hi - lo) / s <= wanted) ?? Math.ceil((hi - lo) / wanted / 86_400_000) * 86_400_000;
  const ticks: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi && ticks.length < 50; t += step) ticks.push(t);
  return ticks;
}

function label(t: number, span: number): string {
  const s = new Date(t).toISOString();
  if (span > 2 * 86_400_000) return s.slice(0, 10);
  return `${s.slice(0, 10)} ${s.slice(11, 16)}`;
}
