/**
 * An acquisition checked inside its archive: nothing is extracted (the temp area holds only the private
 * SQLite copies a folder would also make, and nothing afterwards), a tar.gz is read in two passes however many
 * artifacts run (container files, then every prepared input), an encrypted backup inside a zip decrypts as
 * in a folder, and detection and the container's own problems each give one line.
 */
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { allArtifacts, check, type CheckResult } from '../../src/app/check.js';
import { decryptBackup, extractBackupKey } from '../../src/app/ios-backup-tools.js';
import { assessCompleteness, describeIncompleteness } from '../../src/report/completeness.js';
import { renderSummary } from '../../src/report/terminal.js';
import { UserError } from '../../src/errors.js';
import { LINK_IN_BACKUP, LINK_OUTSIDE } from '../../src/evidence/contained.js';
import { detectAcquisition, openAcquisition } from '../../src/evidence/detect.js';
import type { FileSystem } from '../../src/evidence/fs/file-system.js';
import { openFileSystem } from '../../src/evidence/fs/open.js';
import { openIosBackupIn } from '../../src/evidence/ios-backup.js';
import type { BackupCredential } from '../../src/evidence/ios-backup-keys.js';
import type { FileSpec } from '../../src/evidence/source.js';
import { sqliteLimits } from '../../src/evidence/sqlite.js';
import { ArchiveFiles } from '../../src/evidence/stored-files.js';
import { DEMO_PLANTS, demoStixBundle } from '../../src/synth/demo.js';
import { generateIosBackup } from '../../src/synth/ios-backup.js';
import { packAcquisition, rawZip } from '../fixtures/archives.js';
import { tempDir } from '../fixtures/ios-backup.js';
import { mvtIosBackup, mvtTestStix } from '../helpers/data.js';
import { snapshotTree } from '../helpers/tree.js';
import { watchTemp } from '../helpers/watch-temp.js';

const UDID = '00008030-001A2B3C4D5E802E';
const SMS_STORED = '3d/3d0d7e5fb2ce288813306e4d4636395e047a3d28';
const defaultInMemory = sqliteLimits.maxInMemoryBytes;
afterEach(() => {
  sqliteLimits.maxInMemoryBytes = defaultInMemory;
});

/** `tracehound-x/sqlite-3-y/evidence.db` → `evidence.db`: what kind of file the temp area held. */
const fileNames = (seen: Set<string>) => new Set([...seen].filter((p) => p.split('/').length === 3).map((p) => p.split('/')[2]!));

describe('checking a backup inside an archive extracts nothing', () => {
  it.each(['zip', 'tar.gz'] as const)('%s: the temp area holds only private SQLite copies while it runs, nothing after; the archive is unchanged', async (kind) => {
    const base = realpathSync(tempDir('no-extract'));
    const archive = await packAcquisition(mvtIosBackup(), kind, join(base, `backup.${kind}`), UDID);
    const watched = mkdtempSync(join(tmpdir(), 'th-watched-temp-'));
    const saved = process.env.TMPDIR;
    process.env.TMPDIR = watched;
    const before = snapshotTree(base);
    try {
      // Small enough that the larger databases go to private copies, as a large one would in a real case.
      sqliteLimits.maxInMemoryBytes = 96 * 1024;
      const folder = await watchTemp(watched, () => check({ target: mvtIosBackup(), iocs: [mvtTestStix()], userIocDir: null }));
      const packed = await watchTemp(watched, () => check({ target: archive, iocs: [mvtTestStix()], userIocDir: null }));
      expect(packed.result.findings).toHaveLength(folder.result.findings.length);
      expect(fileNames(packed.seen)).toContain('evidence.db');
      // The folder's copies and the archive's are the same kinds of file: a database and its sidecars. A tar.gz
      // (no random access) also holds, for the run, the members too large for memory that its one pass copied.
      const spooled = (name: string) => kind === 'tar.gz' && /^stored-\d+$/.test(name);
      expect([...fileNames(packed.seen)].filter((name) => !spooled(name)).sort()).toEqual([...fileNames(folder.seen)].sort());
      expect([...fileNames(packed.seen)].every((name) => spooled(name) || /^evidence\.db(-wal|-shm)?$|^Manifest\.db$|^base\.db$/.test(name))).toBe(true);
      // No member was written out under its own name (a stored file is named by its 40-hex fileID).
      expect([...packed.seen].some((p) => /[0-9a-f]{40}|Info\.plist|Manifest\.plist/.test(p))).toBe(false);
      expect(readdirSync(watched)).toEqual([]);
      expect(snapshotTree(base)).toEqual(before);
    } finally {
      if (saved === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = saved;
      rmSync(watched, { recursive: true, force: true });
    }
  }, 60_000);

  it('with the default limits the MVT databases are read in memory: the temp area stays empty of evidence', async () => {
    const base = realpathSync(tempDir('no-extract-mem'));
    const archive = await packAcquisition(mvtIosBackup(), 'zip', join(base, 'backup.zip'), UDID);
    const watched = mkdtempSync(join(tmpdir(), 'th-watched-temp-'));
    const saved = process.env.TMPDIR;
    process.env.TMPDIR = watched;
    try {
      const { seen } = await watchTemp(watched, () => check({ target: archive, iocs: [mvtTestStix()], userIocDir: null }));
      expect([...fileNames(seen)].filter((name) => name.startsWith('evidence.db'))).toEqual([]);
      expect(readdirSync(watched)).toEqual([]);
    } finally {
      if (saved === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = saved;
      rmSync(watched, { recursive: true, force: true });
    }
  }, 60_000);
});

/** A FileSystem that counts the calls that cost a pass over a tar.gz. */
function counting(fs: FileSystem): { fs: FileSystem; passes: { readMany: number; read: number; openStream: number } } {
  const passes = { readMany: 0, read: 0, openStream: 0 };
  const counted = Object.create(fs) as FileSystem;
  Object.assign(counted, {
    readMany: (paths: Iterable<string>, onFile: Parameters<FileSystem['readMany']>[1]) => (passes.readMany++, fs.readMany(paths, onFile)),
    read: (path: string, options: Parameters<FileSystem['read']>[1]) => (passes.read++, fs.read(path, options)),
    openStream: (path: string) => (passes.openStream++, fs.openStream(path)),
    entries: () => fs.entries(),
    stat: (path: string) => fs.stat(path),
    close: () => fs.close(),
  });
  return { fs: counted, passes };
}

describe('a tar.gz backup is read in as few passes as possible', () => {
  it.each([
    ['all in memory', defaultInMemory],
    ['the larger ones copied into the private temp folder in the same pass', 64 * 1024],
  ])('one pass for Manifest.plist, Manifest.db and Info.plist, one for every input the plan names, none per artifact (%s)', async (_how, limit) => {
    sqliteLimits.maxInMemoryBytes = limit;
    const base = realpathSync(tempDir('passes'));
    const archive = await packAcquisition(mvtIosBackup(), 'tar.gz', join(base, 'backup.tar.gz'), UDID);
    const { fs, passes } = counting(await openFileSystem(archive));
    const source = await openIosBackupIn(await ArchiveFiles.open(fs, UDID, 'no-links'));
    try {
      expect(passes).toEqual({ readMany: 1, read: 0, openStream: 0 });
      const specs: FileSpec[] = allArtifacts.flatMap((a) => a.inputs['ios-backup'] ?? []);
      await source.prepare(specs);
      expect(passes).toEqual({ readMany: 2, read: 0, openStream: 0 });
      let databases = 0;
      for (const spec of specs) {
        for (const file of await source.find(spec)) {
          await source.read(file);
          if (spec.by !== 'container') {
            const db = await source.openSqlite(file).catch(() => null); // plists are not databases
            if (db) databases++;
            db?.close();
          }
        }
      }
      expect(databases).toBeGreaterThanOrEqual(8);
      expect(passes).toEqual({ readMany: 2, read: 0, openStream: 0 });
    } finally {
      await source.close();
    }
  });

  it('without prepare, every read still works, at a pass each', async () => {
    const base = realpathSync(tempDir('passes-lazy'));
    const archive = await packAcquisition(mvtIosBackup(), 'tar.gz', join(base, 'backup.tar.gz'));
    const { fs, passes } = counting(await openFileSystem(archive));
    const source = await openIosBackupIn(await ArchiveFiles.open(fs, '', 'no-links'));
    try {
      const [sms] = await source.find({ by: 'backup', domain: 'HomeDomain', relativePath: 'Library/SMS/sms.db' });
      expect((await source.read(sms!)).subarray(0, 15).toString()).toBe('SQLite format 3');
      expect(passes).toEqual({ readMany: 1, read: 1, openStream: 0 });
    } finally {
      await source.close();
    }
  });
});

describe('an encrypted backup inside a zip', () => {
  const PASSWORD = 'correct horse battery staple';
  const sizes = { seed: 7, manifestEntries: 300, messages: 20, visits: 20, processes: 10, plant: DEMO_PLANTS };
  const password = async (): Promise<BackupCredential> => ({ kind: 'password', password: PASSWORD });
  const summary = (r: CheckResult) => ({
    findings: r.findings.map((f) => [f.level, f.artifact, f.message]),
    records: Object.fromEntries(r.coverage.map((c) => [c.artifact, [c.state, c.records]])),
  });
  let encrypted: string;
  let zip: string;
  let iocs: string;

  beforeAll(async () => {
    const base = realpathSync(tempDir('enc-zip'));
    encrypted = join(base, 'encrypted');
    generateIosBackup(encrypted, { ...sizes, encryption: { password: PASSWORD, dpic: 1000, iter: 10 } });
    zip = await packAcquisition(encrypted, 'zip', join(base, 'encrypted.zip'), UDID);
    iocs = join(base, 'demospy.stix2');
    writeFileSync(iocs, JSON.stringify(demoStixBundle()));
  }, 60_000);

  it('its results are written as plaintext of an encrypted backup: files 0600 in a 0700 folder', async () => {
    const out = join(tempDir('enc-zip-out'), 'OUT');
    await check({ target: zip, iocs: [iocs], userIocDir: null, credentials: password, output: out });
    expect(statSync(out).mode & 0o777).toBe(0o700);
    const modes = new Set(readdirSync(out).map((name) => statSync(join(out, name)).mode & 0o777));
    expect([...modes]).toEqual([0o600]);
  });

  it('ios extract-key and ios decrypt refuse an archive in one line, before asking for the password', async () => {
    let asked = 0;
    const counting = async (): Promise<BackupCredential> => (asked++, { kind: 'password', password: PASSWORD });
    await expect(extractBackupKey(zip, counting)).rejects.toThrow(`${zip}: an archive; extract-key and decrypt read a backup folder (check reads archives directly)`);
    await expect(decryptBackup(zip, join(tempDir('dec'), 'plain'), counting)).rejects.toThrow(UserError);
    expect(asked).toBe(0);
  });

  it('is detected as locked and gives the findings and records of the same backup as a folder', async () => {
    const folder = await check({ target: encrypted, iocs: [iocs], userIocDir: null, credentials: password });
    const packed = await check({ target: zip, iocs: [iocs], userIocDir: null, credentials: password });
    expect(packed.acquisition.encrypted).toBe(true);
    expect(summary(packed)).toEqual(summary(folder));
    expect(packed.findings.filter((f) => f.level === 'critical').length).toBeGreaterThan(0);
  }, 60_000);

  it('decrypts large databases by streaming them into the private temp folder', async () => {
    sqliteLimits.maxInMemoryBytes = 16 * 1024;
    const folder = await check({ target: encrypted, iocs: [iocs], userIocDir: null, credentials: password });
    const packed = await check({ target: zip, iocs: [iocs], userIocDir: null, credentials: password });
    expect(summary(packed)).toEqual(summary(folder));
  }, 60_000);

  it('without a password it is refused with the line a folder gets', async () => {
    await expect(openAcquisition(zip)).rejects.toThrow(`${zip}: this backup is encrypted; give its password (prompt or TRACEHOUND_BACKUP_PASSWORD) or --key-file`);
  });
});

describe('detecting an acquisition in a file', () => {
  let base: string;
  beforeAll(() => {
    base = realpathSync(tempDir('detect-file'));
  });

  it('the synchronous answer for a file is `archive`, decided when opened', () => {
    writeFileSync(join(base, 'any.bin'), 'x');
    expect(detectAcquisition(join(base, 'any.bin'))).toEqual({ answer: 'archive', root: join(base, 'any.bin') });
  });

  it('a file that is no archive: one line naming it and what was expected', async () => {
    const path = join(base, 'notes.txt');
    writeFileSync(path, 'hello there');
    await expect(openAcquisition(path)).rejects.toThrow(UserError);
    await expect(openAcquisition(path)).rejects.toThrow(
      `${path}: not a supported acquisition: not a zip, tar or tar.gz (it starts with bytes 68 65 6c 6c) (expected a folder, or a zip, tar or tar.gz holding an iOS backup (Manifest.db and Info.plist), an iOS filesystem dump (private/var/…, or filesystem1/ and filesystem2/), an iOS sysdiagnose (sysdiagnose.log, system_logs.logarchive), an androidqf acquisition (getprop.txt, packages.json…), an Android bugreport (main_entry.txt or a dumpstate text, FS/…), an Android backup (a .ab file, or its extracted apps/ folder) or Android intrusion logs (.txt files of JSON events))`,
    );
  });

  it('a zip of something else: one line naming the zip and what was expected', async () => {
    mkdirSync(join(base, 'photos'));
    writeFileSync(join(base, 'photos', 'a.jpg'), 'jpeg');
    const zip = await packAcquisition(join(base, 'photos'), 'zip', join(base, 'photos.zip'));
    await expect(openAcquisition(zip)).rejects.toThrow(
      `${zip}: a zip holding no supported acquisition at its root or in a top-level folder (expected an iOS backup (Manifest.db and Info.plist), an iOS filesystem dump (private/var/…, or filesystem1/ and filesystem2/), an iOS sysdiagnose (sysdiagnose.log, system_logs.logarchive), an androidqf acquisition (getprop.txt, packages.json…), an Android bugreport (main_entry.txt or a dumpstate text, FS/…), an Android backup (a .ab file, or its extracted apps/ folder) or Android intrusion logs (.txt files of JSON events)).`,
    );
    await expect(openAcquisition(zip, 'ios-fs')).rejects.toThrow(/\(expected an iOS filesystem dump \(private\/var\/…, or filesystem1\/ and filesystem2\/\)\)\.$/);
  });

  it('a tar with two backups in two folders: a usage error naming both', async () => {
    const two = join(base, 'two');
    for (const name of ['a', 'b']) {
      mkdirSync(join(two, name), { recursive: true });
      for (const file of ['Manifest.db', 'Info.plist']) writeFileSync(join(two, name, file), readFileSync(join(mvtIosBackup(), file)));
    }
    const tar = await packAcquisition(two, 'tar', join(base, 'two.tar'));
    await expect(openAcquisition(tar)).rejects.toThrow(`${tar}: holds 2 iOS backups (a, b); an archive of one backup is expected`);
  });

  it('a backup in one top-level folder is found there and says so', async () => {
    const zip = await packAcquisition(mvtIosBackup(), 'zip', join(base, 'finder.zip'), UDID);
    const { source, note } = await openAcquisition(zip);
    await source.close();
    expect(note).toBe(`found an iOS backup in folder ${UDID} of ${zip}`);
  });
});

describe('links inside an archived backup are refused as in a folder', () => {
  it.each([
    ['a link out of the archive', '../../../outside.db', LINK_OUTSIDE],
    ['a link that stays inside', '../20/2041457d5fe04d39d0ab481178355df6781e6858', LINK_IN_BACKUP],
  ])('sms.db stored as %s: missing with the reason, the member and the archive named', async (_name, target, reason) => {
    const base = realpathSync(tempDir('archived-link'));
    const folder = join(base, UDID);
    cpSync(mvtIosBackup(), folder, { recursive: true });
    rmSync(join(folder, SMS_STORED));
    symlinkSync(target, join(folder, SMS_STORED));
    const zip = await packAcquisition(folder, 'zip', join(base, 'backup.zip'), UDID);
    const result = await check({ target: zip, iocs: [mvtTestStix()], userIocDir: null });
    const sms = result.coverage.find((c) => c.artifact === 'ios.sms')!;
    expect(sms).toMatchObject({ state: 'missing', records: 0 });
    expect(sms.reason).toBe(`HomeDomain/Library/SMS/sms.db (${UDID}/${SMS_STORED} inside ${zip}: ${reason})`);
    expect(result.findings.filter((f) => f.artifact === 'ios.sms')).toEqual([]);
    expect(result.coverage.find((c) => c.artifact === 'ios.tcc')).toMatchObject({ state: 'parsed', records: 11 });
  }, 60_000);
});

describe("the container's own problems become notes of the acquisition", () => {
  it('a hostile member beside a backup: the check goes on, and notes() says which member was refused and why', async () => {
    const backup = mvtIosBackup();
    const members: { name: string; data: Buffer }[] = [];
    const walk = (rel: string): void => {
      for (const entry of readdirSync(join(backup, rel), { withFileTypes: true })) {
        const path = rel ? `${rel}/${entry.name}` : entry.name;
        if (entry.isDirectory()) walk(path);
        else members.push({ name: path, data: readFileSync(join(backup, path)) });
      }
    };
    walk('');
    const zip = join(realpathSync(tempDir('hostile-member')), 'backup.zip');
    writeFileSync(zip, await rawZip([...members, { name: '../escape.txt', data: Buffer.from('planted') }]));
    const { source } = await openAcquisition(zip);
    try {
      expect(source.notes?.()).toEqual([`${zip}: member ../escape.txt refused: parent-folder component (..) in the name`]);
      expect((await source.find({ by: 'backup', domain: 'HomeDomain', relativePath: 'Library/SMS/sms.db' })).length).toBe(1);
    } finally {
      await source.close();
    }
    // The whole check: same findings, the note in the result and in info.json, and the check is incomplete.
    const out = join(tempDir('hostile-member-out'), 'OUT');
    const result = await check({ target: zip, iocs: [mvtTestStix()], userIocDir: null, output: out });
    const note = `${zip}: member ../escape.txt refused: parent-folder component (..) in the name`;
    expect(result.findings).toHaveLength(5);
    expect(result.containerNotes).toEqual([note]);
    expect((JSON.parse(readFileSync(join(out, 'info.json'), 'utf8')) as { container_notes: string[] }).container_notes).toEqual([note]);
    const completeness = assessCompleteness(result.coverage, result.containerNotes);
    expect(completeness).toMatchObject({ complete: false, containerProblems: 1 });
    expect(describeIncompleteness(completeness)).toContain('1 problem with the archive (members refused or damaged)');
    const summary = renderSummary({ target: zip, findings: [], coverage: result.coverage, containerNotes: result.containerNotes, indicatorCount: 9, indicatorFiles: 1 });
    expect(summary).toContain(`ARCHIVE  ${note}`);
    expect(summary).not.toContain('No high or critical findings');
  });

  it('a tar cut short after Manifest.db: the damage is a note, the members before it are read, the ones after are missing', async () => {
    const base = realpathSync(tempDir('cut-tar'));
    const whole = readFileSync(await packAcquisition(mvtIosBackup(), 'tar', join(base, 'whole.tar')));
    // Members in the order tar wrote them (sorted): …/7c, Info.plist, Manifest.db, b8/…, e7/…: cut inside b8's data.
    const b8 = whole.indexOf(Buffer.from('b8/b8548dc30aa1030df0ce18ef08b882cf7ab5212f\0'));
    expect(b8).toBeGreaterThan(0);
    const cut = join(base, 'cut.tar');
    writeFileSync(cut, whole.subarray(0, b8 + 512 + 1024));
    const { source } = await openAcquisition(cut);
    try {
      const notes = source.notes?.() ?? [];
      expect(notes).toHaveLength(1);
      expect(notes[0]).toMatch(new RegExp(`^${cut.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: truncated at byte \\d+: "b8/b8548dc30aa1030df0ce18ef08b882cf7ab5212f" has 1024 of its \\d+ bytes$`));
      expect(await source.find({ by: 'backup', domain: 'HomeDomain', relativePath: 'Library/SMS/sms.db' })).toHaveLength(1);
      const lid = { by: 'backup-file-id', fileId: 'e794f6ffcc3c222535f47684a63d5178da3c4500', unlisted: { domain: 'AppDomainGroup-group.net.whatsapp.WhatsApp.shared', relativePath: 'LID.sqlite' } } as const;
      expect(await source.find(lid)).toEqual([]); // stored after the cut
    } finally {
      await source.close();
    }
  });
});
