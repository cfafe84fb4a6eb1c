/**
 * Links in an extracted filesystem dump: the phone's own links are followed while they stay inside the
 * dump (iOS has `/var` → `/private/var` and the like); a link that leads out is never followed, and the file
 * it stands for is missing with the reason.
 */
import { mkdirSync, readFileSync, realpathSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { check } from '../../src/app/check.js';
import { LINK_OUTSIDE } from '../../src/evidence/contained.js';
import { openAcquisition } from '../../src/evidence/detect.js';
import { SMS, storedPath } from '../fixtures/hostile.js';
import { tempDir } from '../fixtures/ios-backup.js';
import { mvtIosBackup, mvtTestStix } from '../helpers/data.js';
import { snapshotTree } from '../helpers/tree.js';

const SMS_PATH = 'private/var/mobile/Library/SMS/sms.db';
const SMS_SPEC = { by: 'device-glob', pattern: SMS_PATH } as const;

/** A dump holding the MVT test backup's sms.db at its device path. */
function dump(): string {
  const root = realpathSync(tempDir('dump'));
  mkdirSync(join(root, dirname(SMS_PATH)), { recursive: true });
  writeFileSync(join(root, SMS_PATH), readFileSync(join(mvtIosBackup(), storedPath(SMS))));
  return root;
}

async function smsCheck(root: string) {
  const r = await check({ target: root, iocs: [mvtTestStix()], userIocDir: null });
  return { cov: r.coverage.find((c) => c.artifact === 'ios.sms')!, critical: r.findings.filter((f) => f.artifact === 'ios.sms' && f.level === 'critical') };
}

describe('links in a filesystem dump', () => {
  it('a plain dump: sms.db is read and the MVT test message is found', async () => {
    const { cov, critical } = await smsCheck(dump());
    expect(cov).toMatchObject({ state: 'parsed', records: 1 });
    expect(critical).toHaveLength(1);
  });

  it('a folder that is a link inside the dump is followed', async () => {
    const root = dump();
    const library = join(root, 'private/var/mobile/Library');
    renameSync(join(library, 'SMS'), join(root, 'private/var/SMS-store'));
    symlinkSync('../../SMS-store', join(library, 'SMS'));
    const { cov, critical } = await smsCheck(root);
    expect(cov).toMatchObject({ state: 'parsed', records: 1 });
    expect(critical).toHaveLength(1);
  });

  it.each([
    ['the file', (root: string, outside: string) => {
      writeFileSync(join(outside, 'sms.db'), readFileSync(join(root, SMS_PATH)));
      renameSync(join(root, SMS_PATH), join(root, 'private/var/original.db'));
      symlinkSync(join(outside, 'sms.db'), join(root, SMS_PATH));
    }],
    ['its folder', (root: string, outside: string) => {
      renameSync(join(root, dirname(SMS_PATH)), join(outside, 'SMS'));
      symlinkSync(join(outside, 'SMS'), join(root, dirname(SMS_PATH)));
    }],
  ])('%s as a link out of the dump is not read: missing, with the reason from the source', async (_name, plant) => {
    const root = dump();
    const outside = realpathSync(tempDir('outside'));
    plant(root, outside);
    const before = snapshotTree(outside);
    const { source, inputs } = await openAcquisition(root);
    expect(await source.find(SMS_SPEC)).toEqual([]);
    const [refused] = await source.missing(SMS_SPEC);
    expect(refused).toMatchObject({ ref: { storedPath: SMS_PATH }, refused: LINK_OUTSIDE });
    await source.close();
    expect(inputs.all()).toEqual([]);

    const { cov, critical } = await smsCheck(root);
    expect(cov.state).toBe('missing');
    expect(critical).toEqual([]);
    expect(snapshotTree(outside)).toEqual(before);
  });

  it('the dump given through a link works, reported by its real path', async () => {
    const root = dump();
    const link = join(tempDir('via'), 'dump-link');
    symlinkSync(root, link);
    const r = await check({ target: link, iocs: [mvtTestStix()], userIocDir: null });
    expect(r.acquisition.root).toBe(root);
    expect(r.findings.filter((f) => f.artifact === 'ios.sms' && f.level === 'critical')).toHaveLength(1);
  });
});
