/**
 * Issue #12, the temp side: after `check({ sealedScratch: true })` on the MVT test backup (as a folder, a zip and
 * a tar.gz) and on an encrypted backup, no file the run put in the temp folder held any of the backup's phone
 * numbers, message texts, domains or file paths, while it ran or after. The check runs in a child process whose
 * TMPDIR is a fresh folder; this process reads every file it finds there every ~20 ms and greps every byte.
 * The strings are taken from a normal check's records, so they are the backup's own. The limits are lowered in
 * the child so every database would be copied to temp and the timeline would spill: the control run, the same
 * check without sealed scratch, does leave SQLite copies holding those strings (so the grep can find them).
 * A filesystem dump (src/synth), as a tar and as a folder, takes the other two ways a database reaches SQLite.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AnyArtifact, Observable } from '../../src/index.js';
import { check } from '../../src/index.js';
import { DEMO_PLANTS, demoStixBundle } from '../../src/synth/demo.js';
import { generateIosBackup } from '../../src/synth/ios-backup.js';
import { generateIosFilesystemDump } from '../../src/synth/ios-fs-dump.js';
import * as tar from 'tar';
import { packAcquisition } from '../fixtures/archives.js';
import { tempDir } from '../fixtures/ios-backup.js';
import { mvtIosBackup, mvtTestStix, projectRoot } from '../helpers/data.js';
import type { ChildRun } from './_sealed-check-child.js';

const CHILD = join(projectRoot, 'test', 'evidence', '_sealed-check-child.ts');
const POLL_MS = 20;
const PASSWORD = 'sealed scratch';

type Category = 'phone number' | 'message text' | 'domain' | 'file path';
interface Needle {
  readonly category: Category;
  readonly text: string;
}

/** Every source file's text: a string found there could be in the temp folder for another reason than the evidence. */
function sourceText(): string {
  const dir = join(projectRoot, 'src');
  return readdirSync(dir, { recursive: true })
    .map(String)
    .filter((p) => p.endsWith('.ts'))
    .map((p) => readFileSync(join(dir, p), 'utf8'))
    .join('\n');
}

const PHONE_FIELD = /phone|jid$|handle$|^id$/i;
const TEXT_FIELD = /^(text|ztext|summary|description|about_text|tab_title|title|body)$/i;

/**
 * The strings the records of a normal check hold, by category: phone numbers and message texts from record
 * fields, domains from the observables (and URLs' hosts), file paths from the manifest.
 */
async function needlesOf(target: string, password?: string): Promise<Needle[]> {
  const found = new Map<string, Category>();
  const add = (category: Category, value: unknown) => {
    if (typeof value !== 'string' || value.length < 8 || found.has(value)) return;
    found.set(value, category);
  };
  const record = (artifact: AnyArtifact, item: { record: unknown }, observables: readonly Observable[]) => {
    const fields = item.record as Record<string, unknown>;
    for (const [name, value] of Object.entries(fields)) {
      if (typeof value === 'string' && PHONE_FIELD.test(name) && /^\+?[\d() -]{8,}(@|$)/.test(value)) add('phone number', value);
      if (TEXT_FIELD.test(name) && artifact.id !== 'ios.manifest') add('message text', value);
    }
    if (artifact.id === 'ios.manifest') add('file path', fields.relative_path);
    for (const o of observables) {
      if (o.kind === 'domain' && o.value.includes('.') && !/\.(mov|data|plist|db)$/.test(o.value)) add('domain', o.value);
      if (o.kind === 'url' && URL.canParse(o.value)) add('domain', new URL(o.value).hostname);
    }
  };
  await check({ target, userIocDir: null, sinks: [{ record }], ...(password ? { credentials: () => Promise.resolve({ kind: 'password' as const, password }) } : {}) });
  const source = sourceText();
  const needles = [...found].filter(([text]) => !source.includes(text)).map(([text, category]) => ({ text, category }));
  // Every category, the file paths (thousands of them) cut to a sample spread over the manifest.
  const paths = needles.filter((n) => n.category === 'file path');
  const sample = paths.filter((_, i) => i % Math.max(1, Math.floor(paths.length / 40)) === 0);
  return [...needles.filter((n) => n.category !== 'file path'), ...sample];
}

interface Hit {
  readonly file: string;
  readonly needle: string;
}

interface WatchedRun {
  readonly code: number | null;
  readonly stderr: string;
  readonly result: { findings: number; timelineEvents: number; inputs: string[]; coverage: Record<string, [string, number]> } | null;
  /** Every file seen in the temp folder, relative to it, with the most bytes read from it. */
  readonly seen: ReadonlyMap<string, number>;
  readonly hits: readonly Hit[];
  /** What the temp folder held once the child had exited. */
  readonly leftOver: readonly string[];
}

/** Runs the check in a child whose TMPDIR is a fresh folder, grepping every file there every POLL_MS and after. */
async function watchedRun(run: Omit<ChildRun, 'maxInMemoryBytes' | 'maxRunBytes'>, needles: readonly Needle[], password?: string): Promise<WatchedRun> {
  const tmp = realpathSync(mkdtempSync(join(tmpdir(), 'th-sealed-tmp-')));
  const patterns = needles.flatMap((n) => [Buffer.from(n.text, 'utf8'), Buffer.from(n.text, 'utf16le')].map((bytes) => ({ bytes, text: n.text })));
  const seen = new Map<string, number>();
  const hits: Hit[] = [];
  const scanned = new Map<string, string>();
  const scan = () => {
    let names: string[];
    try {
      names = readdirSync(tmp, { recursive: true }).map(String);
    } catch {
      return;
    }
    for (const name of names) {
      const path = join(tmp, name);
      try {
        const st = statSync(path);
        if (!st.isFile()) continue;
        // A file unchanged since the last look was already grepped.
        const version = `${st.size}:${st.mtimeMs}`;
        if (scanned.get(name) === version) continue;
        const bytes = readFileSync(path);
        scanned.set(name, version);
        seen.set(name, Math.max(seen.get(name) ?? 0, bytes.length));
        for (const p of patterns) if (bytes.includes(p.bytes) && !hits.some((h) => h.file === name && h.needle === p.text)) hits.push({ file: name, needle: p.text });
      } catch {
        // Removed between the listing and the read: the run is done with it.
      }
    }
  };
  const full: ChildRun = { ...run, maxInMemoryBytes: 16 * 1024, maxRunBytes: 8 * 1024 };
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, JSON.stringify(full)], {
    // tsx would otherwise cache its compiled sources in the temp folder.
    env: { ...process.env, TMPDIR: tmp, TSX_DISABLE_CACHE: '1', ...(password ? { TRACEHOUND_BACKUP_PASSWORD: password } : {}) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const timer = setInterval(scan, POLL_MS);
  try {
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    scan();
    const leftOver = readdirSync(tmp, { recursive: true }).map(String);
    return { code, stderr, result: code === 0 ? (JSON.parse(stdout) as WatchedRun['result']) : null, seen, hits, leftOver };
  } finally {
    clearInterval(timer);
    rmSync(tmp, { recursive: true, force: true });
  }
}

const count = (needles: readonly Needle[], category: Category) => needles.filter((n) => n.category === category).length;
const names = (seen: ReadonlyMap<string, number>) => [...seen.keys()].map((p) => p.split('/').pop()!);

describe('sealed scratch: nothing of the evidence in the temp folder, during or after a check', () => {
  let mvtNeedles: Needle[];
  let out: string;
  /** What the control run (not sealed) gave: the sealed runs must give the same. */
  let plainResult: WatchedRun['result'];

  beforeAll(async () => {
    mvtNeedles = await needlesOf(mvtIosBackup());
    out = tempDir('sealed-out');
  }, 60_000);

  it('takes at least 20 real strings of the MVT backup, in every category', () => {
    expect(mvtNeedles.length).toBeGreaterThanOrEqual(20);
    for (const category of ['phone number', 'message text', 'domain', 'file path'] as const) expect(count(mvtNeedles, category)).toBeGreaterThan(0);
    const texts = mvtNeedles.map((n) => n.text);
    expect(texts).toEqual(expect.arrayContaining(['+14155550100', 'Please click here https://badbadbad.example.org/', 'badbadbad.example.org', 'www.google.fr', '(415) 555-0100', 'Super interesting meeting']));
  });

  it('control: without sealed scratch the same check leaves SQLite copies holding those strings in the temp folder', async () => {
    const run = await watchedRun({ target: mvtIosBackup(), iocs: [mvtTestStix()], output: join(out, 'control'), sealedScratch: false }, mvtNeedles);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(names(run.seen)).toContain('evidence.db');
    const found = new Set(run.hits.map((h) => h.needle));
    expect(run.hits.some((h) => h.file.endsWith('evidence.db'))).toBe(true);
    expect(mvtNeedles.filter((n) => n.category === 'file path' && found.has(n.text)).length).toBeGreaterThan(0);
    expect(run.leftOver).toEqual([]);
    plainResult = run.result;
  }, 120_000);

  it.each(['folder', 'zip', 'tar.gz'] as const)('the MVT backup as a %s: no string in any temp file; same findings; spills were sealed files', async (kind) => {
    const base = realpathSync(tempDir('sealed-mvt'));
    const target = kind === 'folder' ? mvtIosBackup() : await packAcquisition(mvtIosBackup(), kind, join(base, `backup.${kind}`), 'backup');
    const run = await watchedRun({ target, iocs: [mvtTestStix()], output: join(out, `sealed-${kind}`), sealedScratch: true }, mvtNeedles);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.hits).toEqual([]);
    // What the run did write there: timeline runs (and, for a tar.gz, the members its one pass could not hold), all sealed.
    expect(names(run.seen).some((n) => /^run-\d+\.sealed$/.test(n))).toBe(true);
    expect(names(run.seen).every((n) => /^run-\d+\.sealed$|^stored-\d+$/.test(n))).toBe(true);
    if (kind === 'tar.gz') expect(names(run.seen).some((n) => /^stored-\d+$/.test(n))).toBe(true);
    expect(run.leftOver).toEqual([]);
    // Opened from memory, not skipped: the records and the MVT test indicators' findings are all there.
    // The same records, findings, and input log (label, SHA-256 and size of every file read) as the plain run.
    expect(run.result).toEqual(plainResult);
    expect(run.result!.inputs.length).toBeGreaterThan(10);
    expect(run.result!.findings).toBeGreaterThan(0);
    expect(run.result!.coverage['ios.sms']).toEqual(['parsed', 1]);
    expect(run.result!.coverage['ios.manifest']).toEqual(['parsed', 3721]);
    expect(run.result!.coverage['ios.whatsapp']).toEqual(['parsed', 6]);
  }, 120_000);

  describe('an encrypted backup (src/synth)', () => {
    let backup: string;
    let iocs: string;
    let needles: Needle[];

    beforeAll(async () => {
      const base = realpathSync(tempDir('sealed-enc'));
      backup = join(base, 'encrypted');
      generateIosBackup(backup, { seed: 12, manifestEntries: 300, messages: 20, visits: 20, processes: 10, plant: DEMO_PLANTS, encryption: { password: PASSWORD, dpic: 1000, iter: 10 } });
      iocs = join(base, 'demospy.stix2');
      writeFileSync(iocs, JSON.stringify(demoStixBundle()));
      needles = await needlesOf(backup, PASSWORD);
    }, 60_000);

    it('control: without sealed scratch its decrypted databases are plaintext in the temp folder', async () => {
      expect(needles.length).toBeGreaterThanOrEqual(20);
      const run = await watchedRun({ target: backup, iocs: [iocs], output: join(out, 'enc-control'), sealedScratch: false }, needles, PASSWORD);
      expect(run.code).toBe(0);
      expect(run.hits.length).toBeGreaterThan(0);
      expect(run.hits.some((h) => /Manifest\.db$|evidence\.db$/.test(h.file))).toBe(true);
    }, 120_000);

    it('sealed: no string in any temp file, and the same findings as the plain run', async () => {
      const plain = await watchedRun({ target: backup, iocs: [iocs], output: join(out, 'enc-plain'), sealedScratch: false }, [], PASSWORD);
      const run = await watchedRun({ target: backup, iocs: [iocs], output: join(out, 'enc-sealed'), sealedScratch: true }, needles, PASSWORD);
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      expect(run.hits).toEqual([]);
      expect(names(run.seen).every((n) => /^run-\d+\.sealed$/.test(n))).toBe(true);
      expect(run.leftOver).toEqual([]);
      expect(run.result).toEqual(plain.result);
      expect(run.result!.findings).toBeGreaterThan(0);
    }, 120_000);
  });

  describe('a filesystem dump (src/synth): databases read by path, from a tar and from a folder', () => {
    let dump: string;
    let folder: string;
    let needles: Needle[];

    beforeAll(async () => {
      const base = realpathSync(tempDir('sealed-dump'));
      dump = (await generateIosFilesystemDump(join(base, 'dump.tar'), { seed: 5, files: 300, format: 'tar', messages: 200, visits: 200, processes: 50, plant: DEMO_PLANTS })).path;
      folder = join(base, 'dump');
      mkdirSync(folder);
      await tar.x({ file: dump, cwd: folder });
      needles = await needlesOf(folder);
    }, 60_000);

    /** The plain run of the folder: the control, and the results both sealed runs must give. */
    let plain: WatchedRun;

    it.each(['folder', 'tar'] as const)('as a %s, sealed: no string in any temp file, the same results as the plain run', async (kind) => {
      expect(needles.length).toBeGreaterThanOrEqual(20);
      if (kind === 'folder') {
        plain = await watchedRun({ target: folder, iocs: [], output: join(out, 'dump-plain'), sealedScratch: false }, needles);
        expect(plain.hits.some((h) => h.file.endsWith('evidence.db'))).toBe(true); // the control
      }
      const run = await watchedRun({ target: kind === 'tar' ? dump : folder, iocs: [], output: join(out, `dump-sealed-${kind}`), sealedScratch: true }, needles);
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      expect(run.hits).toEqual([]);
      expect(names(run.seen).every((n) => /^run-\d+\.sealed$/.test(n))).toBe(true);
      expect(run.leftOver).toEqual([]);
      expect(run.result).toEqual(plain.result);
      expect(run.result!.coverage['ios.sms']).toEqual(['parsed', expect.any(Number)]);
      expect(run.result!.coverage['ios.sms']![1]).toBeGreaterThanOrEqual(200);
    }, 120_000);
  });
});
