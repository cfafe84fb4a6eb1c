import { cpSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { detectAcquisition, openAcquisition } from '../../src/evidence/detect.js';
import { decodeFileMetaCell, fileIdOf, openIosBackup } from '../../src/evidence/ios-backup.js';
import { bplistDag } from '../formats/_bplist.js';
import { buildBackup, tempDir } from '../fixtures/ios-backup.js';
import { mvtIosBackup } from '../helpers/data.js';

const text = (s: string) => Buffer.from(s);

describe('the iOS backup source', () => {
  it('computes fileIDs as SHA-1 of "domain-relativePath" (reference-spec §6.1)', () => {
    expect(fileIdOf('HomeDomain', 'Library/SMS/sms.db')).toBe('3d0d7e5fb2ce288813306e4d4636395e047a3d28');
  });

  it('finds files by domain and path through Manifest.db, with per-file metadata', async () => {
    const s = await openIosBackup(mvtIosBackup());
    const [sms] = await s.find({ by: 'backup', domain: 'HomeDomain', relativePath: 'Library/SMS/sms.db' });
    expect(sms!.ref.storedPath).toBe('3d/3d0d7e5fb2ce288813306e4d4636395e047a3d28');
    expect(sms!.mode).toBe(0o100644);
    expect(typeof sms!.times?.modified).toBe('number');
    expect(s.describe().device).toMatchObject({ productType: 'iPhone9,3', productVersion: '14.3', buildVersion: '18C66' });
    await s.close();
  });

  it('a consumer that stops reading Manifest.db rows early leaves the source closable', async () => {
    const s = await openIosBackup(mvtIosBackup());
    let seen = 0;
    for (const row of s.manifestRows()) {
      expect('rowid' in row).toBe(true);
      if (++seen === 3) break;
    }
    expect(seen).toBe(3);
    await expect(s.close()).resolves.toBeUndefined();
  });

  it('matches `*` within one path segment across any domain', async () => {
    const dir = buildBackup([
      { domain: 'AppDomain-com.apple.mobilesafari', relativePath: 'Library/Safari/Profiles/A/History.db', data: text('a') },
      { domain: 'HomeDomain', relativePath: 'Library/Safari/Profiles/B/History.db', data: text('b') },
      { domain: 'HomeDomain', relativePath: 'Library/Safari/Profiles/B/nested/History.db', data: text('c') },
      { domain: 'HomeDomain', relativePath: 'Library/Safari/History.db', data: text('d') },
    ]);
    const s = await openIosBackup(dir);
    const found = await s.find({ by: 'backup-any-domain', relativePath: 'Library/Safari/Profiles/*/History.db' });
    expect(found.map((f) => f.ref.backup!.relativePath)).toEqual(['Library/Safari/Profiles/A/History.db', 'Library/Safari/Profiles/B/History.db']);
    await s.close();
  });

  it('reports entries listed in Manifest.db whose file is absent, instead of returning them', async () => {
    const s = await openIosBackup(mvtIosBackup());
    const spec = { by: 'backup-any-domain', relativePath: 'Library/Safari/History.db' } as const;
    expect(await s.find(spec)).toEqual([]);
    const [absent] = await s.missing(spec);
    expect(absent!.ref).toMatchObject({ storedPath: '1a/1a0e7afc19d307da602ccdcece51af33afe92c53', backup: { domain: 'HomeDomain' } });
    await s.close();
  });

  it('never turns a hostile fileID into a path', async () => {
    const dir = buildBackup([{ domain: 'HomeDomain', relativePath: 'Library/SMS/sms.db', data: text('x') }]);
    const Database = (await import('better-sqlite3')).default;
    const db = new Database(join(dir, 'Manifest.db'));
    db.prepare("INSERT INTO Files VALUES ('../../../etc/passwd', 'HomeDomain', 'Library/evil', 1, NULL)").run();
    db.close();
    const s = await openIosBackup(dir);
    expect(await s.find({ by: 'backup', domain: 'HomeDomain', relativePath: 'Library/evil' })).toEqual([]);
    await s.close();
  });
});

describe('detecting the acquisition', () => {
  it('accepts a folder holding exactly one backup, as MobileSync/Backup does', () => {
    const parent = tempDir('mobilesync');
    cpSync(mvtIosBackup(), join(parent, '00008030-001A2B3C4D5E802E'), { recursive: true });
    const d = detectAcquisition(parent);
    expect(d).toMatchObject({ answer: 'match', kind: 'ios-backup', root: join(parent, '00008030-001A2B3C4D5E802E') });
  });

  it.each([
    ['a folder that is not a backup', () => tempDir('empty'), /not a supported acquisition \(expected an iOS backup \(Manifest.db and Info.plist\), an iOS filesystem dump \(private\/var\/…, or filesystem1\/ and filesystem2\/\), an iOS sysdiagnose .*, an androidqf acquisition .* or an Android backup \(a \.ab file, or its extracted apps\/ folder\)/],
    ['a path that does not exist', () => join(tempDir('gone'), 'nope'), /no such file or folder/],
    ['a file', () => { const d = tempDir('file'); writeFileSync(join(d, 'x.zip'), 'PK'); return join(d, 'x.zip'); }, /x\.zip: not a supported acquisition: not a zip, tar or tar\.gz \(it starts with bytes 50 4b\) \(expected a folder, or a zip, tar or tar\.gz holding an iOS backup/],
    ['a folder with two backups', () => {
      const p = tempDir('two');
      cpSync(mvtIosBackup(), join(p, 'a'), { recursive: true });
      cpSync(mvtIosBackup(), join(p, 'b'), { recursive: true });
      return p;
    }, /holds 2 iOS backups \(a, b\); pass one of them/],
  ])('refuses %s with one line', async (_name, make, message) => {
    const path = make();
    await expect(openAcquisition(path)).rejects.toThrow(UserError);
    await expect(openAcquisition(path)).rejects.toThrow(message);
  });

  it('refuses an encrypted backup and says so', async () => {
    const dir = buildBackup([]);
    const { buildBinary } = await import('plist');
    writeFileSync(join(dir, 'Manifest.plist'), Buffer.from(buildBinary({ IsEncrypted: true })));
    expect(detectAcquisition(dir)).toMatchObject({ answer: 'locked', needs: 'backup-password' });
    await expect(openAcquisition(dir)).rejects.toThrow(/this backup is encrypted; give its password \(prompt or TRACEHOUND_BACKUP_PASSWORD\) or --key-file/);
  });

  it('names Manifest.db when it is not a database', async () => {
    const dir = buildBackup([]);
    writeFileSync(join(dir, 'Manifest.db'), Buffer.alloc(4096, 7));
    await expect(openAcquisition(dir)).rejects.toThrow(/Manifest\.db: not a SQLite database \(bad header\) \(expected an iOS backup manifest\)/);
  });

  it('names Manifest.db when it lacks the Files table', async () => {
    const dir = buildBackup([]);
    const Database = (await import('better-sqlite3')).default;
    rmSync(join(dir, 'Manifest.db'));
    new Database(join(dir, 'Manifest.db')).exec('CREATE TABLE Other (a)').close();
    await expect(openAcquisition(dir)).rejects.toThrow(/Manifest\.db: no Files\(fileID, domain, relativePath, flags, file\) table/);
  });

  it('treats a backup without Manifest.db as no backup at all', async () => {
    const dir = buildBackup([]);
    mkdirSync(join(dir, 'keep'));
    renameSync(join(dir, 'Manifest.db'), join(dir, 'keep', 'Manifest.db.bak'));
    await expect(openAcquisition(dir)).rejects.toThrow(/not a supported acquisition/);
  });
});

describe('Manifest.db file metadata is bounded per row', () => {
  it.each([
    ['the 40-level DAG of issue 7', 40, /nested deeper than 32 levels/],
    ['a 20-level DAG (a million values, shallow enough)', 20, /10000/],
  ])('%s in a metadata cell is one row problem naming the bound, not seconds of work', (_name, levels, bound) => {
    const { meta, problem } = decodeFileMetaCell(bplistDag(levels));
    expect(meta).toEqual({});
    expect(problem).toMatch(/^`file` is not an MBFile archive \(Manifest\.db file metadata: /);
    expect(problem).toMatch(bound);
  });

  it('every real metadata archive of the MVT test backup fits the bound', async () => {
    const s = await openIosBackup(mvtIosBackup());
    const problems: string[] = [];
    let rows = 0;
    for (const row of s.manifestRows()) {
      if (!('file' in row)) continue;
      rows++;
      const { problem } = decodeFileMetaCell(row.file);
      if (problem) problems.push(problem);
    }
    await s.close();
    expect(rows).toBe(3721);
    expect(problems).toEqual([]);
  });
});
