/**
 * `iocs update` against a local HTTP server on 127.0.0.1 that serves ../shared/data/iocs, with the public
 * index rewritten to point there: every feed the data holds is fetched and then loads by default; a feed
 * that fails to download (404, connection reset) or arrives corrupted keeps the previous copy; an entry of
 * an unknown type is refused with a line while the others are fetched.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, normalize } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { UserError } from '../../src/errors.js';
import { parseIndexYaml } from '../../src/indicators/_index-yaml.js';
import { parseFeedIndex } from '../../src/indicators/feed-index.js';
import { LEDGER_NAME, readLedger, updateFeeds } from '../../src/indicators/feeds.js';
import { defaultIndicatorsDir, loadIndicators } from '../../src/indicators/load.js';
import { tempDir } from '../fixtures/ios-backup.js';
import { mvtIosBackup, shared } from '../helpers/data.js';

const IOCS = shared('iocs');
const REAL_INDEX = readFileSync(join(IOCS, 'mvt-indicators', 'indicators.yaml'), 'utf8');
/** Where the snapshot keeps each GitHub repository of the index (MANIFEST.md). */
const REPO_FOLDERS: Record<string, string> = {
  'AmnestyTech/investigations': 'amnesty-investigations',
  'mvt-project/mvt-indicators': 'mvt-indicators',
  'AssoEchap/stalkerware-indicators': 'assoechap-stalkerware-indicators',
};
/** Indicator counts per feed file, from MANIFEST.md. */
const EXPECTED: Record<string, number> = {
  'pegasus.stix2': 1549,
  'predator.stix2': 585,
  'rcs.stix2': 40,
  'malware.stix2': 2187,
  'kingspawn.stix2': 167,
  'operation_triangulation.stix2': 112,
  'wyrmspy_dragonegg.stix2': 53,
  'wintego_helios.stix2': 175,
  'novispy.stix2': 18,
  'candiru.stix2': 125,
  'residentbat.stix2': 48,
  'cellebrite.stix2': 1,
  'darksword.stix2': 43,
  'coruna.stix2': 216,
};

/** What the server does for a path, per test: serve the file (default), 404, reset the connection, or send these bytes. */
type Behaviour = 'serve' | 404 | 'reset' | 'stall' | { body: string };
const behaviour = new Map<string, Behaviour>();
let server: Server;
let base = '';
const served: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    served.push(path);
    const b = [...behaviour.entries()].find(([suffix]) => path.endsWith(suffix))?.[1] ?? 'serve';
    if (b === 'reset') return req.socket.destroy();
    // Headers and a first byte, then nothing: only the time bound ends it.
    if (b === 'stall') return void res.writeHead(200).write('{');
    if (b === 404) return res.writeHead(404).end('not found');
    if (typeof b === 'object') return res.writeHead(200).end(b.body);
    if (path.startsWith('/index/')) return res.writeHead(200).end(indexes.get(path.slice('/index/'.length)) ?? '');
    // /gh/<owner>/<repo>/<branch>/<path>: a raw.githubusercontent.com stand-in over the snapshot folders.
    const m = /^\/gh\/([^/]+)\/([^/]+)\/[^/]+\/(.+)$/.exec(path);
    const folder = m ? REPO_FOLDERS[`${m[1]}/${m[2]}`] : undefined;
    const file = folder && m?.[3] ? normalize(join(IOCS, folder, m[3])) : '';
    if (!file.startsWith(IOCS) || !existsSync(file)) return res.writeHead(404).end('not found');
    res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(readFileSync(file));
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((done) => server.close(() => done())));
beforeEach(() => {
  behaviour.clear();
  served.length = 0;
});

const indexes = new Map<string, string>();
function serveIndex(name: string, text: string): string {
  indexes.set(name, text);
  return `${base}/index/${name}`;
}

/** The real index with each github entry turned into a `url` entry pointing at the local server. */
function rewrittenIndex(): string {
  const root = parseIndexYaml(REAL_INDEX) as { indicators: { name: string; github: Record<string, string> }[] };
  const entries = root.indicators.map((e) => {
    const g = e.github;
    return `  - type: url\n    name: ${JSON.stringify(e.name)}\n    download_url: ${base}/gh/${g.owner}/${g.repo}/${g.branch}/${g.path}\n`;
  });
  return `indicators:\n${entries.join('')}`;
}

const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

describe('iocs update', () => {
  it('fetches every feed of the index the snapshot holds, records each in the ledger, and check loads them by default', async () => {
    const data = tempDir('xdg');
    vi.stubEnv('XDG_DATA_HOME', data);
    try {
      const dir = defaultIndicatorsDir();
      const report = await updateFeeds({ indexUrl: serveIndex('real.yaml', rewrittenIndex()), now: () => new Date('2026-12-03T08:00:00Z') });
      expect(report.dir).toBe(join(data, 'tracehound', 'indicators'));
      expect(report.feeds).toHaveLength(15);
      const updated = report.feeds.filter((f) => f.status === 'updated');
      expect(updated).toHaveLength(14);
      // The snapshot does not hold the stalkerware feed: a 404, and no previous copy to keep.
      const stalkerware = report.feeds.find((f) => f.status !== 'updated');
      expect(stalkerware).toMatchObject({ name: 'Stalkerware Indicators of Compromise', status: 'failed' });
      expect(stalkerware?.reason).toMatch(/generated\/stalkerware\.stix2: HTTP 404 \(expected 200\)$/);
      for (const f of updated) expect(f.indicators, f.file).toBe(EXPECTED[f.url.split('/').pop() ?? '']);

      const ledger = await readLedger(dir);
      expect(Object.keys(ledger.feeds)).toHaveLength(14);
      const pegasus = Object.values(ledger.feeds).find((f) => f.url.endsWith('/pegasus.stix2'));
      expect(pegasus?.file).toMatch(/^127\.0\.0\.1_\d+_gh_AmnestyTech_investigations_master_2021-07-18_nso_pegasus\.stix2$/);
      expect(pegasus?.sha256).toBe(sha(join(IOCS, 'amnesty-investigations', '2021-07-18_nso', 'pegasus.stix2')));
      expect(pegasus?.downloadedAt).toBe('2026-12-03T08:00:00.000Z');
      expect(pegasus?.url).toBe(`${base}/gh/AmnestyTech/investigations/master/2021-07-18_nso/pegasus.stix2`);
      // The folder holds the 14 feeds and the hidden ledger, no leftover temporary file.
      expect(readdirSync(dir).sort()).toEqual([LEDGER_NAME, ...Object.keys(ledger.feeds)].sort());

      // Loaded by default: no --iocs, the user folder found through XDG_DATA_HOME.
      const loaded = await loadIndicators({ paths: [] });
      expect(loaded.rejected).toEqual([]);
      expect(loaded.files).toHaveLength(14);
      expect(loaded.total).toBe(Object.values(EXPECTED).reduce((a, b) => a + b, 0));

      // A second run with the same content changes nothing and keeps the first download time.
      const again = await updateFeeds({ indexUrl: serveIndex('real.yaml', rewrittenIndex()), now: () => new Date('2026-12-04T08:00:00Z') });
      expect(again.feeds.filter((f) => f.status === 'unchanged')).toHaveLength(14);
      expect((await readLedger(dir)).feeds[pegasus?.file ?? '']?.downloadedAt).toBe('2026-12-03T08:00:00.000Z');
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it.each([
    ['a 404', 404 as const, /HTTP 404 \(expected 200\); the previous copy is kept$/],
    ['a connection reset', 'reset' as const, /download failed \(.*(ECONNRESET|socket hang up|other side closed).*\); the previous copy is kept$/],
    ['a truncated bundle', { body: '{"type": "bundle", "objects": [{"type": "indic' }, /does not load as STIX 2 \(truncated or invalid JSON.*\); the previous copy is kept$/],
    ['STIX 1 XML', { body: '<stix:STIX_Package xmlns:stix="http://stix.mitre.org/stix-1"/>' }, /STIX 1\.x XML is not supported.*; the previous copy is kept$/],
    ['a bundle with no indicator', { body: '{"type": "bundle", "id": "bundle--1", "objects": []}' }, /no indicators in the bundle.*; the previous copy is kept$/],
  ])('keeps the previous copy of a feed after %s', async (_label, failure: Behaviour, reason) => {
    const dir = tempDir('feeds');
    const index = serveIndex('two.yaml', `indicators:\n  - type: url\n    name: Cellebrite\n    download_url: ${base}/gh/mvt-project/mvt-indicators/main/cellebrite/cellebrite.stix2\n  - type: url\n    name: RCS\n    download_url: ${base}/gh/mvt-project/mvt-indicators/main/2022-06-23_rcs_lab/rcs.stix2\n`);
    const first = await updateFeeds({ indexUrl: index, dir });
    expect(first.feeds.map((f) => f.status)).toEqual(['updated', 'updated']);
    const rcsFile = join(dir, first.feeds[1]?.file ?? '');
    const before = sha(rcsFile);
    const ledgerBefore = (await readLedger(dir)).feeds[first.feeds[1]?.file ?? ''];

    behaviour.set('rcs.stix2', failure);
    const second = await updateFeeds({ indexUrl: index, dir });
    expect(second.feeds[0]?.status).toBe('unchanged');
    expect(second.feeds[1]?.status).toBe('kept');
    expect(second.feeds[1]?.reason).toMatch(reason);
    expect(second.feeds[1]?.reason).not.toMatch(/\n/);
    expect(sha(rcsFile)).toBe(before);
    expect((await readLedger(dir)).feeds[first.feeds[1]?.file ?? '']).toEqual(ledgerBefore);
    expect((await loadIndicators({ paths: [], userDir: dir })).total).toBe(41);
    expect(readdirSync(dir).filter((n) => n.startsWith('.download'))).toEqual([]);
  });

  it('keeps the previous copy when a server stops sending in the middle of a feed (time bound)', async () => {
    const dir = tempDir('feeds');
    const index = serveIndex('slow.yaml', `indicators:\n  - type: url\n    name: RCS\n    download_url: ${base}/gh/mvt-project/mvt-indicators/main/2022-06-23_rcs_lab/rcs.stix2\n`);
    expect((await updateFeeds({ indexUrl: index, dir })).feeds[0]?.status).toBe('updated');
    behaviour.set('rcs.stix2', 'stall');
    const started = Date.now();
    const report = await updateFeeds({ indexUrl: index, dir, feedTimeoutMs: 300 });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(report.feeds[0]?.status).toBe('kept');
    expect(report.feeds[0]?.reason).toMatch(/rcs\.stix2: no complete answer within 0\.3 s; the previous copy is kept$/);
  });

  it('writes nothing for a corrupted feed that has no previous copy, and removes a stale partial download', async () => {
    const dir = tempDir('feeds');
    // Left by a run killed mid-download: removed, never loaded.
    writeFileSync(join(dir, '.download-1234-1-x.stix2'), '{"type": "bundle"');
    behaviour.set('rcs.stix2', { body: 'garbage' });
    const report = await updateFeeds({ indexUrl: serveIndex('one.yaml', `indicators:\n  - type: url\n    name: RCS\n    download_url: ${base}/x/rcs.stix2\n`), dir });
    expect(report.feeds[0]).toMatchObject({ status: 'failed' });
    expect(report.feeds[0]?.reason).toContain('does not load as STIX 2 (not JSON (expected a STIX 2 JSON bundle))');
    expect(readdirSync(dir)).toEqual([LEDGER_NAME]);
  });

  it('refuses a feed over the size limit while it streams, keeping the previous copy', async () => {
    const dir = tempDir('feeds');
    const index = serveIndex('big.yaml', `indicators:\n  - type: url\n    name: Predator\n    download_url: ${base}/gh/mvt-project/mvt-indicators/main/intellexa_predator/predator.stix2\n`);
    expect((await updateFeeds({ indexUrl: index, dir })).feeds[0]?.status).toBe('updated');
    const report = await updateFeeds({ indexUrl: index, dir, maxFeedBytes: 100_000 });
    expect(report.feeds[0]?.status).toBe('kept');
    expect(report.feeds[0]?.reason).toMatch(/predator\.stix2: more than the 100000-byte limit; the previous copy is kept$/);
  });

  it('refuses entries of unknown types with a line and fetches the others (github entries too)', async () => {
    const dir = tempDir('feeds');
    const index = serveIndex(
      'mixed.yaml',
      [
        'indicators:',
        '  - type: taxii',
        '    name: Some TAXII server',
        '    download_url: https://example.invalid/taxii',
        '  - name: No type at all',
        '  - type: github',
        '    name: Cellebrite',
        '    github:',
        '      owner: mvt-project',
        '      repo: mvt-indicators',
        '      path: cellebrite/cellebrite.stix2',
        '  - type: github',
        '    name: Escaping',
        '    github: {owner: x}',
        '  - type: github',
        '    name: Traversal',
        '    github:',
        '      owner: mvt-project',
        '      repo: mvt-indicators',
        '      path: ../../etc/passwd',
        '',
      ].join('\n'),
    );
    await expect(updateFeeds({ indexUrl: index, dir, githubRawBase: `${base}/gh` })).rejects.toThrow(/line 14: flow collections are not supported/);

    indexes.set('mixed.yaml', (indexes.get('mixed.yaml') ?? '').replace('    github: {owner: x}\n', ''));
    const report = await updateFeeds({ indexUrl: index, dir, githubRawBase: `${base}/gh` });
    expect(report.refused.map((r) => r.reason)).toEqual([
      'index entry 1 ("Some TAXII server"): unknown entry type "taxii" (expected github or url); skipped',
      'index entry 2 ("No type at all"): unknown entry type (none) (expected github or url); skipped',
      'index entry 4 ("Escaping"): type github without a "github:" block (expected owner, repo, branch, path)',
      'index entry 5 ("Traversal"): github entry with an unsafe owner, repo, branch or path (mvt-project/mvt-indicators/main/../../etc/passwd)',
    ]);
    // The branch defaults to main, as in MVT.
    expect(report.feeds).toEqual([expect.objectContaining({ name: 'Cellebrite', status: 'updated', indicators: 1, url: `${base}/gh/mvt-project/mvt-indicators/main/cellebrite/cellebrite.stix2` })]);
    expect(served.filter((p) => p.includes('taxii') || p.includes('passwd'))).toEqual([]);
  });

  it('stops with one line when the index itself cannot be read, and writes nothing', async () => {
    const dir = join(tempDir('feeds'), 'indicators');
    await expect(updateFeeds({ indexUrl: `${base}/index/missing-404`, dir })).rejects.toThrow(UserError);
    behaviour.set('/index/gone', 404);
    await expect(updateFeeds({ indexUrl: `${base}/index/gone`, dir })).rejects.toThrow(`cannot read the feed index: ${base}/index/gone: HTTP 404 (expected 200)`);
    await expect(updateFeeds({ indexUrl: serveIndex('not.yaml', '<html>hello</html>\n'), dir })).rejects.toThrow(/not a feed index: no "indicators:" list at the top/);
    expect(existsSync(dir)).toBe(false);
  });
});

describe('after iocs update, check loads the feeds by default', () => {
  it('a check of the MVT test backup with no --iocs names every downloaded feed in info.json', async () => {
    const data = tempDir('xdg');
    vi.stubEnv('XDG_DATA_HOME', data);
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      const index = serveIndex('e2e.yaml', `indicators:\n  - type: url\n    name: RCS\n    download_url: ${base}/gh/mvt-project/mvt-indicators/main/2022-06-23_rcs_lab/rcs.stix2\n  - type: url\n    name: Cellebrite\n    download_url: ${base}/gh/mvt-project/mvt-indicators/main/cellebrite/cellebrite.stix2\n`);
      expect(await main(['node', 'tracehound', 'iocs', 'update', '--index', index, '--json'])).toBe(0);
      const out = join(tempDir('check'), 'out');
      // No indicator of these two feeds is on the test backup: an incomplete check (3), no finding from them.
      expect(await main(['node', 'tracehound', 'check', mvtIosBackup(), '-o', out, '-q'])).toBe(3);
      const info = JSON.parse(readFileSync(join(out, 'info.json'), 'utf8')) as { indicator_files: { path: string; indicators: number }[] };
      const dir = join(data, 'tracehound', 'indicators');
      expect(info.indicator_files.map((f) => [f.path.startsWith(`${dir}/`), f.path.split('_').pop(), f.indicators])).toEqual([
        [true, 'rcs.stix2', 40],
        [true, 'cellebrite.stix2', 1],
      ]);
    } finally {
      spy.mockRestore();
      vi.unstubAllEnvs();
    }
  }, 60_000);
});

describe('the feed index', () => {
  it('reads the public index: 15 github entries, each a raw.githubusercontent.com URL and a safe .stix2 file name', () => {
    const index = parseFeedIndex(REAL_INDEX);
    expect(index.refused).toEqual([]);
    expect(index.feeds).toHaveLength(15);
    expect(index.feeds[0]).toEqual({
      position: 0,
      name: 'NSO Group Pegasus Indicators of Compromise',
      url: 'https://raw.githubusercontent.com/AmnestyTech/investigations/master/2021-07-18_nso/pegasus.stix2',
      file: 'raw.githubusercontent.com_AmnestyTech_investigations_master_2021-07-18_nso_pegasus.stix2',
    });
    for (const f of index.feeds) expect(f.file).toMatch(/^[A-Za-z0-9][A-Za-z0-9._-]*\.stix2$/);
  });

  it.each([
    ['anchors', 'a: &x 1\n', /line 1: anchors, aliases and tags/],
    ['block scalars', 'a: |\n  text\n', /line 1: block scalars/],
    ['two documents', 'a: 1\n---\nb: 2\n', /line 2: several YAML documents/],
    ['a duplicate key', 'a: 1\na: 2\n', /line 2: key "a" given twice/],
    ['bad indentation', 'a:\n    b: 1\n  c: 2\n', /line 3: unexpected indentation/],
    ['deep nesting', `${Array.from({ length: 40 }, (_, i) => `${' '.repeat(i * 2)}k${i}:`).join('\n')}\n${' '.repeat(80)}v: 1\n`, /nested deeper than 16 levels/],
    ['an unterminated quote', 'a: "open\n', /line 1: unterminated double-quoted string/],
  ])('refuses %s with a line naming it', (_label, text, message) => {
    expect(() => parseIndexYaml(text)).toThrow(message);
  });

  it('reads quoted scalars, comments, and sequences at their key’s indentation', () => {
    expect(parseIndexYaml("# head\nindicators:\n- type: 'url' # note\n  name: \"a \\\"b\\\"\"\n  download_url: https://x.test/a#frag\n")).toEqual({
      indicators: [{ type: 'url', name: 'a "b"', download_url: 'https://x.test/a#frag' }],
    });
  });
});

describe('tracehound iocs update', () => {
  let stdout = '';
  beforeEach(() => {
    stdout = '';
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((stdout += String(chunk)), true));
  });
  afterEach(() => {
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
  });

  it('prints one line per feed and a total, and exits 3 when a feed could not be fetched', async () => {
    vi.stubEnv('XDG_DATA_HOME', tempDir('xdg'));
    const index = serveIndex('cli.yaml', `indicators:\n  - type: url\n    name: Cellebrite\n    download_url: ${base}/gh/mvt-project/mvt-indicators/main/cellebrite/cellebrite.stix2\n  - type: url\n    name: Gone\n    download_url: ${base}/gh/mvt-project/mvt-indicators/main/gone.stix2\n`);
    expect(await main(['node', 'tracehound', 'iocs', 'update', '--index', index])).toBe(3);
    expect(stdout).toContain('updated   Cellebrite  (1 indicators)');
    expect(stdout).toContain(`failed    Gone\n          ${base}/gh/mvt-project/mvt-indicators/main/gone.stix2: HTTP 404 (expected 200)`);
    expect(stdout).toMatch(/1 updated, 0 unchanged, 0 kept \(download failed, previous copy used\), 1 failed, 0 refused; feeds in .*tracehound\/indicators\n$/);
  });

  it('exits 0 with --json when every feed is fetched', async () => {
    vi.stubEnv('XDG_DATA_HOME', tempDir('xdg'));
    const index = serveIndex('cli-ok.yaml', `indicators:\n  - type: url\n    name: Cellebrite\n    download_url: ${base}/gh/mvt-project/mvt-indicators/main/cellebrite/cellebrite.stix2\n`);
    expect(await main(['node', 'tracehound', 'iocs', 'update', '--index', index, '--json'])).toBe(0);
    const report = JSON.parse(stdout) as { feeds: { status: string; indicators: number }[] };
    expect(report.feeds).toEqual([expect.objectContaining({ status: 'updated', indicators: 1 })]);
  });
});
