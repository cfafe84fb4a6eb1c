import { isDict, type PlistValue } from '../../formats/plist.js';
import type { Moment } from '../../formats/time.js';
import { defineArtifact } from '../artifact.js';
import { at, homeFile, num, readPlists } from '../_read.js';
import { plistMoment } from './_plist_values.js';

/** One process's daily network baseline from com.apple.osanalytics.addaily.plist (`netUsageBaseline`). */
export interface OsAnalyticsAdDailyRecord {
  /** The process or bundle the baseline is for. */
  readonly package: string;
  /** The date the baseline was taken. */
  readonly ts: Moment | null;
  readonly wifi_in: number | null;
  readonly wifi_out: number | null;
  readonly wwan_in: number | null;
  readonly wwan_out: number | null;
}

/** A baseline is `[date, wifi_in, wifi_out, wwan_in, wwan_out]`; anything else is not one. */
export function decodeAdDailyEntry(pkg: string, value: PlistValue): OsAnalyticsAdDailyRecord | null {
  if (!Array.isArray(value) || value.length < 5) return null;
  const [date, wifiIn, wifiOut, wwanIn, wwanOut] = value;
  return { package: pkg, ts: plistMoment(date), wifi_in: num(wifiIn), wifi_out: num(wifiOut), wwan_in: num(wwanIn), wwan_out: num(wwanOut) };
}

export default defineArtifact<OsAnalyticsAdDailyRecord>({
  id: 'ios.os_analytics_ad_daily',
  version: 1,
  title: 'Daily network use per process (osanalytics addaily)',
  mvt: { module: 'os_analytics_ad_daily', className: 'OSAnalyticsADDaily' },
  doc: 'The daily Wi-Fi and mobile data baseline iOS analytics keeps per process; Pegasus process names were found among its entries.',
  references: ['https://www.amnesty.org/en/latest/research/2021/07/forensic-methodology-report-how-to-catch-nso-groups-pegasus/'],
  inputs: homeFile('Library/Preferences/com.apple.osanalytics.addaily.plist'),
  async *parse(ctx) {
    yield* readPlists(ctx, function* (plist, file) {
      const baseline = isDict(plist) ? plist.netUsageBaseline : undefined;
      if (!isDict(baseline)) {
        if (!isDict(plist)) ctx.warn({ code: 'bad-plist', file, message: 'com.apple.osanalytics.addaily.plist: expected a dictionary at the top level' });
        return;
      }
      for (const [pkg, value] of Object.entries(baseline)) {
        const record = decodeAdDailyEntry(pkg, value);
        if (record) yield { record, source: at(file, { key: `netUsageBaseline/${pkg}` }) };
        else ctx.warn({ code: 'row-skipped', file, message: `com.apple.osanalytics.addaily.plist: netUsageBaseline entry "${pkg}" is not a [date, wifi in, wifi out, wwan in, wwan out] list` });
      }
    });
  },
  timeline: (r) => [
    {
      time: r.ts,
      event: 'osanalytics_addaily',
      description: `${r.package} WIFI IN: ${r.wifi_in ?? 'None'}, WIFI OUT: ${r.wifi_out ?? 'None'} - WWAN IN: ${r.wwan_in ?? 'None'}, WWAN OUT: ${r.wwan_out ?? 'None'}`,
    },
  ],
  observables: (r) => [{ kind: 'process', value: r.package, field: 'package' }],
});
