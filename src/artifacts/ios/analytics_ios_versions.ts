import { iosVersionOfBuild } from '../../formats/ios-builds.js';
import { compareMoments, type Moment } from '../../formats/time.js';
import { defineArtifact, type TimelineEvent } from '../artifact.js';
import { at } from '../_read.js';
import { described } from '../describe.js';
import analytics, { type AnalyticsRecord } from './analytics.js';

/** The first time the analytics stores saw each iOS build (reference-spec §7.2.5): when the phone was updated. */
export interface AnalyticsIosVersionRecord {
  readonly isodate: Moment;
  readonly build: string;
  /** Null for a build `formats/ios-builds.ts` does not know (a beta, or one newer than the table). */
  readonly version: string | null;
  /** The store the earliest event is in. */
  readonly artifact: string;
}

/** The earliest dated event per `build` value, oldest first. */
export function firstSeenBuilds(records: readonly AnalyticsRecord[]): AnalyticsIosVersionRecord[] {
  const first = new Map<string, AnalyticsRecord & { isodate: Moment }>();
  for (const r of records) {
    if (typeof r.build !== 'string' || r.build === '' || r.isodate === null) continue;
    const seen = first.get(r.build);
    if (!seen || compareMoments(r.isodate, seen.isodate) < 0) first.set(r.build, r as AnalyticsRecord & { isodate: Moment });
  }
  return [...first.entries()]
    .map(([build, r]) => ({ isodate: r.isodate, build, version: iosVersionOfBuild(build), artifact: r.artifact }))
    .sort((a, b) => compareMoments(a.isodate, b.isodate));
}

export function analyticsIosVersionTimeline(r: AnalyticsIosVersionRecord): TimelineEvent[] {
  return [{ time: r.isodate, event: 'analytics_ios_version', description: described`Seen iOS version ${r.version} (${r.build})` }];
}

export default defineArtifact<AnalyticsIosVersionRecord>({
  id: 'ios.analytics_ios_versions',
  version: 1,
  title: 'iOS versions seen in the security analytics',
  mvt: { module: 'analytics_ios_versions', className: 'AnalyticsIOSVersions' },
  doc: 'Each analytics event carries the iOS build it was logged under, so the first event of each build dates every update the phone went through: it tells which iOS was running when a trace was left, and whether the phone was patched against an exploit at the time.',
  // The same stores as ios.analytics; their records come from that artifact, never parsed twice.
  inputs: analytics.inputs,
  inputMode: 'all',
  needs: ['ios.analytics'],
  async *parse(ctx) {
    const files = new Map((await ctx.findInputs()).map((f) => [f.ref.storedPath.slice(f.ref.storedPath.lastIndexOf('/') + 1), f]));
    for (const record of firstSeenBuilds(ctx.dependency<AnalyticsRecord>('ios.analytics'))) {
      const file = files.get(record.artifact);
      if (file) yield { record, source: at(file, { whole: true }) };
    }
  },
  timeline: analyticsIosVersionTimeline,
});
