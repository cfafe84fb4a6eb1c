/**
 * The encrypted case behind `openCase` (store.ts, db.ts): an in-memory database whose commits, and only its
 * commits, reach the disk sealed; two commands writing one encrypted case at once cannot undo each other;
 * a folder is one kind of case or the other.
 */
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { newSeal } from '../../src/case/sealed.js';
import { lockCase, openCase, unlockCase } from '../../src/case/store.js';
import { tempDir } from '../fixtures/ios-backup.js';

const seal = () => newSeal({ passphrase: 'pw', scryptLogN: 10 });
const info = (dir: string, s: Awaited<ReturnType<typeof seal>>, name: string) => {
  const c = openCase(dir, { seal: s });
  try {
    return c.db.prepare('SELECT value FROM case_info WHERE name = ?').get(name)?.value ?? null;
  } finally {
    c.close();
  }
};

describe('an encrypted case store', () => {
  it('is created sealed, migrated and dated, and keeps what a transaction commits, not what is left uncommitted', async () => {
    const dir = join(tempDir('enc-store'), 'case');
    const s = await seal();
    const c = openCase(dir, { create: true, seal: s });
    expect(c).toMatchObject({ created: true, encrypted: true, dbPath: join(dir, 'case.db.age') });
    c.db.transaction(() => c.db.prepare(`INSERT INTO case_info (name, value) VALUES ('note', 'kept')`).run());
    c.db.begin();
    c.db.prepare(`INSERT INTO case_info (name, value) VALUES ('lost', 'rolled back')`).run();
    c.db.rollback();
    c.close();
    expect(readdirSync(dir)).toEqual(['case.db.age']);
    expect(info(dir, s, 'note')).toBe('kept');
    expect(info(dir, s, 'lost')).toBe(null);
    expect(info(dir, s, 'created_at')).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(readFileSync(join(dir, 'case.db.age')).includes('kept')).toBe(false);
  });

  it('refuses the second of two commands that wrote it at once, naming it, and keeps the first one\'s work', async () => {
    const dir = join(tempDir('enc-race'), 'case');
    const s = await seal();
    openCase(dir, { create: true, seal: s }).close();
    const first = openCase(dir, { seal: s });
    const second = openCase(dir, { seal: s });
    first.db.transaction(() => first.db.prepare(`INSERT INTO case_info (name, value) VALUES ('who', 'first')`).run());
    expect(() => second.db.transaction(() => second.db.prepare(`INSERT INTO case_info (name, value) VALUES ('who', 'second')`).run())).toThrow(
      `${join(dir, 'case.db.age')}: the encrypted case was changed by another command while this one ran; what this one added was not saved (run it again)`,
    );
    first.close();
    second.close();
    expect(info(dir, s, 'who')).toBe('first');
  });

  it('is not opened without its key, nor with one when the case is plain; a folder with both files is refused', async () => {
    const dir = join(tempDir('enc-kind'), 'case');
    const s = await seal();
    openCase(dir, { create: true, seal: s }).close();
    expect(() => openCase(dir)).toThrow(`${join(dir, 'case.db.age')}: an encrypted case; its passphrase or identity is needed to open it`);
    unlockCase(dir, s);
    expect(readdirSync(dir)).toEqual(['case.db']);
    expect(() => openCase(dir, { seal: s })).toThrow(`${dir}: the case is not encrypted (case.db); \`tracehound case lock ${dir}\` encrypts it`);
    writeFileSync(join(dir, 'case.db.age'), 'left over');
    expect(() => openCase(dir)).toThrow(`${dir}: holds both case.db and case.db.age (an interrupted \`case lock\` or \`case unlock\`?): check which one opens, then remove the other`);
  });

  it('lock leaves only ciphertext, unlock only the plain database, each refusing a case already so', async () => {
    const dir = join(tempDir('enc-lock'), 'case');
    const plain = openCase(dir, { create: true });
    plain.db.transaction(() => plain.db.prepare(`INSERT INTO case_info (name, value) VALUES ('note', 'a phone number +41 79 000 00 00')`).run());
    plain.close();
    expect(readFileSync(join(dir, 'case.db')).includes('+41 79 000 00 00')).toBe(true);
    const s = await seal();
    expect(lockCase(dir, s)).toBe(join(dir, 'case.db.age'));
    expect(readdirSync(dir)).toEqual(['case.db.age']);
    expect(readFileSync(join(dir, 'case.db.age')).includes('+41 79 000 00 00')).toBe(false);
    expect(info(dir, s, 'note')).toBe('a phone number +41 79 000 00 00');
    expect(() => lockCase(dir, s)).toThrow(`${dir}: the case is already encrypted (case.db.age); nothing changed`);
    expect(unlockCase(dir, s)).toBe(join(dir, 'case.db'));
    expect(readdirSync(dir)).toEqual(['case.db']);
    expect(() => unlockCase(dir, s)).toThrow(`${dir}: the case is not encrypted (case.db); nothing changed`);
    const c = openCase(dir);
    expect(c.db.prepare(`SELECT value FROM case_info WHERE name = 'note'`).get()?.value).toBe('a phone number +41 79 000 00 00');
    c.close();
  });
});
