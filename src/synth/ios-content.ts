/**
 * Real-schema iOS databases filled with plausible, seeded content: sms.db, Safari History.db,
 * DataUsage.sqlite, TCC.db and .GlobalPreferences.plist. Schemas follow the real files (the MVT test backup,
 * iOS 14; plaso's samples; iOS 17 columns where newer phones add them). Rows stream into the file in batched
 * transactions with per-index vocabulary, so memory stays flat whatever the size.
 *
 * Generated rows are in time order (rowid order = time order, as on a phone). Planted traces are inserted at
 * their moment among them, not appended at the end, so a check cannot find them just by looking at the tail.
 */
import { buildBinary } from 'plist';
import type { Random } from './random.js';
import { batched, inTransaction, makeClock, openNew, schedule, streamRows, toCocoa, toCocoaFromUnix, unixIn } from './_rows.js';
import { BARE_PROCESSES, BUNDLES, DAEMONS, EVERYDAY_TEXTS, FIRST_NAMES, LINK_TEXTS, MESSAGE_TEXTS, PATH_WORDS, SITES, TCC_SERVICES, APPS } from './_vocabulary.js';

type PlistInput = Parameters<typeof buildBinary>[0];


export interface Period {
  readonly start: Date;
  readonly end: Date;
}

/** Half a year of phone use; fixed so that the same seed gives the same bytes on any day. */
export const defaultPeriod: Period = { start: new Date(Date.UTC(2024, 0, 8, 8, 0, 0)), end: new Date(Date.UTC(2024, 5, 28, 20, 0, 0)) };

/** An SMS/iMessage carrying a link, received from `sender` (default `+15550100666`). */
export interface SmsLinkPlant {
  readonly kind: 'sms-link';
  readonly url: string;
  /** Message text; `{url}` is replaced by the url. Default: a parcel-delivery lure. */
  readonly text?: string;
  readonly sender?: string;
  readonly at?: Date;
}

/**
 * A Safari visit. `redirectFrom` adds an earlier visit that was redirected to this one, `redirectTo` a visit this
 * one redirected to, each `redirectDelayMs` apart (default 180 ms: an HTTP redirect, faster than any person).
 */
export interface SafariVisitPlant {
  readonly kind: 'safari-visit';
  readonly url: string;
  readonly title?: string;
  readonly redirectFrom?: string;
  readonly redirectTo?: string;
  readonly redirectDelayMs?: number;
  readonly at?: Date;
}

/** A DataUsage process row (with one live-usage row), as spyware processes appear: a bare name, no bundle. */
export interface DataUsageProcessPlant {
  readonly kind: 'datausage-process';
  readonly name: string;
  readonly bundleId?: string | null;
  readonly at?: Date;
}

/** A TCC.db `access` row granting `service` (default the microphone) to `client`. */
export interface TccClientPlant {
  readonly kind: 'tcc-client';
  readonly client: string;
  readonly service?: string;
  /** 0 = bundle id, 1 = absolute path. Default 0. */
  readonly clientType?: 0 | 1;
  readonly at?: Date;
}

export type Plant = SmsLinkPlant | SafariVisitPlant | DataUsageProcessPlant | TccClientPlant;

// ---------------------------------------------------------------------------------------------------------
// sms.db

export interface SmsDbOptions {
  /** Ordinary messages; planted ones come on top. */
  readonly messages: number;
  readonly plants?: readonly SmsLinkPlant[];
  readonly period?: Period;
  /**
   * Draw a third of the plain texts from EVERYDAY_TEXTS: dotted words that are not domains ("e.g.", "file.txt",
   * "v1.2") and links pasted without a scheme (bare domains, shortlinks). Off by default, so existing seeds keep
   * their messages.
   */
  readonly everydayTexts?: boolean;
}

export interface SmsDbStats {
  readonly messages: number;
  readonly handles: number;
  readonly chats: number;
  readonly attachments: number;
}

/** iOS 14's tables (as in the MVT test backup) plus the columns iOS 16/17 added to message, chat and attachment. */
export const SMS_SCHEMA = `
CREATE TABLE _SqliteDatabaseProperties (key TEXT, value TEXT, UNIQUE(key));
CREATE TABLE deleted_messages (ROWID INTEGER PRIMARY KEY AUTOINCREMENT UNIQUE, guid TEXT NOT NULL);
CREATE TABLE handle (ROWID INTEGER PRIMARY KEY AUTOINCREMENT UNIQUE, id TEXT NOT NULL, country TEXT, service TEXT NOT NULL, uncanonicalized_id TEXT, person_centric_id TEXT, UNIQUE (id, service) );
CREATE TABLE chat (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, guid TEXT UNIQUE NOT NULL, style INTEGER, state INTEGER, account_id TEXT, properties BLOB, chat_identifier TEXT, service_name TEXT, room_name TEXT, account_login TEXT, is_archived INTEGER DEFAULT 0, last_addressed_handle TEXT, display_name TEXT, group_id TEXT, is_filtered INTEGER DEFAULT 0, successful_query INTEGER, engram_id TEXT, server_change_token TEXT, ck_sync_state INTEGER DEFAULT 0, original_group_id TEXT, last_read_message_timestamp INTEGER DEFAULT 0, cloudkit_record_id TEXT, last_addressed_sim_id TEXT, is_blackholed INTEGER DEFAULT 0, syndication_date INTEGER DEFAULT 0, syndication_type INTEGER DEFAULT 0, is_recovered INTEGER DEFAULT 0, is_deleting_incoming_messages INTEGER DEFAULT 0);
CREATE TABLE message (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, guid TEXT UNIQUE NOT NULL, text TEXT, replace INTEGER DEFAULT 0, service_center TEXT, handle_id INTEGER DEFAULT 0, subject TEXT, country TEXT, attributedBody BLOB, version INTEGER DEFAULT 0, type INTEGER DEFAULT 0, service TEXT, account TEXT, account_guid TEXT, error INTEGER DEFAULT 0, date INTEGER, date_read INTEGER, date_delivered INTEGER, is_delivered INTEGER DEFAULT 0, is_finished INTEGER DEFAULT 0, is_emote INTEGER DEFAULT 0, is_from_me INTEGER DEFAULT 0, is_empty INTEGER DEFAULT 0, is_delayed INTEGER DEFAULT 0, is_auto_reply INTEGER DEFAULT 0, is_prepared INTEGER DEFAULT 0, is_read INTEGER DEFAULT 0, is_system_message INTEGER DEFAULT 0, is_sent INTEGER DEFAULT 0, has_dd_results INTEGER DEFAULT 0, is_service_message INTEGER DEFAULT 0, is_forward INTEGER DEFAULT 0, was_downgraded INTEGER DEFAULT 0, is_archive INTEGER DEFAULT 0, cache_has_attachments INTEGER DEFAULT 0, cache_roomnames TEXT, was_data_detected INTEGER DEFAULT 0, was_deduplicated INTEGER DEFAULT 0, is_audio_message INTEGER DEFAULT 0, is_played INTEGER DEFAULT 0, date_played INTEGER, item_type INTEGER DEFAULT 0, other_handle INTEGER DEFAULT 0, group_title TEXT, group_action_type INTEGER DEFAULT 0, share_status INTEGER DEFAULT 0, share_direction INTEGER DEFAULT 0, is_expirable INTEGER DEFAULT 0, expire_state INTEGER DEFAULT 0, message_action_type INTEGER DEFAULT 0, message_source INTEGER DEFAULT 0, associated_message_guid TEXT, associated_message_type INTEGER DEFAULT 0, balloon_bundle_id TEXT, payload_data BLOB, expressive_send_style_id TEXT, associated_message_range_location INTEGER DEFAULT 0, associated_message_range_length INTEGER DEFAULT 0, time_expressive_send_played INTEGER, message_summary_info BLOB, ck_sync_state INTEGER DEFAULT 0, ck_record_id TEXT, ck_record_change_tag TEXT, destination_caller_id TEXT, is_corrupt INTEGER DEFAULT 0, reply_to_guid TEXT DEFAULT NULL, sort_id INTEGER DEFAULT 0, is_spam INTEGER DEFAULT 0, has_unseen_mention INTEGER DEFAULT 0, thread_originator_guid TEXT DEFAULT NULL, thread_originator_part TEXT DEFAULT NULL, syndication_ranges TEXT DEFAULT NULL, synced_syndication_ranges TEXT DEFAULT NULL, was_delivered_quietly INTEGER DEFAULT 0, did_notify_recipient INTEGER DEFAULT 0, date_retracted INTEGER DEFAULT 0, date_edited INTEGER DEFAULT 0, was_detonated INTEGER DEFAULT 0, part_count INTEGER DEFAULT 0, is_stewie INTEGER DEFAULT 0, is_kt_verified INTEGER DEFAULT 0, is_sos INTEGER DEFAULT 0, is_critical INTEGER DEFAULT 0, bia_reference_id TEXT DEFAULT NULL, fallback_hash TEXT DEFAULT NULL);
CREATE TABLE attachment (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, guid TEXT UNIQUE NOT NULL, created_date INTEGER DEFAULT 0, start_date INTEGER DEFAULT 0, filename TEXT, uti TEXT, mime_type TEXT, transfer_state INTEGER DEFAULT 0, is_outgoing INTEGER DEFAULT 0, user_info BLOB, transfer_name TEXT, total_bytes INTEGER DEFAULT 0, is_sticker INTEGER DEFAULT 0, sticker_user_info BLOB, attribution_info BLOB, hide_attachment INTEGER DEFAULT 0, ck_sync_state INTEGER DEFAULT 0, ck_server_change_token_blob BLOB, ck_record_id TEXT, original_guid TEXT UNIQUE NOT NULL, sr_ck_sync_state INTEGER DEFAULT 0, sr_ck_server_change_token_blob BLOB, sr_ck_record_id TEXT, is_commsafety_sensitive INTEGER DEFAULT 0, emoji_image_content_identifier TEXT DEFAULT NULL, emoji_image_short_description TEXT DEFAULT NULL, preview_generation_state INTEGER DEFAULT 0);
CREATE TABLE chat_handle_join (chat_id INTEGER REFERENCES chat (ROWID) ON DELETE CASCADE, handle_id INTEGER REFERENCES handle (ROWID) ON DELETE CASCADE, UNIQUE(chat_id, handle_id));
CREATE TABLE chat_message_join (chat_id INTEGER REFERENCES chat (ROWID) ON DELETE CASCADE, message_id INTEGER REFERENCES message (ROWID) ON DELETE CASCADE, message_date INTEGER DEFAULT 0, PRIMARY KEY (chat_id, message_id));
CREATE TABLE message_attachment_join (message_id INTEGER REFERENCES message (ROWID) ON DELETE CASCADE, attachment_id INTEGER REFERENCES attachment (ROWID) ON DELETE CASCADE, UNIQUE(message_id, attachment_id));
CREATE INDEX message_idx_handle_id ON message(handle_id);
CREATE INDEX message_idx_date ON message(date);
CREATE INDEX message_idx_is_read ON message(is_read, is_from_me, is_finished);
CREATE INDEX chat_message_join_idx_message_id_only ON chat_message_join(message_id);
CREATE INDEX chat_message_join_idx_message_date_id_chat_id ON chat_message_join(chat_id, message_date, message_id);
CREATE INDEX chat_handle_join_idx_handle_id ON chat_handle_join(handle_id);
CREATE INDEX message_attachment_join_idx_message_id ON message_attachment_join(message_id);
CREATE INDEX message_attachment_join_idx_attachment_id ON message_attachment_join(attachment_id);
`;

const OWNER_ACCOUNT = 'E:owner@icloud.com';
const OWNER_ACCOUNT_GUID = '5F6B0E8A-0C3D-4A1B-9E2F-7C6D5A4B3C2D';
const DEFAULT_LURE = 'Your parcel could not be delivered. Reschedule delivery: {url}';

/** A contact's address for handle number `i` (1-based): mostly `+1555…` numbers, some iCloud e-mail addresses. */
export function contactAddress(i: number): string {
  if (i % 9 === 0) return `${FIRST_NAMES[i % FIRST_NAMES.length] as string}.${i}@icloud.com`;
  // 7919 is prime and coprime with 8,000,000, so the numbers are distinct for every i below that.
  return `+1555${String(1_000_000 + ((i * 7919) % 8_000_000)).padStart(7, '0')}`;
}

export function writeSmsDb(path: string, rng: Random, options: SmsDbOptions): SmsDbStats {
  const period = options.period ?? defaultPeriod;
  const n = Math.max(0, Math.floor(options.messages));
  const db = openNew(path);
  try {
    db.exec(SMS_SCHEMA);
    db.prepare('INSERT INTO _SqliteDatabaseProperties (key, value) VALUES (?, ?)').run('_ClientVersion', '17106');
    db.prepare('INSERT INTO _SqliteDatabaseProperties (key, value) VALUES (?, ?)').run('_ClientVersionDate', String(Math.floor(toCocoa(period.start))));

    // A few contacts get most messages; the address book grows slowly with the message count.
    const handleCount = Math.min(5_000, Math.max(Math.min(n, 8), Math.ceil(n / 25)));
    const insHandle = db.prepare('INSERT INTO handle (id, country, service, uncanonicalized_id, person_centric_id) VALUES (?, ?, ?, ?, NULL)');
    const insChat = db.prepare(
      `INSERT INTO chat (guid, style, state, account_id, chat_identifier, service_name, account_login, last_addressed_handle, is_filtered, successful_query, last_read_message_timestamp)
       VALUES (?, 45, 3, ?, ?, ?, ?, ?, 0, 1, 0)`,
    );
    const insChatHandle = db.prepare('INSERT INTO chat_handle_join (chat_id, handle_id) VALUES (?, ?)');
    const addContact = (address: string, service: string): number => {
      const handle = Number(insHandle.run(address, address.startsWith('+1') ? 'us' : null, service, address.startsWith('+') ? address.slice(2) : null).lastInsertRowid);
      const chat = Number(insChat.run(`${service};-;${address}`, OWNER_ACCOUNT_GUID, address, service, OWNER_ACCOUNT, OWNER_ACCOUNT.slice(2)).lastInsertRowid);
      insChatHandle.run(chat, handle);
      return handle;
    };
    const services: string[] = [];
    inTransaction(db, () => {
      for (let i = 1; i <= handleCount; i++) {
        const service = i % 5 === 0 && !contactAddress(i).includes('@') ? 'SMS' : 'iMessage';
        services.push(service);
        addContact(contactAddress(i), service);
      }
    });

    const insMessage = db.prepare(
      `INSERT INTO message (guid, text, handle_id, attributedBody, version, type, service, account, account_guid, date, date_read, date_delivered,
         is_delivered, is_finished, is_from_me, is_read, is_sent, has_dd_results, was_data_detected, cache_has_attachments, destination_caller_id, part_count, sort_id)
       VALUES (?, ?, ?, ?, 10, 0, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, 1, 0)`,
    );
    const insChatMessage = db.prepare('INSERT INTO chat_message_join (chat_id, message_id, message_date) VALUES (?, ?, ?)');
    const insAttachment = db.prepare(
      `INSERT INTO attachment (guid, created_date, start_date, filename, uti, mime_type, transfer_state, is_outgoing, transfer_name, total_bytes, original_guid)
       VALUES (?, ?, 0, ?, ?, ?, 5, ?, ?, ?, ?)`,
    );
    const insMessageAttachment = db.prepare('INSERT INTO message_attachment_join (message_id, attachment_id) VALUES (?, ?)');

    let attachments = 0;
    const insertMessage = (m: { text: string; handle: number; service: string; fromMe: boolean; at: number; attachment: boolean; hasLink: boolean }): void => {
      const date = cocoaNanos(m.at);
      const read = m.fromMe ? 0n : cocoaNanos(m.at + rng.int(5, 3_600));
      const delivered = m.fromMe ? cocoaNanos(m.at + rng.next() * 2) : 0n;
      const id = Number(
        insMessage.run(
          rng.uuid(),
          m.text,
          m.handle,
          attributedBody(m.text),
          m.service,
          m.service === 'SMS' ? 'P:+15550000100' : OWNER_ACCOUNT,
          OWNER_ACCOUNT_GUID,
          date,
          read,
          delivered,
          m.fromMe ? 1 : 0,
          m.fromMe ? 1 : 0,
          m.fromMe ? 0 : 1,
          m.fromMe ? 1 : 0,
          m.hasLink ? 1 : 0,
          m.hasLink ? 1 : 0,
          m.attachment ? 1 : 0,
          m.service === 'SMS' ? '+15550000100' : 'owner@icloud.com',
        ).lastInsertRowid,
      );
      insChatMessage.run(m.handle, id, date); // one chat per handle, created in the same order
      if (m.attachment) {
        const guid = rng.uuid();
        const name = `IMG_${String(rng.int(1, 9_999)).padStart(4, '0')}.HEIC`;
        const filename = `~/Library/SMS/Attachments/${rng.hex(2)}/${String(rng.int(0, 15)).padStart(2, '0')}/${guid}/${name}`;
        const att = Number(insAttachment.run(guid, Math.floor(toCocoaFromUnix(m.at)), filename, 'public.heic', 'image/heic', m.fromMe ? 1 : 0, name, rng.int(40_000, 4_000_000), guid).lastInsertRowid);
        insMessageAttachment.run(id, att);
        attachments++;
      }
    };

    const plants = schedule(options.plants ?? [], period);
    const plantHandles = new Map<string, number>();
    const insertPlant = (p: SmsLinkPlant, at: number): void => {
      const sender = p.sender ?? '+15550100666';
      let handle = plantHandles.get(sender);
      if (handle === undefined) {
        handle = addContact(sender, 'SMS');
        plantHandles.set(sender, handle);
      }
      const text = (p.text ?? DEFAULT_LURE).replace('{url}', p.url);
      insertMessage({ text, handle, service: 'SMS', fromMe: false, at, attachment: false, hasLink: true });
    };

    const clock = makeClock(period, n, rng);
    streamRows(db, n, plants, clock, (i, at) => {
      const handle = 1 + (i % 3 === 0 ? rng.int(0, handleCount - 1) : Math.min(handleCount - 1, Math.floor(rng.next() ** 2 * handleCount)));
      const fromMe = rng.chance(0.45);
      const hasLink = rng.chance(0.06);
      const text = hasLink ? rng.pick(LINK_TEXTS).replace('{url}', siteUrl(rng)) : options.everydayTexts && rng.chance(0.35) ? rng.pick(EVERYDAY_TEXTS) : rng.pick(MESSAGE_TEXTS);
      insertMessage({ text, handle, service: services[handle - 1] ?? 'iMessage', fromMe, at, attachment: rng.chance(0.04), hasLink });
    }, insertPlant);

    return { messages: n + plants.length, handles: handleCount + plantHandles.size, chats: handleCount + plantHandles.size, attachments };
  } finally {
    db.close();
  }
}

/** A link to one of the popular sites, sometimes to an article path. */
function siteUrl(rng: Random): string {
  const site = rng.pick(SITES);
  return rng.chance(0.3) ? `https://${site.host}/` : `https://${site.host}/${rng.pick(PATH_WORDS)}/${rng.int(2022, 2024)}/${rng.pick(PATH_WORDS)}-${rng.hex(6)}`;
}

/**
 * The NSAttributedString "typedstream" that iOS writes into message.attributedBody (since iOS 16 often the only
 * place a message's text lives). Layout of a plain single-part message as Messages writes it: header,
 * NSAttributedString → NSString (length-prefixed UTF-8), the attribute run (location 1, length in UTF-16 units)
 * and its dictionary holding __kIMMessagePartAttributeName = 0.
 */
export function attributedBody(text: string): Buffer {
  const utf8 = Buffer.from(text, 'utf8');
  return Buffer.concat([TYPEDSTREAM_HEAD, typedstreamInt(utf8.length), utf8, TYPEDSTREAM_RANGE, typedstreamInt(text.length), TYPEDSTREAM_TAIL]);
}

const TYPEDSTREAM_HEAD = Buffer.from(
  '040b73747265616d747970656481e803840140848484124e5341747472696275746564537472696e67008484084e534f626a656374008592848484084e53537472696e67019484012b',
  'hex',
);
const TYPEDSTREAM_RANGE = Buffer.from('868402694901', 'hex');
const TYPEDSTREAM_TAIL = Buffer.from(
  '928484840c4e5344696374696f6e617279009484016901928496961d5f5f6b494d4d657373616765506172744174747269627574654e616d658692848484084e534e756d626572008484074e5356616c7565009484012a84999900868686',
  'hex',
);

/** typedstream integers: one byte below 0x80, else 0x81 + int16 LE, else 0x82 + int32 LE. */
function typedstreamInt(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  if (n < 0x8000) {
    const b = Buffer.alloc(3);
    b[0] = 0x81;
    b.writeInt16LE(n, 1);
    return b;
  }
  const b = Buffer.alloc(5);
  b[0] = 0x82;
  b.writeInt32LE(n, 1);
  return b;
}

// ---------------------------------------------------------------------------------------------------------
// Safari History.db

export interface SafariHistoryOptions {
  /** Ordinary visits (an http→https upgrade counts as two); planted ones come on top. */
  readonly visits: number;
  readonly plants?: readonly SafariVisitPlant[];
  readonly period?: Period;
}

export interface SafariHistoryStats {
  readonly items: number;
  readonly visits: number;
}

/** Safari's schema as iOS 15–17 ship it (plaso's History.db sample has the same tables). */
export const SAFARI_HISTORY_SCHEMA = `
CREATE TABLE history_items (id INTEGER PRIMARY KEY AUTOINCREMENT,url TEXT NOT NULL UNIQUE,domain_expansion TEXT NULL,visit_count INTEGER NOT NULL,daily_visit_counts BLOB NOT NULL,weekly_visit_counts BLOB NULL,autocomplete_triggers BLOB NULL,should_recompute_derived_visit_counts INTEGER NOT NULL,visit_count_score INTEGER NOT NULL,status_code INTEGER NOT NULL DEFAULT 0);
CREATE TABLE history_visits (id INTEGER PRIMARY KEY AUTOINCREMENT,history_item INTEGER NOT NULL REFERENCES history_items(id) ON DELETE CASCADE,visit_time REAL NOT NULL,title TEXT NULL,load_successful BOOLEAN NOT NULL DEFAULT 1,http_non_get BOOLEAN NOT NULL DEFAULT 0,synthesized BOOLEAN NOT NULL DEFAULT 0,redirect_source INTEGER NULL UNIQUE REFERENCES history_visits(id) ON DELETE CASCADE,redirect_destination INTEGER NULL UNIQUE REFERENCES history_visits(id) ON DELETE CASCADE,origin INTEGER NOT NULL DEFAULT 0,generation INTEGER NOT NULL DEFAULT 0,attributes INTEGER NOT NULL DEFAULT 0,score INTEGER NOT NULL DEFAULT 0);
CREATE TABLE history_tombstones (id INTEGER PRIMARY KEY AUTOINCREMENT,start_time REAL NOT NULL,end_time REAL NOT NULL,url TEXT,generation INTEGER NOT NULL DEFAULT 0);
CREATE TABLE metadata (key TEXT NOT NULL UNIQUE, value);
CREATE TABLE history_client_versions (client_version INTEGER PRIMARY KEY,last_seen REAL NOT NULL);
CREATE TABLE history_event_listeners (listener_name TEXT PRIMARY KEY NOT NULL UNIQUE,last_seen REAL NOT NULL);
CREATE TABLE history_events (id INTEGER PRIMARY KEY AUTOINCREMENT,event_type TEXT NOT NULL,event_time REAL NOT NULL,pending_listeners TEXT NOT NULL,value BLOB);
CREATE INDEX history_items__domain_expansion ON history_items (domain_expansion);
CREATE INDEX history_visits__last_visit ON history_visits (history_item, visit_time DESC, synthesized ASC);
CREATE INDEX history_visits__origin ON history_visits (origin, generation);
CREATE INDEX history_tombstones__generation ON history_tombstones (generation);
CREATE INDEX history_tombstones__end_time ON history_tombstones (end_time);
PRAGMA user_version = 20;
`;

/** Safari's domain_expansion: the host without `www.` and without its last label (`www.nytimes.com` → `nytimes`). */
export function domainExpansion(host: string): string {
  const bare = host.replace(/^www\./, '');
  const cut = bare.lastIndexOf('.');
  return cut > 0 ? bare.slice(0, cut) : bare;
}

const DAILY_COUNTS = Buffer.from('64000000', 'hex'); // as in real files: one little-endian int32 (100)

export function writeSafariHistoryDb(path: string, rng: Random, options: SafariHistoryOptions): SafariHistoryStats {
  const period = options.period ?? defaultPeriod;
  const n = Math.max(0, Math.floor(options.visits));
  const db = openNew(path);
  try {
    db.exec(SAFARI_HISTORY_SCHEMA);
    const meta = db.prepare('INSERT INTO metadata (key, value) VALUES (?, ?)');
    meta.run('current_generation', 1);
    meta.run('last_synced_generation', 0);

    // Items: each site's home page over https and http (the http one is what an upgrade redirects from),
    // then article pages whose path carries the item number, so every url is unique without remembering any.
    const insItem = db.prepare(
      'INSERT INTO history_items (url, domain_expansion, visit_count, daily_visit_counts, should_recompute_derived_visit_counts, visit_count_score) VALUES (?, ?, 0, ?, 0, 100)',
    );
    const homes = SITES.length;
    const articles = n === 0 ? 0 : Math.max(1, Math.ceil(n * 0.35));
    inTransaction(db, () => {
      for (const s of SITES) insItem.run(`https://${s.host}/`, domainExpansion(s.host), DAILY_COUNTS);
      for (const s of SITES) insItem.run(`http://${s.host}/`, domainExpansion(s.host), DAILY_COUNTS);
    });
    batched(db, articles, (k) => {
      const s = SITES[k % SITES.length]!;
      insItem.run(`https://${s.host}/${rng.pick(PATH_WORDS)}/${k.toString(36)}-${rng.pick(PATH_WORDS)}-${rng.pick(PATH_WORDS)}`, domainExpansion(s.host), DAILY_COUNTS);
    });
    const itemIdOf = db.prepare('SELECT id FROM history_items WHERE url = ?').pluck();
    const insPlantItem = db.prepare(
      'INSERT OR IGNORE INTO history_items (url, domain_expansion, visit_count, daily_visit_counts, should_recompute_derived_visit_counts, visit_count_score) VALUES (?, ?, 0, ?, 0, 100)',
    );
    const itemFor = (url: string): number => {
      insPlantItem.run(url, domainExpansion(hostOf(url)), DAILY_COUNTS);
      return itemIdOf.get(url) as number;
    };

    const insVisit = db.prepare(
      'INSERT INTO history_visits (history_item, visit_time, title, load_successful, redirect_source, redirect_destination, origin, generation) VALUES (?, ?, ?, 1, ?, ?, 0, 1)',
    );
    let nextVisitId = 1;
    /** Inserts a chain of visits, each redirected to the next; ids are consecutive, so the links are known up front. */
    const chain = (hops: { item: number; title: string | null; at: number }[]): void => {
      const first = nextVisitId;
      hops.forEach((hop, j) => {
        const id = first + j;
        insVisit.run(hop.item, toCocoaFromUnix(hop.at), hop.title, j > 0 ? id - 1 : null, j < hops.length - 1 ? id + 1 : null);
      });
      nextVisitId += hops.length;
    };

    const plants = schedule(options.plants ?? [], period);
    let plantedVisits = 0;
    const insertPlant = (p: SafariVisitPlant, at: number): void => {
      const delay = (p.redirectDelayMs ?? 180) / 1000;
      const hops: { item: number; title: string | null; at: number }[] = [];
      if (p.redirectFrom) hops.push({ item: itemFor(p.redirectFrom), title: null, at: at - delay });
      hops.push({ item: itemFor(p.url), title: p.title ?? null, at });
      if (p.redirectTo) hops.push({ item: itemFor(p.redirectTo), title: null, at: at + delay });
      chain(hops);
      plantedVisits += hops.length;
    };

    const clock = makeClock(period, n, rng);
    let made = 0;
    // n slots; an upgrade pair fills two visits, so once `made` reaches n the remaining slots stay empty.
    streamRows(db, n, plants, clock, (_i, at) => {
      if (made >= n) return;
      const siteIndex = Math.floor(rng.next() ** 1.6 * homes);
      const site = SITES[siteIndex]!;
      if (made + 2 <= n && rng.chance(0.05)) {
        // Typed without a scheme: Safari visits http://, and the site upgrades to https:// at once. Same host, so the
        // fast-redirect heuristic (which only looks at redirects to another domain) must stay silent.
        const delay = 0.02 + rng.next() * 0.3;
        chain([
          { item: homes + siteIndex + 1, title: null, at },
          { item: siteIndex + 1, title: site.title, at: at + delay },
        ]);
        made += 2;
        return;
      }
      if (articles > 0 && rng.chance(0.6)) {
        const k = rng.int(0, articles - 1); // article k belongs to SITES[k % SITES.length]
        chain([{ item: 2 * homes + 1 + k, title: SITES[k % homes]!.title, at }]);
      } else {
        chain([{ item: siteIndex + 1, title: site.title, at }]);
      }
      made += 1;
    }, insertPlant);

    db.exec('UPDATE history_items SET visit_count = (SELECT count(*) FROM history_visits WHERE history_visits.history_item = history_items.id)');
    return { items: db.prepare('SELECT count(*) FROM history_items').pluck().get() as number, visits: made + plantedVisits };
  } finally {
    db.close();
  }
}

function hostOf(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return url;
  }
}

// ---------------------------------------------------------------------------------------------------------
// DataUsage.sqlite

export interface DataUsageOptions {
  /** Ordinary ZPROCESS rows; planted processes come on top. */
  readonly processes: number;
  readonly plants?: readonly DataUsageProcessPlant[];
  readonly period?: Period;
}

export interface DataUsageStats {
  readonly processes: number;
  readonly liveUsage: number;
}

/** The Core Data store of iOS 14–17 (the MVT test backup and plaso's sample have exactly these tables). */
export const DATAUSAGE_SCHEMA = `
CREATE TABLE ZCHECKUPEVENT ( Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZTIMESTAMP TIMESTAMP, ZSYNDROMEID VARCHAR );
CREATE TABLE ZDEMOLIVEUSAGE ( Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZINCARNATION INTEGER, ZWIFIIN INTEGER, ZWIFIOUT INTEGER, ZWWANIN INTEGER, ZWWANOUT INTEGER, ZTIMESTAMP TIMESTAMP );
CREATE TABLE ZEVENT ( Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZHAPPENEDONNET INTEGER, ZHASPEER INTEGER, ZHASSCENE INTEGER, ZRFU1 FLOAT, ZRFU2 FLOAT, ZRFU3 FLOAT, ZRFU4 FLOAT, ZRFU5 FLOAT, ZTIMESTAMP TIMESTAMP, ZFAILUREIMPACT VARCHAR, ZFAILURESTRING VARCHAR, ZSYNDROMEID VARCHAR );
CREATE TABLE ZEVENTSCENE ( Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZLINKQUALITY INTEGER, ZRSSI INTEGER, ZWITHEVENT INTEGER, ZCOURSE FLOAT, ZLATITUDE FLOAT, ZLOCACCURACY FLOAT, ZLONGITUDE FLOAT, ZRFU1 FLOAT, ZRFU3 FLOAT, ZSPEED FLOAT );
CREATE TABLE ZLIVEUSAGE ( Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZKIND INTEGER, ZMETADATA INTEGER, ZTAG INTEGER, ZHASPROCESS INTEGER, ZBILLCYCLEEND TIMESTAMP, ZTIMESTAMP TIMESTAMP, ZWIFIIN FLOAT, ZWIFIOUT FLOAT, ZWWANIN FLOAT, ZWWANOUT FLOAT );
CREATE TABLE ZPEER ( Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZADDRESS INTEGER, ZDSTPORT INTEGER, ZWITHEVENT INTEGER, ZRFU1 FLOAT, ZRFU2 FLOAT, ZRFU3 FLOAT, ZRFU4 FLOAT, ZRFU5 FLOAT, ZTIMESTAMP TIMESTAMP, ZFQDN VARCHAR );
CREATE TABLE ZPROCESS ( Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZFIRSTTIMESTAMP TIMESTAMP, ZTIMESTAMP TIMESTAMP, ZBUNDLENAME VARCHAR, ZPROCNAME VARCHAR );
CREATE TABLE ZTSHOOTINGDATA ( Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZWITHCHECKUPEVENT INTEGER, ZWITHEVENT INTEGER, ZTIMESTAMP TIMESTAMP, ZPROVIDERS BLOB );
CREATE TABLE ZWIFIDATA ( Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZISADHOC INTEGER, ZISCAPTIVE INTEGER, ZISLINKLOCALADDR INTEGER, ZLINKQUALITY INTEGER, ZSTATE INTEGER, ZSTATSTCPCNTACTUAL INTEGER, ZSTATSTCPCNTBASE INTEGER, ZTIMEAT INTEGER, ZDHCPLEASETIME FLOAT, ZLATITUDE FLOAT, ZLOCACCURACY FLOAT, ZLONGITUDE FLOAT, ZRFU1 FLOAT, ZRFU2 FLOAT, ZRFU3 FLOAT, ZRSSI FLOAT, ZSTATSINBYTESACTUAL FLOAT, ZSTATSINBYTESBASE FLOAT, ZSTATSOUTBYTESACTUAL FLOAT, ZSTATSOUTBYTESBASE FLOAT, ZTIMESTAMP TIMESTAMP, ZBSSID VARCHAR, ZSSID VARCHAR );
CREATE TABLE Z_PRIMARYKEY (Z_ENT INTEGER PRIMARY KEY, Z_NAME VARCHAR, Z_SUPER INTEGER, Z_MAX INTEGER);
CREATE TABLE Z_METADATA (Z_VERSION INTEGER PRIMARY KEY, Z_UUID VARCHAR(255), Z_PLIST BLOB);
CREATE TABLE Z_MODELCACHE (Z_CONTENT BLOB);
CREATE INDEX ZLIVEUSAGE_ZHASPROCESS_INDEX ON ZLIVEUSAGE (ZHASPROCESS);
CREATE INDEX ZEVENT_ZHAPPENEDONNET_INDEX ON ZEVENT (ZHAPPENEDONNET);
CREATE INDEX ZEVENT_ZHASPEER_INDEX ON ZEVENT (ZHASPEER);
CREATE INDEX ZEVENT_ZHASSCENE_INDEX ON ZEVENT (ZHASSCENE);
CREATE INDEX ZEVENTSCENE_ZWITHEVENT_INDEX ON ZEVENTSCENE (ZWITHEVENT);
CREATE INDEX ZPEER_ZWITHEVENT_INDEX ON ZPEER (ZWITHEVENT);
CREATE INDEX ZTSHOOTINGDATA_ZWITHCHECKUPEVENT_INDEX ON ZTSHOOTINGDATA (ZWITHCHECKUPEVENT);
CREATE INDEX ZTSHOOTINGDATA_ZWITHEVENT_INDEX ON ZTSHOOTINGDATA (ZWITHEVENT);
`;

const ENTITIES = ['CheckUpEvent', 'DemoLiveUsage', 'Event', 'EventScene', 'LiveUsage', 'Peer', 'Process', 'TshootingData', 'WiFiData'] as const;
const LIVE_USAGE_ENT = 5;
const PROCESS_ENT = 7;

/**
 * A process name as DataUsage records it: `daemon/bundle` for traffic a daemon made on an app's behalf, the app's
 * own executable name, or a bare daemon name with no bundle.
 */
function processName(rng: Random): { proc: string; bundle: string | null } {
  const r = rng.next();
  if (r < 0.12) return { proc: rng.pick(BARE_PROCESSES), bundle: null };
  const bundle = rng.pick(BUNDLES);
  if (r < 0.3) return { proc: `1FB47783-A2FE-47D9-B256-DF50EF44BBA4/${bundle}`, bundle };
  return { proc: `${rng.pick(DAEMONS)}/${bundle}`, bundle };
}

export function writeDataUsageDb(path: string, rng: Random, options: DataUsageOptions): DataUsageStats {
  const period = options.period ?? defaultPeriod;
  const n = Math.max(0, Math.floor(options.processes));
  const db = openNew(path);
  try {
    db.exec(DATAUSAGE_SCHEMA);
    const insProcess = db.prepare('INSERT INTO ZPROCESS (Z_PK, Z_ENT, Z_OPT, ZFIRSTTIMESTAMP, ZTIMESTAMP, ZBUNDLENAME, ZPROCNAME) VALUES (?, ?, 1, ?, ?, ?, ?)');
    const insLive = db.prepare(
      'INSERT INTO ZLIVEUSAGE (Z_PK, Z_ENT, Z_OPT, ZKIND, ZMETADATA, ZTAG, ZHASPROCESS, ZBILLCYCLEEND, ZTIMESTAMP, ZWIFIIN, ZWIFIOUT, ZWWANIN, ZWWANOUT) VALUES (?, ?, ?, 0, 0, 1, ?, NULL, ?, ?, ?, ?, ?)',
    );
    let processPk = 0;
    let livePk = 0;
    const end = period.end.getTime() / 1000;
    const liveRows = (pk: number, at: number, rows: number): void => {
      for (let j = 0; j < rows; j++) {
        // Live rows are updated in place as traffic accumulates: one per process and period, time after first use.
        const t = Math.min(end, at + rng.next() * (end - at));
        const wifi = rng.chance(0.7);
        insLive.run(++livePk, LIVE_USAGE_ENT, rng.int(1, 40), pk, toCocoaFromUnix(t), wifi ? Math.round(rng.next() * 5e7) : 0, wifi ? Math.round(rng.next() * 5e6) : 0, Math.round(rng.next() * 2e7), Math.round(rng.next() * 2e6));
      }
    };
    const insertProcess = (proc: string, bundle: string | null, at: number, live: number): void => {
      const pk = ++processPk;
      insProcess.run(pk, PROCESS_ENT, toCocoaFromUnix(at), toCocoaFromUnix(at + rng.next() * 0.01), bundle, proc);
      liveRows(pk, at, live);
    };

    const plants = schedule(options.plants ?? [], period);
    const clock = makeClock(period, n, rng);
    streamRows(db, n, plants, clock, (_i, at) => {
      const { proc, bundle } = processName(rng);
      insertProcess(proc, bundle, at, rng.chance(0.3) ? 0 : rng.int(1, 3));
    }, (p, at) => insertProcess(p.name, p.bundleId ?? null, at, 1));

    const insKey = db.prepare('INSERT INTO Z_PRIMARYKEY (Z_ENT, Z_NAME, Z_SUPER, Z_MAX) VALUES (?, ?, 0, ?)');
    ENTITIES.forEach((name, i) => insKey.run(i + 1, name, i + 1 === PROCESS_ENT ? processPk : i + 1 === LIVE_USAGE_ENT ? livePk : 0));
    db.prepare('INSERT INTO Z_METADATA (Z_VERSION, Z_UUID, Z_PLIST) VALUES (1, ?, ?)').run(
      rng.uuid(),
      Buffer.from(buildBinary({ NSPersistenceFrameworkVersion: 1344, NSStoreType: 'SQLite', NSStoreModelVersionIdentifiers: [''] })),
    );
    return { processes: processPk, liveUsage: livePk };
  } finally {
    db.close();
  }
}

// ---------------------------------------------------------------------------------------------------------
// TCC.db

export interface TccOptions {
  /** How many apps appear as clients (each with a few services). Default 24. */
  readonly clients?: number;
  readonly plants?: readonly TccClientPlant[];
  readonly period?: Period;
}

export interface TccStats {
  readonly access: number;
}

/** TCC.db v3 (iOS 14+), as in the MVT test backup. */
export const TCC_SCHEMA = `
CREATE TABLE admin (key TEXT PRIMARY KEY NOT NULL, value INTEGER NOT NULL);
CREATE TABLE policies (    id        INTEGER    NOT NULL PRIMARY KEY,     bundle_id    TEXT    NOT NULL,     uuid        TEXT    NOT NULL,     display        TEXT    NOT NULL,     UNIQUE (bundle_id, uuid));
CREATE TABLE active_policy (    client        TEXT    NOT NULL,     client_type    INTEGER    NOT NULL,     policy_id    INTEGER NOT NULL,     PRIMARY KEY (client, client_type),     FOREIGN KEY (policy_id) REFERENCES policies(id) ON DELETE CASCADE ON UPDATE CASCADE);
CREATE TABLE access_overrides (    service        TEXT    NOT NULL PRIMARY KEY);
CREATE TABLE expired (    service        TEXT        NOT NULL,     client         TEXT        NOT NULL,     client_type    INTEGER     NOT NULL,     csreq          BLOB,     last_modified  INTEGER     NOT NULL ,     expired_at     INTEGER     NOT NULL DEFAULT (CAST(strftime('%s','now') AS INTEGER)),     PRIMARY KEY (service, client, client_type));
CREATE TABLE IF NOT EXISTS "access" (    service        TEXT        NOT NULL,     client         TEXT        NOT NULL,     client_type    INTEGER     NOT NULL,     auth_value     INTEGER     NOT NULL,     auth_reason    INTEGER     NOT NULL,     auth_version   INTEGER     NOT NULL,     csreq          BLOB,     policy_id      INTEGER,     indirect_object_identifier_type    INTEGER,     indirect_object_identifier         TEXT NOT NULL DEFAULT 'UNUSED',     indirect_object_code_identity      BLOB,     flags          INTEGER,     last_modified  INTEGER     NOT NULL DEFAULT (CAST(strftime('%s','now') AS INTEGER)),     PRIMARY KEY (service, client, client_type, indirect_object_identifier),    FOREIGN KEY (policy_id) REFERENCES policies(id) ON DELETE CASCADE ON UPDATE CASCADE);
CREATE INDEX active_policy_id ON active_policy(policy_id);
`;

export function writeTccDb(path: string, rng: Random, options: TccOptions = {}): TccStats {
  const period = options.period ?? defaultPeriod;
  const clients = Math.min(APPS.length, Math.max(0, Math.floor(options.clients ?? 24)));
  const db = openNew(path);
  try {
    db.exec(TCC_SCHEMA);
    db.prepare("INSERT INTO admin (key, value) VALUES ('version', 20)").run();
    const ins = db.prepare(
      `INSERT INTO access (service, client, client_type, auth_value, auth_reason, auth_version, csreq, policy_id, indirect_object_identifier_type, indirect_object_identifier, flags, last_modified)
       VALUES (?, ?, ?, ?, ?, 1, NULL, NULL, 0, 'UNUSED', 0, ?)`,
    );
    // Each (client, service) pair at most once: TCC's primary key.
    const rows: { service: string; client: string; value: number; reason: number; at: number }[] = [];
    for (let c = 0; c < clients; c++) {
      const client = APPS[c]!;
      for (const service of TCC_SERVICES) {
        if (!rng.chance(0.18)) continue;
        const allowed = rng.chance(0.8);
        rows.push({ service, client, value: allowed ? 2 : 0, reason: rng.pick([2, 3, 4, 5]), at: unixIn(period, rng.next()) });
      }
    }
    rows.sort((a, b) => a.at - b.at);
    const plants = schedule(options.plants ?? [], period);
    let access = 0;
    inTransaction(db, () => {
      let p = 0;
      const flush = (until: number): void => {
        for (; p < plants.length && plants[p]!.at <= until; p++) {
          const { plant, at } = plants[p]!;
          ins.run(plant.service ?? 'kTCCServiceMicrophone', plant.client, plant.clientType ?? 0, 2, 4, Math.floor(at));
          access++;
        }
      };
      for (const r of rows) {
        flush(r.at);
        ins.run(r.service, r.client, 0, r.value, r.reason, Math.floor(r.at));
        access++;
      }
      flush(Infinity);
    });
    // iOS keeps TCC.db in WAL mode; the header says so even when the backup holds no -wal (as in the MVT backup).
    db.pragma('journal_mode = WAL');
    return { access };
  } finally {
    db.close();
  }
}

// ---------------------------------------------------------------------------------------------------------
// .GlobalPreferences.plist

export interface GlobalPreferencesOptions {
  /** LDMGlobalEnabled. Absent unless given: most phones never touched Lockdown Mode. */
  readonly lockdownMode?: boolean;
  readonly period?: Period;
}

/** The binary plist at HomeDomain/Library/Preferences/.GlobalPreferences.plist, with the keys a real one has. */
export function globalPreferencesPlist(rng: Random, options: GlobalPreferencesOptions = {}): Buffer {
  const period = options.period ?? defaultPeriod;
  const locale = rng.pick(['en_US', 'en_GB', 'fr_FR', 'de_DE', 'es_ES']);
  const lang = locale.replace('_', '-');
  const prefs: Record<string, unknown> = {
    WebKitShowLinkPreviews: false,
    AddingEmojiKeybordHandled: true,
    AKLastEmailListRequestDateKey: new Date(period.end.getTime() - rng.int(1, 30) * 86_400_000),
    AKLastIDMSEnvironment: 0,
    AppleLanguagesDidMigrate: '21F90',
    AppleLanguages: [lang],
    AppleLanguagesSchemaVersion: 3000,
    AKLastLocale: locale,
    AppleKeyboardsExpanded: 1,
    AppleKeyboards: [`${locale}@sw=QWERTY;hw=Automatic`, 'emoji@sw=Emoji'],
    PKKeychainVersionKey: 8,
    AppleLocale: locale,
    ApplePasscodeKeyboards: [`${locale}@sw=QWERTY;hw=Automatic`, 'emoji@sw=Emoji'],
  };
  if (options.lockdownMode !== undefined) prefs.LDMGlobalEnabled = options.lockdownMode;
  return Buffer.from(buildBinary(prefs as PlistInput));
}

// ---------------------------------------------------------------------------------------------------------
// sms.db dates

/** sms.db dates: nanoseconds since 2001 (iOS 11+). 18 digits, beyond a double's exact range, hence BigInt. */
function cocoaNanos(unixSeconds: number): bigint {
  const cocoa = toCocoaFromUnix(unixSeconds);
  const whole = Math.floor(cocoa);
  return BigInt(whole) * 1_000_000_000n + BigInt(Math.floor((cocoa - whole) * 1e6)) * 1_000n;
}
