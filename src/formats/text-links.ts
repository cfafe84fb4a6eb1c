/**
 * Host names, URLs and e-mail addresses written in free text *without* `http(s)://`: "visit evil-domain.com",
 * "evil-domain.com/x?y", "(sub.evil.co.uk)", "write to op@evil.com". iOS makes such text tappable, and an
 * operator's domain in a message, a link preview's title or a shortcut is worth a look.
 *
 * A word with a dot is not a host: only names whose last label is a known ICANN suffix of the public suffix
 * list (`tldts`, private suffixes off) and that have a registrable domain are kept. The hard cases are
 * ordinary words whose "suffix" happens to be a real TLD; two rules keep them out, both overridden by URL
 * context (a `www.` first label, a port or a path after the name):
 * - **file names**: `README.md`, `backup.zip`, `install.sh`, `movie.mov`, `main.py` end in real TLDs that
 *   are also common file extensions ({@link FILE_EXTENSION_TLDS}); alone they are files, `www.x.zip` or
 *   `x.zip/payload` are hosts;
 * - **missing spaces**: "end of sentence.Next" is two words; a capitalised last label (`Next`, `World`)
 *   after a dot is read as the start of a sentence, while `EVIL.COM` (all capitals) and `evil.com` are hosts.
 * IP addresses are not taken from free text (`1.2.3.4` is as often a version number); numbers, `e.g.`,
 * `v1.2`, `file.txt`, `index.html` never reach a known suffix. Text inside `scheme://…` links is left to the
 * link finder, and the domain of an e-mail address is part of the address, not a host of its own.
 */
import { parse } from 'tldts';

export type TextTokenKind = 'url' | 'domain' | 'email';

export interface TextToken {
  /** `domain`: a bare host; `url`: a host with a port, a path or a scheme; `email`: an address. */
  readonly kind: TextTokenKind;
  /** As written in the text, trailing punctuation removed. */
  readonly value: string;
}

export interface TextTokenOptions {
  /**
   * Also return `http(s)://` links. Off by default: message artifacts find those with MVT's own link rule
   * (`findLinks`), so their output stays MVT's; this finder adds what that rule cannot see.
   */
  readonly httpLinks?: boolean;
}

/**
 * Real TLDs that are also file extensions people send each other (`backup.zip`, `IMG_0001.mov`, `README.md`,
 * `Xcode.app`, `logo.ai`, `main.py`, `install.sh`). A name ending in one of these is read as a host only with
 * URL context (a `www.` label, a port or a path). Kept short on purpose: each entry hides bare operator
 * domains (10 `.app` domains in the real feeds), and `.in`, `.pl`, `.cc`, `.so`, `.dev` (Indian, Polish,
 * … sites, rare as file names in messages) are read as hosts.
 */
export const FILE_EXTENSION_TLDS: ReadonlySet<string> = new Set(['ai', 'app', 'md', 'mov', 'ps', 'py', 'rs', 'sh', 'zip']);

/** Host names of messaging identifiers that look like e-mail addresses but are not (WhatsApp JIDs). */
const NOT_MAIL_DOMAINS: ReadonlySet<string> = new Set(['s.whatsapp.net', 'g.us', 'c.us', 'broadcast', 'lid', 'newsletter']);

const LABEL = String.raw`[\p{L}\p{N}](?:[\p{L}\p{N}\p{M}-]*[\p{L}\p{N}\p{M}])?`;
const HOST = String.raw`(?:${LABEL}\.)+${LABEL}`;

/** Anything with a scheme and `//`: `https://…`, `ftp://…`, `itms-services://…` (MVT's link rule stops at a space). */
const SCHEME_LINK = /\b([a-z][a-z0-9+.-]*):\/\/\S+/giu;
/** An address: a local part and a host, not glued to a preceding word, dot or `@`. */
const LOCAL_PART = String.raw`[\p{L}\p{N}_%+-]+(?:\.[\p{L}\p{N}_%+-]+)*`;
const EMAIL = new RegExp(String.raw`(?<![\p{L}\p{N}\p{M}._%+@-])${LOCAL_PART}@(${HOST})(?![\p{L}\p{N}\p{M}_@-])`, 'gu');
const WHOLE_EMAIL = new RegExp(String.raw`^${LOCAL_PART}@(${HOST})$`, 'u');
/**
 * A host not glued to a preceding word, dot, `@` or path separator, optionally followed by a port and a path,
 * query or fragment.
 */
const HOST_IN_TEXT = new RegExp(String.raw`(?<![\p{L}\p{N}\p{M}_.@/\\-])(${HOST})(?![\p{L}\p{N}\p{M}_@-])(:\d{1,5}(?![\d]))?([/?#]\S*)?`, 'gu');

const TRAILING: ReadonlySet<string> = new Set([...'.,;:!?\'"’”»>)]}*']);
const OPENER: Readonly<Record<string, string>> = { ')': '(', ']': '[', '}': '{' };

/**
 * Trailing punctuation is not part of a link: "(see evil.com/x)." ends at `x`. A closing bracket stays when
 * the link opened one (`wiki/Foo_(bar)`).
 */
export function trimTrailingPunctuation(s: string): string {
  let out = s;
  while (out.length > 0) {
    const last = out[out.length - 1]!;
    if (!TRAILING.has(last)) break;
    const opener = OPENER[last];
    if (opener !== undefined && count(out, opener) >= count(out, last)) break;
    out = out.slice(0, -1);
  }
  return out;
}

function count(s: string, ch: string): number {
  let n = 0;
  for (const c of s) if (c === ch) n++;
  return n;
}

/** Why a host-like word is or is not a host: a known ICANN suffix, a registrable domain, and the two word rules. */
export function isHostInText(written: string, context: { readonly www: boolean; readonly pathOrPort: boolean }): boolean {
  if (written.length > 253) return false;
  const labels = written.split('.');
  if (labels.some((l) => l.length === 0 || l.length > 63)) return false;
  const last = labels[labels.length - 1]!;
  if (!/\p{L}/u.test(last)) return false;
  const info = parse(written.toLowerCase(), { allowPrivateDomains: false });
  if (info.isIp === true || info.domain === null || info.isIcann !== true || info.publicSuffix === null) return false;
  const urlContext = context.www || context.pathOrPort;
  if (urlContext) return true;
  if (FILE_EXTENSION_TLDS.has(last.toLowerCase())) return false;
  if (/^\p{Lu}\p{Ll}+$/u.test(last)) return false;
  return true;
}

/** `name@host` as an address when the host is a real one (and not a WhatsApp JID); null otherwise. */
export function emailAddressOf(value: string | null | undefined): string | null {
  if (!value) return null;
  const v = value.trim().replace(/^mailto:/i, '');
  const m = WHOLE_EMAIL.exec(v);
  if (m === null) return null;
  return mailHostOk(m[1]!) ? v : null;
}

function mailHostOk(host: string): boolean {
  const lower = host.toLowerCase();
  if (NOT_MAIL_DOMAINS.has(lower)) return false;
  const info = parse(lower, { allowPrivateDomains: false });
  return info.isIp !== true && info.domain !== null && info.isIcann === true && /\p{L}/u.test(info.publicSuffix ?? '');
}

/**
 * Hosts, scheme-less URLs, e-mail addresses (and, with `httpLinks`, `http(s)://` links) in a text, in order
 * of appearance, each once.
 */
export function tokensInText(text: string | null | undefined, options: TextTokenOptions = {}): TextToken[] {
  if (!text || !text.includes('.')) return [];
  const found: TextToken[] = [];
  const seen = new Set<string>();
  const add = (kind: TextTokenKind, value: string) => {
    if (seen.has(`${kind}\0${value}`)) return;
    seen.add(`${kind}\0${value}`);
    found.push({ kind, value });
  };
  // Each pass blanks what it took, so a later pass never reads a link's host or an address's domain again.
  let rest = text;
  // The cheap `includes` tests skip whole-text regex passes that cannot match (most messages have no link).
  if (rest.includes('://')) {
    rest = rest.replace(SCHEME_LINK, (link: string, scheme: string) => {
      const value = trimTrailingPunctuation(link);
      const isHttp = /^https?$/i.test(scheme);
      if (isHttp ? options.httpLinks === true : schemeHostOk(value)) add('url', value);
      return ' '.repeat(link.length);
    });
  }
  if (rest.includes('@')) {
    rest = rest.replace(EMAIL, (address: string, host: string) => {
      if (mailHostOk(host)) add('email', address);
      return ' '.repeat(address.length);
    });
  }
  for (const m of rest.matchAll(HOST_IN_TEXT)) {
    const host = m[1]!;
    const port = m[2] ?? '';
    const tail = trimTrailingPunctuation(m[3] ?? '');
    const www = host.toLowerCase().startsWith('www.');
    if (!isHostInText(host, { www, pathOrPort: port !== '' || tail !== '' })) continue;
    if (port === '' && tail === '') add('domain', host);
    else add('url', `${host}${port}${tail}`);
  }
  return found;
}

/** A non-http link (`ftp://`, `itms-services://`) counts when its host is a real host name. */
function schemeHostOk(link: string): boolean {
  const m = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/?#\s]*@)?([^/:?#\s]+)/iu.exec(link);
  if (m === null) return false;
  return isHostInText(m[1]!, { www: false, pathOrPort: true });
}
