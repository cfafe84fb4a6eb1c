import { quoteIdent, type SqliteHandle } from '../../evidence/sqlite.js';
import { fromCocoa, type Moment } from '../../formats/time.js';
import { defineArtifact, type Observable, type TimelineEvent } from '../artifact.js';
import { at, homeFile, num, readDatabases, type Row } from '../_read.js';
import { described, type Description } from '../describe.js';
import { digitsOf, rowLocator, text } from './_messaging.js';
import { emailObservable, settleObservables, textObservables } from './_observables.js';
import type { WhatsappContactRecord } from './whatsapp_contacts.js';

/**
 * One interaction recorded by CoreDuet (interactionC.db): a message, call or share with its sender, recipient,
 * attachment and the sender's contact statistics, as MVT's InteractionC module returns it.
 */
export interface InteractionCRecord {
  readonly start_date: Moment | null;
  readonly end_date: Moment | null;
  readonly bundle_id: string | null;
  readonly account: string | null;
  readonly target_bundle_id: string | null;
  /** `INCOMING`/`OUTGOING` for ZDIRECTION 0/1, the raw value otherwise. */
  readonly direction: string | number | null;
  readonly sender_display_name: string | null;
  readonly sender_identifier: string | null;
  readonly sender_personid: string | null;
  readonly recipient_display_name: string | null;
  readonly recipient_identifier: string | null;
  readonly recipient_personid: string | null;
  readonly recipient_count: number | null;
  readonly domain_identifier: string | null;
  readonly is_response: number | null;
  readonly content: string | null;
  readonly uti: string | null;
  readonly attachment_content_url: string | null;
  readonly size: number | null;
  readonly photo_local_id: string | null;
  /** Hex of ZATTACHMENT.ZIDENTIFIER. */
  readonly attachment_id: string | null;
  readonly cloud_id: string | null;
  readonly incoming_recipient_count: number | null;
  readonly incoming_sender_count: number | null;
  readonly outgoing_recipient_count: number | null;
  readonly interactions_creation_date: Moment | null;
  readonly contacts_creation_date: Moment | null;
  readonly first_incoming_recipient_date: Moment | null;
  readonly first_incoming_sender_date: Moment | null;
  readonly first_outgoing_recipient_date: Moment | null;
  readonly last_incoming_sender_date: Moment | null;
  readonly last_incoming_recipient_date: Moment | null;
  readonly last_outgoing_recipient_date: Moment | null;
  readonly custom_id: string | null;
  readonly interaction_content_url: string | null;
  readonly location_uuid: string | null;
  readonly group_name: string | null;
  /** Sic: MVT's field name for ZDERIVEDINTENTIDENTIFIER. */
  readonly derivied_intent_id: string | null;
  readonly table_id: number | null;
  readonly mechanism: number | null;
  /** WhatsApp rows only: the parties resolved through WhatsApp's contacts (LID or phone → name and number). */
  readonly sender_resolved_phone_number: string | null;
  readonly sender_resolved_name: string | null;
  readonly recipient_resolved_phone_number: string | null;
  readonly recipient_resolved_name: string | null;
  readonly domain_resolved_phone_number: string | null;
  readonly domain_resolved_name: string | null;
}

type Kind = 'text' | 'number' | 'date' | 'hex';
/** Which table a column comes from: the interaction, its sender or recipient contact, or its attachment. */
type From = 'interaction' | 'sender' | 'recipient' | 'attachment';

/** Output field ← (table, column). Every field is selected when its column exists, NULL otherwise. */
const FIELDS: readonly (readonly [string, From, string, Kind])[] = [
  ['start_date', 'interaction', 'ZSTARTDATE', 'date'],
  ['end_date', 'interaction', 'ZENDDATE', 'date'],
  ['bundle_id', 'interaction', 'ZBUNDLEID', 'text'],
  ['account', 'interaction', 'ZACCOUNT', 'text'],
  ['target_bundle_id', 'interaction', 'ZTARGETBUNDLEID', 'text'],
  ['direction', 'interaction', 'ZDIRECTION', 'number'],
  ['sender_display_name', 'sender', 'ZDISPLAYNAME', 'text'],
  ['sender_identifier', 'sender', 'ZIDENTIFIER', 'text'],
  ['sender_personid', 'sender', 'ZPERSONID', 'text'],
  ['recipient_display_name', 'recipient', 'ZDISPLAYNAME', 'text'],
  ['recipient_identifier', 'recipient', 'ZIDENTIFIER', 'text'],
  ['recipient_personid', 'recipient', 'ZPERSONID', 'text'],
  ['recipient_count', 'interaction', 'ZRECIPIENTCOUNT', 'number'],
  ['domain_identifier', 'interaction', 'ZDOMAINIDENTIFIER', 'text'],
  ['is_response', 'interaction', 'ZISRESPONSE', 'number'],
  ['content', 'attachment', 'ZCONTENTTEXT', 'text'],
  ['uti', 'attachment', 'ZUTI', 'text'],
  ['attachment_content_url', 'attachment', 'ZCONTENTURL', 'text'],
  ['size', 'attachment', 'ZSIZEINBYTES', 'number'],
  ['photo_local_id', 'attachment', 'ZPHOTOLOCALIDENTIFIER', 'text'],
  ['attachment_id', 'attachment', 'ZIDENTIFIER', 'hex'],
  ['cloud_id', 'attachment', 'ZCLOUDIDENTIFIER', 'text'],
  ['incoming_recipient_count', 'sender', 'ZINCOMINGRECIPIENTCOUNT', 'number'],
  ['incoming_sender_count', 'sender', 'ZINCOMINGSENDERCOUNT', 'number'],
  ['outgoing_recipient_count', 'sender', 'ZOUTGOINGRECIPIENTCOUNT', 'number'],
  ['interactions_creation_date', 'interaction', 'ZCREATIONDATE', 'date'],
  ['contacts_creation_date', 'sender', 'ZCREATIONDATE', 'date'],
  ['first_incoming_recipient_date', 'sender', 'ZFIRSTINCOMINGRECIPIENTDATE', 'date'],
  ['first_incoming_sender_date', 'sender', 'ZFIRSTINCOMINGSENDERDATE', 'date'],
  ['first_outgoing_recipient_date', 'sender', 'ZFIRSTOUTGOINGRECIPIENTDATE', 'date'],
  ['last_incoming_sender_date', 'sender', 'ZLASTINCOMINGSENDERDATE', 'date'],
  ['last_incoming_recipient_date', 'sender', 'ZLASTINCOMINGRECIPIENTDATE', 'date'],
  ['last_outgoing_recipient_date', 'sender', 'ZLASTOUTGOINGRECIPIENTDATE', 'date'],
  ['custom_id', 'sender', 'ZCUSTOMIDENTIFIER', 'text'],
  ['interaction_content_url', 'interaction', 'ZCONTENTURL', 'text'],
  ['location_uuid', 'interaction', 'ZLOCATIONUUID', 'text'],
  ['group_name', 'interaction', 'ZGROUPNAME', 'text'],
  ['derivied_intent_id', 'interaction', 'ZDERIVEDINTENTIDENTIFIER', 'text'],
  ['table_id', 'interaction', 'Z_PK', 'number'],
  ['mechanism', 'interaction', 'ZMECHANISM', 'number'],
];

const WHATSAPP = 'net.whatsapp.WhatsApp';

interface Person {
  readonly phone: string | null;
  readonly name: string | null;
}

/** WhatsApp's address book as two lookups: by LID digits, and by phone digits. */
export interface WhatsappDirectory {
  readonly byLid: ReadonlyMap<string, Person>;
  readonly byDigits: ReadonlyMap<string, Person>;
}

export function whatsappDirectory(contacts: readonly WhatsappContactRecord[]): WhatsappDirectory {
  const byLid = new Map<string, Person>();
  const byDigits = new Map<string, Person>();
  for (const c of contacts) {
    const person = { phone: c.phone_number, name: c.full_name || c.given_name || null };
    if (c.lid) byLid.set(c.lid.split('@')[0]!, person);
    const phoneDigits = digitsOf(c.phone_number);
    if (phoneDigits) byDigits.set(phoneDigits, person);
    const idDigits = digitsOf(c.whatsapp_id?.split('@')[0]);
    if (idDigits && !byDigits.has(idDigits)) byDigits.set(idDigits, person);
  }
  return { byLid, byDigits };
}

/** Who a WhatsApp identifier is: `…@lid` by LID, `…@s.whatsapp.net` by number, `+…` by name only; groups are nobody. */
export function resolveWhatsappIdentifier(id: string | null, dir: WhatsappDirectory): Person | null {
  if (!id) return null;
  const local = id.split('@')[0]!;
  if (id.endsWith('@lid')) return dir.byLid.get(local) ?? null;
  if (id.endsWith('@g.us')) return null;
  if (id.endsWith('@s.whatsapp.net')) {
    const digits = digitsOf(local);
    const known = dir.byDigits.get(digits);
    return { phone: known?.phone || (digits ? `+${digits}` : null), name: known?.name ?? null };
  }
  if (id.startsWith('+')) {
    const known = dir.byDigits.get(digitsOf(id));
    return known?.name ? { phone: null, name: known.name } : null;
  }
  return null;
}

function firstResolved(candidates: (string | null)[], dir: WhatsappDirectory): Person {
  for (const id of candidates) {
    const p = resolveWhatsappIdentifier(id, dir);
    if (p && (p.phone || p.name)) return p;
  }
  return { phone: null, name: null };
}

function asDirection(v: unknown): InteractionCRecord['direction'] {
  const n = num(v);
  if (n === 0) return 'INCOMING';
  if (n === 1) return 'OUTGOING';
  return typeof v === 'string' || typeof v === 'number' ? v : null;
}

/**
 * Pure decoder over a row keyed by output field names; `whatsapp` (from ios.whatsapp_contacts) names the
 * parties of WhatsApp interactions, or is null when those contacts are unavailable.
 */
export function decodeInteractionRow(row: Row, whatsapp: WhatsappDirectory | null): InteractionCRecord {
  const out: Record<string, unknown> = {};
  for (const [field, , , kind] of FIELDS) {
    const v = row[field];
    out[field] = kind === 'date' ? fromCocoa(num(v)) : kind === 'number' ? num(v) : text(v);
  }
  out.direction = asDirection(row.direction);
  const r = out as unknown as Omit<InteractionCRecord, `${'sender' | 'recipient' | 'domain'}_resolved_${'phone_number' | 'name'}`>;
  const dir = r.bundle_id === WHATSAPP ? whatsapp : null;
  const sender = dir ? firstResolved([r.sender_identifier, r.custom_id], dir) : null;
  const recipient = dir ? firstResolved([r.recipient_identifier], dir) : null;
  const domain = dir ? firstResolved([r.domain_identifier], dir) : null;
  return {
    ...r,
    sender_resolved_phone_number: sender?.phone ?? null,
    sender_resolved_name: sender?.name ?? null,
    recipient_resolved_phone_number: recipient?.phone ?? null,
    recipient_resolved_name: recipient?.name ?? null,
    domain_resolved_phone_number: domain?.phone ?? null,
    domain_resolved_name: domain?.name ?? null,
  };
}

/**
 * CoreData names its many-to-many tables after entity numbers (`Z_1INTERACTIONS`, `Z_2INTERACTIONRECIPIENT`)
 * that change between iOS versions. MVT hard-codes one numbering and falls back to queries without
 * recipients and attachments when it differs; we find the tables by shape instead.
 */
function linkTable(db: SqliteHandle, tables: string[], name: RegExp, ownCol: RegExp, otherCol: RegExp): { table: string; own: string; other: string } | null {
  for (const table of tables.filter((t) => name.test(t))) {
    const cols = [...db.columns(table)];
    const own = cols.find((c) => ownCol.test(c));
    const other = cols.find((c) => otherCol.test(c));
    if (own && other) return { table, own, other };
  }
  return null;
}

export function interactionQuery(db: SqliteHandle): string {
  const q = quoteIdent;
  const tables = (db.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[]).filter((t) => typeof t === 'string');
  const has = (table: string, col: string) => tables.includes(table) && db.columns(table).has(col);
  const aliases: Record<From, { alias: string; table: string } | null> = { interaction: { alias: 'i', table: 'ZINTERACTIONS' }, sender: null, recipient: null, attachment: null };
  const joins: string[] = [];
  if (has('ZINTERACTIONS', 'ZSENDER') && has('ZCONTACTS', 'Z_PK')) {
    joins.push('LEFT JOIN ZCONTACTS AS s ON i.ZSENDER = s.Z_PK');
    aliases.sender = { alias: 's', table: 'ZCONTACTS' };
  }
  const attachments = linkTable(db, tables, /^Z_\d+INTERACTIONS$/, /^Z_\d+INTERACTIONS$/, /^Z_\d+ATTACHMENTS$/);
  if (attachments && has('ZATTACHMENT', 'Z_PK')) {
    joins.push(`LEFT JOIN ${q(attachments.table)} AS ia ON i.Z_PK = ia.${q(attachments.own)}`);
    joins.push(`LEFT JOIN ZATTACHMENT AS a ON ia.${q(attachments.other)} = a.Z_PK`);
    aliases.attachment = { alias: 'a', table: 'ZATTACHMENT' };
  }
  const recipients = linkTable(db, tables, /^Z_\d+INTERACTIONRECIPIENT$/, /^Z_\d+INTERACTIONRECIPIENT$/, /^Z_\d+RECIPIENTS$/);
  if (recipients && has('ZCONTACTS', 'Z_PK')) {
    joins.push(`LEFT JOIN ${q(recipients.table)} AS ir ON i.Z_PK = ir.${q(recipients.own)}`);
    joins.push(`LEFT JOIN ZCONTACTS AS r ON ir.${q(recipients.other)} = r.Z_PK`);
    aliases.recipient = { alias: 'r', table: 'ZCONTACTS' };
  }
  const select = FIELDS.map(([field, from, column, kind]) => {
    const src = aliases[from];
    if (!src || !has(src.table, column)) return `NULL AS ${q(field)}`;
    const expr = `${src.alias}.${q(column)}`;
    return kind === 'hex' ? `CASE WHEN ${expr} IS NULL THEN NULL ELSE HEX(${expr}) END AS ${q(field)}` : `${expr} AS ${q(field)}`;
  });
  return `SELECT ${select.join(', ')} FROM ZINTERACTIONS AS i ${joins.join(' ')} ORDER BY i.Z_PK`;
}

type Prefix = 'sender' | 'recipient' | 'domain';

/** A party as MVT names it: `name (number)`, or whichever is known; the number alone when the name is the number. */
export function partyOf(r: InteractionCRecord, prefix: Prefix): string | null {
  const name = (prefix === 'domain' ? null : r[`${prefix}_display_name`]) || r[`${prefix}_resolved_name`];
  const id = r[`${prefix}_resolved_phone_number`] || r[`${prefix}_identifier`];
  if (name && id) {
    const nameDigits = digitsOf(name);
    return nameDigits && nameDigits === digitsOf(id) ? id : `${name} (${id})`;
  }
  return name || id || null;
}

/** `[bundle] account DIRECTION from X to Y (group: G): content` */
export function interactionSummary(r: InteractionCRecord): Description {
  let sender = partyOf(r, 'sender');
  let recipient = partyOf(r, 'recipient') ?? partyOf(r, 'domain');
  if (!sender && r.direction === 'OUTGOING') sender = 'local user';
  if (!recipient && r.direction === 'INCOMING') recipient = 'local user';
  let data = '';
  if (r.account) data += ` ${r.account}`;
  if (r.direction !== null && r.direction !== '') data += ` ${r.direction}`;
  data += ` from ${sender ?? 'unknown'} to ${recipient ?? 'unknown'}`;
  if (r.group_name) data += ` (group: ${r.group_name})`;
  if (r.content) data += `: ${r.content}`;
  return described`[${r.bundle_id}]${data}`;
}

const CONTACT_EVENTS: readonly (readonly [keyof InteractionCRecord, (party: string) => string])[] = [
  ['contacts_creation_date', (p) => `Contact ${p} first recorded in interactionC`],
  ['first_incoming_sender_date', (p) => `First incoming interaction from ${p}`],
  ['last_incoming_sender_date', (p) => `Last incoming interaction from ${p}`],
  ['first_incoming_recipient_date', (p) => `First incoming interaction where ${p} was a recipient`],
  ['last_incoming_recipient_date', (p) => `Last incoming interaction where ${p} was a recipient`],
  ['first_outgoing_recipient_date', (p) => `First outgoing interaction to ${p}`],
  ['last_outgoing_recipient_date', (p) => `Last outgoing interaction to ${p}`],
];

const HOUR_S = 3600;
const DAY_S = 86_400;

function secondsOf(m: Moment): number {
  return m.unixSeconds + m.micros / 1e6;
}

export function interactionTimeline(r: InteractionCRecord): TimelineEvent[] {
  const data = interactionSummary(r);
  const events: TimelineEvent[] = [];
  const emitted = new Set<string>();
  for (const field of ['start_date', 'end_date'] as const) {
    const time = r[field];
    if (!time || emitted.has(time.iso())) continue;
    emitted.add(time.iso());
    events.push({ time, event: field, description: data });
  }
  const created = r.interactions_creation_date;
  if (created) {
    if (!r.start_date) {
      events.push({ time: created, event: 'interactions_creation_date', description: data });
    } else {
      // A record written long after the event it describes is worth a line: it can reveal back-dated or
      // imported interactions.
      const delta = secondsOf(created) - secondsOf(r.start_date);
      if (Math.abs(delta) >= HOUR_S) {
        const span = Math.abs(delta) >= DAY_S ? `${Math.round(Math.abs(delta) / DAY_S)} days` : `${Math.round(Math.abs(delta) / HOUR_S)} hours`;
        events.push({ time: created, event: 'interactions_creation_date', description: described`Interaction record created ${span} ${delta > 0 ? 'after' : 'before'} the event: ${data}` });
      }
    }
  }
  const party = partyOf(r, 'sender');
  if (party) {
    for (const [field, describe] of CONTACT_EVENTS) {
      const time = r[field] as Moment | null;
      if (time) events.push({ time, event: field, description: describe(party) });
    }
  }
  return events;
}

/** `iMessage;-;op@evil.com` (a Messages conversation id) names its handle after the last `;`. */
function handleOfConversation(id: string | null): string | null {
  return id === null ? null : id.slice(id.lastIndexOf(';') + 1);
}

/**
 * Not checked by MVT. The parties of an interaction are direct observations: the device exchanged a message,
 * call or share with them. E-mail handles come as `mailto:…`, as bare addresses, or as a display name that is
 * the address; phone numbers and WhatsApp JIDs give none. Links shared through the interaction are direct too;
 * a host written without a scheme in the shared text is a mention.
 */
export function interactionObservables(r: InteractionCRecord): Observable[] {
  return settleObservables([
    ...emailObservable(r.sender_identifier, 'sender_identifier'),
    ...emailObservable(r.sender_display_name, 'sender_display_name'),
    ...emailObservable(r.custom_id, 'custom_id'),
    ...emailObservable(r.recipient_identifier, 'recipient_identifier'),
    ...emailObservable(r.recipient_display_name, 'recipient_display_name'),
    ...emailObservable(handleOfConversation(r.domain_identifier), 'domain_identifier'),
    ...textObservables(r.content, 'content', { httpLinks: 'direct' }),
    ...textObservables(r.attachment_content_url, 'attachment_content_url', { httpLinks: 'direct' }),
    ...textObservables(r.interaction_content_url, 'interaction_content_url', { httpLinks: 'direct' }),
  ]);
}

export default defineArtifact<InteractionCRecord>({
  id: 'ios.interaction_c',
  version: 1,
  title: 'CoreDuet interactions (interactionC)',
  mvt: { module: 'interaction_c', className: 'InteractionC' },
  doc: 'interactionC.db is iOS\'s log of who the user communicated with, through which app and when (Messages, WhatsApp, calls, shares); it outlives deleted messages and dates first and last contacts.',
  references: ['https://github.com/mac4n6/APOLLO'],
  inputs: homeFile('Library/CoreDuet/People/interactionC.db'),
  requires: { ZINTERACTIONS: ['Z_PK', 'ZSTARTDATE', 'ZBUNDLEID'] },
  needs: ['ios.whatsapp_contacts'],
  async *parse(ctx) {
    const contacts = ctx.dependency<WhatsappContactRecord>('ios.whatsapp_contacts');
    const whatsapp = contacts.length > 0 ? whatsappDirectory(contacts) : null;
    yield* readDatabases(ctx, function* (db, file) {
      const locate = rowLocator(db, 'ZINTERACTIONS');
      for (const row of db.db.prepare(interactionQuery(db)).iterate() as Iterable<Row>) {
        yield { record: decodeInteractionRow(row, whatsapp), source: at(file, locate(num(row.table_id))) };
      }
    });
  },
  timeline: interactionTimeline,
  observables: interactionObservables,
});
