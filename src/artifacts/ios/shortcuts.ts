import { FormatError } from '../../errors.js';
import { isDict, parsePlist, type PlistValue } from '../../formats/plist.js';
import { fromCocoa, type Moment } from '../../formats/time.js';
import { tokensInText, type TextToken } from '../../formats/text-links.js';
import { defineArtifact, type Observable } from '../artifact.js';
import { homeFile, num, readDatabases, str, type Row } from '../_read.js';
import { rowSource } from './_browsers.js';
import { settleObservables } from './_observables.js';

/** One Siri Shortcut (Shortcuts.sqlite `ZSHORTCUT` with its `ZSHORTCUTACTIONS` action list). */
export interface ShortcutRecord {
  /** `ZSHORTCUT.Z_PK` */
  readonly shortcut_id: number | null;
  readonly shortcut_name: string | null;
  /** `ZACTIONSDESCRIPTION`: the summary iOS shows under the name. */
  readonly description: string | null;
  /** `ZCREATIONDATE`, raw Cocoa seconds. */
  readonly created_date: number | null;
  /** Creation time. */
  readonly isodate: Moment | null;
  /** `ZMODIFICATIONDATE` */
  readonly modified_date: Moment | null;
  /** Number of actions in the shortcut (0 when the action list is absent or unreadable). */
  readonly parsed_actions: number;
  /** Every http(s) URL found in the actions' parameters; null when the action list is unreadable. */
  readonly action_urls: string[] | null;
  /** `WFWorkflowActionIdentifier` of each action (`is.workflow.actions.openurl`, …). */
  readonly action_identifiers: string[];
  /**
   * Hosts, scheme-less URLs, e-mail addresses and other-scheme links written in the actions' parameters
   * without `http(s)://` (`evil.example/x`, a "Send Email" recipient).
   */
  readonly action_mentions: TextToken[];
}

const LINK = /https?:\/\/\S+/gi;

/** Every string inside a plist value, depth first (dictionary values, array members). */
function* strings(v: PlistValue | undefined): Iterable<string> {
  if (typeof v === 'string') yield v;
  else if (Array.isArray(v)) for (const x of v) yield* strings(x);
  else if (isDict(v)) for (const x of Object.values(v)) yield* strings(x);
}

/**
 * `ZSHORTCUTACTIONS.ZDATA`: a plist array of `{WFWorkflowActionIdentifier, WFWorkflowActionParameters}`.
 * URLs are searched in each parameter string (MVT runs its link regex over Python's repr of the
 * parameters, which can glue quotes and brackets to a URL).
 */
export function decodeShortcutActions(data: Buffer | null): Pick<ShortcutRecord, 'parsed_actions' | 'action_urls' | 'action_identifiers' | 'action_mentions'> {
  if (!data || data.length === 0) return { parsed_actions: 0, action_urls: [], action_identifiers: [], action_mentions: [] };
  let actions: PlistValue;
  try {
    actions = parsePlist(data, 'ZSHORTCUTACTIONS.ZDATA');
  } catch (err) {
    if (err instanceof FormatError) return { parsed_actions: 0, action_urls: null, action_identifiers: [], action_mentions: [] };
    throw err;
  }
  if (!Array.isArray(actions)) return { parsed_actions: 0, action_urls: null, action_identifiers: [], action_mentions: [] };
  const urls: string[] = [];
  const identifiers: string[] = [];
  const mentions = new Map<string, TextToken>();
  for (const action of actions) {
    if (!isDict(action)) continue;
    if (typeof action.WFWorkflowActionIdentifier === 'string') identifiers.push(action.WFWorkflowActionIdentifier);
    for (const s of strings(action.WFWorkflowActionParameters)) {
      urls.push(...(s.match(LINK) ?? []));
      for (const token of tokensInText(s)) mentions.set(`${token.kind}\0${token.value}`, token);
    }
  }
  return { parsed_actions: actions.length, action_urls: urls, action_identifiers: identifiers, action_mentions: [...mentions.values()] };
}

export function decodeShortcutRow(row: Row): ShortcutRecord {
  const created = num(row.created_date);
  return {
    shortcut_id: num(row.shortcut_id),
    shortcut_name: str(row.shortcut_name),
    description: str(row.description),
    created_date: created,
    isodate: fromCocoa(created),
    modified_date: fromCocoa(num(row.modified_date)),
    ...decodeShortcutActions(Buffer.isBuffer(row.action_data) ? row.action_data : null),
  };
}

/** MVT's action URLs (direct: the shortcut opens or fetches them), then hosts and addresses written without a scheme (mentions). */
export function shortcutObservables(r: ShortcutRecord): Observable[] {
  return settleObservables([
    ...(r.action_urls ?? []).map((value) => ({ kind: 'url' as const, value, field: 'action_urls' })),
    ...r.action_mentions.map((t) => ({ kind: t.kind, value: t.value, field: 'action_mentions', role: 'mention' as const })),
  ]);
}

const SHORTCUTS_SQL = `
  SELECT ZSHORTCUT.Z_PK AS shortcut_id, ZSHORTCUT.ZNAME AS shortcut_name, ZSHORTCUT.ZCREATIONDATE AS created_date,
         ZSHORTCUT.ZMODIFICATIONDATE AS modified_date, ZSHORTCUT.ZACTIONSDESCRIPTION AS description,
         ZSHORTCUTACTIONS.ZDATA AS action_data
  FROM ZSHORTCUT LEFT JOIN ZSHORTCUTACTIONS ON ZSHORTCUTACTIONS.ZSHORTCUT = ZSHORTCUT.Z_PK
  ORDER BY ZSHORTCUT.Z_PK`;

export default defineArtifact<ShortcutRecord>({
  id: 'ios.shortcuts',
  version: 2,
  title: 'Siri Shortcuts',
  mvt: { module: 'shortcuts', className: 'Shortcuts' },
  doc: 'Shortcuts.sqlite holds the user’s Siri Shortcuts and their actions; a shortcut that silently opens or fetches a URL can be used to deliver or trigger an exploit.',
  inputs: homeFile('Library/Shortcuts/Shortcuts.sqlite'),
  requires: {
    ZSHORTCUT: ['Z_PK', 'ZNAME', 'ZCREATIONDATE', 'ZMODIFICATIONDATE', 'ZACTIONSDESCRIPTION'],
    ZSHORTCUTACTIONS: ['ZSHORTCUT', 'ZDATA'],
  },
  async *parse(ctx) {
    yield* readDatabases(ctx, function* (db, file) {
      for (const row of db.db.prepare(SHORTCUTS_SQL).iterate() as Iterable<Row>) {
        const record = decodeShortcutRow(row);
        yield { record, source: rowSource(db, file, 'ZSHORTCUT', record.shortcut_id) };
      }
    });
  },
  timeline: (r) => {
    const description = `iOS Shortcut '${r.shortcut_name ?? ''}': ${r.description ?? ''} - URLs in actions: ${(r.action_urls ?? []).join(', ')}`;
    const events = [
      { time: r.isodate, event: 'shortcut_created', description },
      { time: r.modified_date, event: 'shortcut_modified', description },
    ];
    return events.filter((e) => e.time !== null);
  },
  observables: shortcutObservables,
});
