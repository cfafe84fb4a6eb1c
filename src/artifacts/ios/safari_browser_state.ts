import { refKey } from '../../evidence/source.js';
import { FormatError } from '../../errors.js';
import { asString, isDict, parsePlist } from '../../formats/plist.js';
import { fromCocoa, type Moment } from '../../formats/time.js';
import { defineArtifact } from '../artifact.js';
import { num, readDatabases, str, type Row } from '../_read.js';
import { rowSource, safariInputs } from './_browsers.js';

/** One page in a tab's back/forward list (`SessionHistoryEntries`). */
export interface SafariSessionEntry {
  /** `SessionHistoryEntryTitle` */
  readonly entry_title: string | null;
  /**
   * `SessionHistoryEntryOriginalURL`: the URL first requested, before redirects. MVT puts this value in its
   * `entry_title` field; the MVT-compatible output maps it back.
   */
  readonly entry_original_url: string | null;
  /** `SessionHistoryEntryURL`: the URL finally shown. */
  readonly entry_url: string | null;
  /** Bytes of `SessionHistoryEntryData` (page state), 0 when absent. */
  readonly data_length: number;
}

/** One open Safari tab (BrowserState.db `tabs` with its `tab_sessions` back/forward list). */
export interface SafariBrowserStateRecord {
  readonly tab_title: string | null;
  readonly tab_url: string | null;
  readonly tab_visible_url: string | null;
  readonly last_viewed_timestamp: Moment | null;
  readonly session_data: SafariSessionEntry[];
  /** True when the tab had a session blob that is not a readable property list (MVT: silently `{}`). */
  readonly session_data_unparsed: boolean;
  /** Which BrowserState.db: `domain/relativePath` in a backup, the device path in a full dump. */
  readonly safari_browser_state_db: string;
}

/**
 * `tab_sessions.session_data` is a 4-byte header followed by a property list. A blob that does not parse
 * gives no entries and `unparsed: true`; the tab itself is still evidence.
 */
export function decodeSessionData(blob: Buffer | null): { entries: SafariSessionEntry[]; unparsed: boolean } {
  if (!blob || blob.length === 0) return { entries: [], unparsed: false };
  let root;
  try {
    root = parsePlist(blob.subarray(4), 'session_data');
  } catch (err) {
    if (err instanceof FormatError) return { entries: [], unparsed: true };
    throw err;
  }
  const history = isDict(root) ? root.SessionHistory : undefined;
  const list = isDict(history) ? history.SessionHistoryEntries : undefined;
  if (!Array.isArray(list)) return { entries: [], unparsed: !isDict(root) };
  const entries = list.filter(isDict).map((e) => {
    const data = e.SessionHistoryEntryData;
    return {
      entry_title: asString(e.SessionHistoryEntryTitle),
      entry_original_url: asString(e.SessionHistoryEntryOriginalURL),
      entry_url: asString(e.SessionHistoryEntryURL),
      data_length: Buffer.isBuffer(data) ? data.length : 0,
    };
  });
  return { entries, unparsed: false };
}

export function decodeTabRow(row: Row, db: string): SafariBrowserStateRecord {
  const blob = Buffer.isBuffer(row.session_data) ? row.session_data : null;
  const session = decodeSessionData(blob);
  return {
    tab_title: str(row.title),
    tab_url: str(row.url),
    tab_visible_url: str(row.user_visible_url),
    last_viewed_timestamp: fromCocoa(num(row.last_viewed_time)),
    session_data: session.entries,
    session_data_unparsed: session.unparsed,
    safari_browser_state_db: db,
  };
}

// LEFT JOIN: a tab without a tab_sessions row is still an open page (MVT's inner join drops it).
// iOS before 12 has no tab_sessions table at all.
const WITH_SESSIONS = `
  SELECT tabs.id AS _rowid, tabs.title, tabs.url, tabs.user_visible_url, tabs.last_viewed_time, tab_sessions.session_data
  FROM tabs LEFT JOIN tab_sessions ON tabs.uuid = tab_sessions.tab_uuid
  ORDER BY tabs.last_viewed_time, tabs.id`;
const TABS_ONLY = `
  SELECT tabs.id AS _rowid, tabs.title, tabs.url, tabs.user_visible_url, tabs.last_viewed_time, NULL AS session_data
  FROM tabs ORDER BY tabs.last_viewed_time, tabs.id`;

export default defineArtifact<SafariBrowserStateRecord>({
  id: 'ios.safari_browser_state',
  version: 1,
  title: 'Safari open tabs',
  mvt: { module: 'safari_browser_state', className: 'SafariBrowserState', storedPathField: 'safari_browser_state_db' },
  doc: 'BrowserState.db (and one per Safari profile) holds the tabs open in Safari with each tab’s back/forward history; an exploit page can survive here after the history itself was cleared.',
  references: ['https://www.amnesty.org/en/latest/research/2021/07/forensic-methodology-report-how-to-catch-nso-groups-pegasus/'],
  inputs: safariInputs('BrowserState.db'),
  inputMode: 'all',
  requires: { tabs: ['id', 'title', 'url', 'user_visible_url', 'last_viewed_time'] },
  async *parse(ctx) {
    yield* readDatabases(ctx, function* (db, file) {
      const which = refKey(file.ref);
      const withSessions = db.hasTable('tab_sessions') && db.columns('tabs').has('uuid');
      for (const row of db.db.prepare(withSessions ? WITH_SESSIONS : TABS_ONLY).iterate() as Iterable<Row>) {
        yield { record: decodeTabRow(row, which), source: rowSource(db, file, 'tabs', num(row._rowid)) };
      }
    });
  },
  timeline: (r) => [{ time: r.last_viewed_timestamp, event: 'tab', description: `${r.tab_title ?? ''} - ${r.tab_url ?? ''}` }],
  observables: (r) => {
    const out: { kind: 'url'; value: string; field: string }[] = [];
    if (r.tab_url) out.push({ kind: 'url', value: r.tab_url, field: 'tab_url' });
    for (const e of r.session_data) {
      if (e.entry_url) out.push({ kind: 'url', value: e.entry_url, field: 'session_data.entry_url' });
      // Not checked by MVT: the URL a page was first requested at is where a redirect chain started.
      if (e.entry_original_url && e.entry_original_url !== e.entry_url) {
        out.push({ kind: 'url', value: e.entry_original_url, field: 'session_data.entry_original_url' });
      }
    }
    return out;
  },
});
