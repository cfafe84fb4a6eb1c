import { quoteIdent } from '../../evidence/sqlite.js';
import { fromCocoa, type Moment } from '../../formats/time.js';
import { defineArtifact } from '../artifact.js';
import { at, num, readDatabases, type Row } from '../_read.js';
import { described } from '../describe.js';
import { pyFloat, rowLocator, text } from './_messaging.js';
import { settleObservables, textObservables } from './_observables.js';

/** One WhatsApp address-book contact (ContactsV2.sqlite `ZWAADDRESSBOOKCONTACT`). */
export interface WhatsappContactRecord {
  readonly row_pk: number | null;
  /** `14155550100@s.whatsapp.net` */
  readonly whatsapp_id: string | null;
  /** WhatsApp's privacy identifier (`100000000000001@lid`), newer versions only. */
  readonly lid: string | null;
  readonly phone_number: string | null;
  readonly localized_phone_number: string | null;
  readonly full_name: string | null;
  readonly given_name: string | null;
  readonly last_name: string | null;
  readonly user_name: string | null;
  readonly business_name: string | null;
  readonly about_text: string | null;
  readonly about_emoji: string | null;
  readonly notes: string | null;
  /** Seconds; null when the column does not exist in this WhatsApp version. */
  readonly disappearing_mode_duration: number | null;
  readonly disappearing_mode_timestamp: Moment | null;
  readonly about_timestamp: Moment | null;
  readonly about_expiration_timestamp: Moment | null;
  readonly last_updated: Moment | null;
  readonly phone_status: number | null;
  readonly sync_policy: number | null;
  readonly disappearing_mode_is_on: boolean | null;
  readonly disappearing_mode_label: string | null;
}

type TextField = 'whatsapp_id' | 'lid' | 'phone_number' | 'localized_phone_number' | 'full_name' | 'given_name' | 'last_name' | 'user_name' | 'business_name' | 'about_text' | 'about_emoji' | 'notes';
type DateField = 'disappearing_mode_timestamp' | 'about_timestamp' | 'about_expiration_timestamp' | 'last_updated';
type NumberField = 'disappearing_mode_duration' | 'phone_status' | 'sync_policy';

/** Output field ← candidate columns, first present wins (column names moved between WhatsApp versions). */
const TEXT_FIELDS: Record<TextField, readonly string[]> = {
  whatsapp_id: ['ZWHATSAPPID'],
  lid: ['ZLID'],
  phone_number: ['ZPHONENUMBER'],
  localized_phone_number: ['ZLOCALIZEDPHONENUMBER'],
  full_name: ['ZFULLNAME'],
  given_name: ['ZGIVENNAME'],
  last_name: ['ZLASTNAME'],
  user_name: ['ZUSERNAME'],
  business_name: ['ZBUSINESSNAME'],
  about_text: ['ZABOUTTEXT'],
  about_emoji: ['ZABOUTEMOJI'],
  notes: ['ZNOTES'],
};
const DATE_FIELDS: Record<DateField, readonly string[]> = {
  disappearing_mode_timestamp: ['ZDISAPPEARINGMODETIMESTAMP'],
  about_timestamp: ['ZABOUTTIMESTAMP'],
  about_expiration_timestamp: ['ZABOUTEXPIRATIONTIMESTAMP'],
  last_updated: ['ZLASTUPDATED'],
};
const NUMBER_FIELDS: Record<NumberField, readonly string[]> = {
  disappearing_mode_duration: ['ZDISAPPEARINGMODEDURATION'],
  phone_status: ['ZPHONESTATUS', 'ZPHONENUMBERSTATUS'],
  sync_policy: ['ZSYNCPOLICY'],
};

const DISAPPEARING_LABELS: Record<number, string> = {
  86400: '24 hours',
  604800: '7 days',
  1209600: '14 days',
  2592000: '30 days',
  7776000: '90 days',
};

/**
 * Pure decoder over a row whose keys are the output field names (absent columns are absent keys).
 * `hasDuration` says whether this WhatsApp version has the disappearing-messages column at all.
 */
export function decodeWhatsappContactRow(row: Row, hasDuration: boolean): WhatsappContactRecord {
  const t = (k: TextField) => text(row[k]);
  const d = (k: DateField) => fromCocoa(num(row[k]));
  const duration = num(row.disappearing_mode_duration);
  return {
    row_pk: num(row.Z_PK),
    whatsapp_id: t('whatsapp_id'),
    lid: t('lid'),
    phone_number: t('phone_number'),
    localized_phone_number: t('localized_phone_number'),
    full_name: t('full_name'),
    given_name: t('given_name'),
    last_name: t('last_name'),
    user_name: t('user_name'),
    business_name: t('business_name'),
    about_text: t('about_text'),
    about_emoji: t('about_emoji'),
    notes: t('notes'),
    disappearing_mode_duration: duration,
    disappearing_mode_timestamp: d('disappearing_mode_timestamp'),
    about_timestamp: d('about_timestamp'),
    about_expiration_timestamp: d('about_expiration_timestamp'),
    last_updated: d('last_updated'),
    phone_status: num(row.phone_status),
    sync_policy: num(row.sync_policy),
    disappearing_mode_is_on: hasDuration ? !!duration : null,
    disappearing_mode_label: hasDuration ? (duration ? (DISAPPEARING_LABELS[duration] ?? `${pyFloat(duration)} seconds`) : 'off') : null,
  };
}

/** "14155550100@s.whatsapp.net (Alice Example)", as MVT names a contact in its descriptions. */
export function contactLabel(r: WhatsappContactRecord): string {
  const id = r.whatsapp_id || r.lid || r.phone_number || 'unknown';
  return r.full_name ? `${id} (${r.full_name})` : id;
}

/** Not checked by MVT: hosts, links and e-mail addresses a contact wrote in their "about" text, or the owner in notes (mentions). */
export function whatsappContactObservables(r: WhatsappContactRecord) {
  return settleObservables([...textObservables(r.about_text, 'about_text', { httpLinks: 'mention' }), ...textObservables(r.notes, 'notes', { httpLinks: 'mention' })]);
}

export default defineArtifact<WhatsappContactRecord>({
  id: 'ios.whatsapp_contacts',
  version: 1,
  title: 'WhatsApp contacts',
  mvt: { module: 'whatsapp_contacts', className: 'WhatsappContacts' },
  doc: 'WhatsApp\'s own address book (ContactsV2.sqlite): names, phone numbers and WhatsApp/LID identifiers used to name the parties of WhatsApp chats and interactions, with disappearing-message settings and "about" changes for the timeline.',
  inputs: {
    'ios-backup': [{ by: 'backup', domain: 'AppDomainGroup-group.net.whatsapp.WhatsApp.shared', relativePath: 'ContactsV2.sqlite' }],
    'ios-fs': [{ by: 'device-glob', pattern: 'private/var/mobile/Containers/Shared/AppGroup/*/ContactsV2.sqlite' }],
  },
  requires: { ZWAADDRESSBOOKCONTACT: ['Z_PK'] },
  async *parse(ctx) {
    yield* readDatabases(ctx, function* (db, file) {
      const have = db.columns('ZWAADDRESSBOOKCONTACT');
      const select = ['Z_PK'];
      for (const fields of [TEXT_FIELDS, DATE_FIELDS, NUMBER_FIELDS] as Record<string, readonly string[]>[]) {
        for (const [field, candidates] of Object.entries(fields)) {
          const column = candidates.find((c) => have.has(c));
          if (column) select.push(`${quoteIdent(column)} AS ${quoteIdent(field)}`);
        }
      }
      const hasDuration = have.has('ZDISAPPEARINGMODEDURATION');
      const locate = rowLocator(db, 'ZWAADDRESSBOOKCONTACT');
      for (const row of db.db.prepare(`SELECT ${select.join(', ')} FROM ZWAADDRESSBOOKCONTACT ORDER BY Z_PK`).iterate() as Iterable<Row>) {
        yield { record: decodeWhatsappContactRow(row, hasDuration), source: at(file, locate(num(row.Z_PK))) };
      }
    });
  },
  timeline(r) {
    const contact = contactLabel(r);
    const events = [];
    if (r.disappearing_mode_timestamp) {
      events.push({ time: r.disappearing_mode_timestamp, event: 'disappearing_mode_set', description: described`WhatsApp disappearing messages timer set to '${r.disappearing_mode_label}' for ${contact}` });
    }
    if (r.about_timestamp) {
      events.push({ time: r.about_timestamp, event: 'about_changed', description: `WhatsApp about text of ${contact} changed${r.about_text ? ` to "${r.about_text}"` : ''}` });
    }
    if (r.about_expiration_timestamp) {
      events.push({ time: r.about_expiration_timestamp, event: 'about_expiration', description: `WhatsApp about text of ${contact} scheduled to expire` });
    }
    if (r.last_updated) events.push({ time: r.last_updated, event: 'contact_last_updated', description: `WhatsApp contact record for ${contact} updated` });
    return events;
  },
  observables: whatsappContactObservables,
});
