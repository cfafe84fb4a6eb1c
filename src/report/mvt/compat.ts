import { isReal, renderDescription, type Description, type Value } from '../../artifacts/describe.js';
import { Moment } from '../../formats/time.js';

/**
 * A timeline description as MVT's f-strings print it, Python's `str()` of each value: `None`, `True`/`False`,
 * a REAL column's whole value with `.0`. Matching the texts keeps the timelines comparable line by line.
 */
export function pythonDescription(description: string | Description): string {
  return renderDescription(description, pythonStr);
}

function pythonStr(value: Value): string {
  if (value === null || value === undefined) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (value instanceof Moment) return value.mvt();
  if (isReal(value)) return value.real === null ? 'None' : pythonFloat(value.real);
  return String(value satisfies never);
}

/** `float.__str__`: a whole value keeps its `.0` (below 1e16, where Python switches to exponent notation). */
function pythonFloat(v: number): string {
  return Number.isInteger(v) && Math.abs(v) < 1e16 ? v.toFixed(1) : String(v);
}

/**
 * MVT's names for the same modules: its output file slug and the class name its timeline shows.
 * A compatibility table, never derived from our identifiers (STYLE.md §7).
 */
export interface MvtModuleName {
  readonly slug: string;
  readonly className: string;
}

export const mvtModules: Readonly<Record<string, MvtModuleName>> = {
  'ios.backup_info': { slug: 'backup_info', className: 'BackupInfo' },
  'ios.configuration_profiles': { slug: 'configuration_profiles', className: 'ConfigurationProfiles' },
  'ios.manifest': { slug: 'manifest', className: 'Manifest' },
  'ios.profile_events': { slug: 'profile_events', className: 'ProfileEvents' },
  'ios.calls': { slug: 'calls', className: 'Calls' },
  'ios.chrome_favicon': { slug: 'chrome_favicon', className: 'ChromeFavicon' },
  'ios.chrome_history': { slug: 'chrome_history', className: 'ChromeHistory' },
  'ios.contacts': { slug: 'contacts', className: 'Contacts' },
  'ios.firefox_favicon': { slug: 'firefox_favicon', className: 'FirefoxFavicon' },
  'ios.firefox_history': { slug: 'firefox_history', className: 'FirefoxHistory' },
  'ios.id_status_cache': { slug: 'id_status_cache', className: 'IDStatusCache' },
  'ios.locationd_clients': { slug: 'locationd_clients', className: 'LocationdClients' },
  'ios.os_analytics_ad_daily': { slug: 'os_analytics_ad_daily', className: 'OSAnalyticsADDaily' },
  'ios.datausage': { slug: 'datausage', className: 'Datausage' },
  'ios.safari_browser_state': { slug: 'safari_browser_state', className: 'SafariBrowserState' },
  'ios.safari_history': { slug: 'safari_history', className: 'SafariHistory' },
  'ios.tcc': { slug: 'tcc', className: 'TCC' },
  'ios.sms': { slug: 'sms', className: 'SMS' },
  'ios.sms_attachments': { slug: 'sms_attachments', className: 'SMSAttachments' },
  'ios.webkit_resource_load_statistics': { slug: 'webkit_resource_load_statistics', className: 'WebkitResourceLoadStatistics' },
  'ios.webkit_session_resource_log': { slug: 'webkit_session_resource_log', className: 'WebkitSessionResourceLog' },
  'ios.whatsapp': { slug: 'whatsapp', className: 'Whatsapp' },
  'ios.whatsapp_contacts': { slug: 'whatsapp_contacts', className: 'WhatsappContacts' },
  'ios.interaction_c': { slug: 'interaction_c', className: 'InteractionC' },
  'ios.shortcuts': { slug: 'shortcuts', className: 'Shortcuts' },
  'ios.applications': { slug: 'applications', className: 'Applications' },
  'ios.calendar': { slug: 'calendar', className: 'Calendar' },
  'ios.global_preferences': { slug: 'global_preferences', className: 'GlobalPreferences' },
};

export function mvtNameOf(artifactId: string): MvtModuleName {
  return mvtModules[artifactId] ?? { slug: artifactId.replace(/^[a-z]+\./, ''), className: artifactId };
}

/** Modules whose MVT JSON is one object, or a dict keyed by file path, rather than a list of records. */
export const mvtShape: Readonly<Record<string, 'object' | 'by-path'>> = {
  'ios.backup_info': 'object',
  'ios.webkit_session_resource_log': 'by-path',
};

/** Field names MVT spells differently from us (its typos kept for scripts that read them). */
export const mvtFieldRenames: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  'ios.firefox_history': { is_local: 'i1000000s_local' },
};

/** Artifacts whose `links` MVT lists in urls.json, with its source label. */
export const mvtUrlSources: Readonly<Record<string, string>> = {
  'ios.sms': 'sms',
  'ios.whatsapp': 'whatsapp',
};

/** Fields where MVT writes the database's path relative to the backup folder (the hashed file). */
export const mvtStoredPathFields: Readonly<Record<string, string>> = {
  'ios.safari_history': 'safari_history_db',
  'ios.safari_browser_state': 'safari_browser_state_db',
};
