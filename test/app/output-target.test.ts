/** The write guard every writing command goes through: evidence by real path, no links, targets checked up front. */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openOutputFile, openOutputFolder, previousRunOf, realPathAllowingMissing } from '../../src/app/output-target.js';
import { tempDir } from '../fixtures/ios-backup.js';
import { snapshotTree } from '../helpers/tree.js';

/** A folder standing for evidence, with one file, and a place beside it for results. */
function layout() {
  const base = tempDir('guard');
  const evidence = join(base, 'BACKUP');
  mkdirSync(evidence);
  writeFileSync(join(evidence, 'Info.plist'), 'device info');
  return { base, evidence, guard: { flag: '--output', evidence: [evidence] } };
}

const entries = (dir: string) => readdirSync(dir).sort();

describe('a target inside, equal to or around the evidence is refused, by real path', () => {
  it('a sibling-looking name that is really inside (`BACKUP/..results`: the old startsWith("..") test let it through)', () => {
    const { evidence, guard } = layout();
    const before = snapshotTree(evidence);
    expect(() => openOutputFolder(join(evidence, '..results'), guard, { replace: 'never' })).toThrow(/--output .*BACKUP\/\.\.results: is inside the evidence/);
    expect(() => openOutputFile(join(evidence, '..key'), guard)).toThrow(/is inside the evidence/);
    expect(snapshotTree(evidence)).toEqual(before);
  });

  it('the evidence itself', () => {
    const { evidence, guard } = layout();
    expect(() => openOutputFolder(evidence, guard, { replace: 'never' })).toThrow(/is inside the evidence/);
  });

  it('a path through a link that points into the evidence (`-o LINK/res`)', () => {
    const { base, evidence, guard } = layout();
    symlinkSync(evidence, join(base, 'LINK'));
    const before = snapshotTree(evidence);
    expect(() => openOutputFolder(join(base, 'LINK', 'res'), guard, { replace: 'never' })).toThrow(/is inside the evidence .*through a link, it is .*BACKUP\/res/);
    expect(snapshotTree(evidence)).toEqual(before);
  });

  it('evidence given through a link, output written inside its real folder', () => {
    const { base, evidence } = layout();
    symlinkSync(evidence, join(base, 'via-link'));
    const guard = { flag: '--output', evidence: [join(base, 'via-link')] };
    expect(() => openOutputFolder(join(evidence, 'res'), guard, { replace: 'never' })).toThrow(/is inside the evidence/);
  });

  it('a folder that contains the evidence (replacing it would delete the evidence)', () => {
    const { base, guard } = layout();
    expect(() => openOutputFolder(base, guard, { replace: 'never' })).toThrow(/contains the evidence/);
  });

  it('must not match: a true sibling whose name starts with the evidence folder name', () => {
    const { base, guard } = layout();
    const pending = openOutputFolder(join(base, 'BACKUP-results'), guard, { replace: 'never' });
    pending.commit();
    expect(statSync(join(base, 'BACKUP-results')).isDirectory()).toBe(true);
  });
});

describe('a key file target (`ios extract-key -o`)', () => {
  it('never replaces evidence, even with --force (extract-key -o BACKUP/Info.plist replaced Info.plist)', () => {
    const { evidence, guard } = layout();
    expect(() => openOutputFile(join(evidence, 'Info.plist'), { ...guard, force: true })).toThrow(/is inside the evidence/);
    expect(readFileSync(join(evidence, 'Info.plist'), 'utf8')).toBe('device info');
  });

  it('refuses an existing file without --force, replaces it with --force, mode 0600', () => {
    const { base, guard } = layout();
    const path = join(base, 'backup.key');
    writeFileSync(path, 'old');
    expect(() => openOutputFile(path, guard)).toThrow(/backup\.key: already exists; choose a new name, or pass --force to replace it/);
    const pending = openOutputFile(path, { ...guard, force: true });
    pending.commit('ab'.repeat(32));
    expect(readFileSync(path, 'utf8')).toBe('ab'.repeat(32));
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(entries(base)).toEqual(['BACKUP', 'backup.key']); // no scratch file left
  });

  it.each([
    ['a symlink to a file (never followed, even with --force)', (base: string) => (writeFileSync(join(base, 'real'), 'x'), symlinkSync(join(base, 'real'), join(base, 't')), join(base, 't')), /is a symbolic link; expected a new file name \(links are never followed\)/],
    ['a dangling link', (base: string) => (symlinkSync(join(base, 'nowhere'), join(base, 't')), join(base, 't')), /is a symbolic link/],
    ['a folder', (base: string) => (mkdirSync(join(base, 't')), join(base, 't')), /is a folder; expected a new file name/],
    ['/dev/null', () => '/dev/null', /\/dev\/null: is a device or special file/],
    ['a path below a file', (base: string) => (writeFileSync(join(base, 'f'), 'x'), join(base, 'f', 'k')), /is a file, not a folder/],
  ])('refuses %s in one line', (_name, make, message) => {
    const { base, guard } = layout();
    const target = make(base);
    expect(() => openOutputFile(target, { ...guard, force: true })).toThrow(message);
    if (existsSync(join(base, 'real'))) expect(readFileSync(join(base, 'real'), 'utf8')).toBe('x');
  });

  it('refuses /proc/x/y at once (mkdir -p on /proc spins forever)', () => {
    const { guard } = layout();
    const started = performance.now();
    expect(() => openOutputFile('/proc/x/y', guard)).toThrow(/--output \/proc\/x\/y: cannot create the folder \/proc\/x/);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('refuses a read-only place before any work (a scratch file is created up front)', () => {
    const { guard } = layout();
    expect(() => openOutputFile('/sys/kernel/tracehound.key', guard)).toThrow(/--output \/sys\/kernel\/tracehound\.key: cannot write in \/sys\/kernel/);
  });

  it('discard leaves nothing behind', () => {
    const { base, guard } = layout();
    openOutputFile(join(base, 'k'), guard).discard();
    expect(entries(base)).toEqual(['BACKUP']);
  });
});

describe('a results folder', () => {
  it('is written under a hidden scratch name and appears only on commit', () => {
    const { base, guard } = layout();
    const pending = openOutputFolder(join(base, 'out'), guard, { replace: 'never' });
    writeFileSync(join(pending.dir, 'a.json'), '[]');
    expect(entries(base)).toEqual([expect.stringMatching(/^\.out\.tracehound-partial-/), 'BACKUP']);
    pending.commit();
    expect(entries(base)).toEqual(['BACKUP', 'out']);
    expect(entries(join(base, 'out'))).toEqual(['a.json']);
  });

  it('discard removes the half-written folder and leaves an existing empty target as it was', () => {
    const { base, guard } = layout();
    mkdirSync(join(base, 'out'));
    const pending = openOutputFolder(join(base, 'out'), guard, { replace: 'never' });
    writeFileSync(join(pending.dir, 'a.json'), '[]');
    pending.discard();
    expect(entries(base)).toEqual(['BACKUP', 'out']);
    expect(entries(join(base, 'out'))).toEqual([]);
  });

  it('an existing empty folder is replaced by the finished results', () => {
    const { base, guard } = layout();
    mkdirSync(join(base, 'out'));
    const pending = openOutputFolder(join(base, 'out'), { ...guard, privateMode: true }, { replace: 'never' });
    writeFileSync(join(pending.dir, 'a.json'), '[]');
    pending.commit();
    expect(entries(join(base, 'out'))).toEqual(['a.json']);
    expect(statSync(join(base, 'out')).mode & 0o777).toBe(0o700);
    expect(entries(base)).toEqual(['BACKUP', 'out']);
  });

  it('creates missing parent folders', () => {
    const { base, guard } = layout();
    openOutputFolder(join(base, 'cases', '2026', 'out'), guard, { replace: 'never' }).commit();
    expect(statSync(join(base, 'cases', '2026', 'out')).isDirectory()).toBe(true);
  });

  it.each([
    ['a file', (p: string) => writeFileSync(p, 'x'), /is a file; expected a new or empty folder/],
    ['a link to a folder', (p: string) => symlinkSync(tempDir('elsewhere'), p), /is a symbolic link; expected a new or empty folder \(links are never followed\)/],
    ['a non-empty folder', (p: string) => (mkdirSync(p), writeFileSync(join(p, 'notes.txt'), 'mine')), /out: is not empty; choose a new or empty folder/],
  ])('refuses %s', (_name, make, message) => {
    const { base, guard } = layout();
    make(join(base, 'out'));
    expect(() => openOutputFolder(join(base, 'out'), guard, { replace: 'never' })).toThrow(message);
    expect(entries(base)).toEqual(['BACKUP', 'out']);
  });

  it('refuses a read-only place and /dev/null before any work', () => {
    const { guard } = layout();
    expect(() => openOutputFolder('/sys/kernel/tracehound-out', guard, { replace: 'never' })).toThrow(/cannot write in \/sys\/kernel \(not permitted\)/);
    expect(() => openOutputFolder('/dev/null', guard, { replace: 'never' })).toThrow(/\/dev\/null: is a device or special file; expected a new or empty folder/);
  });
});

describe('a previous run in the results folder', () => {
  const previous = (dir: string, target: string, extra: Record<string, string> = {}) => {
    mkdirSync(dir);
    writeFileSync(join(dir, 'info.json'), JSON.stringify({ target }));
    writeFileSync(join(dir, 'ios.sms.json'), '[]');
    for (const [name, text] of Object.entries(extra)) writeFileSync(join(dir, name), text);
  };

  it('of the same acquisition is replaced whole: no file of the old run survives', () => {
    const { base, evidence, guard } = layout();
    previous(join(base, 'out'), evidence, { 'ios.old_artifact.json': '[]' });
    const pending = openOutputFolder(join(base, 'out'), guard, { replace: 'previous-run', sameRun: previousRunOf(evidence) });
    writeFileSync(join(pending.dir, 'info.json'), JSON.stringify({ target: evidence }));
    pending.commit();
    expect(entries(join(base, 'out'))).toEqual(['info.json']);
    expect(entries(base)).toEqual(['BACKUP', 'out']);
  });

  it('recognises the MVT-format info.json (target_path) and the acquisition given through a link', () => {
    const { base, evidence } = layout();
    symlinkSync(evidence, join(base, 'link'));
    previous(join(base, 'out'), join(base, 'link'));
    expect(previousRunOf(evidence)(join(base, 'out'))).toBe(true);
    writeFileSync(join(base, 'out', 'info.json'), JSON.stringify({ target_path: evidence }));
    expect(previousRunOf(evidence)(join(base, 'out'))).toBe(true);
  });

  it.each([
    ['of another acquisition', (dir: string) => previous(dir, '/somewhere/other-phone'), /holds the results of another acquisition \(\/somewhere\/other-phone\); results of two devices are never mixed/],
    ['with files Tracehound did not write', (dir: string, ev: string) => previous(dir, ev, { 'notes.txt': 'mine' }), /holds files Tracehound did not write \(notes\.txt\)/],
    ['without info.json', (dir: string) => (mkdirSync(dir), writeFileSync(join(dir, 'ios.sms.json'), '[]')), /holds no Tracehound results \(no info\.json\)/],
    ['with an info.json that is not ours', (dir: string) => (mkdirSync(dir), writeFileSync(join(dir, 'info.json'), '{"name": "x"}')), /names no acquisition/],
  ])('is refused when it is %s', (_name, make, message) => {
    const { base, evidence, guard } = layout();
    make(join(base, 'out'), evidence);
    const before = snapshotTree(join(base, 'out'));
    expect(() => openOutputFolder(join(base, 'out'), guard, { replace: 'previous-run', sameRun: previousRunOf(evidence) })).toThrow(message);
    expect(snapshotTree(join(base, 'out'))).toEqual(before);
  });
});

describe('realPathAllowingMissing', () => {
  it('resolves the nearest existing ancestor and appends the rest', () => {
    const { base, evidence } = layout();
    symlinkSync(evidence, join(base, 'L'));
    expect(realPathAllowingMissing(join(base, 'L', 'a', 'b'))).toBe(join(realPathAllowingMissing(evidence), 'a', 'b'));
  });
});
