import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { iosArtifacts } from '../../src/artifacts/ios/index.js';
import tcc, { type TccRecord } from '../../src/artifacts/ios/tcc.js';
import { DEMO_PLANTS } from '../../src/synth/demo.js';
import { decodeFileMeta, openIosBackup } from '../../src/evidence/ios-backup.js';
import { generateIosBackup, SYNTH_FILES, type GenerateOptions } from '../../src/synth/ios-backup.js';
import { tempDir } from '../fixtures/ios-backup.js';
import { parseBackup } from '../helpers/artifacts.js';
import { contentHash, count, openBytes, openFromBackup, queryHash } from './_db.js';
import { snapshotTree } from '../helpers/tree.js';

const small: GenerateOptions = { seed: 21, manifestEntries: 3_000, messages: 400, visits: 300, processes: 60 };

function build(options: GenerateOptions = small) {
  const dir = join(tempDir('gen'), 'backup');
  return { dir, result: generateIosBackup(dir, options) };
}

describe('generateIosBackup', () => {
  it('writes exactly the Manifest entries and rows asked for', () => {
    const { dir, result } = build();
    const manifest = openBytes(join(dir, 'Manifest.db'));
    expect(count(manifest, 'Files')).toBe(3_000);
    expect(result.manifestEntries).toBe(3_000);
    expect(result.sms.messages).toBe(400);
    expect(result.safari.visits).toBe(300);
    expect(result.dataUsage.processes).toBe(60);
    expect(count(openFromBackup(dir, 'HomeDomain', 'Library/SMS/sms.db'), 'message')).toBe(400);
    expect(count(openFromBackup(dir, 'HomeDomain', 'Library/Safari/History.db'), 'history_visits')).toBe(300);
    expect(count(openFromBackup(dir, 'WirelessDomain', 'Library/Databases/DataUsage.sqlite'), 'ZPROCESS')).toBe(60);
  });

  it('lists most filler entries without content, stores some small files, and every stored file exists', () => {
    const { dir, result } = build();
    const manifest = openBytes(join(dir, 'Manifest.db'));
    const rows = manifest.prepare('SELECT fileID, flags, file FROM Files').all() as { fileID: string; flags: number; file: Buffer }[];
    const present = rows.filter((r) => existsSync(join(dir, r.fileID.slice(0, 2), r.fileID)));
    expect(present).toHaveLength(result.storedFiles);
    expect(result.storedFiles).toBeGreaterThan(5 + 30); // the five artifact files + ~3% of the filler
    expect(result.storedFiles).toBeLessThan(0.1 * 3_000);
    expect(present.every((r) => r.flags === 1)).toBe(true);
    expect(rows.filter((r) => r.flags === 2).length).toBeGreaterThan(100);
    // Each stored file's MBFile size is its real size.
    for (const r of present.slice(0, 50)) {
      expect(decodeFileMeta(r.file).size).toBe(readFileSync(join(dir, r.fileID.slice(0, 2), r.fileID)).length);
    }
  });

  it('gives identical Manifest rows and database contents for the same seed, different ones for another seed', () => {
    const a = build().dir;
    const b = build().dir;
    const c = build({ ...small, seed: 22 }).dir;
    const fingerprint = (dir: string): string[] => [
      queryHash(openBytes(join(dir, 'Manifest.db')), 'SELECT fileID, domain, relativePath, flags, file FROM Files ORDER BY rowid'),
      ...Object.values(SYNTH_FILES)
        .filter((f) => !f.relativePath.endsWith('.plist'))
        .map((f) => contentHash(openFromBackup(dir, f.domain, f.relativePath))),
      createHash('sha256').update(readFileSync(join(dir, '0d', '0dc926a1810f7aee4e8f38793ed788701f93bf9d'))).digest('hex'),
    ];
    expect(fingerprint(b)).toEqual(fingerprint(a));
    const other = fingerprint(c);
    fingerprint(a).forEach((h, i) => expect(other[i]).not.toBe(h));
    // Stronger than required: with the same SQLite build even the files are byte-identical.
    expect(snapshotTree(b)).toEqual(snapshotTree(a));
  });

  it('puts the artifact files at their real domains and paths, where the source finds them', async () => {
    const { dir } = build();
    const source = await openIosBackup(dir);
    try {
      expect(source.describe().device).toMatchObject({ name: 'Synthetic iPhone', productVersion: '17.5.1' });
      for (const f of Object.values(SYNTH_FILES)) {
        const found = await source.find({ by: 'backup', domain: f.domain, relativePath: f.relativePath });
        expect(found.map((x) => x.ref.backup?.relativePath)).toEqual([f.relativePath]);
      }
      // The well-known fileIDs MVT hard-codes (reference-spec §7.3).
      const ids = await Promise.all(Object.values(SYNTH_FILES).map(async (f) => (await source.find({ by: 'backup', ...f }))[0]!.ref.backup!.fileId));
      expect(ids).toEqual([
        '3d0d7e5fb2ce288813306e4d4636395e047a3d28',
        '1a0e7afc19d307da602ccdcece51af33afe92c53',
        '0d609c54856a9bb2d56729df1d68f2958a88426b',
        '64d0019cb3d46bfc8cce545a8ba54b93e7ea9347',
        '0dc926a1810f7aee4e8f38793ed788701f93bf9d',
      ]);
    } finally {
      await source.close();
    }
  });

  it('yields a TCC.db the ios.tcc parser reads with no issue, planted client included', async () => {
    const at = new Date(Date.UTC(2024, 3, 2, 12, 0, 0));
    const { dir, result } = build({ ...small, plant: [{ kind: 'tcc-client', client: 'plantedd', at }] });
    const { records, coverage } = await parseBackup<TccRecord>(tcc, dir);
    expect(coverage.state).toBe('parsed');
    expect(coverage.issues).toEqual([]);
    expect(records).toHaveLength(result.tcc.access);
    const planted = records.find((r) => r.client === 'plantedd')!;
    expect(planted).toMatchObject({ service: 'kTCCServiceMicrophone', client_type: 'bundle_id', auth_value: 'allowed', auth_reason_desc: 'system_set' });
    expect(planted.last_modified?.mvt()).toBe('2024-04-02 12:00:00.000000');
  });

  it('is read by every iOS artifact without a single issue, with one record per generated row', async () => {
    const { dir, result } = build({ ...small, plant: DEMO_PLANTS });
    const states: Record<string, string> = {};
    const counts: Record<string, number> = {};
    for (const artifact of iosArtifacts) {
      const { coverage, records } = await parseBackup(artifact, dir);
      expect({ artifact: artifact.id, issues: coverage.issues }).toEqual({ artifact: artifact.id, issues: [] });
      states[artifact.id] = coverage.state;
      counts[artifact.id] = records.length;
    }
    expect(Object.values(states)).not.toContain('failed');
    expect(counts).toMatchObject({
      'ios.manifest': 3_000,
      'ios.sms': result.sms.messages,
      'ios.sms_attachments': result.sms.attachments,
      'ios.safari_history': result.safari.visits,
      'ios.tcc': result.tcc.access,
      'ios.global_preferences': 13,
    });
    expect(result.sms.messages).toBe(401);
    expect(result.safari.visits).toBe(303);
    expect(states['ios.datausage']).toBe('parsed');
  });

  describe('with storedFiles (benchmark backups with many small files)', () => {
    const many: GenerateOptions = { ...small, storedFiles: 1_800 };
    const storedOnDisk = (dir: string) =>
      (openBytes(join(dir, 'Manifest.db')).prepare('SELECT fileID, relativePath, file FROM Files ORDER BY rowid').all() as { fileID: string; relativePath: string; file: Buffer }[]).filter((r) =>
        existsSync(join(dir, r.fileID.slice(0, 2), r.fileID)),
      );

    it('stores exactly that many filler files with content, each a few KB, sized right in its metadata', () => {
      const { dir, result } = build(many);
      expect(result.manifestEntries).toBe(3_000);
      expect(result.storedFiles).toBe(5 + 1_800); // the five artifact files + the filler's
      const present = storedOnDisk(dir);
      expect(present).toHaveLength(5 + 1_800);
      const filler = present.filter((r) => !Object.values(SYNTH_FILES).some((f) => f.relativePath === r.relativePath));
      const sizes = filler.map((r) => readFileSync(join(dir, r.fileID.slice(0, 2), r.fileID)).length);
      expect(Math.min(...sizes)).toBeGreaterThan(50); // the smallest: an app's tiny Documents/<id>.json
      expect(sizes.sort((a, b) => a - b)[sizes.length >> 1]).toBeGreaterThan(1_500);
      expect(Math.max(...sizes)).toBeLessThan(16_384);
      for (const r of filler.slice(0, 200)) expect(decodeFileMeta(r.file).size).toBe(readFileSync(join(dir, r.fileID.slice(0, 2), r.fileID)).length);
      // Never a fake database where a parser might look for a real one.
      expect(filler.filter((r) => /\.(db|sqlite)$/i.test(r.relativePath))).toEqual([]);
    });

    it('gives each file bytes shaped like its name: JPEG, PNG, HEIC and QuickTime headers, JSON', () => {
      const { dir } = build(many);
      const head = (ext: RegExp): Buffer => {
        const r = storedOnDisk(dir).find((x) => ext.test(x.relativePath))!;
        return readFileSync(join(dir, r.fileID.slice(0, 2), r.fileID));
      };
      const jpg = head(/\.jpg$/i);
      expect(jpg.subarray(0, 2).toString('hex')).toBe('ffd8');
      expect(jpg.subarray(6, 10).toString('latin1')).toBe('JFIF');
      expect(jpg.subarray(-2).toString('hex')).toBe('ffd9');
      expect(head(/\.png$/i).subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
      expect(head(/\.HEIC$/).subarray(4, 12).toString('latin1')).toBe('ftypheic');
      expect(head(/\.MOV$/).subarray(4, 12).toString('latin1')).toBe('ftypqt  ');
      const cached = JSON.parse(head(/fsCachedData\/[^/]+$/).toString('utf8')) as { items: unknown[] };
      expect(cached.items.length).toBeGreaterThanOrEqual(3);
    });

    it('spreads them over the backup and keeps the rows of the backup generated without the option', () => {
      const plain = openBytes(join(build().dir, 'Manifest.db')).prepare('SELECT domain, relativePath FROM Files ORDER BY rowid').raw().all();
      const { dir } = build(many);
      const rows = openBytes(join(dir, 'Manifest.db')).prepare('SELECT domain, relativePath FROM Files ORDER BY rowid').raw().all();
      let same = 0;
      while (same < rows.length && JSON.stringify(rows[same]) === JSON.stringify(plain[same])) same++;
      expect(same).toBeGreaterThan(2_950); // only the last few rows may give way to files still owed content
      const storedIds = new Set(storedOnDisk(dir).map((r) => r.fileID));
      const all = openBytes(join(dir, 'Manifest.db')).prepare('SELECT fileID FROM Files ORDER BY rowid').pluck().all() as string[];
      const firstHalf = all.slice(0, 1_500).filter((id) => storedIds.has(id)).length;
      expect(firstHalf).toBeGreaterThan(800);
      expect(firstHalf).toBeLessThan(1_000);
    });

    it('is deterministic: the same seed gives byte-identical backups', () => {
      expect(snapshotTree(build(many).dir)).toEqual(snapshotTree(build(many).dir));
    });

    it('stores the same files in an encrypted backup of the same seed', () => {
      const plain = build(many);
      const encrypted = build({ ...many, encryption: { password: 'pw', dpic: 1_000, iter: 10 } });
      expect(encrypted.result.storedFiles).toBe(plain.result.storedFiles);
      const onDisk = (dir: string) => Object.keys(snapshotTree(dir)).filter((p) => /^[0-9a-f]{2}\//.test(p));
      expect(onDisk(encrypted.dir)).toEqual(onDisk(plain.dir));
    });

    it('caps the count at the filler entries there are', () => {
      const { dir, result } = build({ ...small, manifestEntries: 200, storedFiles: 10_000 });
      expect(result.manifestEntries).toBe(200);
      expect(result.storedFiles).toBe(200 - 9); // every filler row holds content; the 9 skeleton folders cannot
      expect(storedOnDisk(dir)).toHaveLength(191);
    });
  });

  it('never creates fewer entries than the artifact files and their folders need', () => {
    const { dir, result } = build({ ...small, manifestEntries: 0 });
    expect(result.manifestEntries).toBe(14);
    expect(count(openBytes(join(dir, 'Manifest.db')), 'Files')).toBe(14);
  });
});
