/**
 * WhatsApp's ChatStorage.sqlite for a synthetic phone: one-to-one chats with the address book's people and a few
 * groups, messages with ordinary texts, photos on WhatsApp's media CDN, and link previews (the title, summary and
 * matched link WhatsApp stores for a pasted link) whose text is full of dotted words and bare domains. The
 * CoreData layout of WhatsApp 2.23–2.24 (the columns ios.whatsapp reads, plus the common ones around them).
 */
import { buildBinary } from 'plist';
import { EVERYDAY_TEXTS, LINK_PREVIEWS, MESSAGE_TEXTS } from './_vocabulary.js';
import { batched, inTransaction, openNew, toCocoaFromUnix, unixIn } from './_rows.js';
import { defaultPeriod, type Period } from './ios-content.js';
import { OWNER, type Person } from './ios-people.js';
import type { Random } from './random.js';


export interface WhatsappStats {
  readonly messages: number;
  readonly chats: number;
  /** Messages with a link preview (ZWAMESSAGEDATAITEM rows). */
  readonly linkPreviews: number;
  /** Messages with a photo (ZWAMEDIAITEM rows). */
  readonly media: number;
}

export const WHATSAPP_SCHEMA = `
CREATE TABLE ZWACHATSESSION ( Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZARCHIVED INTEGER, ZCONTACTABID INTEGER, ZFLAGS INTEGER, ZHIDDEN INTEGER, ZMESSAGECOUNTER INTEGER, ZREMOVED INTEGER, ZSESSIONTYPE INTEGER, ZSPOTLIGHTSTATUS INTEGER, ZUNREADCOUNT INTEGER, ZGROUPINFO INTEGER, ZLASTMESSAGE INTEGER, ZLASTMESSAGEDATE TIMESTAMP, ZCONTACTIDENTIFIER VARCHAR, ZCONTACTJID VARCHAR, ZETAG VARCHAR, ZLASTMESSAGETEXT VARCHAR, ZPARTNERNAME VARCHAR, ZSAVEDINPUT VARCHAR );
CREATE TABLE ZWAGROUPINFO ( Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZSTATE INTEGER, ZCHATSESSION INTEGER, ZLASTMESSAGEOWNER INTEGER, ZCREATIONDATE TIMESTAMP, ZCREATORJID VARCHAR, ZOWNERJID VARCHAR, ZPICTUREID VARCHAR, ZSUBJECTOWNERJID VARCHAR, ZSUBJECTTIMESTAMP TIMESTAMP );
CREATE TABLE ZWAMESSAGE ( Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZCHILDMESSAGESDELIVEREDCOUNT INTEGER, ZCHILDMESSAGESPLAYEDCOUNT INTEGER, ZCHILDMESSAGESREADCOUNT INTEGER, ZDATAITEMVERSION INTEGER, ZDOCID INTEGER, ZENCRETRYCOUNT INTEGER, ZFILTEREDRECIPIENTCOUNT INTEGER, ZFLAGS INTEGER, ZGROUPEVENTTYPE INTEGER, ZISFROMME INTEGER, ZMESSAGEERRORSTATUS INTEGER, ZMESSAGESTATUS INTEGER, ZMESSAGETYPE INTEGER, ZSORT INTEGER, ZSPOTLIGHTSTATUS INTEGER, ZSTARRED INTEGER, ZCHATSESSION INTEGER, ZGROUPMEMBER INTEGER, ZLASTSESSION INTEGER, ZMEDIAITEM INTEGER, ZMESSAGEINFO INTEGER, ZPARENTMESSAGE INTEGER, ZMESSAGEDATE TIMESTAMP, ZSENTDATE TIMESTAMP, ZFROMJID VARCHAR, ZMEDIASECTIONID VARCHAR, ZPHASH VARCHAR, ZPUSHNAME VARCHAR, ZSTANZAID VARCHAR, ZTEXT VARCHAR, ZTOJID VARCHAR );
CREATE TABLE ZWAMEDIAITEM ( Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZCLOUDSTATUS INTEGER, ZFILESIZE INTEGER, ZMEDIAORIGIN INTEGER, ZMOVIEDURATION INTEGER, ZMESSAGE INTEGER, ZASPECTRATIO FLOAT, ZHACCURACY FLOAT, ZLATITUDE FLOAT, ZLONGITUDE FLOAT, ZMEDIAURLDATE TIMESTAMP, ZAUTHORNAME VARCHAR, ZCOLLECTIONNAME VARCHAR, ZMEDIALOCALPATH VARCHAR, ZMEDIAURL VARCHAR, ZTHUMBNAILLOCALPATH VARCHAR, ZTITLE VARCHAR, ZVCARDNAME VARCHAR, ZVCARDSTRING VARCHAR, ZXMPPTHUMBPATH VARCHAR, ZMEDIAKEY BLOB, ZMETADATA BLOB );
CREATE TABLE ZWAMESSAGEDATAITEM ( Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZINDEX INTEGER, ZMESSAGE INTEGER, ZDATE TIMESTAMP, ZCONTENT1 VARCHAR, ZCONTENT2 VARCHAR, ZMATCHEDTEXT VARCHAR, ZSECTIONHEADER VARCHAR, ZSENDERJID VARCHAR, ZSUMMARY VARCHAR, ZTITLE VARCHAR, ZMETADATA BLOB );
CREATE TABLE Z_PRIMARYKEY (Z_ENT INTEGER PRIMARY KEY, Z_NAME VARCHAR, Z_SUPER INTEGER, Z_MAX INTEGER);
CREATE TABLE Z_METADATA (Z_VERSION INTEGER PRIMARY KEY, Z_UUID VARCHAR(255), Z_PLIST BLOB);
CREATE INDEX ZWAMESSAGE_ZCHATSESSION_INDEX ON ZWAMESSAGE (ZCHATSESSION);
CREATE INDEX ZWAMESSAGEDATAITEM_ZMESSAGE_INDEX ON ZWAMESSAGEDATAITEM (ZMESSAGE);
CREATE INDEX ZWAMEDIAITEM_ZMESSAGE_INDEX ON ZWAMEDIAITEM (ZMESSAGE);
`;

const ENT = { chat: 1, group: 2, media: 3, message: 4, dataItem: 5 } as const;
/** ZMESSAGETYPE: text, image. ZSESSIONTYPE: one-to-one, group. */
const TEXT = 0;
const IMAGE = 1;
const GROUP_NAMES = ['Family 👨‍👩‍👧', 'Flat 3.2', 'Book club', 'Weekend trip', 'Football Sun. 10 a.m.'];

const jidOf = (p: Person): string => `${p.phones[0]!.slice(1)}@s.whatsapp.net`;
const OWNER_JID = `${OWNER.phone.slice(1)}@s.whatsapp.net`;

export function writeWhatsappChatStorage(path: string, rng: Random, people: readonly Person[], options: { messages: number; period?: Period }): WhatsappStats {
  const period = options.period ?? defaultPeriod;
  const n = people.length === 0 ? 0 : Math.max(0, Math.floor(options.messages));
  const db = openNew(path);
  try {
    db.exec(WHATSAPP_SCHEMA);
    // Chats: the people messaged most, then a few groups with three to six of them.
    const partners = people.slice(0, Math.min(people.length, Math.max(1, Math.ceil(n / 40))));
    const groups = Math.min(GROUP_NAMES.length, Math.floor(partners.length / 3));
    const insChat = db.prepare(
      `INSERT INTO ZWACHATSESSION (Z_PK, Z_ENT, Z_OPT, ZARCHIVED, ZFLAGS, ZHIDDEN, ZMESSAGECOUNTER, ZREMOVED, ZSESSIONTYPE, ZUNREADCOUNT, ZGROUPINFO, ZCONTACTJID, ZPARTNERNAME)
       VALUES (?, ${ENT.chat}, 1, 0, 0, 0, 0, 0, ?, 0, ?, ?, ?)`,
    );
    const insGroup = db.prepare(`INSERT INTO ZWAGROUPINFO (Z_PK, Z_ENT, Z_OPT, ZSTATE, ZCHATSESSION, ZCREATIONDATE, ZCREATORJID, ZOWNERJID) VALUES (?, ${ENT.group}, 1, 0, ?, ?, ?, ?)`);
    const chats: { pk: number; jid: string; members: readonly Person[] }[] = [];
    inTransaction(db, () => {
      for (const p of partners) {
        const pk = chats.length + 1;
        insChat.run(pk, 0, null, jidOf(p), `${p.first} ${p.last}`);
        chats.push({ pk, jid: jidOf(p), members: [p] });
      }
      for (let g = 0; g < groups; g++) {
        const pk = chats.length + 1;
        const members = Array.from({ length: rng.int(3, 6) }, () => rng.pick(partners));
        const jid = `${OWNER.phone.slice(1)}-${rng.int(1_500_000_000, 1_700_000_000)}@g.us`;
        insGroup.run(g + 1, pk, toCocoaFromUnix(unixIn(period, rng.next() * 0.1)), jidOf(members[0]!), jidOf(members[0]!));
        insChat.run(pk, 1, g + 1, jid, GROUP_NAMES[g]!);
        chats.push({ pk, jid, members });
      }
    });

    const insMessage = db.prepare(
      `INSERT INTO ZWAMESSAGE (Z_PK, Z_ENT, Z_OPT, ZDATAITEMVERSION, ZFLAGS, ZISFROMME, ZMESSAGESTATUS, ZMESSAGETYPE, ZSORT, ZCHATSESSION, ZMEDIAITEM, ZMESSAGEDATE, ZSENTDATE, ZFROMJID, ZPUSHNAME, ZSTANZAID, ZTEXT, ZTOJID)
       VALUES (?, ${ENT.message}, 1, ?, 0, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const insMedia = db.prepare(
      `INSERT INTO ZWAMEDIAITEM (Z_PK, Z_ENT, Z_OPT, ZCLOUDSTATUS, ZFILESIZE, ZMEDIAORIGIN, ZMESSAGE, ZMEDIAURLDATE, ZAUTHORNAME, ZMEDIALOCALPATH, ZMEDIAURL, ZMEDIAKEY)
       VALUES (?, ${ENT.media}, 1, 0, ?, 0, ?, ?, ?, ?, ?, ?)`,
    );
    const insItem = db.prepare(
      `INSERT INTO ZWAMESSAGEDATAITEM (Z_PK, Z_ENT, Z_OPT, ZINDEX, ZMESSAGE, ZDATE, ZCONTENT1, ZCONTENT2, ZMATCHEDTEXT, ZSENDERJID, ZSUMMARY, ZTITLE) VALUES (?, ${ENT.dataItem}, 1, 0, ?, ?, ?, NULL, ?, ?, ?, ?)`,
    );
    let media = 0;
    let previews = 0;
    batched(db, n, (i) => {
      const pk = i + 1;
      const chat = chats[Math.min(chats.length - 1, Math.floor(rng.next() ** 2 * chats.length))]!;
      const at = unixIn(period, (i + 0.1 + 0.8 * rng.next()) / Math.max(1, n));
      const fromMe = rng.chance(0.45);
      const author = rng.pick(chat.members);
      const group = chat.jid.endsWith('@g.us');
      const r = rng.next();
      let text: string | null;
      let type = TEXT;
      let mediaPk: number | null = null;
      let preview: (typeof LINK_PREVIEWS)[number] | null = null;
      if (r < 0.07) {
        type = IMAGE;
        text = null;
        mediaPk = ++media;
      } else if (r < 0.12) {
        preview = rng.pick(LINK_PREVIEWS);
        text = rng.chance(0.5) ? preview.url : `${rng.pick(['Look', 'Read this', 'lol', 'For Saturday'])} ${preview.url}`;
      } else {
        text = rng.chance(0.35) ? rng.pick(EVERYDAY_TEXTS) : rng.pick(MESSAGE_TEXTS);
      }
      const from = fromMe ? null : chat.jid; // in a group, the group; the member is the push name and media author
      insMessage.run(
        pk, preview ? 1 : 0, fromMe ? 1 : 0, fromMe ? rng.pick([8, 13]) : 0, type, pk, chat.pk, mediaPk, toCocoaFromUnix(at), toCocoaFromUnix(at - rng.next() * 2),
        from, fromMe ? null : `${author.first}`, rng.hex(32).toUpperCase(), text, fromMe ? chat.jid : null,
      );
      if (mediaPk !== null) {
        const file = `${rng.uuid().toLowerCase()}.jpg`;
        insMedia.run(
          mediaPk, rng.int(40_000, 2_000_000), pk, toCocoaFromUnix(at), group && !fromMe ? jidOf(author) : null, `Media/${chat.jid}/${rng.hex(1)}/${rng.hex(1)}/${file}`,
          `https://mmg.whatsapp.net/v/t62.7118-24/${rng.int(10_000_000, 99_999_999)}_${rng.int(100_000_000, 999_999_999)}_n.enc?ccb=11-4&oh=01_${rng.hex(40)}&oe=${rng.hex(8).toUpperCase()}&_nc_sid=5e03e0&mms3=true`,
          Buffer.from(rng.hex(64), 'hex'),
        );
      }
      if (preview) {
        previews++;
        insItem.run(previews, pk, toCocoaFromUnix(at), preview.url, preview.url, fromMe ? OWNER_JID : jidOf(author), preview.summary, preview.title);
      }
    });
    inTransaction(db, () => {
      db.exec(`UPDATE ZWACHATSESSION SET
        ZMESSAGECOUNTER = (SELECT count(*) FROM ZWAMESSAGE m WHERE m.ZCHATSESSION = ZWACHATSESSION.Z_PK),
        ZLASTMESSAGE = (SELECT max(Z_PK) FROM ZWAMESSAGE m WHERE m.ZCHATSESSION = ZWACHATSESSION.Z_PK),
        ZLASTMESSAGEDATE = (SELECT max(ZMESSAGEDATE) FROM ZWAMESSAGE m WHERE m.ZCHATSESSION = ZWACHATSESSION.Z_PK)`);
      const insKey = db.prepare('INSERT INTO Z_PRIMARYKEY (Z_ENT, Z_NAME, Z_SUPER, Z_MAX) VALUES (?, ?, 0, ?)');
      insKey.run(ENT.chat, 'WAChatSession', chats.length);
      insKey.run(ENT.group, 'WAGroupInfo', groups);
      insKey.run(ENT.media, 'WAMediaItem', media);
      insKey.run(ENT.message, 'WAMessage', n);
      insKey.run(ENT.dataItem, 'WAMessageDataItem', previews);
      db.prepare('INSERT INTO Z_METADATA (Z_VERSION, Z_UUID, Z_PLIST) VALUES (1, ?, ?)').run(
        rng.uuid(),
        Buffer.from(buildBinary({ NSPersistenceFrameworkVersion: 1344, NSStoreType: 'SQLite', NSStoreModelVersionIdentifiers: [''] })),
      );
    });
    return { messages: n, chats: chats.length, linkPreviews: previews, media };
  } finally {
    db.close();
  }
}
