/**
 * The ordinary phone: apps in an XML Info.plist as iTunes writes it, and the people databases (address book,
 * calls, calendar, interactionC) drawn from one address book, so the same person is the same address everywhere.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import calendar, { type CalendarRecord } from '../../src/artifacts/ios/calendar.js';
import interactionC, { type InteractionCRecord } from '../../src/artifacts/ios/interaction_c.js';
import whatsapp, { type WhatsappRecord } from '../../src/artifacts/ios/whatsapp.js';
import { backupInfoKeys } from '../../src/artifacts/ios/backup_info.js';
import { isDict, parsePlist, type PlistDict } from '../../src/formats/plist.js';
import { STORE_APPS } from '../../src/synth/_apps.js';
import { EVERYDAY_TEXTS, LINK_PREVIEWS } from '../../src/synth/_vocabulary.js';
import { DEFAULT_SIDELOADED_APP, DEFAULT_TESTFLIGHT_APP, installedApps } from '../../src/synth/ios-apps.js';
import { generateIosBackup, ORDINARY_PHONE, SYNTH_PEOPLE_FILES, type GeneratedBackup, type GenerateOptions } from '../../src/synth/ios-backup.js';
import { contactAddress, defaultPeriod } from '../../src/synth/ios-content.js';
import { forkRandom } from '../../src/synth/random.js';
import { tempDir } from '../fixtures/ios-backup.js';
import { parseBackup } from '../helpers/artifacts.js';
import { snapshotTree } from '../helpers/tree.js';
import { openBytes, openFromBackup } from './_db.js';

const phone: GenerateOptions = { seed: 11, ...ORDINARY_PHONE };

function build(options: GenerateOptions): GeneratedBackup {
  return generateIosBackup(join(tempDir('ordinary'), 'backup'), options);
}

const home = (b: GeneratedBackup, file: keyof typeof SYNTH_PEOPLE_FILES) => openFromBackup(b.dir, 'HomeDomain', SYNTH_PEOPLE_FILES[file].relativePath);
const infoOf = (b: GeneratedBackup): PlistDict => parsePlist(readFileSync(join(b.dir, 'Info.plist')), 'Info.plist') as PlistDict;

describe('the ordinary phone (ORDINARY_PHONE)', () => {
  let b: GeneratedBackup;
  let ms: number;
  beforeAll(() => {
    const t = Date.now();
    b = build(phone);
    ms = Date.now() - t;
  }, 120_000);

  it('is generated in seconds, with thousands of messages, visits, calls, contacts and interactions', () => {
    expect(ms).toBeLessThan(60_000); // about 5 s on one core; generous for a shared machine
    expect(b.sms.messages).toBe(5_000);
    expect(b.safari.visits).toBe(3_000);
    expect(b.calls).toEqual({ calls: 2_500, faceTimeByEmail: expect.any(Number) as number });
    expect(b.contacts!.people).toBe(1_200);
    expect(b.contacts!.values).toBe(b.contacts!.phones + b.contacts!.emails + b.contacts!.urls + b.contacts!.addresses);
    expect(b.interactions!.interactions).toBe(3_000);
    expect(b.calendar!.events).toBe(400);
  });

  it('writes Info.plist as XML with the keys iTunes writes, every key MVT reads among them', () => {
    const raw = readFileSync(join(b.dir, 'Info.plist'), 'utf8');
    expect(raw.startsWith('<?xml version="1.0" encoding="UTF-8"?>')).toBe(true);
    expect(raw).toContain("<plist version=\"1.0\">\n<dict>\n\t<key>Applications</key>\n\t<dict>\n\t\t<key>ch.protonmail.protonmail</key>\n\t\t<dict>\n\t\t\t<key>ApplicationSINF</key>\n\t\t\t<data>");
    const info = infoOf(b);
    const keys = Object.keys(info);
    expect(keys).toEqual([...keys].sort()); // CoreFoundation sorts dictionary keys
    for (const key of backupInfoKeys) expect(keys).toContain(key);
    expect(keys).toEqual(expect.arrayContaining(['Applications', 'IMEI 2', 'iBooks Data 2', 'iTunes Files', 'iTunes Settings']));
    expect(info['Installed Applications']).toEqual(STORE_APPS.slice(0, 30).map((a) => a.bundleId));
  });

  it('lists app containers in Manifest.db only for Apple\'s apps and the apps Info.plist lists', () => {
    const installed = new Set(infoOf(b)['Installed Applications'] as string[]);
    const domains = openBytes(join(b.dir, 'Manifest.db')).prepare("SELECT DISTINCT domain FROM Files WHERE domain LIKE 'AppDomain-%'").pluck().all() as string[];
    const apps = domains.map((d) => d.slice('AppDomain-'.length));
    expect(apps.filter((a) => !a.startsWith('com.apple.') && !installed.has(a))).toEqual([]);
    expect(apps.filter((a) => installed.has(a)).length).toBeGreaterThan(20);
  });

  it('gives each App Store app a binary iTunesMetadata with the store key set, a store envelope and a decodable icon', () => {
    const apps = infoOf(b).Applications as PlistDict;
    expect(Object.keys(apps)).toHaveLength(30);
    for (const [id, entry] of Object.entries(apps)) {
      const app = entry as PlistDict;
      expect(Buffer.isBuffer(app.iTunesMetadata)).toBe(true);
      const metadata = parsePlist(app.iTunesMetadata as Buffer, id) as PlistDict;
      expect(Object.keys(metadata)).toEqual(
        expect.arrayContaining(['softwareVersionBundleId', 'itemName', 'itemId', 'artistName', 'bundleShortVersionString', 'bundleVersion', 'genre', 'sourceApp', 'releaseDate', 'com.apple.iTunesStore.downloadInfo']),
      );
      expect(metadata).toMatchObject({ softwareVersionBundleId: id, sourceApp: 'com.apple.AppStore', kind: 'software' });
      const download = metadata['com.apple.iTunesStore.downloadInfo'];
      expect(isDict(download) && download.purchaseDate).toMatch(/^2024-0[1-3]-\d\dT\d\d:\d\d:\d\dZ$/);
      expect(isDict(download) && isDict(download.accountInfo) && download.accountInfo.AppleID).toBe('owner@icloud.com');
      expect((app.ApplicationSINF as Buffer).subarray(4, 8).toString('latin1')).toBe('sinf');
      // A real 60×60 RGBA PNG: its IDAT inflates to 60 rows of a filter byte and 240 bytes.
      const icon = app.PlaceholderIcon as Buffer;
      expect(icon.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
      expect([icon.readUInt32BE(16), icon.readUInt32BE(20)]).toEqual([60, 60]);
      const idatLength = icon.readUInt32BE(33);
      expect(icon.subarray(37, 41).toString('latin1')).toBe('IDAT');
      expect(inflateSync(icon.subarray(41, 41 + idatLength))).toHaveLength(60 * (1 + 60 * 4));
    }
  });

  it('gives person i the address sms.db gives handle i, as a first phone number or a first e-mail address', () => {
    const ab = home(b, 'addressBook');
    const first = ab.prepare('SELECT value FROM ABMultiValue WHERE record_id = ? AND property = ? ORDER BY UID LIMIT 1').pluck();
    const handles = openFromBackup(b.dir, 'HomeDomain', 'Library/SMS/sms.db').prepare('SELECT ROWID, id FROM handle ORDER BY ROWID').all() as { ROWID: number; id: string }[];
    expect(handles).toHaveLength(200);
    for (const h of handles) {
      expect(h.id).toBe(contactAddress(h.ROWID));
      const values = [first.get(h.ROWID, 3), ...(ab.prepare('SELECT value FROM ABMultiValue WHERE record_id = ? AND property = 4').pluck().all(h.ROWID) as string[])];
      expect(values).toContain(h.id);
    }
    // URLs typed with and without a scheme, and postal addresses kept in ABMultiValueEntry.
    const urls = ab.prepare('SELECT value FROM ABMultiValue WHERE property = 22').pluck().all() as string[];
    expect(urls.some((u) => u.startsWith('https://'))).toBe(true);
    expect(urls.some((u) => !u.includes('://'))).toBe(true);
    expect(ab.prepare('SELECT count(*) FROM ABMultiValue WHERE property = 5 AND value IS NULL').pluck().get()).toBe(b.contacts!.addresses);
  });

  it('records phone calls by number, FaceTime by number and by e-mail, and WhatsApp calls through CallKit', () => {
    const calls = home(b, 'callHistory').prepare('SELECT ZSERVICE_PROVIDER AS provider, ZHANDLE_TYPE AS type, CAST(ZADDRESS AS TEXT) AS address FROM ZCALLRECORD').all() as { provider: string; type: number; address: string }[];
    expect(calls).toHaveLength(2_500);
    const faceTimeByEmail = calls.filter((c) => c.provider === 'com.apple.FaceTime' && c.type === 3);
    expect(faceTimeByEmail).toHaveLength(b.calls!.faceTimeByEmail);
    expect(faceTimeByEmail.every((c) => /^[^@\s]+@[a-z0-9.-]+$/.test(c.address))).toBe(true);
    expect(calls.filter((c) => c.provider === 'com.apple.Telephony').every((c) => /^\+1555\d{7}$/.test(c.address))).toBe(true);
    expect(calls.filter((c) => c.provider === 'net.whatsapp.WhatsApp').every((c) => c.address.endsWith('@s.whatsapp.net'))).toBe(true);
  });

  it('has invitations with one organiser and attendees owned by the event, read by ios.calendar, and no QuaDream-shaped event', async () => {
    const cal = home(b, 'calendar');
    const kinds = cal.prepare('SELECT entity_type, count(*) AS n FROM Participant GROUP BY entity_type ORDER BY entity_type').raw().all();
    expect(kinds).toEqual([
      [7, b.calendar!.attendees],
      [8, b.calendar!.invitations],
    ]);
    expect(cal.prepare('SELECT count(*) FROM CalendarItem c JOIN Participant p ON p.ROWID = c.organizer_id AND p.owner_id = c.ROWID WHERE p.entity_type = 8').pluck().get()).toBe(b.calendar!.invitations);
    const { records, coverage } = await parseBackup<CalendarRecord>(calendar, b.dir);
    expect(coverage).toMatchObject({ state: 'parsed', issues: [] });
    expect(records.reduce((n, r) => n + r.attendees.length, 0)).toBe(b.calendar!.participants);
    const invitation = records.find((r) => r.attendees.length >= 3)!;
    expect(invitation.participant_email).toMatch(/@/);
    expect(invitation.attendees.every((a) => a.address === `mailto:${a.email!}`)).toBe(true);
    expect(records.filter((r) => r.summary === 'Meeting' && r.description === 'Notes')).toEqual([]);
  });

  it('names interaction parties as CoreDuet does: mailto: for mail, tel: for calls, numbers for messages', async () => {
    const ids = home(b, 'interactionC').prepare('SELECT ZIDENTIFIER FROM ZCONTACTS').pluck().all() as string[];
    expect(ids.some((i) => i.startsWith('mailto:'))).toBe(true);
    expect(ids.some((i) => i.startsWith('tel:+1555'))).toBe(true);
    expect(ids.some((i) => /^\+1555\d{7}$/.test(i))).toBe(true);
    expect(ids.some((i) => i.endsWith('@s.whatsapp.net'))).toBe(true);
    const { records, coverage } = await parseBackup<InteractionCRecord>(interactionC, b.dir);
    expect(coverage).toMatchObject({ state: 'parsed', issues: [] });
    expect(records).toHaveLength(b.interactions!.rows);
    expect(records.some((r) => r.bundle_id === 'com.apple.mobilemail' && (r.sender_identifier ?? r.recipient_identifier)?.startsWith('mailto:'))).toBe(true);
  });

  it('keeps WhatsApp chats with photos on WhatsApp\'s CDN and link previews (link, title, summary), read by ios.whatsapp', async () => {
    const chat = openFromBackup(b.dir, SYNTH_PEOPLE_FILES.whatsapp.domain, SYNTH_PEOPLE_FILES.whatsapp.relativePath);
    expect(chat.prepare('SELECT count(*) FROM ZWAMESSAGE').pluck().get()).toBe(2_000);
    const previews = chat.prepare('SELECT m.ZTEXT AS text, d.ZMATCHEDTEXT AS matched, d.ZTITLE AS title, d.ZSUMMARY AS summary FROM ZWAMESSAGEDATAITEM d JOIN ZWAMESSAGE m ON m.Z_PK = d.ZMESSAGE').all() as Record<string, string>[];
    expect(previews).toHaveLength(b.whatsapp!.linkPreviews);
    for (const p of previews) {
      const preview = LINK_PREVIEWS.find((l) => l.url === p.matched)!;
      expect(p).toMatchObject({ title: preview.title, summary: preview.summary });
      expect(p.text).toContain(preview.url);
    }
    expect(chat.prepare("SELECT count(*) FROM ZWAMEDIAITEM WHERE ZMEDIAURL LIKE 'https://mmg.whatsapp.net/%'").pluck().get()).toBe(b.whatsapp!.media);
    const { records, coverage } = await parseBackup<WhatsappRecord>(whatsapp, b.dir);
    expect(coverage).toMatchObject({ state: 'parsed', issues: [] });
    expect(records.filter((r) => r.record_type === 'message')).toHaveLength(2_000);
    expect(records.filter((r) => r.record_type === 'chat_session')).toHaveLength(b.whatsapp!.chats);
  });

  it('mixes everyday texts (dotted words, bare links, shortlinks) into a third of the plain messages', () => {
    const texts = openFromBackup(b.dir, 'HomeDomain', 'Library/SMS/sms.db').prepare('SELECT text FROM message').pluck().all() as string[];
    const everyday = texts.filter((t) => EVERYDAY_TEXTS.includes(t));
    expect(everyday.length).toBeGreaterThan(0.25 * texts.length);
    expect(everyday.length).toBeLessThan(0.4 * texts.length);
    expect(new Set(everyday).size).toBe(EVERYDAY_TEXTS.length);
  });

  it('is deterministic: the same seed gives a byte-identical backup, Info.plist and people databases included', () => {
    expect(snapshotTree(build(phone).dir)).toEqual(snapshotTree(b.dir));
  }, 120_000);
});

describe('apps that did not come from the App Store', () => {
  const period = defaultPeriod;
  const metadataOf = (entry: { iTunesMetadata?: Buffer } | undefined): PlistDict => parsePlist(entry!.iTunesMetadata!, 'metadata') as PlistDict;

  it('a marketplace install names the marketplace as sourceApp and keeps a bundle id and purchase date', () => {
    const apps = installedApps(forkRandom(1, 'apps'), { count: 3, period, sideloaded: DEFAULT_SIDELOADED_APP });
    expect(apps.installed).toEqual([...STORE_APPS.slice(0, 3).map((a) => a.bundleId), 'com.rileytestut.Delta']);
    expect(apps.stats).toEqual({ apps: 4, fromAppStore: 3, notFromAppStore: ['com.rileytestut.Delta'] });
    expect(metadataOf(apps.applications['com.rileytestut.Delta'])).toMatchObject({ softwareVersionBundleId: 'com.rileytestut.Delta', sourceApp: 'com.rileytestut.AltStore' });
  });

  it('an Xcode or in-house install (sourceApp null) leaves only its icon, no iTunesMetadata', () => {
    const apps = installedApps(forkRandom(1, 'apps'), { count: 0, period, sideloaded: { ...DEFAULT_SIDELOADED_APP, sourceApp: null } });
    expect(Object.keys(apps.applications['com.rileytestut.Delta']!)).toEqual(['PlaceholderIcon']);
  });

  it('a TestFlight beta names TestFlight as sourceApp and carries its beta build ids', () => {
    const apps = installedApps(forkRandom(1, 'apps'), { count: 0, period, testFlight: DEFAULT_TESTFLIGHT_APP });
    const metadata = metadataOf(apps.applications['org.joinmastodon.app']);
    expect(metadata).toMatchObject({ softwareVersionBundleId: 'org.joinmastodon.app', sourceApp: 'com.apple.TestFlight' });
    expect(Object.keys(metadata)).toEqual(expect.arrayContaining(['betaBuildGroupId', 'betaExternalVersionIdentifier']));
  });

  it('never lists more App Store apps than the catalogue holds', () => {
    expect(installedApps(forkRandom(1, 'apps'), { count: 1_000, period }).stats.fromAppStore).toBe(STORE_APPS.length);
  });
});

describe('without the ordinary-phone options', () => {
  it('keeps the small binary Info.plist and writes no people databases, as before', () => {
    const small = build({ seed: 21, manifestEntries: 500, messages: 40, visits: 30, processes: 10 });
    expect(readFileSync(join(small.dir, 'Info.plist')).subarray(0, 8).toString()).toBe('bplist00');
    expect(small).not.toHaveProperty('apps');
    expect(small).not.toHaveProperty('contacts');
    const paths = openBytes(join(small.dir, 'Manifest.db')).prepare('SELECT relativePath FROM Files').pluck().all() as string[];
    for (const f of Object.values(SYNTH_PEOPLE_FILES)) expect(paths).not.toContain(f.relativePath);
  });
});
