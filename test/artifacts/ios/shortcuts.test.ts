import { buildBinary, type PlistValue } from 'plist';
import { describe, expect, it } from 'vitest';
import shortcuts, { decodeShortcutActions, type ShortcutRecord } from '../../../src/artifacts/ios/shortcuts.js';
import { buildBackup, sqliteBytes } from '../../fixtures/ios-backup.js';
import { parseBackup } from '../../helpers/artifacts.js';
import { mvtIosBackup } from '../../helpers/data.js';

const SHORTCUTS = { domain: 'HomeDomain', relativePath: 'Library/Shortcuts/Shortcuts.sqlite' };

/** The two Core Data tables the artifact reads, with the columns Shortcuts.sqlite declares for them. */
const SCHEMA = `
  CREATE TABLE ZSHORTCUT (Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZNAME VARCHAR, ZCREATIONDATE TIMESTAMP,
    ZMODIFICATIONDATE TIMESTAMP, ZACTIONSDESCRIPTION VARCHAR);
  CREATE TABLE ZSHORTCUTACTIONS (Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZSHORTCUT INTEGER, ZDATA BLOB);`;

const actions = [
  { WFWorkflowActionIdentifier: 'is.workflow.actions.url', WFWorkflowActionParameters: { WFURLActionURL: 'https://exploit.example.net/payload' } },
  { WFWorkflowActionIdentifier: 'is.workflow.actions.openurl', WFWorkflowActionParameters: {} },
  {
    WFWorkflowActionIdentifier: 'is.workflow.actions.gettext',
    WFWorkflowActionParameters: {
      WFTextActionText: { WFSerializationType: 'WFTextTokenString', Value: { string: 'see http://a.example/x and https://b.example/y', attachmentsByRange: {} } },
    },
  },
  {
    // Written without a scheme: a host with a path, and a mail recipient; the file name and version are not hosts.
    WFWorkflowActionIdentifier: 'is.workflow.actions.sendemail',
    WFWorkflowActionParameters: { WFSendEmailActionToRecipients: ['op@exploit.example.net'], WFSendEmailActionSubject: 'stage2 at cdn.exploit.example.net/s2, see README.md for v1.2' },
  },
];
const actionData = () => Buffer.from(buildBinary(actions as unknown as PlistValue));

function shortcutsDb(): Buffer {
  return sqliteBytes(SCHEMA, (db) => {
    const shortcut = db.prepare('INSERT INTO ZSHORTCUT (Z_PK, ZNAME, ZCREATIONDATE, ZMODIFICATIONDATE, ZACTIONSDESCRIPTION) VALUES (?, ?, ?, ?, ?)');
    const data = db.prepare('INSERT INTO ZSHORTCUTACTIONS (ZSHORTCUT, ZDATA) VALUES (?, ?)');
    // iOS stores the text columns as text, but MVT reads them as bytes: a BLOB name must decode the same.
    shortcut.run(1, Buffer.from('Morning news ☀️'), 726100000.0, 726100500.5, 'URL, Open URLs, Text');
    data.run(1, actionData());
    shortcut.run(2, 'Broken', 726000000.0, null, null);
    data.run(2, Buffer.from('bplist00 cut short'));
    shortcut.run(3, 'Empty', 726000001.0, 726000001.0, '');
  });
}

describe('ios.shortcuts on the MVT test backup', () => {
  it('is missing: Shortcuts.sqlite is listed in Manifest.db but absent, and the reason names it', async () => {
    const { records, coverage } = await parseBackup<ShortcutRecord>(shortcuts, mvtIosBackup());
    expect(records).toEqual([]);
    expect(coverage.state).toBe('missing');
    expect(coverage.reason).toBe(
      'HomeDomain/Library/Shortcuts/Shortcuts.sqlite (5b/5b4d0b44b5990f62b9f4d34ad8dc382bf0b01094) is listed in Manifest.db but absent from the backup',
    );
  });
});

describe('ios.shortcuts on a built Shortcuts.sqlite', () => {
  it('reads each shortcut with its actions and the URLs inside their parameters', async () => {
    const { records, items, timeline, observables, coverage } = await parseBackup<ShortcutRecord>(shortcuts, buildBackup([{ ...SHORTCUTS, data: shortcutsDb() }]));
    expect(coverage.state).toBe('parsed');
    expect(coverage.issues).toEqual([]);
    expect(records.map((r) => ({ ...r, isodate: r.isodate?.mvt() ?? null, modified_date: r.modified_date?.mvt() ?? null }))).toEqual([
      {
        shortcut_id: 1,
        shortcut_name: 'Morning news ☀️',
        description: 'URL, Open URLs, Text',
        created_date: 726100000.0,
        isodate: '2024-01-04 22:26:40.000000',
        modified_date: '2024-01-04 22:35:00.500000',
        parsed_actions: 4,
        action_urls: ['https://exploit.example.net/payload', 'http://a.example/x', 'https://b.example/y'],
        action_identifiers: ['is.workflow.actions.url', 'is.workflow.actions.openurl', 'is.workflow.actions.gettext', 'is.workflow.actions.sendemail'],
        action_mentions: [
          { kind: 'email', value: 'op@exploit.example.net' },
          { kind: 'url', value: 'cdn.exploit.example.net/s2' },
        ],
      },
      {
        shortcut_id: 2,
        shortcut_name: 'Broken',
        description: null,
        created_date: 726000000.0,
        isodate: '2024-01-03 18:40:00.000000',
        modified_date: null,
        parsed_actions: 0,
        action_urls: null,
        action_identifiers: [],
        action_mentions: [],
      },
      {
        shortcut_id: 3,
        shortcut_name: 'Empty',
        description: '',
        created_date: 726000001.0,
        isodate: '2024-01-03 18:40:01.000000',
        modified_date: '2024-01-03 18:40:01.000000',
        parsed_actions: 0,
        action_urls: [],
        action_identifiers: [],
        action_mentions: [],
      },
    ]);
    expect(items.map((i) => i.source.at)).toEqual([1, 2, 3].map((rowid) => ({ table: 'ZSHORTCUT', rowid })));
    expect(timeline.slice(0, 2)).toEqual([
      {
        time: records[0]!.isodate,
        event: 'shortcut_created',
        description: "iOS Shortcut 'Morning news ☀️': URL, Open URLs, Text - URLs in actions: https://exploit.example.net/payload, http://a.example/x, https://b.example/y",
      },
      {
        time: records[0]!.modified_date,
        event: 'shortcut_modified',
        description: "iOS Shortcut 'Morning news ☀️': URL, Open URLs, Text - URLs in actions: https://exploit.example.net/payload, http://a.example/x, https://b.example/y",
      },
    ]);
    // The broken shortcut was never modified: it has a creation event only.
    expect(timeline.map((e) => e.event)).toEqual(['shortcut_created', 'shortcut_modified', 'shortcut_created', 'shortcut_created', 'shortcut_modified']);
    expect(observables).toEqual([
      { kind: 'url', value: 'https://exploit.example.net/payload', field: 'action_urls' },
      { kind: 'url', value: 'http://a.example/x', field: 'action_urls' },
      { kind: 'url', value: 'https://b.example/y', field: 'action_urls' },
      { kind: 'email', value: 'op@exploit.example.net', field: 'action_mentions', role: 'mention' },
      { kind: 'url', value: 'cdn.exploit.example.net/s2', field: 'action_mentions', role: 'mention' },
    ]);
  });

  it('treats an action list that is not an array as unreadable', () => {
    expect(decodeShortcutActions(Buffer.from(buildBinary({ WFWorkflowActions: [] })))).toEqual({ parsed_actions: 0, action_urls: null, action_identifiers: [], action_mentions: [] });
  });

  it('fails with a message naming the file when ZSHORTCUTACTIONS is missing', async () => {
    const db = sqliteBytes(SCHEMA.replace(/CREATE TABLE ZSHORTCUTACTIONS[^;]*;/, ''));
    const { coverage } = await parseBackup<ShortcutRecord>(shortcuts, buildBackup([{ ...SHORTCUTS, data: db }]));
    expect(coverage.state).toBe('failed');
    expect(coverage.issues.map((i) => i.code)).toEqual(['missing-table']);
    expect(coverage.reason).toContain('HomeDomain/Library/Shortcuts/Shortcuts.sqlite');
    expect(coverage.reason).toContain('no table ZSHORTCUTACTIONS');
  });
});
