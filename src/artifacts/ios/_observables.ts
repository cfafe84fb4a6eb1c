/**
 * Observables from the places MVT does not look: e-mail handles of calls, messages and interactions, every
 * value of an address-book card, calendar attendees, and hosts written without `http(s)://` in free text.
 *
 * The role says how the device met the value; the level policy (`findings/explain.ts`) turns it into a
 * level. Our convention, the same in every artifact:
 * - **direct** (no `role`, as MVT's own observables): the device exchanged something with it: the other party
 *   of a call, a message or an interaction, an invitation's organiser or attendee, an `http(s)://` link in a
 *   message;
 * - **mention**: it is only written down: an address-book value, a host or address in free text without a
 *   scheme, a link preview's title or summary, a shortcut's parameter.
 */
import { emailAddressOf, tokensInText } from '../../formats/text-links.js';
import type { Observable } from '../artifact.js';

export interface TextObservableOptions {
  /** What to do with `http(s)://` links in the text: skip them (the artifact already reports them), or give them a role. */
  readonly httpLinks?: 'skip' | 'direct' | 'mention';
}

/** Hosts, scheme-less URLs and e-mail addresses in free text, as mentions; `http(s)://` links as `httpLinks` says. */
export function textObservables(text: unknown, field: string, options: TextObservableOptions = {}): Observable[] {
  if (typeof text !== 'string') return [];
  const httpLinks = options.httpLinks ?? 'skip';
  const out: Observable[] = [];
  for (const token of tokensInText(text, { httpLinks: httpLinks !== 'skip' })) {
    const isHttp = token.kind === 'url' && /^https?:\/\//i.test(token.value);
    out.push(isHttp && httpLinks === 'direct' ? { kind: token.kind, value: token.value, field } : { kind: token.kind, value: token.value, field, role: 'mention' });
  }
  return out;
}

/** An e-mail handle (`op@evil.com`, `mailto:op@evil.com`) as an observable; phone numbers and WhatsApp JIDs give none. */
export function emailObservable(value: unknown, field: string, role: 'direct' | 'mention' = 'direct'): Observable[] {
  const address = typeof value === 'string' ? emailAddressOf(value) : null;
  if (address === null) return [];
  return role === 'direct' ? [{ kind: 'email', value: address, field }] : [{ kind: 'email', value: address, field, role }];
}

/**
 * Direct observations first, then mentions; a value seen twice is kept once (the first, so the direct one);
 * a mentioned bare host that a direct link of the same record already points at is dropped, so "evil.com"
 * beside "https://evil.com/x" gives one finding, not a CRITICAL and a HIGH for the same thing.
 */
export function settleObservables(observables: readonly Observable[]): Observable[] {
  const ordered = [...observables.filter((o) => o.role !== 'mention'), ...observables.filter((o) => o.role === 'mention')];
  const seen = new Set<string>();
  const directHosts = new Set<string>();
  for (const o of ordered) if (o.role !== 'mention' && (o.kind === 'url' || o.kind === 'domain')) directHosts.add(hostPart(o.value));
  const out: Observable[] = [];
  for (const o of ordered) {
    const key = `${o.kind}\0${o.value.toLowerCase()}`;
    if (seen.has(key)) continue;
    seen.add(key);
    if (o.role === 'mention' && o.kind === 'domain' && directHosts.has(hostPart(o.value))) continue;
    out.push(o);
  }
  return out;
}

/** The host of a URL or bare host, lower-cased, for comparing within one record (not for matching). */
function hostPart(value: string): string {
  return value
    .replace(/^[a-z][a-z0-9+.-]*:\/\//i, '')
    .replace(/^[^@/?#]*@/, '')
    .split(/[/:?#]/, 1)[0]!
    .toLowerCase()
    .replace(/\.+$/, '');
}
