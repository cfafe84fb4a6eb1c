import Database from 'better-sqlite3';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parsePlist } from '../../src/formats/plist.js';
import { attributedBodyText } from '../../src/formats/typedstream.js';
import {
  attributedBody,
  contactAddress,
  defaultPeriod,
  domainExpansion,
  globalPreferencesPlist,
  writeDataUsageDb,
  writeSafariHistoryDb,
  writeSmsDb,
  writeTccDb,
} from '../../src/synth/ios-content.js';
import { forkRandom } from '../../src/synth/random.js';
import { tempDir } from '../fixtures/ios-backup.js';
import { shared } from '../helpers/data.js';
import { columnsOf, contentHash, count, openBytes, typedstreamText } from './_db.js';

const COCOA = 978_307_200;
const periodStart = defaultPeriod.start.getTime() / 1000 - COCOA;
const periodEnd = defaultPeriod.end.getTime() / 1000 - COCOA;

/** A real file from ../shared/data, copied to a folder we own before anything opens it. */
function realCopy(...parts: string[]): Database.Database {
  const copy = join(tempDir('real'), 'copy.db');
  copyFileSync(shared(...parts), copy);
  return openBytes(copy);
}

function generate<T>(write: (path: string) => T): { db: Database.Database; stats: T } {
  const path = join(tempDir('synth'), 'out.db');
  const stats = write(path);
  return { db: openBytes(path), stats };
}

describe('writeSmsDb', () => {
  const make = (seed: number, messages: number) => generate((p) => writeSmsDb(p, forkRandom(seed, 'sms'), { messages }));

  it('gives identical rows for the same seed and different rows for another seed', () => {
    const a = make(11, 300).db;
    const b = make(11, 300).db;
    const c = make(12, 300).db;
    expect(contentHash(a)).toBe(contentHash(b));
    expect(contentHash(c)).not.toBe(contentHash(a));
  });

  it('writes exactly the number of messages asked for, each joined to a chat, with handles and some attachments', () => {
    const { db, stats } = make(3, 2_000);
    expect(count(db, 'message')).toBe(2_000);
    expect(stats).toEqual({ messages: 2_000, handles: 80, chats: 80, attachments: count(db, 'attachment') });
    expect(count(db, 'handle')).toBe(80);
    expect(count(db, 'chat_message_join')).toBe(2_000);
    expect(count(db, 'message_attachment_join')).toBe(stats.attachments);
    expect(stats.attachments).toBeGreaterThan(40); // about 4%
    // Every message has a handle: MVT's INNER JOIN with handle keeps them all.
    expect(db.prepare('SELECT count(*) FROM message JOIN handle ON handle.ROWID = message.handle_id').pluck().get()).toBe(2_000);
  });

  it('has every message column of the real iOS 14 sms.db in the MVT backup, and the handle columns', () => {
    const { db } = make(3, 10);
    const real = realCopy('mvt-test-artifacts', 'ios_backup', '3d', '3d0d7e5fb2ce288813306e4d4636395e047a3d28');
    const ours = new Set(columnsOf(db, 'message'));
    // iOS 16 dropped the sr_ck_* columns from message; everything else iOS 14 had is still there.
    const missing = columnsOf(real, 'message').filter((c) => !ours.has(c));
    expect(missing).toEqual(['sr_ck_sync_state', 'sr_ck_record_id', 'sr_ck_record_change_tag']);
    expect(columnsOf(db, 'handle')).toEqual(columnsOf(real, 'handle'));
    // iOS 17 additions the parsers may look for.
    expect([...ours]).toEqual(expect.arrayContaining(['date_edited', 'date_retracted', 'part_count', 'message_summary_info', 'payload_data']));
  });

  it('stores dates as 18-digit nanoseconds since 2001 inside the period, in rowid order', () => {
    const { db } = make(3, 500);
    const dates = (db.prepare('SELECT date FROM message ORDER BY ROWID').pluck().safeIntegers().all() as bigint[]).map((d) => Number(d / 1_000_000_000n));
    expect(dates.every((d) => d >= periodStart && d <= periodEnd)).toBe(true);
    expect(dates).toEqual([...dates].sort((x, y) => x - y));
    const first = db.prepare('SELECT date FROM message WHERE ROWID = 1').pluck().safeIntegers().get() as bigint;
    expect(String(first)).toHaveLength(18);
  });

  it('puts each message text into attributedBody as iOS 16+ does, including long and non-ASCII texts', () => {
    const { db } = make(3, 200);
    const rows = db.prepare('SELECT text, attributedBody FROM message').all() as { text: string; attributedBody: Buffer }[];
    for (const r of rows) expect(typedstreamText(r.attributedBody)).toBe(r.text);
    const long = `Réunion demain ❤️ ${'x'.repeat(300)}`;
    expect(typedstreamText(attributedBody(long))).toBe(long);
    expect(attributedBodyText(attributedBody(long))).toBe(long); // the decoder the SMS parser uses agrees
    expect(attributedBody('Hello').toString('hex')).toBe(
      '040b73747265616d747970656481e803840140848484124e5341747472696275746564537472696e67008484084e534f626a656374008592848484084e53537472696e67019484012b0548656c6c6f86840269490105928484840c4e5344696374696f6e617279009484016901928496961d5f5f6b494d4d657373616765506172744174747269627574654e616d658692848484084e534e756d626572008484074e5356616c7565009484012a84999900868686',
    );
  });

  it('plants a link message at its moment among the others, from its own SMS handle', () => {
    const at = new Date(Date.UTC(2024, 2, 1, 10, 0, 0));
    const url = 'https://track.planted.example/x?id=9';
    const { db, stats } = generate((p) => writeSmsDb(p, forkRandom(1, 'sms'), { messages: 400, plants: [{ kind: 'sms-link', url, at }] }));
    expect(stats.messages).toBe(401);
    const row = db
      .prepare('SELECT message.ROWID AS rowid, text, date, is_from_me, message.service AS service, handle.id AS phone FROM message JOIN handle ON handle.ROWID = handle_id WHERE text LIKE ?')
      .safeIntegers()
      .get(`%${url}%`) as { rowid: bigint; text: string; date: bigint; is_from_me: bigint; service: string; phone: string };
    expect(row).toMatchObject({ text: `Your parcel could not be delivered. Reschedule delivery: ${url}`, is_from_me: 0n, service: 'SMS', phone: '+15550100666' });
    expect(row.date).toBe(BigInt(at.getTime() / 1000 - COCOA) * 1_000_000_000n);
    expect(Number(row.rowid)).toBeGreaterThan(100);
    expect(Number(row.rowid)).toBeLessThan(401);
  });

  it('numbers contacts as distinct +1555 numbers with some iCloud addresses', () => {
    const addresses = Array.from({ length: 5_000 }, (_, i) => contactAddress(i + 1));
    expect(new Set(addresses).size).toBe(5_000);
    expect(addresses[0]).toBe('+15551007919');
    expect(addresses[8]).toBe('noah.9@icloud.com');
    expect(addresses.filter((a) => a.startsWith('+1555')).every((a) => /^\+1555\d{7}$/.test(a))).toBe(true);
  });
});

describe('writeSafariHistoryDb', () => {
  const make = (seed: number, visits: number) => generate((p) => writeSafariHistoryDb(p, forkRandom(seed, 'safari'), { visits }));

  it('gives identical rows for the same seed', () => {
    expect(contentHash(make(5, 400).db)).toBe(contentHash(make(5, 400).db));
    expect(contentHash(make(6, 400).db)).not.toBe(contentHash(make(5, 400).db));
  });

  it('writes exactly the visits asked for, with visit_count consistent with them', () => {
    const { db, stats } = make(5, 2_000);
    expect(count(db, 'history_visits')).toBe(2_000);
    expect(stats.visits).toBe(2_000);
    expect(stats.items).toBe(count(db, 'history_items'));
    expect(db.prepare('SELECT sum(visit_count) FROM history_items').pluck().get()).toBe(2_000);
    const times = db.prepare('SELECT visit_time FROM history_visits ORDER BY id').pluck().all() as number[];
    expect(times.every((t) => t >= periodStart && t <= periodEnd + 1)).toBe(true);
  });

  it('has the tables and columns of the real History.db sample (plaso)', () => {
    const { db } = make(5, 10);
    const real = realCopy('samples', 'plaso', 'test_data', 'safari', 'History.db');
    for (const table of ['history_items', 'history_visits', 'history_tombstones', 'metadata']) {
      expect(columnsOf(db, table)).toEqual(expect.arrayContaining(columnsOf(real, table)));
    }
  });

  it('makes http→https upgrades as redirect pairs to the same host, linked both ways and under a second', () => {
    const { db } = make(5, 2_000);
    const pairs = db
      .prepare(
        `SELECT a.id AS a, b.id AS b, b.redirect_source AS back, ia.url AS fromUrl, ib.url AS toUrl, b.visit_time - a.visit_time AS dt
         FROM history_visits a JOIN history_visits b ON b.id = a.redirect_destination
         JOIN history_items ia ON ia.id = a.history_item JOIN history_items ib ON ib.id = b.history_item`,
      )
      .all() as { a: number; b: number; back: number; fromUrl: string; toUrl: string; dt: number }[];
    expect(pairs.length).toBeGreaterThan(20);
    for (const p of pairs) {
      expect(p.back).toBe(p.a);
      expect(p.fromUrl.startsWith('http://')).toBe(true);
      expect(new URL(p.fromUrl).host).toBe(new URL(p.toUrl).host);
      expect(p.dt).toBeGreaterThan(0);
      expect(p.dt).toBeLessThan(1);
    }
  });

  it('plants a visit with an instant redirect chain before and after it', () => {
    const at = new Date(Date.UTC(2024, 3, 2, 12, 0, 0));
    const { db, stats } = generate((p) =>
      writeSafariHistoryDb(p, forkRandom(2, 'safari'), {
        visits: 300,
        plants: [{ kind: 'safari-visit', url: 'https://cdn.planted.example/landing', redirectFrom: 'http://news.example/', redirectTo: 'https://www.apple.com/', redirectDelayMs: 150, at }],
      }),
    );
    expect(stats.visits).toBe(303);
    const chain = db
      .prepare(
        `SELECT v.id, i.url, v.visit_time, v.redirect_source, v.redirect_destination FROM history_visits v JOIN history_items i ON i.id = v.history_item
         WHERE i.url IN ('http://news.example/', 'https://cdn.planted.example/landing') OR (i.url = 'https://www.apple.com/' AND v.redirect_source IS NOT NULL) ORDER BY v.id`,
      )
      .all() as { id: number; url: string; visit_time: number; redirect_source: number | null; redirect_destination: number | null }[];
    const landing = at.getTime() / 1000 - COCOA;
    expect(chain).toHaveLength(3);
    const [from, mid, to] = chain as [(typeof chain)[0], (typeof chain)[0], (typeof chain)[0]];
    expect(from).toMatchObject({ url: 'http://news.example/', redirect_source: null, redirect_destination: mid.id });
    expect(mid).toMatchObject({ url: 'https://cdn.planted.example/landing', visit_time: landing, redirect_source: from.id, redirect_destination: to.id });
    expect(to).toMatchObject({ url: 'https://www.apple.com/', redirect_source: mid.id, redirect_destination: null });
    expect(mid.visit_time - from.visit_time).toBeCloseTo(0.15, 6);
    expect(from.id).toBeLessThan(300); // among the other visits, not appended
  });

  it('derives domain_expansion as Safari does', () => {
    expect(domainExpansion('www.nytimes.com')).toBe('nytimes');
    expect(domainExpansion('start.ubuntu.com')).toBe('start.ubuntu');
    expect(domainExpansion('localhost')).toBe('localhost');
  });
});

describe('writeDataUsageDb', () => {
  const make = (seed: number, processes: number) => generate((p) => writeDataUsageDb(p, forkRandom(seed, 'datausage'), { processes }));

  it('gives identical rows for the same seed', () => {
    expect(contentHash(make(8, 200).db)).toBe(contentHash(make(8, 200).db));
  });

  it('writes the processes asked for with contiguous Z_PKs, live-usage rows pointing at them, and Z_MAX kept', () => {
    const { db, stats } = make(8, 500);
    expect(count(db, 'ZPROCESS')).toBe(500);
    expect(db.prepare('SELECT min(Z_PK), max(Z_PK) FROM ZPROCESS').raw().get()).toEqual([1, 500]);
    expect(count(db, 'ZLIVEUSAGE')).toBe(stats.liveUsage);
    expect(db.prepare('SELECT count(*) FROM ZLIVEUSAGE WHERE ZHASPROCESS NOT IN (SELECT Z_PK FROM ZPROCESS)').pluck().get()).toBe(0);
    expect(db.prepare("SELECT Z_MAX FROM Z_PRIMARYKEY WHERE Z_NAME = 'Process'").pluck().get()).toBe(500);
    expect(db.prepare("SELECT Z_MAX FROM Z_PRIMARYKEY WHERE Z_NAME = 'LiveUsage'").pluck().get()).toBe(stats.liveUsage);
    const names = db.prepare('SELECT ZPROCNAME FROM ZPROCESS').pluck().all() as string[];
    expect(names.some((n) => n.startsWith('mDNSResponder/') || n.startsWith('nsurlsessiond/') || n.startsWith('trustd/'))).toBe(true);
  });

  it('has the tables and columns of the real DataUsage.sqlite (MVT backup and plaso sample)', () => {
    const { db } = make(8, 5);
    for (const real of [realCopy('mvt-test-artifacts', 'ios_backup', '0d', '0d609c54856a9bb2d56729df1d68f2958a88426b'), realCopy('samples', 'plaso', 'test_data', 'ios', 'DataUsage.sqlite')]) {
      const tables = real.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all() as string[];
      for (const t of tables) expect(columnsOf(db, t)).toEqual(columnsOf(real, t));
    }
  });

  it('plants a bare process name with no bundle, as spyware shows up', () => {
    const at = new Date(Date.UTC(2024, 3, 2, 12, 0, 0));
    const { db } = generate((p) => writeDataUsageDb(p, forkRandom(1, 'datausage'), { processes: 40, plants: [{ kind: 'datausage-process', name: 'plantedd', at }] }));
    const row = db.prepare("SELECT Z_PK, ZBUNDLENAME, ZFIRSTTIMESTAMP FROM ZPROCESS WHERE ZPROCNAME = 'plantedd'").get() as { Z_PK: number; ZBUNDLENAME: string | null; ZFIRSTTIMESTAMP: number };
    expect(row.ZBUNDLENAME).toBeNull();
    expect(row.ZFIRSTTIMESTAMP).toBe(at.getTime() / 1000 - COCOA);
    expect(row.Z_PK).toBeGreaterThan(1);
    expect(row.Z_PK).toBeLessThan(41);
    expect(db.prepare('SELECT count(*) FROM ZLIVEUSAGE WHERE ZHASPROCESS = ?').pluck().get(row.Z_PK)).toBe(1);
  });
});

describe('writeTccDb', () => {
  it('writes v3 access rows (the MVT backup schema), unique per primary key, plus the planted client', () => {
    const at = new Date(Date.UTC(2024, 3, 2, 12, 0, 0));
    const { db, stats } = generate((p) =>
      writeTccDb(p, forkRandom(4, 'tcc'), { clients: 30, plants: [{ kind: 'tcc-client', client: 'plantedd', service: 'kTCCServiceCamera', at }] }),
    );
    const real = realCopy('mvt-test-artifacts', 'ios_backup', '64', '64d0019cb3d46bfc8cce545a8ba54b93e7ea9347');
    expect(columnsOf(db, 'access')).toEqual(columnsOf(real, 'access'));
    expect(count(db, 'access')).toBe(stats.access);
    expect(stats.access).toBeGreaterThan(30);
    expect(db.prepare("SELECT service, client_type, auth_value, last_modified FROM access WHERE client = 'plantedd'").get()).toEqual({
      service: 'kTCCServiceCamera',
      client_type: 0,
      auth_value: 2,
      last_modified: at.getTime() / 1000,
    });
    const modified = db.prepare('SELECT last_modified FROM access ORDER BY rowid').pluck().all() as number[];
    expect(modified).toEqual([...modified].sort((a, b) => a - b));
  });

  it('gives identical rows for the same seed', () => {
    const a = generate((p) => writeTccDb(p, forkRandom(4, 'tcc'))).db;
    const b = generate((p) => writeTccDb(p, forkRandom(4, 'tcc'))).db;
    expect(contentHash(a)).toBe(contentHash(b));
  });
});

describe('globalPreferencesPlist', () => {
  it('is a binary plist with the usual keys and no Lockdown Mode key unless asked', () => {
    const plain = parsePlist(globalPreferencesPlist(forkRandom(1, 'prefs')), 'prefs') as Record<string, unknown>;
    expect(plain).toMatchObject({ WebKitShowLinkPreviews: false, AppleLanguagesSchemaVersion: 3000 });
    expect(plain).not.toHaveProperty('LDMGlobalEnabled');
    const locked = parsePlist(globalPreferencesPlist(forkRandom(1, 'prefs'), { lockdownMode: true }), 'prefs') as Record<string, unknown>;
    expect(locked.LDMGlobalEnabled).toBe(true);
    expect(globalPreferencesPlist(forkRandom(1, 'prefs')).subarray(0, 8).toString('latin1')).toBe('bplist00');
  });
});
