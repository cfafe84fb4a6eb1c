/**
 * The output contract, pinned file by file: `check` on the MVT test backup with the MVT test indicators writes
 * these files, byte for byte, in both formats. Each written file has its own snapshot under
 * __snapshots__/output-snapshots/<format>/, so a change to the outputs shows as a per-file diff in review.
 *
 * A snapshot change is a change of contract: update with `npx vitest run test/app/output-snapshots.test.ts -u`
 * only when the new output is intended, and say so in the commit.
 *
 * The spec tests below state the properties a refactor is most likely to drop silently (coverage.json, each
 * record's source, timeline de-duplication, MVT's ASCII-only JSON), so a lost property fails with a readable
 * message and not only as a snapshot diff.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { allArtifacts, check, type CheckResult, type OutputFormat } from '../../src/app/check.js';
import { toolVersion } from '../../src/version.js';
import { tempDir } from '../fixtures/ios-backup.js';
import { insertHandle, insertMessage, smsBackup, smsDbBytes } from '../fixtures/sms.js';
import { mvtIosBackup, mvtTestStix } from '../helpers/data.js';

interface Run {
  readonly format: OutputFormat;
  readonly dir: string;
  readonly result: CheckResult;
  readonly files: readonly string[];
  readonly read: (name: string) => string;
}

async function runInto(format: OutputFormat, target = mvtIosBackup()): Promise<Run> {
  const dir = join(tempDir(`snap-${format}`), 'out');
  const result = await check({ target, iocs: [mvtTestStix()], userIocDir: null, output: dir, format });
  const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort();
  return { format, dir, result, files, read: (name) => readFileSync(join(dir, name), 'utf8') };
}

/**
 * What legitimately differs between two runs or two machines, and nothing else: the absolute paths of the
 * backup, the indicator file and the output folder (anywhere they appear), and, in info.json only, the tool
 * version and the run's start/finish time. Each field replacement must hit exactly once, so a renamed field
 * fails here instead of leaking a clock value into the snapshot or silently normalising nothing.
 * (The outputs carry no durations today; if one is added, it belongs here.)
 */
function normalise(run: Run, name: string): string {
  let text = run.read(name);
  for (const [path, label] of [
    [mvtIosBackup(), '<BACKUP>'],
    [mvtTestStix(), '<IOCS>'],
    [run.dir, '<OUTPUT>'],
  ] as const) {
    text = text.replaceAll(path, label);
  }
  if (name !== 'info.json') return text;
  const fields = /"(?:started_at|finished_at|date)": "[^"]*"/.source;
  const versions = [`"version": "${toolVersion}"`, `"tracehound_version": "${toolVersion}"`];
  const clockHits = text.match(new RegExp(fields, 'g'))?.length ?? 0;
  const versionHits = versions.reduce((n, v) => n + text.split(v).length - 1, 0);
  // native: started_at and finished_at; mvt: date. One version field in each.
  expect({ clockHits, versionHits }, 'info.json fields normalised').toEqual({ clockHits: run.format === 'native' ? 2 : 1, versionHits: 1 });
  text = text.replace(new RegExp(fields, 'g'), (m) => `${m.slice(0, m.indexOf(':'))}: "<TIME>"`);
  for (const v of versions) text = text.replace(v, `${v.slice(0, v.indexOf(':'))}: "<VERSION>"`);
  return text;
}

const nativeFiles = [
  'alerts.json',
  'coverage.json',
  'info.json',
  'ios.backup_info.json',
  'ios.calendar.json',
  'ios.datausage.json',
  'ios.global_preferences.json',
  'ios.interaction_c.json',
  'ios.manifest.json',
  'ios.safari_browser_state.json',
  'ios.sms.json',
  'ios.tcc.json',
  'ios.webkit_resource_load_statistics.json',
  'ios.whatsapp.json',
  'ios.whatsapp_contacts.json',
  'timeline.csv',
];

const mvtFiles = [
  'alerts.json',
  'alerts_timeline.csv',
  'backup_info.json',
  'calendar.json',
  'datausage.json',
  'datausage_detected.json',
  'global_preferences.json',
  'global_preferences_detected.json',
  'info.json',
  'interaction_c.json',
  'manifest.json',
  'safari_browser_state.json',
  'sms.json',
  'sms_detected.json',
  'tcc.json',
  'tcc_detected.json',
  'timeline.csv',
  'urls.json',
  'webkit_resource_load_statistics.json',
  'whatsapp.json',
  'whatsapp_contacts.json',
  'whatsapp_detected.json',
];

const runs = {} as Record<OutputFormat, Run>;
beforeAll(async () => {
  // One after the other: each run holds a scratch timeline database and the machine is shared.
  runs.native = await runInto('native');
  runs.mvt = await runInto('mvt');
});

describe.each([
  ['native', nativeFiles],
  ['mvt', mvtFiles],
] as const)('check --format %s on the MVT test backup', (format, expected) => {
  it('writes exactly these files, and reports the same list', () => {
    const run = runs[format];
    expect(run.files).toEqual(expected);
    expect(run.result.outputFiles.map((f) => f.slice(run.dir.length + 1)).sort()).toEqual(expected);
  });

  it.each(expected)('%s matches its snapshot', async (name) => {
    await expect(normalise(runs[format], name)).toMatchFileSnapshot(`./__snapshots__/output-snapshots/${format}/${name}`);
  });
});

describe('native output: the properties the snapshots pin', () => {
  it('coverage.json has one entry per artifact that applies to an iOS backup, in run order', () => {
    const coverage = JSON.parse(runs.native.read('coverage.json')) as { artifact: string }[];
    const applicable = allArtifacts.filter((a) => a.inputs['ios-backup'] !== undefined).map((a) => a.id);
    expect(coverage).toHaveLength(28);
    expect(coverage.map((c) => c.artifact).sort()).toEqual([...applicable].sort());
    expect(coverage.map((c) => c.artifact)).toEqual(runs.native.result.coverage.map((c) => c.artifact));
  });

  it('every record names its source: the backup file, table and row it came from', () => {
    const sms = JSON.parse(runs.native.read('ios.sms.json')) as { source: unknown }[];
    expect(sms.map((r) => r.source)).toEqual([
      {
        file: { domain: 'HomeDomain', relative_path: 'Library/SMS/sms.db', file_id: '3d0d7e5fb2ce288813306e4d4636395e047a3d28', stored_path: '3d/3d0d7e5fb2ce288813306e4d4636395e047a3d28' },
        table: 'message',
        rowid: 3,
      },
    ]);
    const records = runs.native.files.filter((f) => f.startsWith('ios.')).flatMap((f) => JSON.parse(runs.native.read(f)) as { source?: unknown }[]);
    expect(records.length).toBe(3806);
    expect(records.filter((r) => r.source === undefined)).toEqual([]);
  });

  it('timeline.csv holds each event once, as the MVT one does (a header and 5980 distinct lines)', () => {
    const lines = runs.native.read('timeline.csv').split('\n').filter(Boolean);
    expect(lines).toHaveLength(5981);
    expect(new Set(lines).size).toBe(lines.length);
  });
});

const NON_ASCII = /[\u0080-\uffff]/;

describe('MVT output: the properties the snapshots pin', () => {
  it('timeline.csv holds each event once: of the 5982 events the artifacts produce, 2 repeat another and are written once', () => {
    const lines = runs.mvt.read('timeline.csv').split('\n').filter(Boolean);
    expect(lines).toHaveLength(5981);
    expect(new Set(lines).size).toBe(lines.length);
    expect(runs.mvt.result.timelineEvents).toBe(5982);
  });

  it('JSON escapes every non-ASCII character as \\uXXXX, as Python json.dumps does by default', async () => {
    // The MVT test backup holds no non-ASCII text, so the escaping is shown on a message that does.
    const backup = smsBackup(
      smsDbBytes((db) => {
        const h = insertHandle(db, '+41790000000');
        insertMessage(db, { guid: 'utf', handle_id: h, date: 700_000_000_000_000_000n, text: 'Café ☕ 👋 §' });
      }),
    );
    const run = await runInto('mvt', backup);
    const sms = run.read('sms.json');
    expect(sms).toContain('"text": "Caf\\u00e9 \\u2615 \\ud83d\\udc4b \\u00a7"');
    for (const name of run.files.filter((f) => f.endsWith('.json'))) expect(run.read(name), name).not.toMatch(NON_ASCII);
    for (const name of runs.mvt.files.filter((f) => f.endsWith('.json'))) expect(runs.mvt.read(name), name).not.toMatch(NON_ASCII);
  });
});
