import Database from 'better-sqlite3';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { openSqlite } from '../../src/evidence/sqlite.js';
import { attributedBodyText, isTypedstream } from '../../src/formats/typedstream.js';
import { typedstreamBody } from '../fixtures/typedstream.js';
import { mvtIosBackup, shared } from '../helpers/data.js';

describe('attributedBodyText on real Messages databases', () => {
  it('recovers the text of all 10 messages of plaso\'s chat.db; 8 equal the text column, 2 were edited there', () => {
    const handle = openSqlite({ kind: 'buffer', data: readFileSync(shared('samples', 'plaso', 'test_data', 'sqlite', 'imessage_chat.db')) }, 'chat.db');
    try {
      const rows = handle.db.prepare('SELECT ROWID AS id, text, attributedBody FROM message ORDER BY ROWID').all() as { id: number; text: string; attributedBody: Buffer }[];
      expect(rows).toHaveLength(10);
      const differing = rows.filter((r) => attributedBodyText(r.attributedBody) !== r.text).map((r) => r.id);
      // The sample's text column says "Open Office" where the archived body (what Messages displays) says
      // "Microsoft Office": the two columns can disagree, so both are worth reading.
      expect(differing).toEqual([6, 10]);
      expect(attributedBodyText(rows[5]!.attributedBody)).toBe('It does have it’s own ‘office’ software, but you can also install Microsoft Office, which I have a copy of.');
      expect(rows[5]!.text).toBe('It does have it’s own ‘office’ software, but you can also install Open Office, which I have a copy of.');
      expect(attributedBodyText(rows[9]!.attributedBody)).toBe("Hi Eireanne, I've left a USB stick up at my Mum's with Microsoft Office on it.");
      // Message 2 is 170 bytes long: its length uses the 0x81 two-byte prefix (0x00aa).
      expect(rows[1]!.attributedBody.includes(Buffer.from([0x2b, 0x81, 0xaa, 0x00]))).toBe(true);
      expect(attributedBodyText(rows[1]!.attributedBody)).toBe(rows[1]!.text);
    } finally {
      handle.close();
    }
  });

  it('gives null for the MVT test backup\'s sms.db message, which has no attributedBody', () => {
    const data = readFileSync(`${mvtIosBackup()}/3d/3d0d7e5fb2ce288813306e4d4636395e047a3d28`);
    const handle = openSqlite({ kind: 'buffer', data }, 'sms.db');
    try {
      const body = handle.db.prepare('SELECT attributedBody FROM message').pluck().get() as Buffer | null;
      expect(body).toBeNull();
      expect(attributedBodyText(body)).toBeNull();
    } finally {
      handle.close();
    }
  });
});

describe('attributedBodyText on constructed archives', () => {
  it.each([
    ['a one-byte length', 'Check https://example.org/a', 'auto'],
    ['a 0x81 (int16) length', `see https://example.org/${'x'.repeat(300)}`, 'auto'],
    ['a 0x82 (int32) length', 'y'.repeat(70_000), 'auto'],
    ['a 0x81 prefix on a short text', 'short', 0x81],
    ['emoji and accents', 'Ça va? 😀 https://exämple.org/ü', 'auto'],
    ['an empty string', '', 'auto'],
  ] as const)('reads %s', (_name, text, tag) => {
    const blob = typedstreamBody(text, tag);
    expect(isTypedstream(blob)).toBe(true);
    expect(attributedBodyText(blob)).toBe(text);
  });

  it('ignores "NSString" appearing inside the text itself: the first string object wins', () => {
    expect(attributedBodyText(typedstreamBody('NSString \x84\x01+ is a class'))).toBe('NSString \x84\x01+ is a class');
  });

  it.each([
    ['null', null],
    ['an empty blob', Buffer.alloc(0)],
    ['an NSKeyedArchiver plist', Buffer.from('bplist00\xd4\x01\x02', 'latin1')],
    ['a header only', Buffer.concat([Buffer.from([0x04, 0x0b]), Buffer.from('streamtyped')])],
    ['a truncated text run', typedstreamBody('Hello, world').subarray(0, -20)],
    ['a truncated length', (() => {
      const b = typedstreamBody('z'.repeat(200));
      return b.subarray(0, b.indexOf(Buffer.from([0x2b, 0x81])) + 2);
    })()],
    ['a negative int32 length', (() => {
      const b = typedstreamBody('abc', 0x82);
      b.writeInt32LE(-5, b.indexOf(Buffer.from([0x2b, 0x82])) + 2);
      return b;
    })()],
    ['a typedstream without a string', Buffer.concat([Buffer.from([0x04, 0x0b]), Buffer.from('streamtyped'), Buffer.from([0x81, 0xe8, 0x03, 0x84, 0x01, 0x40, 0x85])])],
  ])('gives null for %s', (_name, blob) => {
    expect(attributedBodyText(blob)).toBeNull();
  });

  it('reads a blob stored in a SQLite BLOB column (the way the parser receives it)', () => {
    const db = new Database(':memory:');
    db.exec('CREATE TABLE m (b BLOB)');
    db.prepare('INSERT INTO m VALUES (?)').run(typedstreamBody('from sqlite'));
    const blob = db.prepare('SELECT b FROM m').pluck().get() as Buffer;
    db.close();
    expect(attributedBodyText(blob)).toBe('from sqlite');
  });
});
