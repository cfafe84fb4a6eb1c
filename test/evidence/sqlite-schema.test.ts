/**
 * Only plain tables are queried: a view (a query the database's author wrote, possibly endless), a virtual
 * table or a table with computed columns under a name an artifact reads is refused before it runs. Each endless view here would hang the
 * test if it were evaluated; the tests finish because it is refused.
 */
import { describe, expect, it } from 'vitest';
import smsAttachments from '../../src/artifacts/ios/sms_attachments.js';
import { openSqlite } from '../../src/evidence/sqlite.js';
import { identifiersIn, RefusedSchemaObjectError } from '../../src/evidence/sqlite-schema.js';
import { buildBackup, sqliteBytes } from '../fixtures/ios-backup.js';
import { FOREVER } from '../fixtures/hostile.js';
import { SMS_DB, SMS_SCHEMA } from '../fixtures/sms.js';
import { parseBackup } from '../helpers/artifacts.js';

const hostile = () =>
  sqliteBytes(`
    CREATE TABLE real_messages (ROWID INTEGER PRIMARY KEY, text TEXT);
    INSERT INTO real_messages (text) VALUES ('hello');
    CREATE VIEW message AS ${FOREVER} SELECT m.* FROM real_messages AS m, r;
    CREATE VIRTUAL TABLE notes USING fts5(body);
  `);

describe('an evidence database with views and virtual tables', () => {
  it('answers hasTable for real tables only, and says why a name is not read', () => {
    const h = openSqlite({ kind: 'buffer', data: hostile() }, 'sms.db');
    expect([h.hasTable('real_messages'), h.hasTable('message'), h.hasTable('MESSAGE'), h.hasTable('notes'), h.hasTable('absent')]).toEqual([true, false, false, false, false]);
    expect(h.notATable('Message')).toBe('`message` is a view, not a table: not read');
    expect(h.notATable('notes')).toBe('`notes` is a virtual table, not a table: not read');
    expect([h.notATable('real_messages'), h.notATable('absent')]).toEqual([null, null]);
    h.close();
  });

  it.each([
    ['by its bare name', 'SELECT * FROM message'],
    ['in another case', 'SELECT * FROM MESSAGE'],
    ['quoted', 'SELECT * FROM "message"'],
    ['bracketed, in a join', 'SELECT * FROM real_messages LEFT JOIN [message] ON 1'],
    ['schema-qualified', 'SELECT count(*) FROM main.message'],
  ])('refuses a statement naming the view %s, before it runs', (_name, sql) => {
    const h = openSqlite({ kind: 'buffer', data: hostile() }, 'sms.db');
    expect(() => h.db.prepare(sql)).toThrow(RefusedSchemaObjectError);
    expect(() => h.db.prepare(sql)).toThrow('sms.db: `message` is a view, not a table: not read');
    h.close();
  });

  it('refuses a virtual table too (module code runs on read)', () => {
    const h = openSqlite({ kind: 'buffer', data: hostile() }, 'notes.db');
    expect(() => h.db.prepare('SELECT body FROM notes')).toThrow('notes.db: `notes` is a virtual table, not a table: not read');
    h.close();
  });

  it('still reads the real tables of the same database, and the name inside a string is no reference', () => {
    const h = openSqlite({ kind: 'buffer', data: hostile() }, 'sms.db');
    expect(h.db.prepare("SELECT text, 'message' AS label FROM real_messages").all()).toEqual([{ text: 'hello', label: 'message' }]);
    expect([...h.walOnlyRowids('message')]).toEqual([]); // never evaluated
    h.close();
  });

  it('a database without views is queried as before (nothing refused)', () => {
    const h = openSqlite({ kind: 'buffer', data: sqliteBytes("CREATE TABLE message (text TEXT); INSERT INTO message VALUES ('x')") }, 'sms.db');
    expect(h.hasTable('message')).toBe(true);
    expect(h.db.prepare('SELECT text FROM message').pluck().all()).toEqual(['x']);
    h.close();
  });
});

describe('a table with computed columns', () => {
  const SLOW = "length(printf('%.*c', 100000000, 'x'))"; // close to a second a row, on every read

  it('a VIRTUAL generated column is evaluated on every read: the table is refused before it runs', () => {
    const data = sqliteBytes(`CREATE TABLE message (text TEXT, cost INTEGER AS (${SLOW}) VIRTUAL); INSERT INTO message (text) VALUES ('a'), ('b')`);
    const h = openSqlite({ kind: 'buffer', data }, 'sms.db');
    expect(h.hasTable('message')).toBe(false);
    expect(h.notATable('message')).toBe('`message` has computed columns (cost), evaluated on every read: not read');
    const started = performance.now();
    expect(() => h.db.prepare('SELECT text FROM message')).toThrow('sms.db: `message` has computed columns (cost), evaluated on every read: not read');
    expect(performance.now() - started).toBeLessThan(100);
    h.close();
  });

  it('must-not: a STORED generated column is read as stored, like any column', () => {
    const data = sqliteBytes("CREATE TABLE message (text TEXT, shout TEXT AS (upper(text)) STORED); INSERT INTO message (text) VALUES ('a')");
    const h = openSqlite({ kind: 'buffer', data }, 'sms.db');
    expect(h.hasTable('message')).toBe(true);
    expect(h.db.prepare('SELECT shout FROM message').pluck().all()).toEqual(['A']);
    h.close();
  });
});

describe('identifiersIn', () => {
  it('lists bare and quoted names, skipping string literals', () => {
    expect(identifiersIn(`SELECT a."b c", [d], \`e\` FROM t WHERE x = 'message' AND y = 'it''s'`)).toEqual(['SELECT', 'a', 'b c', 'd', 'e', 'FROM', 't', 'WHERE', 'x', 'AND', 'y']);
  });
});

describe('an artifact meeting a view', () => {
  it('sms.db whose `message` is an endless view: the optional join is left out and the attachments still read', async () => {
    const schema = SMS_SCHEMA.replace(/CREATE TABLE message \(/, 'CREATE TABLE message_real (');
    const data = sqliteBytes(`${schema}; CREATE VIEW message AS ${FOREVER} SELECT m.* FROM message_real AS m, r;`, (db) => {
      db.prepare("INSERT INTO attachment (guid, filename, created_date, is_outgoing) VALUES ('a1', '~/Library/SMS/Attachments/x.jpg', 0, 0)").run();
    });
    const started = performance.now();
    const { records, coverage } = await parseBackup<{ filename: string }>(smsAttachments, buildBackup([{ ...SMS_DB, data }]));
    expect(performance.now() - started).toBeLessThan(5000);
    expect(coverage.state).toBe('parsed');
    expect(records.map((r) => r.filename)).toEqual(['~/Library/SMS/Attachments/x.jpg']);
  });
});
