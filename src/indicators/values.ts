/**
 * Checks an indicator value before it is loaded: a value that cannot name what its key says (a host name
 * with a backslash, a lone wildcard, an e-mail address without a local part, a URL that does not parse, a
 * path with a NUL) is skipped with a one-line reason instead of being loaded as something it is not. MVT
 * loads any string (`'x\\y.com'` became the domain "x" in our first loader, because a URL parser reads `\`
 * as `/`; `'` and `*` were domains).
 *
 * Pure, and written for the values real feeds hold: every value of every feed in `../shared/data/iocs`
 * passes (load.test.ts › "loading the real feeds" asserts no file skips any).
 */
import { isIP } from 'node:net';
import { domainToASCII } from 'node:url';
import { parseUrl, hostOfUrl } from './hostname.js';

/** A problem with a value, as the end of "… is not a valid …: <problem>"; null when the value is fine. */
export type Problem = string | null;

/** RFC 1035: 63 octets a label, 253 characters a name as written without the root dot. */
const MAX_LABEL_CHARS = 63;
const MAX_HOST_CHARS = 253;

/** Letters, digits and marks of any script (IDN, turned into punycode later), `-`, and `_` (SRV-like names). */
const UNICODE_LABEL = /^[\p{L}\p{N}\p{M}_-]+$/u;
const ASCII_LABEL = /^[a-z0-9_-]+$/;
const PLAIN_ASCII = /^[a-z0-9_.-]+$/;
const ENDS_IN_NUMBER = /^(?:\d+|0x[0-9a-f]*)$/i;
// eslint-disable-next-line no-control-regex -- control characters are exactly what this looks for
const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * What is wrong with `host` as a host name (not an IP address), or null. Whole labels of letters, digits,
 * `-` or `_`, IDN allowed, at most 63 characters a label and 253 in all once in punycode; one trailing dot
 * (the DNS root) is allowed.
 */
export function hostNameProblem(host: string): Problem {
  if (host === '') return 'empty';
  const special = specialCharacterProblem(host);
  if (special !== null) return special;
  const name = host.endsWith('.') ? host.slice(0, -1) : host;
  if (name === '') return 'no label';
  const labels = name.split('.');
  if (labels.some((l) => l === '')) return 'an empty label (two dots in a row, or a leading dot)';
  const badLabel = labels.find((l) => !UNICODE_LABEL.test(l));
  if (badLabel !== undefined) return `the label ${quote(badLabel)} has characters a host name cannot hold`;
  // WHATWG URL rule: a host whose last label is a number is an IPv4 address, so it cannot be a name.
  if (ENDS_IN_NUMBER.test(labels[labels.length - 1]!)) return 'it ends in a number, so it reads as an IPv4 address, and is not a valid one';
  // Plain ASCII names (nearly every real one) need no IDN conversion, and it is the costly step.
  const lower = name.toLowerCase();
  const ascii = PLAIN_ASCII.test(lower) && !lower.includes('xn--') ? lower : domainToASCII(lower);
  if (ascii === '') return 'not a valid internationalised name';
  const asciiLabels = ascii.split('.');
  if (asciiLabels.some((l) => !ASCII_LABEL.test(l))) return 'not a valid internationalised name';
  if (asciiLabels.some((l) => l.length > MAX_LABEL_CHARS)) return `a label longer than ${MAX_LABEL_CHARS} characters`;
  if (ascii.length > MAX_HOST_CHARS) return `longer than ${MAX_HOST_CHARS} characters`;
  return null;
}

/** The characters people and scripts get wrong, named, so the reason says what to fix. */
function specialCharacterProblem(text: string): Problem {
  if (text.includes('\u0000')) return 'it contains a NUL character';
  if (CONTROL.test(text)) return 'it contains a control character';
  if (/\s/u.test(text)) return 'it contains a space';
  if (text.includes('\\')) return 'it contains a backslash';
  if (/['"`]/.test(text)) return 'it contains a quote';
  if (text.includes('*')) return 'it contains a wildcard';
  return null;
}

/**
 * A `domain-name:value`: a host name, optionally written `*.name` (the name and everything below it), with
 * a port or path that the loader drops (coruna's `fgr1w2gnsdvsb.xyz/x`), or an IP address. Returns the
 * host part to load, or the problem.
 */
export function checkDomainValue(value: string): { host: string } | { problem: string } {
  if (value === '*' || value === '*.') return { problem: 'a lone wildcard would match every host' };
  const unwild = value.startsWith('*.') ? value.slice(2) : value;
  if (isIP(unwild) !== 0) return { host: unwild };
  // The host is what comes before a path, query or fragment, and before a port.
  const authority = unwild.split(/[/?#]/, 1)[0]!;
  const bracketed = /^\[([0-9a-f:.]+)\](?::\d+)?$/i.exec(authority);
  if (bracketed !== null) return isIP(bracketed[1]!) === 6 ? { host: bracketed[1]! } : { problem: 'not an IPv6 address in brackets' };
  const host = authority.replace(/:\d{1,5}$/, '');
  // Anything past the host is checked for what would change how a URL parser reads the host.
  const rest = specialCharacterProblem(unwild.slice(authority.length));
  if (rest !== null && rest !== 'it contains a wildcard') return { problem: rest };
  const problem = hostNameProblem(host);
  return problem === null ? { host } : { problem };
}

/**
 * An `email-addr:value`: a local part and a valid host name after the last `@`. The local part may hold
 * any printable character a mail system accepts unquoted (RFC 5322 atext and dots, UTF-8 allowed by
 * RFC 6531); quoted local parts are not supported.
 */
export function emailProblem(address: string): Problem {
  const at = address.lastIndexOf('@');
  if (at < 0) return 'no @';
  const local = address.slice(0, at);
  const domain = address.slice(at + 1);
  if (local === '') return 'no local part before the @';
  if (local.length > 64) return 'a local part longer than 64 characters';
  const special = specialCharacterProblem(local);
  if (special !== null && special !== 'it contains a quote' && special !== 'it contains a wildcard') return special;
  if (/["(),:;<>@[\]\\]/.test(local)) return `the local part ${quote(local)} has characters an address cannot hold unquoted`;
  if (local.startsWith('.') || local.endsWith('.') || local.includes('..')) return 'a dot at the start or end of the local part, or two in a row';
  if (domain === '') return 'no domain after the @';
  if (isIP(domain.replace(/^\[|\]$/g, '')) !== 0) return 'an IP address instead of a domain';
  const problem = hostNameProblem(domain);
  return problem === null ? null : `the domain ${quote(domain)}: ${problem}`;
}

/** A `url:value`: it must parse (WHATWG) and name a valid host, as the device would have seen it. */
export function urlProblem(url: string): Problem {
  const special = specialCharacterProblem(url);
  // A URL's path and query may hold `'` and `*`; a backslash reads as `/` in a browser, so the indicator
  // would not say what was meant.
  if (special !== null && special !== 'it contains a quote' && special !== 'it contains a wildcard') return special;
  const parsed = parseUrl(url);
  if (parsed === null) return 'it does not parse as a URL';
  const host = hostOfUrl(parsed);
  if (host === null) return 'it names no host';
  if (host.isIp) return null;
  const problem = hostNameProblem(host.host);
  return problem === null ? null : `its host ${quote(host.host)}: ${problem}`;
}

/** Process names, file names and paths, ids: anything non-empty without a NUL (no system stores one). */
export function nameProblem(text: string): Problem {
  if (text === '') return 'empty';
  if (text.includes('\u0000')) return 'it contains a NUL character';
  return null;
}

/** A value in a one-line reason: JSON quoting escapes newlines, quotes and backslashes; long values are cut. */
export function quote(value: string): string {
  const MAX_SHOWN_CHARS = 120;
  return JSON.stringify(value.length > MAX_SHOWN_CHARS ? `${value.slice(0, MAX_SHOWN_CHARS)}…` : value);
}
