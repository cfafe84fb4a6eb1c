/**
 * `tracehound iocs update`: read the feed index, download each feed into the per-user indicators folder
 * (the one `check` loads by default), and record what was fetched in a ledger. The only network use in the
 * tool, and only when this runs.
 *
 * A feed replaces its previous copy only once it has been downloaded whole, within the limits, and loaded
 * by the project's own STIX 2 loader with at least one indicator: a failed download (404, reset, timeout,
 * too large) or a corrupted file keeps the previous copy, so an update can never leave a user with fewer
 * indicators than before because a server misbehaved.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UserError, errorMessage } from '../errors.js';
import { IndexYamlError, MAX_INDEX_BYTES } from './_index-yaml.js';
import { DEFAULT_INDEX_URL, GITHUB_RAW_BASE, parseFeedIndex, type FeedEntry, type RefusedEntry } from './feed-index.js';
import { defaultIndicatorsDir, loadIndicators, MAX_INDICATOR_FILE_BYTES } from './load.js';

/** MVT's timeouts (reference-spec §5.2): 5 s for the index, 15 s per feed. */
export const INDEX_TIMEOUT_MS = 5_000;
export const FEED_TIMEOUT_MS = 15_000;
/** The largest real feed is 2.2 MB; 32 MB is fifteen times that and well under the loader's own limit. */
export const MAX_FEED_BYTES = 32_000_000;

/** Hidden (the loader skips dot files), so the ledger is never taken for an indicator file. */
export const LEDGER_NAME = '.feeds.json';
/** Feeds being validated are written under this hidden prefix in the same folder, then renamed. */
const DOWNLOAD_PREFIX = '.download-';

export interface LedgerEntry {
  readonly name: string;
  readonly url: string;
  readonly file: string;
  readonly sha256: string;
  readonly bytes: number;
  readonly indicators: number;
  /** ISO 8601, UTC: when this copy was downloaded. */
  readonly downloadedAt: string;
}

export interface Ledger {
  readonly version: 1;
  readonly indexUrl: string;
  /** When the last update ran (whatever its outcome). */
  readonly checkedAt: string;
  /** By local file name. */
  readonly feeds: Record<string, LedgerEntry>;
}

export type FeedStatus =
  /** Downloaded, loaded and stored (new or changed content). */
  | 'updated'
  /** Downloaded and valid, same bytes as the copy already stored. */
  | 'unchanged'
  /** Download or validation failed; the previous copy stays. */
  | 'kept'
  /** Download or validation failed and there is no previous copy. */
  | 'failed';

export interface FeedOutcome {
  readonly name: string;
  readonly url: string;
  readonly file: string;
  readonly status: FeedStatus;
  readonly sha256?: string;
  readonly indicators?: number;
  /** Why a feed was kept or failed: one line naming the URL and what was expected. */
  readonly reason?: string;
}

export interface UpdateReport {
  readonly indexUrl: string;
  readonly dir: string;
  readonly feeds: FeedOutcome[];
  readonly refused: RefusedEntry[];
}

export interface UpdateOptions {
  readonly indexUrl?: string;
  /** The indicators folder; default: the per-user one `check` loads (defaultIndicatorsDir). */
  readonly dir?: string;
  readonly githubRawBase?: string;
  readonly feedTimeoutMs?: number;
  readonly indexTimeoutMs?: number;
  readonly maxFeedBytes?: number;
  readonly signal?: AbortSignal;
  readonly now?: () => Date;
  /** Called once per feed as it finishes (progress lines). */
  readonly onFeed?: (outcome: FeedOutcome) => void;
}

export async function updateFeeds(opts: UpdateOptions = {}): Promise<UpdateReport> {
  const indexUrl = opts.indexUrl ?? DEFAULT_INDEX_URL;
  const dir = opts.dir ?? defaultIndicatorsDir();
  const now = opts.now ?? (() => new Date());
  const maxFeedBytes = Math.min(opts.maxFeedBytes ?? MAX_FEED_BYTES, MAX_INDICATOR_FILE_BYTES);

  const indexBytes = await download(indexUrl, MAX_INDEX_BYTES, opts.indexTimeoutMs ?? INDEX_TIMEOUT_MS, opts.signal);
  if ('reason' in indexBytes) throw new UserError('not-found', `cannot read the feed index: ${indexBytes.reason}`);
  let index;
  try {
    index = parseFeedIndex(indexBytes.data.toString('utf8'), opts.githubRawBase ?? GITHUB_RAW_BASE);
  } catch (err) {
    if (err instanceof IndexYamlError) throw new UserError('bad-format', `${indexUrl}: not a feed index: ${err.message}`);
    throw err;
  }

  await mkdir(dir, { recursive: true, mode: 0o700 });
  await removeStaleDownloads(dir);
  const previous = await readLedger(dir);
  const ledger: Record<string, LedgerEntry> = { ...previous.feeds };
  const feeds: FeedOutcome[] = [];
  // One feed at a time: 15 small files, and a slow server is not hammered.
  for (const entry of index.feeds) {
    opts.signal?.throwIfAborted();
    const outcome = await updateOne(entry, dir, maxFeedBytes, opts.feedTimeoutMs ?? FEED_TIMEOUT_MS, opts.signal, now);
    if (outcome.status === 'updated' || outcome.status === 'unchanged') {
      const old = ledger[entry.file];
      ledger[entry.file] = {
        name: entry.name,
        url: entry.url,
        file: entry.file,
        sha256: outcome.sha256 ?? '',
        bytes: outcome.bytes,
        indicators: outcome.indicators ?? 0,
        // Unchanged content keeps the time it was first fetched: the ledger says how old the copy is.
        downloadedAt: outcome.status === 'unchanged' && old !== undefined ? old.downloadedAt : now().toISOString(),
      };
    }
    const { bytes: _bytes, ...shown } = outcome;
    feeds.push(shown);
    opts.onFeed?.(shown);
  }
  await writeLedger(dir, { version: 1, indexUrl, checkedAt: now().toISOString(), feeds: ledger });
  return { indexUrl, dir, feeds, refused: index.refused };
}

async function updateOne(
  entry: FeedEntry,
  dir: string,
  maxBytes: number,
  timeoutMs: number,
  signal: AbortSignal | undefined,
  now: () => Date,
): Promise<FeedOutcome & { bytes: number }> {
  const target = join(dir, entry.file);
  const previousSha = await sha256OfFile(target);
  const fail = (reason: string): FeedOutcome & { bytes: number } => ({
    name: entry.name,
    url: entry.url,
    file: entry.file,
    status: previousSha === null ? 'failed' : 'kept',
    reason: previousSha === null ? reason : `${reason}; the previous copy is kept`,
    bytes: 0,
  });

  const got = await download(entry.url, maxBytes, timeoutMs, signal);
  if ('reason' in got) return fail(got.reason);
  const sha256 = createHash('sha256').update(got.data).digest('hex');
  if (sha256 === previousSha) {
    const indicators = await countIndicators(target);
    if ('indicators' in indicators) return { name: entry.name, url: entry.url, file: entry.file, status: 'unchanged', sha256, indicators: indicators.indicators, bytes: got.data.length };
  }
  // Validated under a hidden name in the same folder (so the rename is atomic and the loader never sees a
  // half-written feed), then moved over the old copy.
  const temp = join(dir, `${DOWNLOAD_PREFIX}${process.pid}-${now().getTime()}-${entry.file}`);
  try {
    await writeFile(temp, got.data, { mode: 0o644, flag: 'wx' });
    const loaded = await countIndicators(temp);
    if ('reason' in loaded) return fail(`${entry.url}: ${loaded.reason}`);
    await rename(temp, target);
    return { name: entry.name, url: entry.url, file: entry.file, status: 'updated', sha256, indicators: loaded.indicators, bytes: got.data.length };
  } finally {
    await rm(temp, { force: true });
  }
}

/** Loads the file with the same loader `check` uses; a feed that yields no indicator is not worth replacing a copy with. */
async function countIndicators(path: string): Promise<{ indicators: number } | { reason: string }> {
  const loaded = await loadIndicators({ paths: [path], userDir: null });
  const rejected = loaded.rejected[0];
  if (rejected !== undefined) return { reason: `does not load as STIX 2 (${rejected.reason.replace(`${path}: `, '')})` };
  if (loaded.total === 0) return { reason: 'no indicators in the bundle (expected a STIX 2 bundle with indicators)' };
  return { indicators: loaded.total };
}

/** The body, whole, or one line saying why not. Bounded in bytes (checked while streaming) and time. */
export async function download(url: string, maxBytes: number, timeoutMs: number, signal?: AbortSignal): Promise<{ data: Buffer } | { reason: string }> {
  const timeout = AbortSignal.timeout(timeoutMs);
  const combined = signal === undefined ? timeout : AbortSignal.any([signal, timeout]);
  try {
    const res = await fetch(url, { signal: combined, redirect: 'follow', headers: { accept: '*/*' } });
    if (res.status !== 200) {
      await res.body?.cancel();
      return { reason: `${url}: HTTP ${res.status} (expected 200)` };
    }
    const declared = Number(res.headers.get('content-length') ?? NaN);
    if (Number.isFinite(declared) && declared > maxBytes) {
      await res.body?.cancel();
      return { reason: `${url}: ${declared} bytes, over the ${maxBytes}-byte limit` };
    }
    const chunks: Buffer[] = [];
    let length = 0;
    if (res.body !== null) {
      const reader = (res.body as ReadableStream<Uint8Array>).getReader();
      for (let next = await reader.read(); !next.done; next = await reader.read()) {
        const chunk = next.value;
        length += chunk.byteLength;
        if (length > maxBytes) {
          await reader.cancel();
          return { reason: `${url}: more than the ${maxBytes}-byte limit` };
        }
        chunks.push(Buffer.from(chunk));
      }
    }
    return { data: Buffer.concat(chunks, length) };
  } catch (err) {
    signal?.throwIfAborted();
    if (timeout.aborted) return { reason: `${url}: no complete answer within ${timeoutMs / 1000} s` };
    return { reason: `${url}: download failed (${networkMessage(err)})` };
  }
}

/** fetch's own message is "fetch failed"; the cause says what happened (ECONNRESET, ECONNREFUSED...). */
function networkMessage(err: unknown): string {
  const cause = err instanceof Error ? err.cause : undefined;
  const code = typeof cause === 'object' && cause !== null && 'code' in cause ? String(cause.code) : undefined;
  const text = cause !== undefined ? errorMessage(cause) : errorMessage(err);
  return (code !== undefined && !text.includes(code) ? `${code}: ${text}` : text).replace(/\s+/g, ' ').trim();
}

/** A run killed mid-download leaves a hidden `.download-…` file (never loaded): the next update removes it. */
async function removeStaleDownloads(dir: string): Promise<void> {
  const names = await readdir(dir).catch(() => [] as string[]);
  for (const name of names) if (name.startsWith(DOWNLOAD_PREFIX)) await rm(join(dir, name), { force: true });
}

async function sha256OfFile(path: string): Promise<string | null> {
  try {
    return createHash('sha256').update(await readFile(path)).digest('hex');
  } catch {
    return null;
  }
}

export async function readLedger(dir: string): Promise<Ledger> {
  const empty: Ledger = { version: 1, indexUrl: '', checkedAt: '', feeds: {} };
  let text;
  try {
    text = await readFile(join(dir, LEDGER_NAME), 'utf8');
  } catch {
    return empty;
  }
  try {
    const parsed = JSON.parse(text) as Partial<Ledger>;
    if (parsed.version !== 1 || typeof parsed.feeds !== 'object' || parsed.feeds === null) return empty;
    return { version: 1, indexUrl: String(parsed.indexUrl ?? ''), checkedAt: String(parsed.checkedAt ?? ''), feeds: parsed.feeds };
  } catch {
    // A damaged ledger is rebuilt by this update; the feeds themselves are untouched.
    return empty;
  }
}

async function writeLedger(dir: string, ledger: Ledger): Promise<void> {
  const temp = join(dir, `${LEDGER_NAME}.${process.pid}.tmp`);
  await writeFile(temp, `${JSON.stringify(ledger, null, 2)}\n`, { mode: 0o644 });
  await rename(temp, join(dir, LEDGER_NAME));
}
