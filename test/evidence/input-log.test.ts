/**
 * The input log lists every file a run read, once, with its SHA-256, in the order one thread would have read
 * them: when artifacts run side by side (`--jobs`), what the main thread's own artifacts read is held until
 * their turn in the plan, so info.json is the same whatever the number of threads.
 */
import { createHash, type Hash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { InputLog, type InputRecord } from '../../src/evidence/input-log.js';

const data = (text: string): Buffer => Buffer.from(text);
const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');
const paths = (log: InputLog): string[] => log.all().map((r) => r.path);
const entry = (path: string, text: string): InputRecord => ({ path, label: path, sha256: sha256(text), bytes: text.length });

describe('InputLog', () => {
  it('logs each file once, with its hash and size, in the order first read', () => {
    const log = new InputLog();
    log.record('/b/sms.db', 'sms.db', data('messages'));
    log.record('/b/Manifest.db', 'Manifest.db', data('index'));
    log.record('/b/sms.db', 'sms.db', data('messages'));
    expect(log.all()).toEqual([
      { path: '/b/sms.db', label: 'sms.db', sha256: sha256('messages'), bytes: 8 },
      { path: '/b/Manifest.db', label: 'Manifest.db', sha256: sha256('index'), bytes: 5 },
    ]);
  });

  it('while watched, says what was read since the last take, files read before included', () => {
    const log = new InputLog();
    log.record('/b/a', 'a', data('a'));
    log.watch();
    log.record('/b/b', 'b', data('b'));
    log.record('/b/a', 'a', data('a'));
    expect(log.takeTouched().map((r) => r.path)).toEqual(['/b/b', '/b/a']);
    expect(log.takeTouched()).toEqual([]);
  });

  it('holding: a file read for the first time waits for its turn, and takes the place of the earliest artifact that read it', () => {
    const log = new InputLog();
    log.record('/b/Manifest.db', 'Manifest.db', data('index')); // read when opening: logged at once
    log.watch({ hold: true });
    // This thread runs the plan's third artifact while a worker runs the first two.
    log.record('/b/sms.db', 'sms.db', data('messages'));
    log.record('/b/tcc.db', 'tcc.db', data('tcc'));
    const third = log.takeTouched();
    expect(paths(log)).toEqual(['/b/Manifest.db']);
    // Turns come in plan order: the worker's first artifact read tcc.db too, its second read History.db.
    log.logInTurn([entry('/b/tcc.db', 'tcc')]);
    log.logInTurn([entry('/b/History.db', 'history')]);
    log.logInTurn(third);
    expect(paths(log)).toEqual(['/b/Manifest.db', '/b/tcc.db', '/b/History.db', '/b/sms.db']);
    expect(log.all().find((r) => r.path === '/b/sms.db')?.sha256).toBe(sha256('messages'));
  });

  it('a held file is not hashed again when read again, and unwatch logs what is still held', () => {
    const log = new InputLog();
    log.watch({ hold: true });
    log.record('/b/sms.db', 'sms.db', data('messages'));
    log.record('/b/sms.db', 'sms.db', data('changed since?'));
    log.unwatch();
    expect(log.all()).toEqual([entry('/b/sms.db', 'messages')].map((r) => ({ ...r, label: 'sms.db' })));
    log.record('/b/other', 'other', data('x'));
    expect(paths(log)).toEqual(['/b/sms.db', '/b/other']);
  });

  it('a log told what another thread hashed (a pool worker opening the acquisition again) neither opens nor hashes those files, and still says they were read', () => {
    const manifest = entry('/nowhere/Manifest.db', 'the main thread read these bytes');
    const log = InputLog.knowing([manifest]);
    log.watch();
    // Opening it would throw: the file does not exist here.
    log.hashFileSync('/nowhere/Manifest.db', 'Manifest.db');
    expect(log.takeTouched()).toEqual([manifest]);
    expect(log.all()).toEqual([manifest]);
  });

  it('a file hashed by the pass that copies it is logged with that hash; a pass over a file logged already gets no hash to feed', async () => {
    const log = new InputLog();
    log.watch();
    const fed: (string | null)[] = [];
    const pass = async (hash: Hash | null) => {
      fed.push(hash === null ? null : 'hash');
      hash?.update('index');
      return 5;
    };
    expect(await log.hashedBy('/b/Manifest.db', 'Manifest.db', pass)).toBe(5);
    expect(await log.hashedBy('/b/Manifest.db', 'Manifest.db', pass)).toBe(5);
    expect(fed).toEqual(['hash', null]);
    expect(log.all()).toEqual([{ ...entry('/b/Manifest.db', 'index'), label: 'Manifest.db' }]);
    expect(paths(log)).toEqual(['/b/Manifest.db']);
    expect(log.takeTouched().map((r) => r.path)).toEqual(['/b/Manifest.db']);
  });
});
