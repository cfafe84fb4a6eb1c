import type { WebkitDomainEntry, WebkitSessionResourceLogRecord } from '../../artifacts/ios/webkit_session_resource_log.js';
import { defineRule } from '../rule.js';

const names = (entries: readonly WebkitDomainEntry[]): string[] => entries.map((e) => e.origin ?? e.domain ?? '').filter(Boolean);
const quoted = (list: readonly string[]) => list.map((d) => `"${d}"`).join(', ');

export default [
  defineRule<WebkitSessionResourceLogRecord>({
    id: 'ios.webkit_session_resource_log.redirect_through_indicator',
    version: 1,
    artifact: 'ios.webkit_session_resource_log',
    level: 'high',
    title: 'Redirect chain through a domain listed in the indicators',
    why: 'WebKit logs, per site it suspects of tracking, the sites that redirected the browser to it and where it sent the browser next. When one of those sites is a known spyware domain, the chain shows how the browser was steered through the attacker\'s infrastructure (the shape of Pegasus\'s one-click and network-injection deliveries), beyond the single visit the indicator match reports.',
    innocent: 'Redirect chains also come from ad networks and link shorteners; the finding matters because a domain in the chain is listed in the indicators. Check whether the listed domain is the origin or merely one hop away.',
    source: 'reference-spec §7.3.18 (MVT WebkitSessionResourceLog); Amnesty, Forensic Methodology Report: How to catch NSO Group\'s Pegasus (2021)',
    scope: 'matched',
    check(r) {
      const from = names(r.redirect_source);
      const to = names(r.redirect_destination);
      // MVT also fires with no redirect at all; a chain needs at least one hop.
      if (from.length === 0 && to.length === 0) return [];
      const parts = [...(from.length ? [`SOURCE: ${quoted(from)}`] : []), `ORIGIN: "${r.origin}"`, ...(to.length ? [`DESTINATION: ${quoted(to)}`] : [])];
      return [{ message: `Found HTTP redirect between suspicious domains: ${parts.join(' -> ')}`, eventTime: r.last_seen }];
    },
  }),
];
