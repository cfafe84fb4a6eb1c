/**
 * The `android-backup` source: a `.ab` file (plain or encrypted) and its extracted folder, recognised, opened
 * with the password as an iOS backup is, read in one streamed pass that keeps only the SMS/MMS backups, and
 * every way it can go wrong as one line or one note.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { androidBackupLimits } from '../../src/evidence/android-backup.js';
import { detectAcquisition, detectInput, openAcquisition } from '../../src/evidence/detect.js';
import type { CredentialProvider } from '../../src/evidence/ios-backup-keys.js';
import { InputLog } from '../../src/evidence/input-log.js';
import { check } from '../../src/index.js';
import { UserError } from '../../src/errors.js';
import { buildAndroidBackup, ordinarySms, TELEPHONY_DIR } from '../../src/synth/android-backup.js';
import { noiseBytes, packAcquisition } from '../fixtures/archives.js';
import { shared } from '../helpers/data.js';
import { watchTemp } from '../helpers/watch-temp.js';

const mvt = (...p: string[]) => shared('mvt-test-artifacts', 'android_backup', ...p);
const password = (p: string): CredentialProvider => async () => ({ kind: 'password', password: p });

let base: string;
beforeAll(() => {
  base = mkdtempSync(join(tmpdir(), 'th-ab-'));
});
afterAll(() => rmSync(base, { recursive: true, force: true }));

function write(name: string, data: Buffer): string {
  const path = join(base, name);
  writeFileSync(path, data);
  return path;
}

async function listing(path: string, credentials?: CredentialProvider) {
  const { source } = await openAcquisition(path, undefined, credentials);
  try {
    const entries: string[] = [];
    for await (const e of source.listing!()) entries.push(`${e.type} ${e.path}`);
    return { entries, notes: source.notes!(), kind: source.kind, encrypted: source.describe().encrypted };
  } finally {
    await source.close();
  }
}

describe('detection', () => {
  it.each([
    ['backup.ab', 'match'],
    ['backup2.ab', 'locked'],
    ['backup3.ab', 'match'],
  ])('%s is an android-backup (%s), known from its header before anything is opened', (name, answer) => {
    expect(detectAcquisition(mvt(name))).toMatchObject({ answer, kind: 'android-backup', root: mvt(name) });
  });

  it('the header decides, not the name: a backup named .bin is one, a zip named .ab is not', async () => {
    const renamed = write('renamed.bin', readFileSync(mvt('backup.ab')));
    expect((await detectInput(renamed)).detection).toMatchObject({ answer: 'match', kind: 'android-backup' });
    const notAb = write('fake.ab', Buffer.from('not a backup, not an archive'));
    await expect(detectInput(notAb)).rejects.toThrow(/fake\.ab: not a supported acquisition: not a zip, tar or tar\.gz .*an Android backup \(a \.ab file, or its extracted apps\/ folder\) or Android intrusion logs \(\.txt files of JSON events\)\)$/);
  });

  it('a .ab given through a link is read from its target', async () => {
    const link = join(base, 'linked.ab');
    symlinkSync(mvt('backup.ab'), link);
    const result = await check({ target: link, iocs: [], userIocDir: null });
    expect(result.acquisition.root).toBe(mvt('backup.ab'));
    expect(result.coverage).toMatchObject([{ artifact: 'android.sms', state: 'parsed', records: 2 }]);
  });

  it('the extracted form (apps/<package>/…) is one, as a folder and inside a zip, tar or tar.gz', async () => {
    expect(detectAcquisition(mvt())).toMatchObject({ answer: 'match', kind: 'android-backup', root: mvt() });
    const tree = join(base, 'extracted');
    mkdirSync(join(tree, TELEPHONY_DIR), { recursive: true });
    writeFileSync(join(tree, TELEPHONY_DIR, '000000_sms_backup'), readFileSync(mvt('apps', 'com.android.providers.telephony', 'd_f', '000000_sms_backup')));
    for (const kind of ['zip', 'tar', 'tar.gz'] as const) {
      for (const lead of [undefined, 'backup-folder']) {
        const archive = await packAcquisition(tree, kind, join(base, `extracted-${lead ?? 'root'}.${kind}`), lead);
        const result = await check({ target: archive, iocs: [], userIocDir: null });
        expect(result.acquisition.kind).toBe('android-backup');
        expect(result.coverage).toMatchObject([{ artifact: 'android.sms', state: 'parsed', records: 1 }]);
      }
    }
  });

  it('an apps/ folder without a package folder in it is not a backup', () => {
    const dir = join(base, 'just-apps');
    mkdirSync(join(dir, 'apps', 'Games'), { recursive: true });
    expect(() => detectAcquisition(dir)).toThrow(/not a supported acquisition/);
  });
});

describe('opening a .ab', () => {
  it('lists every member in one pass and logs the file\'s SHA-256 (MVT\'s info.json hash of backup.ab)', async () => {
    const inputs = new InputLog();
    const found = await detectInput(mvt('backup.ab'));
    const source = await found.open(inputs);
    const entries: string[] = [];
    for await (const e of source.listing!()) entries.push(`${e.type} ${e.path}`);
    await source.close();
    expect(entries).toEqual([
      'directory apps',
      'directory apps/com.android.providers.telephony',
      `directory ${TELEPHONY_DIR}`,
      `file ${TELEPHONY_DIR}/000001_mms_backup`,
      `file ${TELEPHONY_DIR}/000000_sms_backup`,
    ]);
    expect(inputs.all()).toEqual([{ path: mvt('backup.ab'), label: 'backup.ab', sha256: createHash('sha256').update(readFileSync(mvt('backup.ab'))).digest('hex'), bytes: 679 }]);
    expect(inputs.all()[0]!.sha256).toMatch(/^f0e32fe8.*c325$/);
  });

  it('an encrypted one asks for the password once and says it is encrypted', async () => {
    let asked = 0;
    const result = await listing(mvt('backup2.ab'), async (root) => {
      asked++;
      expect(root).toBe(mvt('backup2.ab'));
      return { kind: 'password', password: '123456' };
    });
    expect(asked).toBe(1);
    expect(result).toMatchObject({ kind: 'android-backup', encrypted: true, notes: [] });
    expect(result.entries).toContain(`file ${TELEPHONY_DIR}/000000_sms_backup`);
  });

  it.each([
    ['a wrong password', password('654321'), 'wrong-password', /backup2\.ab: wrong backup password \(the master key (blob does not decode|checksum does not match)\)$/],
    ['no way to get a password', undefined, 'encrypted-backup', /backup2\.ab: this Android backup is encrypted; a password is needed$/],
    ['a key file (an iOS thing)', (async () => ({ kind: 'key' as const, key: Buffer.alloc(32) })) satisfies CredentialProvider, 'usage', /backup2\.ab: an Android backup is opened with its password; a key file is for iOS backups$/],
  ])('%s: a UserError in one line (exit 2, as for iOS)', async (_, credentials, code, message) => {
    const err = await openAcquisition(mvt('backup2.ab'), undefined, credentials).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).code).toBe(code);
    expect((err as UserError).message).toMatch(message);
    expect((err as UserError).message).not.toMatch(/\n/);
  });

  it.each([
    ['an incomplete header', Buffer.from('ANDROID BACKUP\n5\n'), /incomplete\.ab: Android backup: incomplete header: 2 of its 4 lines/],
    ['a truncated encrypted header', () => readFileSync(mvt('backup2.ab')).subarray(0, 300), /incomplete\.ab: Android backup: invalid encrypted backup header: truncated after 3 of its 5 lines \(expected the user salt, checksum salt, rounds, IV and master key blob\)$/],
    ['an unknown encryption', Buffer.from('ANDROID BACKUP\n5\n1\nAES-128\nxxxx'), /incomplete\.ab: Android backup: encryption "AES-128" is not supported \(expected none or AES-256\)$/],
  ])('%s: one line naming the file', async (_, data, message) => {
    const path = write('incomplete.ab', typeof data === 'function' ? data() : data);
    await expect(openAcquisition(path, undefined, password('123456'))).rejects.toThrow(message);
  });

  it('a truncated backup keeps the members before the cut and notes where it broke', async () => {
    const full = buildAndroidBackup({ sms: ordinarySms(1, 20), members: [{ path: 'apps/com.example.big/f/blob.bin', data: noiseBytes(300_000) }] });
    const path = write('cut.ab', full.subarray(0, Math.floor(full.length * 0.6)));
    const result = await check({ target: path, iocs: [], userIocDir: null });
    expect(result.coverage).toMatchObject([{ artifact: 'android.sms', state: 'parsed', records: 20 }]);
    expect(result.containerNotes).toHaveLength(1);
    expect(result.containerNotes[0]).toMatch(/cut\.ab: truncated at byte \d+: "apps\/com\.example\.big\/f\/blob\.bin" has \d+ of its 300000 bytes$/);
  });

  it('hostile member names are refused and noted; a duplicate SMS backup does not replace the first', async () => {
    const path = write('hostile.ab', buildAndroidBackup({
      sms: ordinarySms(2, 3),
      members: [
        { path: `../../${TELEPHONY_DIR}/000009_sms_backup`, data: Buffer.from('x') },
        { path: `${TELEPHONY_DIR}/000000_sms_backup`, data: Buffer.from('a second copy') },
      ],
    }));
    const result = await listing(path);
    expect(result.entries).toEqual([`file ${TELEPHONY_DIR}/000000_sms_backup`]);
    expect(result.notes).toEqual([
      `${path}: member "../../${TELEPHONY_DIR}/000009_sms_backup" refused: parent-folder component (..) in the name`,
      `${path}: member "${TELEPHONY_DIR}/000000_sms_backup" refused: duplicate name: the first member with this name is used`,
    ]);
    const checked = await check({ target: path, iocs: [], userIocDir: null });
    expect(checked.coverage).toMatchObject([{ artifact: 'android.sms', state: 'parsed', records: 3 }]);
  });

  describe('bounds', () => {
    const saved = { ...androidBackupLimits };
    afterEach(() => Object.assign(androidBackupLimits, saved));

    it('an SMS backup above the member bound is listed, not kept: the artifact says why it is missing', async () => {
      androidBackupLimits.maxKeptMemberBytes = 100;
      const path = write('large-sms.ab', buildAndroidBackup({ sms: ordinarySms(3, 50) }));
      const result = await check({ target: path, iocs: [], userIocDir: null });
      expect(result.containerNotes).toEqual([expect.stringMatching(/large-sms\.ab: member "apps\/com\.android\.providers\.telephony\/d_f\/000000_sms_backup" is \d+ bytes, above the limit for an SMS\/MMS backup \(100 bytes, \d+ in all\): not read$/)]);
      expect(result.coverage[0]).toMatchObject({ artifact: 'android.sms', state: 'missing', reason: `${TELEPHONY_DIR}/000000_sms_backup (too large for an SMS/MMS backup: not read)` });
    });
  });

  it('the results of an encrypted one hold its plaintext: files 0600 in a 0700 folder (as for iOS, C19)', async () => {
    const out = join(base, 'out-encrypted');
    await check({ target: mvt('backup2.ab'), iocs: [], userIocDir: null, credentials: password('123456'), output: out, format: 'mvt' });
    expect(statSync(out).mode & 0o777).toBe(0o700);
    expect(statSync(join(out, 'sms.json')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(out, 'sms.json'), 'utf8')).toContain('https://google.com/');
  });

  it('nothing is written to the temp area while an encrypted backup is checked (plaintext stays in memory)', async () => {
    const watched = mkdtempSync(join(tmpdir(), 'th-ab-watched-'));
    const saved = process.env.TMPDIR;
    process.env.TMPDIR = watched;
    try {
      const { seen } = await watchTemp(watched, () => check({ target: mvt('backup2.ab'), iocs: [], userIocDir: null, credentials: password('123456') }));
      // At most the run's own empty scratch folder.
      expect([...seen].filter((p) => !/^tracehound-[^/]+$/.test(p))).toEqual([]);
    } finally {
      if (saved === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = saved;
      rmSync(watched, { recursive: true, force: true });
    }
  });
});
