/**
 * Generated Android backups: an ordinary phone's messages stay quiet against every feed in ../shared/data/iocs,
 * and a link to an indicator domain planted among them is found, in a plain and in an encrypted backup.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { check } from '../../src/index.js';
import { buildAndroidBackup, mmsWithText, ordinarySms } from '../../src/synth/android-backup.js';
import { shared } from '../helpers/data.js';

let base: string;
beforeAll(() => {
  base = mkdtempSync(join(tmpdir(), 'th-synth-ab-'));
});
afterAll(() => rmSync(base, { recursive: true, force: true }));

const everyFeed = () => shared('iocs');
const PLANTED = 'https://mobnetlink1.com/track/8a1f'; // a Cytrox/Predator domain (amnesty-investigations, 2021-12-16)
const ordinaryMms = [mmsWithText('Photos from Sunday https://www.instagram.com/p/Cx1', Date.UTC(2024, 2, 3)), mmsWithText('happy birthday!!', Date.UTC(2024, 3, 9))];

describe('a generated ordinary phone\'s backup', () => {
  it('is read whole (400 SMS and 2 MMS) and raises nothing against every feed', async () => {
    const path = join(base, 'clean.ab');
    writeFileSync(path, buildAndroidBackup({ sms: ordinarySms(7, 400), mms: ordinaryMms }));
    const result = await check({ target: path, iocs: [everyFeed()], userIocDir: null });
    expect(result.indicators.total).toBeGreaterThan(1000);
    expect(result.coverage).toMatchObject([{ artifact: 'android.sms', state: 'parsed', records: 402, issues: [] }]);
    expect(result.findings).toEqual([]);
  }, 120_000);

  it.each([
    ['plain', undefined],
    ['encrypted', 'hunter2'],
  ])('%s, with a planted indicator link: that one message, and only it, is CRITICAL (once per feed listing the domain)', async (name, password) => {
    const path = join(base, `planted-${name}.ab`);
    writeFileSync(path, buildAndroidBackup({ sms: ordinarySms(8, 200, [{ url: PLANTED }]), mms: ordinaryMms, ...(password ? { password, rounds: 1000 } : {}) }));
    const result = await check({ target: path, iocs: [everyFeed()], userIocDir: null, ...(password ? { credentials: async () => ({ kind: 'password', password }) } : {}) });
    expect(result.acquisition.encrypted).toBe(password !== undefined);
    // The domain is listed by more than one feed: one finding per collection that lists it, all on that message.
    expect(result.findings.length).toBeGreaterThan(0);
    for (const f of result.findings) {
      expect([f.level, f.artifact, f.match?.field, f.match?.observed, f.indicator?.value]).toEqual(['critical', 'android.sms', 'links', PLANTED, 'mobnetlink1.com']);
      expect((f.record as { body: string }).body).toBe(`Your parcel could not be delivered. Reschedule delivery: ${PLANTED}`);
    }
    expect(new Set(result.findings.map((f) => f.indicator?.collection.id)).size).toBe(result.findings.length);
  }, 120_000);
});
