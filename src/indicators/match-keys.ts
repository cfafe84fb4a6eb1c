/**
 * The matcher of match.ts as data, for matching in a database (the case store's recheck): what an observable
 * looks up (`observableKeys`) and under which keys an indicator is filed (`indicatorKeys`). An observable
 * matches an indicator when they share an (index, key) pair and the pair's condition holds; the derivation
 * is the same walk `matchTables` does (a URL's spellings and host, each parent domain, a path's folders, a
 * process's truncations), so a join on stored keys finds the same indicators as `compileIndicators().match`.
 * test/indicators/match-keys.test.ts holds the two to the same answers on real data and every real feed.
 */
import type { Observable } from '../artifacts/artifact.js';
import { comparableValue, type Indicator } from './collection.js';
import { canonicalUrl, hasScheme, isPublicSuffix, readUrl, type Host } from './hostname.js';
import { MIN_PROFILE_ID_CHARS, MIN_TRUNCATED_PROFILE_ID_CHARS, TRUNCATED_LENGTHS, baseName, canonicalPath, emailOf, processFileCanBe } from './match.js';

/** The lookup tables of match.ts, by name (a process prefix table per truncation length). */
export type KeyIndex =
  | 'url'
  | 'domain'
  | 'www-bare'
  | 'ip'
  | 'process'
  | `process-${(typeof TRUNCATED_LENGTHS)[number]}`
  | 'email'
  | 'file-name'
  | 'file-path'
  | 'hash'
  | 'app-id'
  | 'cert-hash'
  | 'profile-id'
  | 'profile-head'
  | 'android-property';

/** What one observable looks up. */
export interface ObservableKey {
  readonly index: KeyIndex;
  readonly key: string;
  /** A parent of the observed host: only indicators that cover subdomains (not public suffixes) match. */
  readonly parent?: true;
  /**
   * A truncated profile id (looked up by its head): the indicator must be longer, start with it, and not
   * continue with `.` (a parent namespace is not a truncation).
   */
  readonly truncatedId?: string;
}

/** Where one indicator is filed. */
export interface IndicatorKey {
  readonly index: KeyIndex;
  readonly key: string;
  /** False for a domain that is a public suffix: it matches that exact host only. */
  readonly subdomains: boolean;
}

export function indicatorKeys(ind: Indicator): IndicatorKey[] {
  const key = comparableValue(ind.kind, ind.value);
  const out: IndicatorKey[] = [];
  const add = (index: KeyIndex, k: string, subdomains = false) => out.push({ index, key: k, subdomains });
  switch (ind.kind) {
    case 'url': {
      add('url', key);
      const canonical = canonicalUrl(ind.value);
      if (canonical !== null && canonical !== key) add('url', canonical);
      break;
    }
    case 'domain':
      add('domain', key, !isPublicSuffix(key));
      if (key.startsWith('www.') && key.length > 4) add('www-bare', key.slice(4));
      break;
    case 'ip':
      add('ip', key);
      break;
    case 'process':
      add('process', key);
      for (const length of TRUNCATED_LENGTHS) if (key.length > length) add(`process-${length}`, key.slice(0, length));
      break;
    case 'email':
      add('email', key);
      break;
    case 'file_name':
      add('file-name', key);
      break;
    case 'file_path':
      add('file-path', canonicalPath(key));
      break;
    case 'md5':
    case 'sha1':
    case 'sha256':
      add('hash', `${ind.kind}:${key}`);
      break;
    case 'app_id':
      add('app-id', key);
      break;
    case 'cert_hash':
      add('cert-hash', key);
      break;
    case 'profile_id':
      add('profile-id', key);
      if (key.length > MIN_TRUNCATED_PROFILE_ID_CHARS) add('profile-head', key.slice(0, MIN_TRUNCATED_PROFILE_ID_CHARS));
      break;
    case 'android_property':
      add('android-property', key);
      break;
  }
  return out;
}

/** The comparable form of an indicator a truncated profile id is compared with. */
export function profileIdOf(ind: Indicator): string {
  return comparableValue('profile_id', ind.value);
}

/** Every key `observable` is looked up under, de-duplicated. */
export function observableKeys(obs: Observable): ObservableKey[] {
  const value = obs.value;
  const out: ObservableKey[] = [];
  if (typeof value !== 'string' || value.trim() === '') return out;
  const add = (k: ObservableKey) => out.push(k);
  switch (obs.kind) {
    case 'url': {
      add({ index: 'url', key: value });
      const url = readUrl(value);
      if (url.href !== null && url.href !== value) add({ index: 'url', key: url.href });
      const bare = value.trim();
      if (url.href !== null && !hasScheme(bare) && !bare.startsWith('//')) add({ index: 'url', key: canonicalUrl(`https://${bare}`) ?? '' });
      hostKeys(url.host, add);
      break;
    }
    case 'domain':
      hostKeys(readUrl(value).host, add);
      break;
    case 'process': {
      const name = baseName(value);
      if (name === '') break;
      add({ index: 'process', key: name });
      for (const length of TRUNCATED_LENGTHS) if (name.length === length) add({ index: `process-${length}`, key: name });
      break;
    }
    case 'file_path': {
      const path = canonicalPath(value.trim());
      const name = baseName(path);
      add({ index: 'file-name', key: name });
      for (let p = path; p !== ''; p = p.slice(0, Math.max(0, p.lastIndexOf('/')))) add({ index: 'file-path', key: p });
      if (obs.role !== 'mention' && !value.trim().endsWith('/') && processFileCanBe(path, name)) add({ index: 'process', key: name });
      break;
    }
    case 'file_name':
      add({ index: 'file-name', key: value });
      break;
    case 'email':
      add({ index: 'email', key: emailOf(value) });
      break;
    case 'md5':
    case 'sha1':
    case 'sha256':
      add({ index: 'hash', key: `${obs.kind}:${value.trim().toLowerCase()}` });
      break;
    case 'app_id':
      add({ index: 'app-id', key: comparableValue('app_id', value.trim()) });
      break;
    case 'cert_hash':
      add({ index: 'cert-hash', key: comparableValue('cert_hash', value.trim()) });
      break;
    case 'profile_id': {
      const id = comparableValue('profile_id', value.trim());
      if (id.length < MIN_PROFILE_ID_CHARS) break;
      add({ index: 'profile-id', key: id });
      if (id.length >= MIN_TRUNCATED_PROFILE_ID_CHARS && !id.endsWith('.')) add({ index: 'profile-head', key: id.slice(0, MIN_TRUNCATED_PROFILE_ID_CHARS), truncatedId: id });
      break;
    }
    case 'android_property':
      add({ index: 'android-property', key: comparableValue('android_property', value.trim()) });
      break;
    default: {
      const unknown: never = obs.kind;
      void unknown;
    }
  }
  return dedupe(out);
}

/** The host itself (as a domain, and as the bare name of a `www.` indicator), then each parent label by label. */
function hostKeys(parsed: Host | null, add: (k: ObservableKey) => void): void {
  if (parsed === null) return;
  const { host } = parsed;
  if (parsed.isIp) {
    add({ index: 'ip', key: host });
    return;
  }
  add({ index: 'domain', key: host });
  add({ index: 'www-bare', key: host });
  for (let dot = host.indexOf('.'); dot >= 0; dot = host.indexOf('.', dot + 1)) add({ index: 'domain', key: host.slice(dot + 1), parent: true });
}

function dedupe(keys: ObservableKey[]): ObservableKey[] {
  if (keys.length < 2) return keys;
  const seen = new Set<string>();
  return keys.filter((k) => {
    const id = `${k.index}\u0000${k.key}\u0000${k.parent ? 1 : 0}\u0000${k.truncatedId ?? ''}`;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}
