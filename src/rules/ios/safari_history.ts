import type { SafariHistoryRecord } from '../../artifacts/ios/safari_history.js';
import { defineRule } from '../rule.js';

/**
 * The host two URLs are compared on. A single leading `www.` label is dropped, so `http://example.com` →
 * `https://www.example.com` (the usual HTTPS upgrade) counts as the same site, as MVT intends; MVT's
 * `lstrip("www.")` strips any run of `w` and `.` characters instead (reference-spec §15 item 6).
 * Unparseable URLs give "" (as MVT's URL helper does).
 */
export function comparableHost(url: string): string {
  let host: string;
  try {
    host = new URL(url).hostname.toLowerCase();
  } catch {
    return '';
  }
  if (host.endsWith('.')) host = host.slice(0, -1);
  return host.startsWith('www.') ? host.slice(4) : host;
}

/** Absolute time between two visits in microseconds. */
function elapsedMicros(r: SafariHistoryRecord): number | null {
  const from = r.isodate;
  const to = r.redirect_destination_time;
  if (!from || !to) return null;
  return Math.abs((to.unixSeconds - from.unixSeconds) * 1_000_000 + (to.micros - from.micros));
}

/** Python's float repr for the millisecond count MVT prints (`1.0`, `0.362`). */
function pythonFloat(n: number): string {
  return Number.isInteger(n) ? `${n}.0` : String(n);
}

export default [
  defineRule<SafariHistoryRecord>({
    id: 'ios.safari_history.fast_cross_domain_redirect',
    version: 1,
    artifact: 'ios.safari_history',
    level: 'medium',
    scope: 'record',
    title: 'Plain-HTTP page redirected to another domain in under a second',
    why: 'Pegasus was delivered by network injection: while the phone loaded an ordinary http:// page, an operator on the mobile network (or a device inserted near the target) answered first and silently sent Safari to an exploit server on another domain. Safari records that as a visit that was redirected within milliseconds, with no user action in between.',
    innocent:
      'Many sites redirect instantly from a plain-HTTP address to another host: link shorteners, captive portals on hotel or airport Wi-Fi, typo domains that forward to the real brand (foxnew.com → foxnews.com), single sign-on pages and tracking links. Look at the destination domain: a known brand owned by the same company is benign; a random-looking domain that was never visited otherwise deserves a closer look.',
    source: 'https://www.amnesty.org/en/latest/research/2021/07/forensic-methodology-report-how-to-catch-nso-groups-pegasus/ (reference-spec §7.3.13 _find_injections)',
    check(r) {
      if (!r.url.toLowerCase().startsWith('http://')) return [];
      if (!r.redirect_destination || r.redirect_destination_url === null) return [];
      if (comparableHost(r.url) === comparableHost(r.redirect_destination_url)) return [];
      // MVT tests `timedelta.seconds == 0`, which is true for 5.0003 days and false for a negative 0.2 s;
      // the real absolute elapsed time is what the heuristic means (docs/differences/browsers.md).
      const micros = elapsedMicros(r);
      if (micros === null || micros >= 1_000_000) return [];
      return [{ message: `Redirect took less than a second! (${pythonFloat(micros / 1000)} milliseconds)`, eventTime: r.isodate }];
    },
  }),
];
