/**
 * Benchmark of the case store (npm run bench:case): what adding a check to a case costs, and what a recheck
 * costs as the case grows.
 *
 * 1. Generate an iOS backup (seeded, DemoSpy's traces planted) of the chosen size.
 * 2. Run the real CLI on it as a child: `check` without a case, then `check --case` (time, peak RSS, case size,
 *    bytes per stored observable).
 * 3. Grow the case to N acquisitions by copying the stored acquisition's rows inside the database (a stand-in for
 *    N checks of phones of that size, which would take N times the check), then `recheck` it against every real
 *    feed plus DemoSpy's bundle: time, peak RSS, database size, and the findings it reports.
 *
 *   npm run bench:case                               10k-entry backup, case grown to 10 acquisitions
 *   npm run bench:case -- --size 50k --copies 100    bigger
 *   npm run bench:case -- --copies 1000              the issue's case: 1,000 acquisitions, 14 million observables
 *   npm run bench:case -- --keep                     keep the work folder (path printed)
 *   npm run bench:case -- --encrypt                  also: the same check into an encrypted case (`--encrypt`,
 *                                                    age scrypt at its default work factor), the grown case
 *                                                    locked (`case lock`) and rechecked encrypted, side by side
 */
import Database from 'better-sqlite3';
import { cpSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEMO_PLANTS, demoStixBundle } from '../src/synth/demo.js';
import { generateIosBackup } from '../src/synth/ios-backup.js';
import { cli, measure, projectRoot, rssMethod, type Measured } from './_child.js';

const SEED = 20240601;
const FEEDS = resolve(projectRoot, '..', 'shared', 'data', 'iocs');

const { values } = parseArgs({
  options: { size: { type: 'string', default: '10k' }, copies: { type: 'string', default: '10' }, keep: { type: 'boolean', default: false }, encrypt: { type: 'boolean', default: false } },
});
const k = Number.parseInt(values.size.replace(/k$/i, ''), 10) / 10;
if (!Number.isFinite(k) || k <= 0) throw new Error(`--size: expected 10k, 50k, … (got ${values.size})`);
const copies = Number.parseInt(values.copies, 10);

const work = mkdtempSync(join(tmpdir(), 'th-bench-case-'));
try {
  const backup = join(work, 'backup');
  const gen = generateIosBackup(backup, { seed: SEED, manifestEntries: 10_000 * k, messages: 2_000 * k, visits: 2_000 * k, processes: Math.min(2_000, 200 * k), plant: DEMO_PLANTS });
  const demo = join(work, 'demo.stix2');
  writeFileSync(demo, JSON.stringify(demoStixBundle()));
  const caseDir = join(work, 'case');
  const base = ['check', backup, '--iocs', demo, '--no-default-iocs', '--quiet'];

  const plain = await measure(cli(base));
  const intoCase = await measure(cli([...base, '--case', caseDir, '--device', 'phone-0']));
  const dbPath = join(caseDir, 'case.db');
  const one = caseStats(dbPath);

  // A feed that adds a domain the phone visited: each visit of each acquisition must become one new finding.
  const visited = leastVisitedDomain(dbPath);
  const extra = join(work, 'visited.stix2');
  writeFileSync(extra, JSON.stringify(oneDomainBundle(visited.domain)));

  // The encrypted case: the passphrase from the environment, as a script gives it (the prompt otherwise).
  const sealedEnv = { ...process.env, TRACEHOUND_CASE_PASSPHRASE: 'bench passphrase' };
  const sealedDir = join(work, 'case-encrypted');
  const intoSealed = values.encrypt ? await measure(cli([...base, '--case', sealedDir, '--device', 'phone-0', '--encrypt']), sealedEnv) : null;

  const growth = grow(dbPath, copies - 1);
  const grown = caseStats(dbPath);
  const everyFeed = ['recheck', caseDir, '--iocs', FEEDS, '--iocs', demo, '--no-default-iocs', '--json'];
  const recheck = await measure(cli(everyFeed));
  const again = await measure(cli(everyFeed));
  // The grown case, locked, then rechecked encrypted: the same data as the plain recheck above.
  const lockedDir = join(work, 'case-locked');
  if (values.encrypt) cpSync(caseDir, lockedDir, { recursive: true });
  const lock = values.encrypt ? await measure(cli(['case', 'lock', lockedDir, '--quiet']), sealedEnv) : null;
  const recheckSealed = values.encrypt ? await measure(cli(['recheck', lockedDir, '--iocs', FEEDS, '--iocs', demo, '--no-default-iocs', '--json']), sealedEnv) : null;
  const added = await measure(cli([...everyFeed, '--iocs', extra]));
  const parsed = JSON.parse(recheck.stdout) as RecheckJson;
  const parsedAgain = JSON.parse(again.stdout) as RecheckJson;
  const parsedAdded = JSON.parse(added.stdout) as RecheckJson;
  const current = (r: RecheckJson) => r.cases.reduce((n, c) => n + c.current, 0);

  const row = (label: string, m: Measured, extra = '') =>
    `| ${label} | ${(m.wallMs / 1000).toFixed(2)} s | ${m.cpuMs === null ? '?' : `${(m.cpuMs / 1000).toFixed(2)} s`} | ${m.peakRssMb === null ? "?" : m.peakRssMb.toFixed(0)} MB | exit ${m.exitCode} | ${extra} |`;
  const mb = (b: number) => `${(b / 1e6).toFixed(1)} MB`;
  console.log(`backup: ${gen.manifestEntries} Manifest entries, ${gen.sms.messages} messages (size ${values.size}); peak memory by ${rssMethod()}`);
  console.log('| run | wall | cpu | peak RSS | | notes |\n|---|---|---|---|---|---|');
  console.log(row('check, no case', plain));
  console.log(row('check --case (new case)', intoCase, `case ${mb(one.bytes)}: ${one.records} records, ${one.observables} observables, ${one.keys} match keys (${one.distinctKeys} distinct); ${Math.round(one.bytes / one.observables)} bytes per observable (records and keys included)`));
  console.log(
    row(
      `recheck, ${copies} acquisitions, every feed`,
      recheck,
      `case ${mb(grown.bytes)}: ${grown.observables} observables (${Math.round(grown.bytes / grown.observables)} bytes each), ${grown.keys} keys, ${grown.distinctKeys} distinct (grown in ${(growth.wallMs / 1000).toFixed(1)} s, ${(growth.cpuMs / 1000).toFixed(1)} s of CPU); ${parsed.new.length} new, ${parsed.gone.length} gone; ${current(parsed)} indicator findings current`,
    ),
  );
  console.log(row('recheck again, nothing changed', again, `${parsedAgain.new.length} new, ${parsedAgain.gone.length} gone; ${current(parsedAgain)} indicator findings current`));
  console.log(
    row(
      `recheck, every feed + a feed adding ${visited.domain} (${visited.visits} visits per phone)`,
      added,
      `${parsedAdded.new.length} new (expected ${visited.expected * copies}; in ${new Set(parsedAdded.new.map((f) => f.acquisitionId)).size} acquisitions), ${parsedAdded.gone.length} gone; ${current(parsedAdded)} current`,
    ),
  );
  if (intoSealed && lock && recheckSealed) {
    const sealedBytes = statSync(join(sealedDir, 'case.db.age')).size;
    const lockedBytes = statSync(join(lockedDir, 'case.db.age')).size;
    const sealedParsed = JSON.parse(recheckSealed.stdout || '{"new":[],"gone":[]}') as { new: unknown[]; gone: unknown[] };
    console.log(row('check --case --encrypt (new case)', intoSealed, `case.db.age ${mb(sealedBytes)} (plain case.db ${mb(one.bytes)}, +${sealedBytes - one.bytes} bytes)`));
    console.log(row(`case lock, ${copies} acquisitions`, lock, `case.db.age ${mb(lockedBytes)} (plain ${mb(grown.bytes)})`));
    console.log(row(`recheck, ${copies} acquisitions, encrypted`, recheckSealed, `${sealedParsed.new.length} new, ${sealedParsed.gone.length} gone; rewritten case.db.age ${mb(statSync(join(lockedDir, 'case.db.age')).size)}`));
    for (const m of [intoSealed, lock, recheckSealed]) if (m.exitCode > 1) console.log(`stderr: ${m.stderrTail}`);
  }
  console.log(`\nwhere the bytes go at ${copies} acquisitions (bytes per stored observable, from SQLite's dbstat):`);
  console.log(breakdown(dbPath, grown.observables));
  if (intoCase.exitCode > 1 || recheck.exitCode > 1) console.log(`stderr: ${intoCase.stderrTail}${recheck.stderrTail}`);
} finally {
  if (values.keep) console.log(`kept: ${work}`);
  else rmSync(work, { recursive: true, force: true });
}

function caseStats(path: string): { bytes: number; records: number; observables: number; keys: number; distinctKeys: number } {
  const db = new Database(path, { readonly: true });
  try {
    const n = (table: string) => Number((db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n);
    return { bytes: statSync(path).size, records: n('records'), observables: n('observables'), keys: n('observable_keys'), distinctKeys: n('match_keys') };
  } finally {
    db.close();
  }
}

interface RecheckJson {
  readonly new: { readonly acquisitionId: number }[];
  readonly gone: unknown[];
  readonly cases: { readonly current: number }[];
}

/**
 * The ordinary domain (not one of the demo's planted `.example` names) the phone visited least often (as the
 * host of a URL, no subdomain of it seen), and how many findings an indicator of it must give: one per record
 * and value seen with it (visits, links, folders named after it).
 */
function leastVisitedDomain(path: string): { domain: string; visits: number; expected: number } {
  const db = new Database(path, { readonly: true });
  try {
    const row = db
      .prepare(
        `SELECT m.key_value AS v, count(*) AS n FROM match_keys m JOIN observable_keys k ON k.key_id = m.id JOIN observables o ON o.id = k.observable_id JOIN observable_fields f ON f.id = o.field_id
         WHERE m.key_index = 'domain' AND m.key_value NOT LIKE '%.example' AND f.kind = 'url' AND f.field = 'url' GROUP BY m.id HAVING max(k.parent) = 0 ORDER BY n, v LIMIT 1`,
      )
      .get() as { v: string; n: number } | undefined;
    if (row === undefined) throw new Error('the generated backup has no visited domain');
    const seen = db
      .prepare(
        `SELECT count(DISTINCT o.record_id || '|' || o.value) AS n FROM match_keys m JOIN observable_keys k ON k.key_id = m.id JOIN observables o ON o.id = k.observable_id
         WHERE m.key_index = 'domain' AND m.key_value = ? AND k.parent = 0`,
      )
      .get(row.v) as { n: number };
    return { domain: row.v, visits: row.n, expected: seen.n };
  } finally {
    db.close();
  }
}

/** A STIX 2.1 bundle of one malware and one domain indicator. */
function oneDomainBundle(domain: string): object {
  const common = { spec_version: '2.1', created: '2026-12-01T00:00:00.000Z', modified: '2026-12-01T00:00:00.000Z' };
  const malware = 'malware--b0000000-0000-4000-8000-000000000001';
  const indicator = 'indicator--b0000000-0000-4000-9000-000000000001';
  return {
    type: 'bundle',
    id: 'bundle--b0000000-0000-4000-a000-000000000001',
    objects: [
      { type: 'malware', id: malware, ...common, name: 'Retro-hunt', is_family: false },
      { type: 'indicator', id: indicator, ...common, pattern: `[domain-name:value = '${domain}']`, pattern_type: 'stix', valid_from: '2026-12-01T00:00:00Z' },
      { type: 'relationship', id: 'relationship--b0000000-0000-4000-a000-000000000002', ...common, relationship_type: 'indicates', source_ref: indicator, target_ref: malware },
    ],
  };
}

/** The database's pages by what they hold, per stored observable: a markdown table. */
function breakdown(path: string, observables: number): string {
  const db = new Database(path, { readonly: true });
  try {
    const kinds = new Map((db.prepare(`SELECT name, type, tbl_name FROM sqlite_master`).all() as { name: string; type: string; tbl_name: string }[]).map((r) => [r.name, r]));
    const group = (name: string): string => {
      const m = kinds.get(name);
      if (m?.type === 'index' || name.startsWith('sqlite_autoindex_')) {
        const table = m?.tbl_name ?? '';
        return ['observables', 'observable_keys', 'match_keys'].includes(table) ? `index of ${table}` : 'other indexes';
      }
      if (['records', 'record_sources', 'record_blocks'].includes(name)) return 'records (rows, sources, deflated blocks)';
      if (['observables', 'observable_fields'].includes(name)) return 'observables (values, field ids)';
      if (['observable_keys', 'match_keys'].includes(name)) return 'match keys (links, distinct keys)';
      return 'everything else (findings, coverage, runs, devices…)';
    };
    const sums = new Map<string, number>();
    for (const r of db.prepare(`SELECT name, sum(pgsize) AS bytes FROM dbstat GROUP BY name`).all() as { name: string; bytes: number }[]) {
      sums.set(group(r.name), (sums.get(group(r.name)) ?? 0) + r.bytes);
    }
    const total = [...sums.values()].reduce((a, b) => a + b, 0);
    const lines = [...sums].sort((a, b) => b[1] - a[1]).map(([g, b]) => `| ${g} | ${(b / 1e6).toFixed(1)} MB | ${(b / observables).toFixed(0)} |`);
    return ['| part | size | bytes per observable |', '|---|---|---|', ...lines, `| total | ${(total / 1e6).toFixed(1)} MB | ${(total / observables).toFixed(0)} |`].join('\n');
  } finally {
    db.close();
  }
}

/**
 * Adds `extra` copies of the case's one acquisition, each a distinct acquisition of its own device (own ids,
 * device, run, sources, blocks, records, observables, keys, findings, coverage, timeline), with SQL inside the database:
 * the case a helpline would have after that many checks of phones of that size.
 *
 * Bulk loading, the bench's alone: the copies go in with the journal in memory and no fsync (a crash loses the bench's
 * scratch case, nothing else; the product never does this), and the two indexes that grow with every row are
 * dropped first and built once at the end, over sorted data, instead of being updated row by row. Rows are
 * read from the first acquisition by id range (it holds every row before the copies start).
 */
function grow(path: string, extra: number): { wallMs: number; cpuMs: number } {
  const started = performance.now();
  const cpu = process.cpuUsage();
  const db = new Database(path);
  try {
    // better-sqlite3 opens in SQLite's defensive mode, which refuses journal_mode = OFF: the journal is kept in
    // memory instead (the copies append new pages, which need no journal).
    const mode = (db.pragma('journal_mode = MEMORY') as { journal_mode: string }[])[0]?.journal_mode;
    if (mode !== 'memory') throw new Error(`grow: journal_mode stayed ${String(mode)}`);
    db.pragma('synchronous = OFF');
    db.pragma('cache_size = -262144'); // 256 MB of page cache for the index builds
    const one = (sql: string) => Number((db.prepare(sql).get() as { n: number | null }).n ?? 0);
    if (one('SELECT count(*) AS n FROM acquisitions') !== 1) throw new Error('grow: expected a case with exactly one acquisition');
    const range = (table: string, id = 'id') => ({ lo: one(`SELECT min(${id}) AS n FROM ${table}`), hi: one(`SELECT max(${id}) AS n FROM ${table}`) });
    const src = { source: range('record_sources'), block: range('record_blocks'), record: range('records'), observable: range('observables'), key: range('observable_keys', 'rowid') };
    const indexes = db.prepare(`SELECT sql FROM sqlite_master WHERE type = 'index' AND name IN ('observables_record', 'observable_keys_key')`).all() as { sql: string }[];
    db.exec('DROP INDEX observables_record; DROP INDEX observable_keys_key;');
    const stmts = {
      device: db.prepare('INSERT INTO devices (name, created_at) VALUES (?, ?)'),
      acquisition: db.prepare(`INSERT INTO acquisitions (device_id, kind, target, encrypted, acquired_at, metadata, added_at) SELECT ?, kind, target, encrypted, acquired_at, metadata, added_at FROM acquisitions WHERE id = 1`),
      inputs: db.prepare(`INSERT INTO acquisition_inputs (acquisition_id, path, label, sha256, bytes) SELECT ?, path, label, sha256, bytes FROM acquisition_inputs WHERE acquisition_id = 1`),
      run: db.prepare(`INSERT INTO runs (kind, tool_name, tool_version, options, started_at, finished_at) SELECT kind, tool_name, tool_version, options, started_at, finished_at FROM runs WHERE id = 1`),
      runAcq: db.prepare('INSERT INTO run_acquisitions (run_id, acquisition_id) VALUES (?, ?)'),
      coverage: db.prepare(`INSERT INTO coverage (run_id, acquisition_id, artifact, title, state, records, files, issues, reason) SELECT ?, ?, artifact, title, state, records, files, issues, reason FROM coverage WHERE run_id = 1`),
      timeline: db.prepare(`INSERT INTO timeline_events (acquisition_id, event_time, artifact, event, description) SELECT ?, event_time, artifact, event, description FROM timeline_events WHERE acquisition_id = 1`),
      span: db.prepare(`INSERT INTO acquisition_timelines (acquisition_id, first_time, last_time, total, omitted, window_ms) SELECT ?, first_time, last_time, total, omitted, window_ms FROM acquisition_timelines WHERE acquisition_id = 1`),
      sources: db.prepare(`INSERT INTO record_sources (id, acquisition_id, artifact, evidence_file, evidence_ref) SELECT id + ?, ?, artifact, evidence_file, evidence_ref FROM record_sources WHERE id BETWEEN ? AND ?`),
      blocks: db.prepare(`INSERT INTO record_blocks (id, acquisition_id, encoding, records, content) SELECT id + ?, ?, encoding, records, content FROM record_blocks WHERE id BETWEEN ? AND ?`),
      records: db.prepare(`INSERT INTO records (id, acquisition_id, source_id, block_id, block_index) SELECT id + ?, ?, source_id + ?, block_id + ?, block_index FROM records WHERE id BETWEEN ? AND ?`),
      observables: db.prepare(`INSERT INTO observables (id, record_id, field_id, value) SELECT id + ?, record_id + ?, field_id, value FROM observables WHERE id BETWEEN ? AND ?`),
      keys: db.prepare(`INSERT INTO observable_keys (observable_id, key_id, parent, truncated_id) SELECT observable_id + ?, key_id, parent, truncated_id FROM observable_keys WHERE rowid BETWEEN ? AND ?`),
      findings: db.prepare(`INSERT INTO findings (run_id, acquisition_id, record_id, level, artifact, message, explanation, event_time, evidence_file, evidence_ref, locator, indicator_value, indicator_key, indicator_bucket, indicator_collection_id, indicator_collection, indicator_file, indicator_sha256, indicator_stix_id, match_kind, match_observed, match_field, rule_id, rule_version, rule_source, recovered)
          SELECT ?, ?, record_id + ?, level, artifact, message, explanation, event_time, evidence_file, evidence_ref, locator, indicator_value, indicator_key, indicator_bucket, indicator_collection_id, indicator_collection, indicator_file, indicator_sha256, indicator_stix_id, match_kind, match_observed, match_field, rule_id, rule_version, rule_source, recovered FROM findings WHERE run_id = 1`),
    };
    const span = (r: { lo: number; hi: number }) => r.hi - r.lo + 1;
    const copy = (i: number) => {
      const dev = Number(stmts.device.run(`phone-${i}`, new Date().toISOString()).lastInsertRowid);
      const acq = Number(stmts.acquisition.run(dev).lastInsertRowid);
      stmts.inputs.run(acq);
      const run = Number(stmts.run.run().lastInsertRowid);
      stmts.runAcq.run(run, acq);
      stmts.coverage.run(run, acq);
      stmts.timeline.run(acq);
      stmts.span.run(acq);
      // Copy i's rows take the ids after copy i-1's: the first acquisition's ids shifted by i spans.
      const off = { source: i * span(src.source), block: i * span(src.block), record: i * span(src.record), observable: i * span(src.observable) };
      stmts.sources.run(off.source, acq, src.source.lo, src.source.hi);
      stmts.blocks.run(off.block, acq, src.block.lo, src.block.hi);
      stmts.records.run(off.record, acq, off.source, off.block, src.record.lo, src.record.hi);
      stmts.observables.run(off.observable, off.record, src.observable.lo, src.observable.hi);
      stmts.keys.run(off.observable, src.key.lo, src.key.hi);
      stmts.findings.run(run, acq, off.record);
    };
    const BATCH = 50;
    for (let first = 1; first <= extra; first += BATCH) {
      db.transaction(() => {
        for (let i = first; i < Math.min(first + BATCH, extra + 1); i++) copy(i);
      })();
    }
    for (const { sql } of indexes) db.exec(sql);
  } finally {
    db.close();
  }
  const used = process.cpuUsage(cpu);
  return { wallMs: performance.now() - started, cpuMs: (used.user + used.system) / 1000 };
}
