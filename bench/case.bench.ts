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

  // The encrypted case: the passphrase from the environment, as a script gives it (the prompt otherwise).
  const sealedEnv = { ...process.env, TRACEHOUND_CASE_PASSPHRASE: 'bench passphrase' };
  const sealedDir = join(work, 'case-encrypted');
  const intoSealed = values.encrypt ? await measure(cli([...base, '--case', sealedDir, '--device', 'phone-0', '--encrypt']), sealedEnv) : null;

  const growMs = grow(dbPath, copies - 1);
  const grown = caseStats(dbPath);
  const recheck = await measure(cli(['recheck', caseDir, '--iocs', FEEDS, '--iocs', demo, '--no-default-iocs', '--json']));
  const again = await measure(cli(['recheck', caseDir, '--iocs', FEEDS, '--iocs', demo, '--no-default-iocs', '--json']));
  // The grown case, locked, then rechecked encrypted: the same data as the plain recheck above.
  const lockedDir = join(work, 'case-locked');
  if (values.encrypt) cpSync(caseDir, lockedDir, { recursive: true });
  const lock = values.encrypt ? await measure(cli(['case', 'lock', lockedDir, '--quiet']), sealedEnv) : null;
  const recheckSealed = values.encrypt ? await measure(cli(['recheck', lockedDir, '--iocs', FEEDS, '--iocs', demo, '--no-default-iocs', '--json']), sealedEnv) : null;
  const parsed = JSON.parse(recheck.stdout) as { new: unknown[]; gone: unknown[] };
  const parsedAgain = JSON.parse(again.stdout) as { new: unknown[]; gone: unknown[] };

  const row = (label: string, m: Measured, extra = '') =>
    `| ${label} | ${(m.wallMs / 1000).toFixed(2)} s | ${m.cpuMs === null ? '?' : `${(m.cpuMs / 1000).toFixed(2)} s`} | ${m.peakRssMb === null ? "?" : m.peakRssMb.toFixed(0)} MB | exit ${m.exitCode} | ${extra} |`;
  const mb = (b: number) => `${(b / 1e6).toFixed(1)} MB`;
  console.log(`backup: ${gen.manifestEntries} Manifest entries, ${gen.sms.messages} messages (size ${values.size}); peak memory by ${rssMethod()}`);
  console.log('| run | wall | cpu | peak RSS | | notes |\n|---|---|---|---|---|---|');
  console.log(row('check, no case', plain));
  console.log(row('check --case (new case)', intoCase, `case ${mb(one.bytes)}: ${one.records} records, ${one.observables} observables, ${one.keys} match keys (${one.distinctKeys} distinct); ${Math.round(one.bytes / one.observables)} bytes per observable (records and keys included)`));
  console.log(
    row(`recheck, ${copies} acquisitions, every feed`, recheck, `case ${mb(grown.bytes)}: ${grown.observables} observables, ${grown.keys} keys, ${grown.distinctKeys} distinct (grown in ${(growMs / 1000).toFixed(1)} s); ${parsed.new.length} new, ${parsed.gone.length} gone`),
  );
  console.log(row('recheck again, nothing changed', again, `${parsedAgain.new.length} new, ${parsedAgain.gone.length} gone`));
  if (intoSealed && lock && recheckSealed) {
    const sealedBytes = statSync(join(sealedDir, 'case.db.age')).size;
    const lockedBytes = statSync(join(lockedDir, 'case.db.age')).size;
    const sealedParsed = JSON.parse(recheckSealed.stdout || '{"new":[],"gone":[]}') as { new: unknown[]; gone: unknown[] };
    console.log(row('check --case --encrypt (new case)', intoSealed, `case.db.age ${mb(sealedBytes)} (plain case.db ${mb(one.bytes)}, +${sealedBytes - one.bytes} bytes)`));
    console.log(row(`case lock, ${copies} acquisitions`, lock, `case.db.age ${mb(lockedBytes)} (plain ${mb(grown.bytes)})`));
    console.log(row(`recheck, ${copies} acquisitions, encrypted`, recheckSealed, `${sealedParsed.new.length} new, ${sealedParsed.gone.length} gone; rewritten case.db.age ${mb(statSync(join(lockedDir, 'case.db.age')).size)}`));
    for (const m of [intoSealed, lock, recheckSealed]) if (m.exitCode > 1) console.log(`stderr: ${m.stderrTail}`);
  }
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

/**
 * Adds `extra` copies of acquisition 1 (its device, records, observables and keys, and its check run), each as
 * its own device, with SQL inside the database: the case a helpline would have after that many checks.
 */
function grow(path: string, extra: number): number {
  const started = performance.now();
  const db = new Database(path);
  try {
    const max = (table: string) => Number((db.prepare(`SELECT coalesce(max(id), 0) AS m FROM ${table}`).get() as { m: number }).m);
    for (let i = 1; i <= extra; i++) {
      db.transaction(() => {
        const rec = max('records');
        const obs = max('observables');
        const dev = Number(db.prepare('INSERT INTO devices (name, created_at) VALUES (?, ?)').run(`phone-${i}`, new Date().toISOString()).lastInsertRowid);
        const acq = Number(
          db.prepare(`INSERT INTO acquisitions (device_id, kind, target, encrypted, acquired_at, metadata, added_at) SELECT ?, kind, target, encrypted, acquired_at, metadata, added_at FROM acquisitions WHERE id = 1`).run(dev)
            .lastInsertRowid,
        );
        const run = Number(db.prepare(`INSERT INTO runs (kind, tool_name, tool_version, options, started_at, finished_at) SELECT kind, tool_name, tool_version, options, started_at, finished_at FROM runs WHERE id = 1`).run().lastInsertRowid);
        db.prepare('INSERT INTO run_acquisitions (run_id, acquisition_id) VALUES (?, ?)').run(run, acq);
        db.prepare(`INSERT INTO records (id, acquisition_id, artifact, evidence_file, evidence_ref, locator, data) SELECT id + ?, ?, artifact, evidence_file, evidence_ref, locator, data FROM records WHERE acquisition_id = 1`).run(rec, acq);
        db.prepare(`INSERT INTO observables (id, record_id, kind, value, field, role) SELECT o.id + ?, o.record_id + ?, o.kind, o.value, o.field, o.role FROM observables o JOIN records r ON r.id = o.record_id WHERE r.acquisition_id = 1`).run(obs, rec);
        db.prepare(`INSERT INTO observable_keys (observable_id, key_id, parent, truncated_id) SELECT k.observable_id + ?, k.key_id, k.parent, k.truncated_id FROM observable_keys k JOIN observables o ON o.id = k.observable_id JOIN records r ON r.id = o.record_id WHERE r.acquisition_id = 1`).run(obs);
        db.prepare(`INSERT INTO findings (run_id, acquisition_id, record_id, level, artifact, message, explanation, event_time, evidence_file, evidence_ref, locator, indicator_value, indicator_key, indicator_bucket, indicator_collection_id, indicator_collection, indicator_file, indicator_sha256, indicator_stix_id, match_kind, match_observed, match_field, rule_id, rule_version, rule_source, recovered)
          SELECT ?, ?, record_id + ?, level, artifact, message, explanation, event_time, evidence_file, evidence_ref, locator, indicator_value, indicator_key, indicator_bucket, indicator_collection_id, indicator_collection, indicator_file, indicator_sha256, indicator_stix_id, match_kind, match_observed, match_field, rule_id, rule_version, rule_source, recovered FROM findings WHERE run_id = 1`).run(run, acq, rec);
      })();
    }
  } finally {
    db.close();
  }
  return performance.now() - started;
}
