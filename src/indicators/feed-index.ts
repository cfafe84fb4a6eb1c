/**
 * The public index of indicator feeds (mvt-project/mvt-indicators `indicators.yaml`, reference-spec §5.2):
 * `{indicators: [{type, name, sources, references, github: {owner, repo, branch, path}} | {type: 'url',
 * download_url}]}`. Turned into one download URL per feed; an entry we cannot use is a `refused` line, never
 * a guess: MVT downloads `download_url` for any type it does not know, we refuse types we do not know.
 */
import { IndexYamlError, parseIndexYaml, type YamlValue } from './_index-yaml.js';

/** The index MVT and Tracehound read by default. */
export const DEFAULT_INDEX_URL = 'https://raw.githubusercontent.com/mvt-project/mvt-indicators/main/indicators.yaml';
/** Where a `github` entry's file is served from; tests point it at a local server. */
export const GITHUB_RAW_BASE = 'https://raw.githubusercontent.com';

export interface FeedEntry {
  /** 0-based position in the index, for messages. */
  readonly position: number;
  readonly name: string;
  readonly url: string;
  /** The local file name under the indicators folder: derived from the URL, safe on every file system. */
  readonly file: string;
}

export interface RefusedEntry {
  readonly position: number;
  readonly name: string;
  /** One line: which entry, and what was expected. */
  readonly reason: string;
}

export interface FeedIndex {
  readonly feeds: FeedEntry[];
  readonly refused: RefusedEntry[];
}

/** Index entries beyond this are refused: the real index has 15. */
export const MAX_INDEX_ENTRIES = 1000;

/** Throws IndexYamlError (one line) when the text is not an index at all; bad entries are `refused`. */
export function parseFeedIndex(text: string, githubRawBase = GITHUB_RAW_BASE): FeedIndex {
  const root = parseIndexYaml(text);
  if (!isMap(root) || !Array.isArray(root.indicators)) throw new IndexYamlError('no "indicators:" list at the top (expected the mvt-indicators index format)');
  const feeds: FeedEntry[] = [];
  const refused: RefusedEntry[] = [];
  const seen = new Map<string, number>();
  root.indicators.forEach((item, position) => {
    const name = isMap(item) && typeof item.name === 'string' ? item.name : `entry ${position + 1}`;
    const refuse = (why: string) => refused.push({ position, name, reason: `index entry ${position + 1} ("${oneLine(name)}"): ${why}` });
    if (position >= MAX_INDEX_ENTRIES) return refuse(`over the ${MAX_INDEX_ENTRIES}-entry limit`);
    if (!isMap(item)) return refuse('not a mapping (expected type, name and where to download)');
    const url = entryUrl(item, githubRawBase);
    if ('reason' in url) return refuse(url.reason);
    const file = localFileName(url.url);
    const earlier = seen.get(file);
    if (earlier !== undefined) return refuse(`same file as entry ${earlier + 1} (${url.url}), downloaded once`);
    seen.set(file, position);
    feeds.push({ position, name, url: url.url, file });
  });
  return { feeds, refused };
}

function entryUrl(item: { [key: string]: YamlValue }, githubRawBase: string): { url: string } | { reason: string } {
  const type = item.type;
  if (type === 'github') {
    const g = item.github;
    if (!isMap(g)) return { reason: 'type github without a "github:" block (expected owner, repo, branch, path)' };
    const parts = ['owner', 'repo', 'path'].map((k) => g[k]);
    const [owner, repo, path] = parts;
    if (typeof owner !== 'string' || typeof repo !== 'string' || typeof path !== 'string' || owner === '' || repo === '' || path === '') {
      return { reason: 'github entry needs owner, repo and path' };
    }
    const branch = typeof g.branch === 'string' && g.branch !== '' ? g.branch : 'main';
    if ([owner, repo, branch].some((s) => s.includes('/') || s === '..' || s === '.') || path.split('/').some((s) => s === '..' || s === '.' || s === '')) {
      return { reason: `github entry with an unsafe owner, repo, branch or path (${oneLine(`${owner}/${repo}/${branch}/${path}`)})` };
    }
    const encoded = [owner, repo, branch, ...path.split('/')].map(encodeURIComponent).join('/');
    return checkedUrl(`${githubRawBase.replace(/\/+$/, '')}/${encoded}`);
  }
  if (type === 'url') {
    if (typeof item.download_url !== 'string') return { reason: 'type url without a download_url' };
    return checkedUrl(item.download_url);
  }
  return { reason: `unknown entry type ${typeof type === 'string' ? `"${oneLine(type)}"` : '(none)'} (expected github or url); skipped` };
}

function checkedUrl(text: string): { url: string } | { reason: string } {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { reason: `not a URL: ${oneLine(text)}` };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return { reason: `${url.protocol} URL refused (expected http or https): ${oneLine(text)}` };
  if (url.username !== '' || url.password !== '') return { reason: 'URL with credentials refused' };
  return { url: url.href };
}

/**
 * `raw.githubusercontent.com_AmnestyTech_investigations_master_2021-07-18_nso_pegasus.stix2`: MVT's naming
 * (host and path, `/` → `_`) without its `lstrip("https://")` quirk, restricted to a safe alphabet, never
 * hidden (the loader skips dot files), and always `.stix2` so the default loader reads it.
 */
export function localFileName(url: string): string {
  const u = new URL(url);
  const base = `${u.host}${decodeSafely(u.pathname)}`
    .replace(/\//g, '_')
    .replace(/[^A-Za-z0-9._-]/g, '_')
    .replace(/^[._]+/, '')
    .slice(0, 180);
  return base.toLowerCase().endsWith('.stix2') ? base : `${base}.stix2`;
}

function decodeSafely(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

function isMap(v: YamlValue | undefined): v is { [key: string]: YamlValue } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function oneLine(s: string): string {
  // Control characters (newlines, escapes) from a hostile index would break the one-line message.
  const flat = [...s].map((c) => (c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f ? ' ' : c)).join('').replace(/ +/g, ' ').trim();
  return flat.length > 120 ? `${flat.slice(0, 120)}…` : flat;
}
