/**
 * Indicators compiled once into lookup tables, so matching one observable costs a few hash lookups (a URL:
 * one per host label; a path: one per folder level), however many indicators are loaded.
 *
 * Parity with MVT's `check_*` functions (reference-spec §5.4-5.5), with its false-positive quirks fixed
 * (§15 items 6-10; each difference and the test pinning it is in docs/differences/indicators.md):
 * hosts come from a real URL parser and are compared whole, label by label; IPs are compared as addresses,
 * not substrings; file paths match on folder boundaries; profile ids by equality, or as the start of a
 * listed id when long enough to be a truncation and not a coincidence (MVT: any substring).
 */
import type { Observable } from '../artifacts/artifact.js';
import type { MatchKind } from '../findings/finding.js';
import { type Collection, type Indicator, comparableValue } from './collection.js';
import { type Host, canonicalUrl, hasScheme, isPublicSuffix, readUrl } from './hostname.js';

export interface IndicatorMatch {
  readonly indicator: Indicator;
  readonly kind: MatchKind;
  /** MVT's message for the same detection. */
  readonly message: string;
}

export interface Matcher {
  /** Number of indicators compiled. */
  readonly size: number;
  /** Every indicator the observable matches, once per (collection, indicator value), in collection load order. */
  match(obs: Observable): IndicatorMatch[];
}

/** iOS keeps the first 16 characters of a process name (MAXCOMLEN); Linux and Android keep 15 (TASK_COMM_LEN - 1). */
export const TRUNCATED_LENGTHS = [16, 15] as const;

/**
 * Configuration-profile ids. MCProfileEvents can hold identifiers cut short, so an observed id that is the
 * start of a listed one is reported (as `profile-id-truncated`) once it has this many characters: every
 * profile id in the real feeds is a 36-character UUID, and 8 hex digits (its first group) leave a 1 in 4
 * billion chance that an unrelated profile starts the same way; 4 digits would be 1 in 65,536, which a
 * helpline checking thousands of phones would hit. MVT's rule (the observed id anywhere inside an
 * indicator) lets `A5` or `-` match.
 */
export const MIN_TRUNCATED_PROFILE_ID_CHARS = 8;
/** Shorter observed ids (empty, `A`, `76D`) match nothing, not even an equal indicator: they name no profile. */
export const MIN_PROFILE_ID_CHARS = 4;

type Index = Map<string, Indicator[]>;

interface DomainEntry {
  readonly indicator: Indicator;
  /** False for indicators that name a public suffix: they match that exact host only. */
  readonly subdomains: boolean;
}

interface Tables {
  readonly urls: Index;
  readonly domains: Map<string, DomainEntry[]>;
  /** `tzsafe.com` → the indicator `www.tzsafe.com`: a `www.` name and its bare name are the same site. */
  readonly wwwBare: Index;
  readonly ips: Index;
  readonly processes: Index;
  /** Prefixes of process names longer than a truncation length, by that length. */
  readonly processPrefixes: ReadonlyMap<number, Index>;
  readonly emails: Index;
  readonly fileNames: Index;
  readonly filePaths: Index;
  /** Lengths of the keys of `filePaths`: a path's folders of any other length cannot match, so are not looked up. */
  readonly filePathLengths: Set<number>;
  readonly hashes: Index;
  readonly appIds: Index;
  readonly certHashes: Index;
  readonly profileIds: Index;
  /** Profile-id indicators by their first MIN_TRUNCATED_PROFILE_ID_CHARS characters, for truncated ids. */
  readonly profileIdHeads: Index;
  readonly androidProperties: Index;
  /** `readUrl` of URLs seen lately (see `readUrlOnce`). */
  readonly urlReads: Map<string, UrlRead>;
}

type UrlRead = ReturnType<typeof readUrl>;

/** URLs whose reading is kept; the map is emptied when it reaches this size, so it stays small. */
const URL_READS_KEPT = 10_000;

/**
 * `readUrl` (a WHATWG parse, the costly part of matching a URL) once per distinct URL: a browser history visits
 * the same pages again and again (the generated 100k backup: 20,000 visits of 5,600 URLs). The result is the
 * same whether kept or not: `readUrl` depends on its text only.
 */
function readUrlOnce(t: Tables, value: string): UrlRead {
  let url = t.urlReads.get(value);
  if (url === undefined) {
    if (t.urlReads.size >= URL_READS_KEPT) t.urlReads.clear();
    url = readUrl(value);
    t.urlReads.set(value, url);
  }
  return url;
}

export function compileIndicators(collections: readonly Collection[]): Matcher {
  const t: Tables = {
    urls: new Map(),
    domains: new Map(),
    wwwBare: new Map(),
    ips: new Map(),
    processes: new Map(),
    processPrefixes: new Map(TRUNCATED_LENGTHS.map((n) => [n, new Map()])),
    emails: new Map(),
    fileNames: new Map(),
    filePaths: new Map(),
    filePathLengths: new Set(),
    hashes: new Map(),
    appIds: new Map(),
    certHashes: new Map(),
    profileIds: new Map(),
    profileIdHeads: new Map(),
    androidProperties: new Map(),
    urlReads: new Map(),
  };
  const order = new Map<Collection, number>();
  let size = 0;
  for (const collection of collections) {
    if (!order.has(collection)) order.set(collection, order.size);
    for (const ind of collection.indicators) {
      addIndicator(t, ind);
      size++;
    }
  }
  return {
    size,
    match: (obs) => finish(matchTables(t, obs), order),
  };
}

function addIndicator(t: Tables, ind: Indicator): void {
  const key = comparableValue(ind.kind, ind.value);
  switch (ind.kind) {
    case 'url': {
      push(t.urls, key, ind);
      const canonical = canonicalUrl(ind.value);
      if (canonical !== null && canonical !== key) push(t.urls, canonical, ind);
      return;
    }
    case 'domain': {
      push(t.domains, key, { indicator: ind, subdomains: !isPublicSuffix(key) });
      if (key.startsWith('www.') && key.length > 4) push(t.wwwBare, key.slice(4), ind);
      return;
    }
    case 'ip':
      return push(t.ips, key, ind);
    case 'process':
      push(t.processes, key, ind);
      for (const [length, index] of t.processPrefixes) if (key.length > length) push(index, key.slice(0, length), ind);
      return;
    case 'email':
      return push(t.emails, key, ind);
    case 'file_name':
      return push(t.fileNames, key, ind);
    case 'file_path': {
      const path = canonicalPath(key);
      t.filePathLengths.add(path.length);
      return push(t.filePaths, path, ind);
    }
    case 'md5':
    case 'sha1':
    case 'sha256':
      return push(t.hashes, `${ind.kind}:${key}`, ind);
    case 'app_id':
      return push(t.appIds, key, ind);
    case 'cert_hash':
      return push(t.certHashes, key, ind);
    case 'profile_id':
      push(t.profileIds, key, ind);
      if (key.length > MIN_TRUNCATED_PROFILE_ID_CHARS) push(t.profileIdHeads, key.slice(0, MIN_TRUNCATED_PROFILE_ID_CHARS), ind);
      return;
    case 'android_property':
      return push(t.androidProperties, key, ind);
    default:
      return assertNever(ind.kind);
  }
}

type Hit = { indicator: Indicator; kind: MatchKind; observed: string };

function matchTables(t: Tables, obs: Observable): Hit[] {
  const value = obs.value;
  const hits: Hit[] = [];
  if (typeof value !== 'string' || value.trim() === '') return hits;
  switch (obs.kind) {
    case 'url': {
      collect(hits, t.urls.get(value), 'exact-url', value);
      const url = readUrlOnce(t, value);
      if (url.href !== null && url.href !== value) collect(hits, t.urls.get(url.href), 'exact-url', value);
      // A link typed without its scheme (`landing.evil.net/x1` in a message) is the https:// one a feed lists;
      // the parser above read it as http://, so the https:// spelling is looked up too.
      const bare = value.trim();
      if (url.href !== null && !hasScheme(bare) && !bare.startsWith('//')) collect(hits, t.urls.get(canonicalUrl(`https://${bare}`) ?? ''), 'exact-url', value);
      matchHost(t, url.host, value, hits);
      break;
    }
    case 'domain':
      matchHost(t, readUrlOnce(t, value).host, value, hits);
      break;
    case 'process':
      matchProcess(t, value, hits);
      break;
    case 'file_path':
      matchPath(t, obs, hits);
      break;
    case 'file_name':
      collect(hits, t.fileNames.get(value), 'file-name', value);
      break;
    case 'email':
      collect(hits, t.emails.get(emailOf(value)), 'email', value);
      break;
    case 'md5':
    case 'sha1':
    case 'sha256':
      collect(hits, t.hashes.get(`${obs.kind}:${value.trim().toLowerCase()}`), 'hash', value);
      break;
    case 'app_id':
      collect(hits, t.appIds.get(comparableValue('app_id', value.trim())), 'app-id', value);
      break;
    case 'cert_hash':
      collect(hits, t.certHashes.get(comparableValue('cert_hash', value.trim())), 'cert-hash', value);
      break;
    case 'profile_id':
      matchProfileId(t, value, hits);
      break;
    case 'android_property':
      collect(hits, t.androidProperties.get(comparableValue('android_property', value.trim())), 'android-property', value);
      break;
    default: {
      // Exhaustive at compile time; at run time an unknown kind (a newer parser, an old case store) matches nothing.
      const unknown: never = obs.kind;
      void unknown;
    }
  }
  return hits;
}

function collect(hits: Hit[], list: readonly Indicator[] | undefined, kind: MatchKind, observed: string): void {
  if (list !== undefined) for (const indicator of list) hits.push({ indicator, kind, observed });
}

/**
 * The host itself, then each parent up to (not including) its public suffix: `a.b.evil.com` tries
 * `a.b.evil.com`, `b.evil.com`, `evil.com`. Whole labels only, so `notevil.com` and `evil.com.attacker.net`
 * never reach `evil.com`.
 */
function matchHost(t: Tables, parsed: Host | null, value: string, hits: Hit[]): void {
  if (parsed === null) return;
  const { host } = parsed;
  if (parsed.isIp) {
    collect(hits, t.ips.get(host), 'ip', value);
    return;
  }
  for (const { indicator } of t.domains.get(host) ?? []) hits.push({ indicator, kind: 'domain', observed: value });
  collect(hits, t.wwwBare.get(host), 'domain', value);
  const bareOfWww = host.startsWith('www.') ? host.slice(4) : null;
  for (let dot = host.indexOf('.'); dot >= 0; dot = host.indexOf('.', dot + 1)) {
    const parent = host.slice(dot + 1);
    const entries = t.domains.get(parent);
    if (entries === undefined) continue;
    // `www.evil.com` is the site `evil.com`, so MVT reports it as the domain itself (it strips `www.`).
    const kind: MatchKind = parent === bareOfWww ? 'domain' : 'subdomain';
    for (const { indicator, subdomains } of entries) if (subdomains) hits.push({ indicator, kind, observed: value });
  }
}

function matchProcess(t: Tables, value: string, hits: Hit[]): void {
  const name = baseName(value);
  if (name === '') return;
  collect(hits, t.processes.get(name), 'process', value);
  collect(hits, t.processPrefixes.get(name.length)?.get(name), 'process-truncated', value);
}

/**
 * Equal ids, then listed ids this one is the start of. A prefix that stops where a dotted name's label
 * ends is a parent namespace, not a truncation: `com.example` is not a cut-short `com.example.mdm`.
 */
function matchProfileId(t: Tables, value: string, hits: Hit[]): void {
  const id = comparableValue('profile_id', value.trim());
  if (id.length < MIN_PROFILE_ID_CHARS) return;
  collect(hits, t.profileIds.get(id), 'profile-id', value);
  if (id.length < MIN_TRUNCATED_PROFILE_ID_CHARS || id.endsWith('.')) return;
  for (const indicator of t.profileIdHeads.get(id.slice(0, MIN_TRUNCATED_PROFILE_ID_CHARS)) ?? []) {
    const listed = comparableValue('profile_id', indicator.value);
    if (listed.length > id.length && listed.startsWith(id) && listed[id.length] !== '.') hits.push({ indicator, kind: 'profile-id-truncated', observed: value });
  }
}

/**
 * MVT's check_file_path (the base name as a file name, then path indicators on folder boundaries) and its
 * check_file_path_process, narrowed to where a file can be the process (`processFileCanBe`).
 */
function matchPath(t: Tables, obs: Observable, hits: Hit[]): void {
  const value = obs.value;
  const path = canonicalPath(value.trim());
  const name = baseName(path);
  collect(hits, t.fileNames.get(name), 'file-name', value);
  // The path, then each folder above it (longest first), by length: a lookup hashes the whole string.
  for (let end = path.length; end > 0; end = Math.max(0, path.lastIndexOf('/', end - 1))) {
    if (t.filePathLengths.has(end)) collect(hits, t.filePaths.get(path.slice(0, end)), 'file-path', value);
  }
  if (obs.role !== 'mention' && !value.trim().endsWith('/') && processFileCanBe(path, name)) collect(hits, t.processes.get(name), 'process-in-path', value);
}

/**
 * Stock Apple binaries on the sealed system volume whose names public feeds list as spyware processes
 * (Triangulation's implant ran as `BackupAgent`, the name of Apple's own backup helper). The file at this
 * very path is Apple's; the same name anywhere else still matches.
 */
export const STOCK_SYSTEM_BINARIES: ReadonlySet<string> = new Set(['/usr/libexec/BackupAgent']);

/** App bundles and app containers (canonical paths, `/private/var` folded onto `/var`), current and pre-iOS 8. */
const APP_BUNDLES = /^\/var\/containers\/Bundle\//;
const APP_DATA = /^\/var\/(?:mobile\/Containers\/(?:Data|Shared)\/|containers\/(?:Data|Shared)\/|mobile\/Applications\/)/;

/**
 * Whether a file at `path` named `name` can be a spyware process's binary (docs/dev/matching.md, "Process
 * names in paths"). Folder components never are: a folder named like a process is a resource or data folder
 * (TikTok's `bh` localisation folder, an app's `Documents/primary/bh/`), never a running binary. Inside an app
 * bundle only the app's or extension's executable (`X.app/X`, `X.appex/X`) is one: resources are named by
 * their developer. App data and group containers hold what the sandboxed app wrote (an app's `payload` data
 * file), which iOS never launches as a process. The stock binaries above are Apple's.
 */
export function processFileCanBe(path: string, name: string): boolean {
  if (name === '' || STOCK_SYSTEM_BINARIES.has(path)) return false;
  if (APP_DATA.test(path)) return false;
  if (APP_BUNDLES.test(path)) {
    const parent = baseName(path.slice(0, path.length - name.length - 1));
    return parent === `${name}.app` || parent === `${name}.appex`;
  }
  return true;
}

/**
 * One spelling per file: absolute, no trailing or doubled `/`, and iOS's `/private/var`, `/private/tmp` and
 * `/private/etc` folded onto the `/var`, `/tmp` and `/etc` symlinks that point at them, so an indicator
 * written either way matches a path written either way.
 */
export function canonicalPath(path: string): string {
  // Already canonical (the usual case: a backup's paths): nothing below would change it.
  if (path.startsWith('/') && !path.startsWith('/private') && !path.endsWith('/') && !path.includes('//')) return path;
  let p = path.replace(/\/{2,}/g, '/').replace(/\/+$/, '');
  if (p !== '' && !p.startsWith('/')) p = `/${p}`;
  return p.replace(/^\/private(?=\/(?:var|tmp|etc)(?:\/|$))/, '');
}

export function baseName(path: string): string {
  let trimmed = path.trim();
  if (trimmed.endsWith('/')) trimmed = trimmed.replace(/\/+$/, '');
  return trimmed.slice(trimmed.lastIndexOf('/') + 1);
}

/** `mailto:x@y`, `Name <x@y>` and `X@Y` all name the address `x@y`. */
export function emailOf(value: string): string {
  let v = value.trim().replace(/^mailto:/i, '');
  const angle = /<([^<>]+)>/.exec(v);
  if (angle !== null) v = angle[1]!;
  return v.trim().toLowerCase();
}

/** De-duplicates by (collection, indicator kind and value), orders by collection, and writes the messages. */
function finish(hits: Hit[], order: ReadonlyMap<Collection, number>): IndicatorMatch[] {
  if (hits.length === 0) return [];
  const seen = new Set<string>();
  const unique: Hit[] = [];
  for (const h of hits) {
    const { collection } = h.indicator;
    const key = `${order.get(collection) ?? -1}\u0000${h.indicator.kind}\u0000${h.indicator.value}`;
    if (seen.has(key)) continue;
    seen.add(key);
    unique.push(h);
  }
  unique.sort((a, b) => (order.get(a.indicator.collection) ?? 0) - (order.get(b.indicator.collection) ?? 0));
  return unique.map((h) => ({ indicator: h.indicator, kind: h.kind, message: messageFor(h) }));
}

/** MVT's templates (reference-spec §5.4-5.5), with its typos ("form", "certfificate") fixed. */
export function messageFor(h: { indicator: Indicator; kind: MatchKind; observed: string }): string {
  const ioc = h.indicator.value;
  const coll = h.indicator.collection.name;
  const v = h.observed;
  switch (h.kind) {
    case 'exact-url':
      return `Found a known suspicious URL ${v} matching indicator "${ioc}" from "${coll}"`;
    case 'domain':
      return `Found a known suspicious domain ${v} matching indicator "${ioc}" from "${coll}"`;
    case 'subdomain':
      return `Found a sub-domain with a suspicious top level ${v} matching indicator "${ioc}" from "${coll}"`;
    case 'ip':
      return `Found a known suspicious IP address ${v} matching indicator "${ioc}" from "${coll}"`;
    case 'process':
      return `Found a known suspicious process name "${v}" matching indicators from "${coll}"`;
    case 'process-truncated':
      return `Found a truncated known suspicious process name "${v}" matching indicators from "${coll}"`;
    case 'process-in-path':
      return `Found known suspicious process name mentioned in file at path "${v}" matching indicators from "${coll}"`;
    case 'email':
      return `Found a known suspicious email address "${v}" matching indicators from "${coll}"`;
    case 'file-name':
      return `Found a known suspicious file name "${v}" matching indicators from "${coll}"`;
    case 'file-path':
      return `Found a known suspicious file path "${v}" matching indicators from "${coll}"`;
    case 'hash':
      return `Found a known suspicious file with hash "${v}" matching indicators from "${coll}"`;
    case 'app-id':
      return `Found a known suspicious app with ID "${v}" matching indicators from "${coll}"`;
    case 'cert-hash':
      return `Found a known suspicious app certificate with hash "${v}" matching indicators from "${coll}"`;
    case 'profile-id':
      return `Found a known suspicious profile ID "${v}" matching indicators from "${coll}"`;
    case 'profile-id-truncated':
      return `Found a truncated profile ID "${v}", the start of the known suspicious profile ID "${ioc}" from "${coll}"`;
    case 'android-property':
      return `Found a known suspicious Android property "${v}" matching indicators from "${coll}"`;
    default:
      return assertNever(h.kind);
  }
}

function push<T>(index: Map<string, T[]>, key: string, item: T): void {
  const list = index.get(key);
  if (list === undefined) index.set(key, [item]);
  else list.push(item);
}

function assertNever(x: never): never {
  throw new Error(`unhandled kind: ${String(x)}`);
}

