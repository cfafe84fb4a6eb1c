/**
 * Loads indicator files from the places a user can name: `--iocs` paths (files or folders), the
 * TRACEHOUND_IOCS variable, and the per-user indicators folder that `iocs update` fills (MVT's order,
 * reference-spec §5.1). A bad file is a `rejected` line naming it and what was expected; it never stops
 * the others, and this function never throws for bad input.
 */
import { createHash } from 'node:crypto';
import { open, readdir, realpath, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, delimiter, extname, join, resolve } from 'node:path';
import { errorMessage } from '../errors.js';
import type { Collection, IndicatorFile } from './collection.js';
import type { SkippedPart } from './pattern.js';
import { collectionsFromBundle } from './stix.js';

export interface FileReport {
  readonly path: string;
  readonly sha256: string;
  readonly indicators: number;
  readonly collections: number;
  readonly skipped: number;
  readonly skippedPatterns: SkippedPart[];
  /** Set when the same content was already loaded from another path: it is not loaded twice. */
  readonly duplicateOf?: string;
}

export interface Rejected {
  readonly path: string;
  /** One line naming the file and what was expected. */
  readonly reason: string;
}

export interface LoadedIndicators {
  readonly collections: Collection[];
  readonly files: FileReport[];
  readonly rejected: Rejected[];
  readonly total: number;
}

export interface LoadOptions {
  readonly paths: readonly string[];
  /** The TRACEHOUND_IOCS value: paths separated by the platform's delimiter (`:` on POSIX, `;` on Windows). */
  readonly env?: string | undefined;
  /** The per-user indicators folder; undefined = the default location, null = do not load it. */
  readonly userDir?: string | null;
  /** A file larger than this is rejected alone, unread (default MAX_INDICATOR_FILE_BYTES; tests lower it). */
  readonly maxFileBytes?: number;
}

/**
 * The largest indicator file read. The biggest real feed is 2.2 MB (android_campaign, 2,187 indicators);
 * parsing JSON takes several times its size in memory, and V8 cannot hold a string over 512 MB at all, so
 * without a limit a huge file aborted the whole check. 128 MB is fifty times the largest feed and keeps
 * the parse under about 1 GB.
 */
export const MAX_INDICATOR_FILE_BYTES = 128_000_000;

/** Where `iocs update` keeps downloaded feeds and where `check` looks by default. */
export function defaultIndicatorsDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  const home = homedir();
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'tracehound', 'indicators');
  if (platform === 'win32') return join(env.LOCALAPPDATA ?? join(home, 'AppData', 'Local'), 'tracehound', 'indicators');
  const dataHome = env.XDG_DATA_HOME !== undefined && env.XDG_DATA_HOME !== '' ? env.XDG_DATA_HOME : join(home, '.local', 'share');
  return join(dataHome, 'tracehound', 'indicators');
}

/** Extensions a folder scan parses without looking inside: these are meant to be STIX 2. */
const STIX_EXTENSIONS = new Set(['.stix2', '.stix']);
/** Read this much of a `.json` or `.xml` file in a folder to decide whether it is an indicator file at all. */
const SNIFF_BYTES = 4096;

type Candidate = { path: string; explicit: boolean };

export async function loadIndicators(opts: LoadOptions): Promise<LoadedIndicators> {
  const rejected: Rejected[] = [];
  const candidates: Candidate[] = [];
  const visited = new Set<string>();

  const roots: { path: string; optional: boolean }[] = opts.paths.map((p) => ({ path: p, optional: false }));
  const userDir = opts.userDir === undefined ? defaultIndicatorsDir() : opts.userDir;
  if (userDir !== null) roots.push({ path: userDir, optional: true });
  for (const p of (opts.env ?? '').split(delimiter)) if (p.trim() !== '') roots.push({ path: p.trim(), optional: false });

  for (const root of roots) {
    await expandRoot(resolve(root.path), root.optional, candidates, rejected, visited);
  }

  const maxFileBytes = opts.maxFileBytes ?? MAX_INDICATOR_FILE_BYTES;
  const collections: Collection[] = [];
  const files: FileReport[] = [];
  const byHash = new Map<string, string>();
  // One file at a time: the bytes and parse tree of only one file are in memory at once (JSON.parse is
  // synchronous, so reading in parallel would gain little).
  for (const candidate of candidates) {
    const outcome = await loadFile(candidate, maxFileBytes);
    if (outcome === null) continue;
    if ('reason' in outcome) {
      rejected.push(outcome);
      continue;
    }
    const earlier = byHash.get(outcome.report.sha256);
    if (earlier !== undefined) {
      files.push({ ...outcome.report, indicators: 0, collections: 0, skipped: 0, skippedPatterns: [], duplicateOf: earlier });
      continue;
    }
    byHash.set(outcome.report.sha256, outcome.report.path);
    files.push(outcome.report);
    collections.push(...outcome.collections);
  }
  const total = collections.reduce((n, c) => n + c.indicators.length, 0);
  return { collections, files, rejected, total };
}

async function expandRoot(path: string, optional: boolean, out: Candidate[], rejected: Rejected[], visited: Set<string>): Promise<void> {
  let info;
  try {
    info = await stat(path);
  } catch {
    if (!optional) rejected.push({ path, reason: `${path}: no such file or folder (expected a STIX 2 file or a folder of them)` });
    return;
  }
  if (info.isDirectory()) {
    const before = out.length + rejected.length;
    await walk(path, out, rejected, visited);
    if (!optional && out.length + rejected.length === before) {
      rejected.push({ path, reason: `${path}: no STIX 2 indicator files in this folder (expected *.stix2 files or STIX 2 *.json bundles)` });
    }
    return;
  }
  if (!info.isFile()) {
    // A device or a pipe (`/dev/zero`, a FIFO) would never end or block on open.
    rejected.push({ path, reason: `${path}: not a regular file (expected a STIX 2 file or a folder of them)` });
    return;
  }
  const real = await realpath(path).catch(() => path);
  if (visited.has(real)) return;
  visited.add(real);
  out.push({ path, explicit: true });
}

/** Depth-first, in name order so the collection order is the same on every machine. */
async function walk(dir: string, out: Candidate[], rejected: Rejected[], visited: Set<string>): Promise<void> {
  const real = await realpath(dir).catch(() => dir);
  if (visited.has(real)) return; // a symlink loop, or the same folder named twice
  visited.add(real);
  let names: string[];
  try {
    names = (await readdir(dir)).sort();
  } catch (err) {
    rejected.push({ path: dir, reason: `${dir}: cannot list folder (${errorMessage(err)})` });
    return;
  }
  for (const name of names) {
    if (name.startsWith('.')) continue;
    const path = join(dir, name);
    const info = await stat(path).catch(() => null);
    if (info === null) continue;
    if (info.isDirectory()) {
      await walk(path, out, rejected, visited);
      continue;
    }
    if (!info.isFile()) continue;
    const ext = extname(name).toLowerCase();
    if (STIX_EXTENSIONS.has(ext) || ((ext === '.json' || ext === '.xml') && (await looksLikeIndicatorFile(path)))) {
      const realFile = await realpath(path).catch(() => path);
      if (visited.has(realFile)) continue;
      visited.add(realFile);
      out.push({ path, explicit: false });
    }
  }
}

async function looksLikeIndicatorFile(path: string): Promise<boolean> {
  const head = await readHead(path);
  return looksLikeStix2(head) || looksLikeStix1(head);
}

async function readHead(path: string): Promise<string> {
  let handle;
  try {
    handle = await open(path, 'r');
    const buf = Buffer.alloc(SNIFF_BYTES);
    const { bytesRead } = await handle.read(buf, 0, SNIFF_BYTES, 0);
    return buf.subarray(0, bytesRead).toString('utf8');
  } catch {
    return '';
  } finally {
    await handle?.close();
  }
}

function looksLikeStix2(head: string): boolean {
  return /"type"\s*:\s*"bundle"/.test(head) || /"objects"\s*:\s*\[/.test(head) || /"spec_version"\s*:\s*"2\./.test(head);
}

function looksLikeStix1(head: string): boolean {
  return /<(\w+:)?STIX_Package\b/.test(head) || head.includes('stix.mitre.org/stix-1');
}

type FileOutcome = { report: FileReport; collections: Collection[] } | Rejected | null;

async function loadFile(candidate: Candidate, maxFileBytes: number): Promise<FileOutcome> {
  const { path } = candidate;
  const read = await readWithin(path, maxFileBytes);
  if ('reason' in read) return read;
  const data = read.data;
  const sha256 = createHash('sha256').update(data).digest('hex');
  const text = data.toString('utf8').replace(/^\uFEFF/, '');
  const trimmed = text.trimStart();
  if (trimmed === '') return { path, reason: `${path}: empty file (expected a STIX 2 JSON bundle)` };
  if (trimmed.startsWith('<')) {
    return {
      path,
      reason: looksLikeStix1(trimmed.slice(0, SNIFF_BYTES))
        ? `${path}: STIX 1.x XML is not supported (expected a STIX 2 JSON bundle)`
        : `${path}: XML, not a STIX 2 JSON bundle`,
    };
  }
  if (!trimmed.startsWith('{') && !trimmed.startsWith('[')) return { path, reason: `${path}: ${describeNotJson(path)} (expected a STIX 2 JSON bundle)` };

  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch (err) {
    return { path, reason: `${path}: truncated or invalid JSON: ${oneLine(errorMessage(err))} (expected a STIX 2 JSON bundle)` };
  }
  const file: IndicatorFile = { path, name: basename(path), sha256 };
  const outcome = collectionsFromBundle(root, file);
  if (!outcome.ok) return { path, reason: `${path}: ${outcome.reason}` };
  const { collections, skipped } = outcome.result;
  const indicators = collections.reduce((n, c) => n + c.indicators.length, 0);
  return {
    report: { path, sha256, indicators, collections: collections.length, skipped: skipped.length, skippedPatterns: skipped },
    collections,
  };
}

/**
 * The file's bytes, or a rejection: the size comes from the opened file itself (`fstat`), so a file that is
 * replaced between the folder scan and the read is still measured, and the read stops at the limit even if
 * the file grows meanwhile.
 */
async function readWithin(path: string, maxFileBytes: number): Promise<{ data: Buffer } | Rejected> {
  let handle;
  try {
    handle = await open(path, 'r');
    const info = await handle.stat();
    if (!info.isFile()) return { path, reason: `${path}: not a regular file (expected a STIX 2 JSON bundle)` };
    if (info.size > maxFileBytes) return { path, reason: `${path}: ${describeBytes(info.size)}, over the ${describeBytes(maxFileBytes)} limit for an indicator file (not read)` };
    const buf = Buffer.alloc(info.size + 1);
    let length = 0;
    while (length < buf.length) {
      const { bytesRead } = await handle.read(buf, length, buf.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    if (length > maxFileBytes || length > info.size) return { path, reason: `${path}: grew while being read (expected a STIX 2 file that is not being written)` };
    return { data: buf.subarray(0, length) };
  } catch (err) {
    return { path, reason: `${path}: cannot read (${oneLine(errorMessage(err))})` };
  } finally {
    await handle?.close();
  }
}

/** `1.5 GB`, `200 MB`, `12 KB`: decimal units, as file managers show them. */
function describeBytes(bytes: number): string {
  const units: [number, string][] = [
    [1e9, 'GB'],
    [1e6, 'MB'],
    [1e3, 'KB'],
  ];
  for (const [size, unit] of units) if (bytes >= size) return `${Number((bytes / size).toFixed(1))} ${unit}`;
  return `${bytes} bytes`;
}

function describeNotJson(path: string): string {
  switch (extname(path).toLowerCase()) {
    case '.txt':
      return 'a plain-text list, not STIX (plain-text indicator lists are not supported)';
    case '.csv':
      return 'CSV is not supported';
    case '.yaml':
    case '.yml':
      return 'YAML is not supported';
    case '.md':
      return 'a Markdown document, not indicators';
    default:
      return 'not JSON';
  }
}

function oneLine(message: string): string {
  return message.replace(/\s+/g, ' ').trim();
}
