import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { check } from '../../src/app/check.js';
import { privateTempRoot } from '../../src/evidence/temp.js';
import { buildBackup, sqliteBytes, tempDir } from '../fixtures/ios-backup.js';
import { mvtIosBackup } from '../helpers/data.js';
import { snapshotTree } from '../helpers/tree.js';

const tccDb = () =>
  sqliteBytes('CREATE TABLE access (service TEXT, client TEXT, client_type INTEGER, auth_value INTEGER, auth_reason INTEGER, last_modified INTEGER)', (d) =>
    d.prepare("INSERT INTO access VALUES ('kTCCServiceCamera', 'com.example.app', 0, 2, 2, 1700000000)").run(),
  );
const smsBytes = () => readFileSync(join(mvtIosBackup(), '3d', '3d0d7e5fb2ce288813306e4d4636395e047a3d28'));

const coverageOf = async (dir: string) => {
  const r = await check({ target: dir, userIocDir: null });
  return Object.fromEntries(r.coverage.map((c) => [c.artifact, c]));
};

describe('a check on damaged input reports each problem and goes on', () => {
  it('a truncated database: that artifact fails with a message naming the file, the others run', async () => {
    const dir = buildBackup([
      { domain: 'HomeDomain', relativePath: 'Library/SMS/sms.db', data: smsBytes().subarray(0, 3000) },
      { domain: 'HomeDomain', relativePath: 'Library/TCC/TCC.db', data: tccDb() },
    ]);
    const cov = await coverageOf(dir);
    expect(cov['ios.tcc']).toMatchObject({ state: 'parsed', records: 1 });
    expect(cov['ios.sms']!.state).toBe('failed');
    expect(cov['ios.sms']!.reason).toMatch(/sms\.db \(HomeDomain\/Library\/SMS\/sms\.db/);
  });

  it('a file of the wrong type where a database should be', async () => {
    const dir = buildBackup([{ domain: 'HomeDomain', relativePath: 'Library/TCC/TCC.db', data: Buffer.from('<html>not a database</html>') }]);
    const cov = await coverageOf(dir);
    expect(cov['ios.tcc']!.state).toBe('failed');
    expect(cov['ios.tcc']!.reason).toMatch(/TCC\.db .*not a SQLite database/);
  });

  it('a truncated plist', async () => {
    const prefs = readFileSync(join(mvtIosBackup(), '0d', '0dc926a1810f7aee4e8f38793ed788701f93bf9d'));
    const dir = buildBackup([{ domain: 'HomeDomain', relativePath: 'Library/Preferences/.GlobalPreferences.plist', data: prefs.subarray(0, prefs.length - 40) }]);
    const cov = await coverageOf(dir);
    expect(cov['ios.global_preferences']!.state).toBe('failed');
    expect(cov['ios.global_preferences']!.reason).toMatch(/\.GlobalPreferences\.plist.*(truncated|corrupted)/);
  });

  it('a database missing the table the artifact needs', async () => {
    const dir = buildBackup([{ domain: 'HomeDomain', relativePath: 'Library/TCC/TCC.db', data: sqliteBytes('CREATE TABLE other (a)') }]);
    const cov = await coverageOf(dir);
    expect(cov['ios.tcc']!.state).toBe('failed');
    expect(cov['ios.tcc']!.reason).toMatch(/TCC\.db.*no table access/);
  });

  it('a file listed in Manifest.db but absent from the backup', async () => {
    const dir = buildBackup([{ domain: 'HomeDomain', relativePath: 'Library/SMS/sms.db' }]);
    const cov = await coverageOf(dir);
    expect(cov['ios.sms']!.state).toBe('missing');
    expect(cov['ios.sms']!.reason).toMatch(/HomeDomain\/Library\/SMS\/sms\.db .* is listed in Manifest\.db but absent from the backup/);
  });

  it('an unreadable Info.plist: backup info fails, the rest runs', async () => {
    const dir = buildBackup([{ domain: 'HomeDomain', relativePath: 'Library/TCC/TCC.db', data: tccDb() }]);
    writeFileSync(join(dir, 'Info.plist'), 'garbage');
    const cov = await coverageOf(dir);
    expect(cov['ios.backup_info']!.state).toBe('failed');
    expect(cov['ios.backup_info']!.reason).toMatch(/Info\.plist/);
    expect(cov['ios.tcc']!.state).toBe('parsed');
  });

  it('refuses to write results inside the evidence folder', async () => {
    const dir = buildBackup([]);
    const before = snapshotTree(dir);
    await expect(check({ target: dir, userIocDir: null, output: join(dir, 'results') })).rejects.toThrow(/is inside the evidence /);
    expect(snapshotTree(dir)).toEqual(before);
  });

  it('leaves no temp files behind, after a normal run and after a failure', async () => {
    const dir = buildBackup([{ domain: 'HomeDomain', relativePath: 'Library/TCC/TCC.db', data: tccDb() }]);
    const root = privateTempRoot();
    await check({ target: dir, userIocDir: null, output: join(tempDir('out'), 'o') });
    expect(existsSync(root)).toBe(false);
    const root2 = privateTempRoot();
    await expect(check({ target: dir, userIocDir: null, output: join(dir, 'inside') })).rejects.toThrow();
    expect(existsSync(root2)).toBe(false);
  });
});
