import type { EvidenceFile } from '../../evidence/source.js';
import type { SqliteHandle } from '../../evidence/sqlite.js';
import { errorMessage } from '../../errors.js';
import { fromCocoa, type Moment } from '../../formats/time.js';
import { defineArtifact, type Observable, type ParseContext, type Parsed } from '../artifact.js';
import { at, num, readDatabases, type Row } from '../_read.js';
import { cell, columnOr, findLinks, oneLine, rowLocator, text, unique, type Cell } from './_messaging.js';
import { settleObservables, textObservables } from './_observables.js';

/** A message: every `ZWAMESSAGE` column as stored, media and link-preview columns, and MVT's derived fields. */
export interface WhatsappMessageRecord {
  readonly record_type: 'message';
  readonly Z_PK: number | null;
  /** "" when NULL (media, calls, system messages). */
  readonly ZTEXT: string;
  readonly ZFROMJID: Cell;
  readonly ZTOJID: Cell;
  /** Cocoa seconds since 2001. */
  readonly ZMESSAGEDATE: Cell;
  readonly isodate: Moment | null;
  /**
   * Links in the text, link preview and media URL, de-duplicated, without WhatsApp's own media hosts. Present,
   * as in MVT's output, only when there is a link or the text is blank.
   */
  readonly links?: string[];
  readonly [column: `Z${string}`]: Cell;
}

/** WhatsApp's mapping of a privacy identifier (LID) to a phone number (LID.sqlite). */
export interface WhatsappLidPairRecord {
  readonly record_type: 'lid_phone_number_pair';
  /** Digits of the LID, without `@lid`. */
  readonly lid: string | null;
  /** Digits, without `+`. */
  readonly phone_number: string | null;
  readonly pair_timestamp: Moment | null;
}

/** A chat (one-to-one or group) with the dates of the messages still stored for it. */
export interface WhatsappChatSessionRecord {
  readonly record_type: 'chat_session';
  readonly session_pk: number | null;
  readonly contact_jid: string | null;
  readonly partner_name: string | null;
  readonly session_type: number | null;
  readonly archived: number | null;
  readonly removed: number | null;
  readonly message_counter: number | null;
  readonly last_message_date: Moment | null;
  readonly group_creation_date: Moment | null;
  readonly first_stored_message_date: Moment | null;
  readonly last_stored_message_date: Moment | null;
  readonly stored_message_count: number | null;
  /** `+digits` when the chat partner is known only by a LID that LID.sqlite maps to a phone number. */
  readonly partner_resolved_phone_number: string | null;
}

export type WhatsappRecord = WhatsappMessageRecord | WhatsappLidPairRecord | WhatsappChatSessionRecord;

const DOMAIN = 'AppDomainGroup-group.net.whatsapp.WhatsApp.shared';
/**
 * SHA-1 of `AppDomainGroup-group.net.whatsapp.WhatsApp.shared-LID.sqlite`. Some backups store LID.sqlite
 * without listing it in Manifest.db (MVT's test backup does); MVT finds it by this hash path, and so do we.
 */
export const LID_FILE_ID = 'e794f6ffcc3c222535f47684a63d5178da3c4500';

/** Media downloads on WhatsApp's own CDN: every media message has one, they are not links the user saw. */
const MEDIA_HOSTS = ['https://mmg-fna.whatsapp.net/', 'https://mmg.whatsapp.net/'];

/** Columns joined from media items and link previews; links are collected from these and ZTEXT. */
const MEDIA_COLUMNS = ['ZAUTHORNAME', 'ZMEDIAURL'] as const;
const DATA_ITEM_COLUMNS = ['ZCONTENT1', 'ZCONTENT2', 'ZMATCHEDTEXT', 'ZSUMMARY', 'ZTITLE'] as const;
const LINK_COLUMNS = ['ZTEXT', 'ZMATCHEDTEXT', 'ZMEDIAURL', 'ZCONTENT1', 'ZCONTENT2'] as const;

/** Pure decoder over `ZWAMESSAGE.*` plus the joined media and data-item columns. */
export function decodeWhatsappMessageRow(row: Row): WhatsappMessageRecord {
  const columns: Record<string, Cell> = {};
  for (const [name, value] of Object.entries(row)) columns[name] = cell(value);
  const ZTEXT = text(row.ZTEXT) ?? '';
  const links = unique(LINK_COLUMNS.flatMap((c) => findLinks(c === 'ZTEXT' ? ZTEXT : text(row[c])))).filter(
    (link) => !MEDIA_HOSTS.some((host) => link.startsWith(host)),
  );
  return {
    ...columns,
    record_type: 'message',
    Z_PK: num(row.Z_PK),
    ZTEXT,
    ZFROMJID: columns.ZFROMJID ?? null,
    ZTOJID: columns.ZTOJID ?? null,
    ZMESSAGEDATE: columns.ZMESSAGEDATE ?? null,
    isodate: fromCocoa(num(row.ZMESSAGEDATE)),
    ...(links.length > 0 || ZTEXT.trim() === '' ? { links } : {}),
  };
}

export function decodeLidPairRow(row: Row): WhatsappLidPairRecord {
  return { record_type: 'lid_phone_number_pair', lid: text(row.lid), phone_number: text(row.phone_number), pair_timestamp: fromCocoa(num(row.pair_timestamp)) };
}

/** LID digits → phone digits (no `+`). */
export function lidPhoneMap(pairs: readonly WhatsappLidPairRecord[]): Map<string, string> {
  const map = new Map<string, string>();
  for (const p of pairs) {
    if (p.lid && p.phone_number) map.set(p.lid.split('@')[0]!, p.phone_number.replace(/^\+/, ''));
  }
  return map;
}

export function decodeChatSessionRow(row: Row, lids: ReadonlyMap<string, string>): WhatsappChatSessionRecord {
  const jid = text(row.contact_jid);
  const phone = jid?.endsWith('@lid') ? lids.get(jid.split('@')[0]!) : undefined;
  return {
    record_type: 'chat_session',
    session_pk: num(row.session_pk),
    contact_jid: jid,
    partner_name: text(row.partner_name),
    session_type: num(row.session_type),
    archived: num(row.archived),
    removed: num(row.removed),
    message_counter: num(row.message_counter),
    last_message_date: fromCocoa(num(row.last_message_date)),
    group_creation_date: fromCocoa(num(row.group_creation_date)),
    first_stored_message_date: fromCocoa(num(row.first_stored_message_date)),
    last_stored_message_date: fromCocoa(num(row.last_stored_message_date)),
    stored_message_count: num(row.stored_message_count),
    partner_resolved_phone_number: phone ? `+${phone}` : null,
  };
}

function* readMessages(db: SqliteHandle, file: EvidenceFile): Iterable<Parsed<WhatsappRecord>> {
  const joinable = (table: string) => db.hasTable(table) && db.columns(table).has('ZMESSAGE');
  const select = ['ZWAMESSAGE.*'];
  const joins: string[] = [];
  for (const [table, columns] of [['ZWAMEDIAITEM', MEDIA_COLUMNS], ['ZWAMESSAGEDATAITEM', DATA_ITEM_COLUMNS]] as const) {
    if (joinable(table)) joins.push(`LEFT JOIN ${table} ON ${table}.ZMESSAGE = ZWAMESSAGE.Z_PK`);
    for (const c of columns) select.push(joinable(table) ? columnOr(db, table, c, c) : `NULL AS ${c}`);
  }
  const locate = rowLocator(db, 'ZWAMESSAGE');
  const sql = `SELECT ${select.join(', ')} FROM ZWAMESSAGE ${joins.join(' ')} ORDER BY ZWAMESSAGE.Z_PK`;
  for (const row of db.db.prepare(sql).iterate() as Iterable<Row>) {
    yield { record: decodeWhatsappMessageRow(row), source: at(file, locate(num(row.Z_PK))) };
  }
}

const LID_TABLE = 'ZWAPHONENUMBERLIDPAIR';

function* readLidPairs(db: SqliteHandle, file: EvidenceFile): Iterable<Parsed<WhatsappLidPairRecord>> {
  if (!db.hasTable(LID_TABLE)) return;
  const locate = rowLocator(db, LID_TABLE);
  const sql = `SELECT rowid AS __rowid, ${columnOr(db, LID_TABLE, 'ZLID', 'lid')}, ${columnOr(db, LID_TABLE, 'ZPHONENUMBER', 'phone_number')}, ${columnOr(db, LID_TABLE, 'ZTIMESTAMP', 'pair_timestamp')} FROM ${LID_TABLE} ORDER BY rowid`;
  for (const row of db.db.prepare(sql).iterate() as Iterable<Row>) {
    yield { record: decodeLidPairRow(row), source: at(file, locate(num(row.__rowid))) };
  }
}

function* readSessions(db: SqliteHandle, file: EvidenceFile, lids: ReadonlyMap<string, string>): Iterable<Parsed<WhatsappRecord>> {
  if (!db.hasTable('ZWACHATSESSION')) return;
  const s = (column: string, alias: string) => columnOr(db, 'ZWACHATSESSION', column, alias);
  const groups = db.hasTable('ZWAGROUPINFO') && db.columns('ZWACHATSESSION').has('ZGROUPINFO');
  const messages = db.columns('ZWAMESSAGE').has('ZCHATSESSION');
  const sql = [
    'SELECT ZWACHATSESSION.Z_PK AS session_pk',
    s('ZCONTACTJID', 'contact_jid'),
    s('ZPARTNERNAME', 'partner_name'),
    s('ZSESSIONTYPE', 'session_type'),
    s('ZARCHIVED', 'archived'),
    s('ZREMOVED', 'removed'),
    s('ZMESSAGECOUNTER', 'message_counter'),
    s('ZLASTMESSAGEDATE', 'last_message_date'),
    groups ? columnOr(db, 'ZWAGROUPINFO', 'ZCREATIONDATE', 'group_creation_date') : 'NULL AS group_creation_date',
    messages ? 'MIN(ZWAMESSAGE.ZMESSAGEDATE) AS first_stored_message_date' : 'NULL AS first_stored_message_date',
    messages ? 'MAX(ZWAMESSAGE.ZMESSAGEDATE) AS last_stored_message_date' : 'NULL AS last_stored_message_date',
    messages ? 'COUNT(ZWAMESSAGE.Z_PK) AS stored_message_count' : '0 AS stored_message_count',
  ].join(', ');
  const joins = [
    groups ? 'LEFT JOIN ZWAGROUPINFO ON ZWAGROUPINFO.Z_PK = ZWACHATSESSION.ZGROUPINFO' : '',
    messages ? 'LEFT JOIN ZWAMESSAGE ON ZWAMESSAGE.ZCHATSESSION = ZWACHATSESSION.Z_PK' : '',
  ].join(' ');
  const locate = rowLocator(db, 'ZWACHATSESSION');
  for (const row of db.db.prepare(`${sql} FROM ZWACHATSESSION ${joins} GROUP BY ZWACHATSESSION.Z_PK ORDER BY ZWACHATSESSION.Z_PK`).iterate() as Iterable<Row>) {
    yield { record: decodeChatSessionRow(row, lids), source: at(file, locate(num(row.session_pk))) };
  }
}

/** Where LID.sqlite is: through the index, else (backups) at its hash path when Manifest.db omits it. */
async function findLidDatabase(ctx: ParseContext): Promise<EvidenceFile | null> {
  if (ctx.source.kind === 'ios-fs') {
    return (await ctx.source.find({ by: 'device-glob', pattern: 'private/var/mobile/Containers/Shared/AppGroup/*/LID.sqlite' }))[0] ?? null;
  }
  const listed = await ctx.source.find({ by: 'backup', domain: DOMAIN, relativePath: 'LID.sqlite' });
  if (listed[0]) return listed[0];
  // Backups can store LID.sqlite without listing it in Manifest.db: the source finds it by its file id, through
  // the same contained, link-refusing reads as any other stored file (folder or archive).
  return (await ctx.source.find({ by: 'backup-file-id', fileId: LID_FILE_ID, unlisted: { domain: DOMAIN, relativePath: 'LID.sqlite' } }))[0] ?? null;
}

/**
 * LID pairs from LID.sqlite, read before ChatStorage because the sessions need them. Null when there is no
 * usable LID.sqlite (the pairs are then looked for in ChatStorage itself, as older versions kept them there).
 */
async function readLidDatabase(ctx: ParseContext): Promise<Parsed<WhatsappLidPairRecord>[] | null> {
  const file = await findLidDatabase(ctx);
  if (!file) return null;
  let db: SqliteHandle;
  try {
    db = await ctx.source.openSqlite(file);
  } catch (err) {
    ctx.warn({ code: 'bad-sqlite', file, message: `LID.sqlite: ${errorMessage(err)}` });
    return null;
  }
  try {
    if (!db.hasTable(LID_TABLE)) return null;
    return [...readLidPairs(db, file)];
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (typeof code !== 'string' || !code.startsWith('SQLITE_')) throw err;
    ctx.warn({ code: 'corrupted', file, message: `${db.what}: ${errorMessage(err)}` });
    return null;
  } finally {
    db.close();
  }
}

/**
 * MVT's links (direct), then what MVT does not check, as mentions: hosts and e-mail addresses written without
 * a scheme in the text and the link-preview columns, and any link, with or without a scheme, that appears only
 * in a preview's title or summary (a preview is what the sender's app said about the link, not the link).
 */
export function whatsappObservables(r: WhatsappRecord): Observable[] {
  if (r.record_type !== 'message') return [];
  return settleObservables([
    ...(r.links ?? []).map((value) => ({ kind: 'url' as const, value, field: 'links' })),
    ...textObservables(r.ZTEXT, 'ZTEXT'),
    ...textObservables(r.ZMATCHEDTEXT, 'ZMATCHEDTEXT'),
    ...textObservables(r.ZCONTENT1, 'ZCONTENT1'),
    ...textObservables(r.ZCONTENT2, 'ZCONTENT2'),
    ...textObservables(r.ZTITLE, 'ZTITLE', { httpLinks: 'mention' }),
    ...textObservables(r.ZSUMMARY, 'ZSUMMARY', { httpLinks: 'mention' }),
  ]);
}

function chatLabel(r: WhatsappChatSessionRecord): string {
  const id = r.partner_resolved_phone_number ?? r.contact_jid ?? 'None';
  const label = r.partner_name ? `'${r.partner_name}' (${id})` : id;
  const group = r.contact_jid?.endsWith('@g.us') || r.group_creation_date !== null;
  return group ? `WhatsApp group chat ${label}` : `WhatsApp chat with ${label}`;
}

export default defineArtifact<WhatsappRecord>({
  id: 'ios.whatsapp',
  version: 1,
  title: 'WhatsApp messages and chats',
  mvt: { module: 'whatsapp', className: 'Whatsapp', urlSource: 'whatsapp' },
  doc: 'WhatsApp\'s ChatStorage.sqlite: messages with the links in their text, previews and media, and the chat list; links are checked against indicators, since spyware operators send infection links over WhatsApp too.',
  references: ['https://www.amnesty.org/en/latest/research/2021/07/forensic-methodology-report-how-to-catch-nso-groups-pegasus/'],
  inputs: {
    'ios-backup': [{ by: 'backup', domain: DOMAIN, relativePath: 'ChatStorage.sqlite' }],
    'ios-fs': [{ by: 'device-glob', pattern: 'private/var/mobile/Containers/Shared/AppGroup/*/ChatStorage.sqlite' }],
  },
  requires: { ZWAMESSAGE: ['Z_PK', 'ZTEXT', 'ZMESSAGEDATE'] },
  async *parse(ctx) {
    const lidPairs = await readLidDatabase(ctx);
    yield* readDatabases(ctx, function* (db, file) {
      // MVT's order: all messages, then the LID pairs, then the chat sessions.
      yield* readMessages(db, file);
      const pairs = lidPairs ?? [...readLidPairs(db, file)];
      yield* pairs;
      yield* readSessions(db, file, lidPhoneMap(pairs.map((p) => p.record)));
    });
  },
  timeline(r) {
    switch (r.record_type) {
      case 'message': {
        const links = r.links && r.links.length > 0 ? ` - Embedded links: ${r.links.join(', ')}` : '';
        return [{ time: r.isodate, event: 'message', description: `'${oneLine(r.ZTEXT)}' from ${text(r.ZFROMJID) || 'Unknown'}${links}` }];
      }
      case 'lid_phone_number_pair':
        return r.pair_timestamp
          ? [{ time: r.pair_timestamp, event: 'lid_pair_recorded', description: `WhatsApp associated LID ${r.lid ?? 'None'} with phone number ${r.phone_number ?? 'None'}` }]
          : [];
      case 'chat_session': {
        const chat = chatLabel(r);
        const events = [];
        if (r.group_creation_date) events.push({ time: r.group_creation_date, event: 'group_created', description: `${chat} was created` });
        if (r.first_stored_message_date) events.push({ time: r.first_stored_message_date, event: 'chat_first_message', description: `First stored message in ${chat}` });
        const last = r.last_message_date ?? r.last_stored_message_date;
        if (last) events.push({ time: last, event: 'chat_last_message', description: `Last message in ${chat}` });
        return events;
      }
    }
  },
  observables: whatsappObservables,
});
