/**
 * The events a report draws around its findings: those within a window of a dated finding, at most a bounded
 * number, and the span of the whole timeline for context. Fed one event at a time, in any order, so a caller
 * can stream a timeline of millions of events through it; the result is sorted by time.
 */

/** One day either side of a dated finding. */
export const DEFAULT_WINDOW_MS = 24 * 3_600_000;
/** Events kept at most; the rest of the window is only counted. */
export const DEFAULT_MAX_EVENTS = 5_000;

export interface WindowEvent {
  /** ISO 8601. */
  readonly time: string;
  readonly artifact: string;
  readonly event: string;
  readonly description: string;
}

export interface EventsAround {
  readonly events: WindowEvent[];
  /** Events within the window that were not kept (past the bound). */
  readonly omitted: number;
  /** First and last event time of the whole timeline and its number of dated events; absent when it had none. */
  readonly span?: { readonly first: string; readonly last: string; readonly total: number };
}

export class TimelineWindow {
  private readonly centres: number[];
  private readonly events: WindowEvent[] = [];
  private omitted = 0;
  private total = 0;
  private first = '';
  private last = '';

  /** `findingTimes`: ISO 8601 times of the findings (nulls and unparseable ones are ignored). */
  constructor(
    findingTimes: Iterable<string | null>,
    private readonly windowMs = DEFAULT_WINDOW_MS,
    private readonly maxEvents = DEFAULT_MAX_EVENTS,
  ) {
    const parsed = [...findingTimes].map((t) => (t === null ? NaN : Date.parse(t))).filter(Number.isFinite);
    this.centres = [...new Set(parsed)].sort((x, y) => x - y);
  }

  /** Offers one event; an event without a parseable time is not part of the timeline's span either. */
  offer(e: WindowEvent): void {
    const t = Date.parse(e.time);
    if (!Number.isFinite(t)) return;
    this.total++;
    if (this.first === '' || e.time < this.first) this.first = e.time;
    if (this.last === '' || e.time > this.last) this.last = e.time;
    if (!this.near(t)) return;
    if (this.events.length >= this.maxEvents) this.omitted++;
    else this.events.push(e);
  }

  result(): EventsAround {
    const events = [...this.events].sort((x, y) => (x.time < y.time ? -1 : x.time > y.time ? 1 : 0));
    return { events, omitted: this.omitted, ...(this.total > 0 ? { span: { first: this.first, last: this.last, total: this.total } } : {}) };
  }

  /** Whether `t` lies within the window of a finding (binary search over the sorted finding times). */
  private near(t: number): boolean {
    let lo = 0;
    let hi = this.centres.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const c = this.centres[mid] ?? 0;
      if (Math.abs(c - t) <= this.windowMs) return true;
      if (c < t) lo = mid + 1;
      else hi = mid - 1;
    }
    return false;
  }
}
