/**
 * Issue #7, evidence layer: a backup altered by someone who wants the check to read the wrong file, hang, or
 * lose a finding. Each case is a copy of the MVT test backup with one hostile change; the check must refuse
 * exactly that part, say why in one line, keep everything else (the SMS CRITICAL finding of the MVT test
 * indicators) and leave the evidence as it was.
 */
import Database from 'better-sqlite3';
import { readFileSync, realpathSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildBinary } from 'plist';
import { describe, expect, it } from 'vitest';
import { check, type CheckResult } from '../../src/app/check.js';
import type { Coverage } from '../../src/findings/coverage.js';
import { UserError } from '../../src/errors.js';
import { openAcquisition } from '../../src/evidence/detect.js';
import { LINK_IN_BACKUP, LINK_OUTSIDE } from '../../src/evidence/contained.js';
import { editDatabase, linkStoredFileOut, mvtBackupCopy, replaceTableWithEndlessView, replaceWithLink, SMS, smsWithEndlessMessageView, storedPath, TCC } from '../fixtures/hostile.js';
import { tempDir } from '../fixtures/ios-backup.js';
import { mvtTestStix } from '../helpers/data.js';
import { snapshotTree } from '../helpers/tree.js';

interface Run {
  readonly result: CheckResult;
  readonly cov: Record<string, Coverage>;
  readonly hashedPaths: string[];
  readonly seconds: number;
}

/** A check with the MVT test indicators and MVT-format output (info.json lists every input hashed). */
async function checkWithOutput(target: string): Promise<Run> {
  const out = join(tempDir('out'), 'OUT');
  const started = performance.now();
  const result = await check({ target, iocs: [mvtTestStix()], userIocDir: null, output: out, format: 'mvt' });
  const seconds = (performance.now() - started) / 1000;
  const info = JSON.parse(readFileSync(join(out, 'info.json'), 'utf8')) as { hashes: { file_path: string }[] };
  return { result, cov: Object.fromEntries(result.coverage.map((c) => [c.artifact, c])), hashedPaths: info.hashes.map((h) => h.file_path), seconds };
}

const smsCritical = (r: CheckResult) => r.findings.filter((f) => f.artifact === 'ios.sms' && f.level === 'critical');
const tccCritical = (r: CheckResult) => r.findings.filter((f) => f.artifact === 'ios.tcc' && f.level === 'critical');

describe('links inside a backup are never followed', () => {
  it('a stored sms.db that is a link to a file elsewhere is not read: missing with the reason, nothing hashed under the evidence path', async () => {
    const backup = mvtBackupCopy();
    const outside = linkStoredFileOut(backup, SMS, 'file');
    const before = snapshotTree(backup);
    const run = await checkWithOutput(backup);

    expect(run.cov['ios.sms']).toMatchObject({ state: 'missing', records: 0 });
    expect(run.cov['ios.sms']!.reason).toBe(`HomeDomain/Library/SMS/sms.db (${storedPath(SMS)}: ${LINK_OUTSIDE})`);
    expect(run.cov['ios.sms_attachments']!.state).toBe('missing');
    expect(smsCritical(run.result)).toEqual([]); // the linked file's message is not the phone's
    expect(run.hashedPaths).not.toContain(join(backup, storedPath(SMS)));
    expect(run.hashedPaths).not.toContain(outside);
    expect(tccCritical(run.result)).toHaveLength(1); // the rest of the backup is checked as before
    expect(snapshotTree(backup)).toEqual(before);
  });

  it('a whole `xx/` folder that is a link to a folder elsewhere: its files are not read either', async () => {
    const backup = mvtBackupCopy();
    linkStoredFileOut(backup, SMS, 'folder');
    const run = await checkWithOutput(backup);
    expect(run.cov['ios.sms']!.state).toBe('missing');
    expect(run.cov['ios.sms']!.reason).toContain(LINK_OUTSIDE);
    expect(run.hashedPaths.some((p) => p.includes(`/${storedPath(SMS).slice(0, 2)}/`))).toBe(false);
    expect(smsCritical(run.result)).toEqual([]);
  });

  it('a link that stays inside the backup is refused too: a real backup holds no links', async () => {
    const backup = mvtBackupCopy();
    // sms.db's place now points at TCC.db's stored file, in the same backup.
    replaceWithLink(join(backup, storedPath(SMS)), join('..', storedPath(TCC)));
    const run = await checkWithOutput(backup);
    expect(run.cov['ios.sms']!.state).toBe('missing');
    expect(run.cov['ios.sms']!.reason).toContain(LINK_IN_BACKUP);
    expect(run.cov['ios.tcc']!.state).toBe('parsed');
  });

  it('Manifest.db that is a link out of the backup is refused with one line naming it', async () => {
    const backup = mvtBackupCopy();
    linkContainerOut(backup, 'Manifest.db');
    await expect(openAcquisition(backup)).rejects.toThrow(UserError);
    await expect(openAcquisition(backup)).rejects.toThrow(`${join(realpathSync(backup), 'Manifest.db')}: ${LINK_OUTSIDE}`);
  });

  it('the backup given through a link works, and is reported by its real path', async () => {
    const backup = mvtBackupCopy();
    const link = join(tempDir('via-link'), 'my-backup');
    symlinkSync(backup, link);
    const run = await checkWithOutput(link);
    expect(run.result.acquisition.root).toBe(realpathSync(backup));
    expect(run.cov['ios.sms']).toMatchObject({ state: 'parsed', records: 1 });
    expect(smsCritical(run.result)).toHaveLength(1);
    expect(run.hashedPaths).toContain(join(realpathSync(backup), storedPath(SMS)));
  });
});

function linkContainerOut(backup: string, name: string): void {
  const outside = join(tempDir('outside'), name);
  writeFileSync(outside, readFileSync(join(backup, name)));
  replaceWithLink(join(backup, name), outside);
}

describe('a database cannot make the check hang', () => {
  it('sms.db whose `message` is an endless recursive view: refused at once, every other artifact runs', async () => {
    const backup = mvtBackupCopy();
    writeFileSync(join(backup, storedPath(SMS)), smsWithEndlessMessageView());
    const before = snapshotTree(backup);
    const run = await checkWithOutput(backup);

    expect(run.seconds).toBeLessThan(20); // the whole check; an evaluated view would never end
    expect(run.cov['ios.sms']!.state).toBe('failed');
    expect(run.cov['ios.sms']!.reason).toBe('sms.db (HomeDomain/Library/SMS/sms.db, 3d/3d0d7e5fb2ce288813306e4d4636395e047a3d28): `message` is a view, not a table: not read');
    expect(tccCritical(run.result)).toHaveLength(1);
    expect(run.cov['ios.whatsapp']!.state).toBe('parsed');
    expect(snapshotTree(backup)).toEqual(before);
  });

  it('the fixture view really is endless: it yields more rows than any table holds', () => {
    const path = join(tempDir('proof'), 'sms.db');
    writeFileSync(path, smsWithEndlessMessageView());
    const db = new Database(path, { readonly: true });
    const rows = db.prepare('SELECT count(*) FROM (SELECT 1 FROM message LIMIT 200000)').pluck().get();
    const stored = db.prepare('SELECT count(*) FROM message_real').pluck().get();
    db.close();
    expect([rows, stored]).toEqual([200000, 1]);
  });

  it('Manifest.db whose `Files` is an endless view: the backup is refused with one line', async () => {
    const backup = mvtBackupCopy();
    editDatabase(join(backup, 'Manifest.db'), (db) => replaceTableWithEndlessView(db, 'Files'));
    const started = performance.now();
    await expect(openAcquisition(backup)).rejects.toThrow(/Manifest\.db: `Files` is a view, not a table: not read \(expected an iOS backup manifest\)$/);
    expect(performance.now() - started).toBeLessThan(5000);
  });
});

describe('one bad Manifest.db cell costs one row, never the database', () => {
  it('metadata cells of text and of a number, NULL domain and relativePath: per-row issues, the SMS finding stays', async () => {
    const backup = mvtBackupCopy();
    const rowOf = (db: Database.Database, relativePath: string) => db.prepare('SELECT rowid FROM Files WHERE relativePath = ?').pluck().get(relativePath) as number;
    let rows: Record<string, number> = {};
    editDatabase(join(backup, 'Manifest.db'), (db) => {
      rows = {
        sms: rowOf(db, SMS.relativePath),
        tcc: rowOf(db, TCC.relativePath),
        nullDomain: rowOf(db, 'Library/Preferences/com.apple.CoreBrightness.plist'),
        nullPath: db.prepare('SELECT rowid FROM Files WHERE flags = 2 ORDER BY rowid LIMIT 1').pluck().get() as number,
      };
      db.prepare("UPDATE Files SET file = 'not a plist' WHERE rowid = ?").run(rows.sms);
      db.prepare('UPDATE Files SET file = 42 WHERE rowid = ?').run(rows.tcc);
      db.prepare('UPDATE Files SET domain = NULL WHERE rowid = ?').run(rows.nullDomain);
      db.prepare('UPDATE Files SET relativePath = NULL WHERE rowid = ?').run(rows.nullPath);
    });
    const run = await checkWithOutput(backup);

    expect(run.cov['ios.sms']).toMatchObject({ state: 'parsed', records: 1 });
    expect(smsCritical(run.result)).toHaveLength(1);
    // As on the untouched backup (its sms.db has no attachment table), not an internal error.
    expect(run.cov['ios.sms_attachments']!.reason).toMatch(/sms\.db \(HomeDomain\/Library\/SMS\/sms\.db, .*\): no table attachment$/);
    expect(tccCritical(run.result)).toHaveLength(1);
    const manifest = run.cov['ios.manifest']!;
    expect(manifest).toMatchObject({ state: 'partial', records: 3719 });
    const expected: [number, string, string][] = [
      [rows.tcc!, 'bad-cell', `Manifest.db Files row ${rows.tcc}: \`file\` is a number, expected an MBFile archive (a binary plist blob); its times, mode and size are not read`],
      [rows.sms!, 'bad-cell', `Manifest.db Files row ${rows.sms}: \`file\` is text, expected an MBFile archive (a binary plist blob); its times, mode and size are not read`],
      [rows.nullDomain!, 'row-skipped', `Manifest.db Files row ${rows.nullDomain}: \`domain\` is NULL, expected text; row skipped`],
      [rows.nullPath!, 'row-skipped', `Manifest.db Files row ${rows.nullPath}: \`relativePath\` is NULL, expected text; row skipped`],
    ];
    // Reported as met, in stored (rowid) order.
    expect(manifest.issues.map((i) => [i.code, i.message])).toEqual(expected.sort((a, b) => a[0] - b[0]).map(([, code, message]) => [code, message]));
  });
});

describe('damaged container files are named in one line', () => {
  it.each([
    ['cut after its first page', (p: string) => truncateSync(p, 4096)],
    ['a SQLite header followed by noise', (p: string) => {
      const noisy = Buffer.alloc(readFileSync(p).length, 0x5a);
      readFileSync(p).copy(noisy, 0, 0, 100);
      writeFileSync(p, noisy);
    }],
  ])('Manifest.db %s', async (_name, damage) => {
    const backup = mvtBackupCopy();
    damage(join(backup, 'Manifest.db'));
    const err = await openAcquisition(backup).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toBe(`${join(realpathSync(backup), 'Manifest.db')}: damaged SQLite database (database disk image is malformed) (expected an iOS backup manifest)`);
  });

  it('a truncated Manifest.plist of a plain backup is not needed: the check goes on', async () => {
    const backup = mvtBackupCopy();
    const plist = Buffer.from(buildBinary({ IsEncrypted: false, Version: '10.0' }));
    writeFileSync(join(backup, 'Manifest.plist'), plist.subarray(0, plist.length - 20));
    const run = await checkWithOutput(backup);
    expect(smsCritical(run.result)).toHaveLength(1);
  });
});
