/**
 * Host names out of URLs with a real URL parser (WHATWG, as browsers do), so the host we match is the host
 * the device talked to: no port, no userinfo, lower-cased, IDN in punycode, IPv4 in canonical dotted form.
 * MVT takes the netloc (port and userinfo kept) and strips a character set `www.` (reference-spec §5.5,
 * §15 items 6-7); docs/differences/indicators.md lists what changes.
 */
import { isIP } from 'node:net';
import { domainToASCII } from 'node:url';
import { getPublicSuffix } from 'tldts';

export interface Host {
  readonly host: string;
  readonly isIp: boolean;
}

/** `scheme://…`, or a scheme with an opaque path (`mailto:`, `sms:`): anything else gets `http://`. */
const HAS_SCHEME = /^[a-z][a-z0-9+.-]*:(?:\/\/|(?!\d|$))/i;

/** The text a URL parser should see: a bare host or `host:port/path` is read as `http://…`. */
/** True when the text starts with a scheme (`https:`, `mailto:`), false for a bare `host/path`. */
export function hasScheme(urlOrHost: string): boolean {
  return HAS_SCHEME.test(urlOrHost);
}

export function withScheme(urlOrHost: string): string {
  if (HAS_SCHEME.test(urlOrHost)) return urlOrHost;
  return urlOrHost.startsWith('//') ? `http:${urlOrHost}` : `http://${urlOrHost}`;
}

export function parseUrl(urlOrHost: string): URL | null {
  const text = urlOrHost.trim();
  if (text === '') return null;
  try {
    return new URL(withScheme(text));
  } catch {
    return null;
  }
}

/** The host a URL (or bare host name) points at; null when there is none or it is not a valid host. */
export function hostOf(urlOrHost: string): Host | null {
  return readUrl(urlOrHost).host;
}

/** The WHATWG serialisation of a URL, for exact-URL matching that ignores case in scheme and host. */
export function canonicalUrl(url: string): string | null {
  return readUrl(url).href;
}

/** Both at once, with one parse (the matcher needs both for every URL it sees). */
export function readUrl(urlOrHost: string): { href: string | null; host: Host | null } {
  const bare = urlOrHost.trim();
  if (isIP(bare) === 6) return { href: null, host: { host: canonicalIpv6(bare), isIp: true } };
  const url = parseUrl(bare);
  if (url === null) return { href: null, host: null };
  let host = hostOfUrl(url);
  // A URL parser reads `42` or `0x7f.1` as IPv4 addresses. With a scheme that is what a browser would
  // connect to; a bare token without one is a number, not a host.
  if (host?.isIp === true && !HAS_SCHEME.test(bare) && !DOTTED_OR_BRACKETED.test(bare)) host = null;
  return { href: url.href, host };
}

const DOTTED_OR_BRACKETED = /^(?:\/\/)?(?:\d{1,3}(?:\.\d{1,3}){3}|\[[0-9a-f:.]+\])(?:[:/?#]|$)/i;

/** Schemes whose host the URL parser already lower-cases and converts to punycode. */
const SPECIAL_SCHEMES = new Set(['http:', 'https:', 'ws:', 'wss:', 'ftp:', 'file:']);

export function hostOfUrl(url: URL): Host | null {
  let host = url.hostname;
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  if (host === '') return null;
  if (isIP(host) !== 0) return { host, isIp: true };
  // Non-special schemes (`intent://`, `whatsapp://`) keep an opaque host: fold it as a special one would be.
  if (!SPECIAL_SCHEMES.has(url.protocol)) {
    host = domainToASCII(decodeOpaque(host).toLowerCase());
    if (host === '') return null;
  }
  while (host.endsWith('.')) host = host.slice(0, -1);
  return host === '' ? null : { host, isIp: false };
}

/** `2001:DB8:0:0::1` and `2001:db8::1` are one address: compare the URL parser's compressed form. */
function canonicalIpv6(address: string): string {
  return new URL(`http://[${address}]/`).hostname.slice(1, -1);
}

function decodeOpaque(host: string): string {
  try {
    return decodeURIComponent(host);
  } catch {
    return host;
  }
}

/**
 * True for `com`, `co.uk`, `github.io` or a bare unknown TLD: a name anyone can register under, so an
 * indicator naming it must not match every host below it.
 */
export function isPublicSuffix(host: string): boolean {
  return getPublicSuffix(host, { allowPrivateDomains: true }) === host;
}
