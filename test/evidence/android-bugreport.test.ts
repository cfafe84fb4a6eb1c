import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deviceFromDumpstate, takenAtOf } from '../../src/evidence/android-bugreport.js';
import { detectAcquisition, detectInput, openAcquisition } from '../../src/evidence/detect.js';
import { InputLog } from '../../src/evidence/input-log.js';
import { decodeDumpstateFacts, looksLikeDumpstateHead, parseFingerprint } from '../../src/formats/dumpstate-facts.js';
import { packAcquisition, type PackedKind } from '../fixtures/archives.js';
import { shared } from '../helpers/data.js';
import { snapshotTree } from '../helpers/tree.js';

const sha = (data: Buffer) => createHash('sha256').update(data).digest('hex');
const realFolder = () => shared('mvt-test-artifacts', 'android_data', 'bugreport');
const oldFormat = () => shared('samples', 'chkbugreport', 'examples', 'bugreports', 'bugreport_deadlock.txt');

/** A current dumpstate's head: banner, build lines, then sections, SYSTEM PROPERTIES among them. */
const DUMPSTATE = [
  '========================================================',
  '== dumpstate: 2024-05-01 10:11:12',
  '========================================================',
  '',
  'Build: UP1A.231005.007',
  "Build fingerprint: 'samsung/a10eea/a10:14/UP1A.231005.007/A105FXXU9:user/release-keys'",
  'Bootloader: A105FXXU9',
  '',
  '------ UPTIME (uptime) ------',
  'up 2 days',
  '------ 0.010s was the duration of \'UPTIME\' ------',
  '------ SYSTEM PROPERTIES (getprop) ------',
  '[persist.sys.timezone]: [Europe/Berlin]',
  '[ro.build.id]: [UP1A.231005.007]',
  '[ro.build.version.release]: [14]',
  '[ro.build.version.security_patch]: [2024-04-01]',
  '[ro.product.model]: [SM-A105F]',
  '[ro.serialno]: [R58M1234ABC]',
  '------ 0.045s was the duration of \'SYSTEM PROPERTIES\' ------',
  '-------------------------------------------------------------------------------',
  'DUMP OF SERVICE package:',
  '',
].join('\n');

describe('bugreports: detection', () => {
  let base: string;
  let root: string;
  beforeAll(() => {
    base = mkdtempSync(join(tmpdir(), 'tracehound-bugreport-src-'));
    root = join(base, 'bugreport-a10-2024-05-01');
    mkdirSync(join(root, 'FS', 'data', 'tombstones'), { recursive: true });
    writeFileSync(join(root, 'main_entry.txt'), 'bugreport-a10-2024-05-01.txt\n');
    writeFileSync(join(root, 'bugreport-a10-2024-05-01.txt'), DUMPSTATE);
    writeFileSync(join(root, 'FS', 'data', 'tombstones', 'tombstone_00'), 'crash\n');
  });
  afterAll(() => rmSync(base, { recursive: true, force: true }));

  it('MVT\'s folder is a bugreport, read in place without writing anything; its dumpstate is the file main_entry.txt names', async () => {
    const before = snapshotTree(realFolder());
    expect(detectAcquisition(realFolder())).toEqual({ answer: 'match', kind: 'android-bugreport', root: realFolder() });
    const { source, inputs } = await openAcquisition(realFolder());
    expect(source.kind).toBe('android-bugreport');
    // MVT's test dumpstate has no header and no SYSTEM PROPERTIES: no device facts.
    expect(source.describe()).toEqual({ kind: 'android-bugreport', root: realFolder(), encrypted: false });
    expect((await source.find({ by: 'dumpstate' })).map((f) => [f.ref.storedPath, f.size])).toEqual([['dumpstate.txt', 14011]]);
    expect((await source.find({ by: 'path-glob', pattern: 'FS/data/tombstones/tombstone_*' })).map((f) => f.ref.storedPath)).toEqual(['FS/data/tombstones/tombstone_00', 'FS/data/tombstones/tombstone_01']);
    expect(source.notes?.()).toEqual([]);
    expect(inputs.all().map((e) => e.label)).toEqual(['main_entry.txt']);
    await source.close();
    expect(snapshotTree(realFolder())).toEqual(before);
  });

  it('a folder holding one bugreport folder is read, with a note', () => {
    expect(detectAcquisition(base)).toEqual({ answer: 'match', kind: 'android-bugreport', root, note: `found a bugreport in sub-folder ${root}` });
  });

  it('describe() gives the device from the dumpstate header and SYSTEM PROPERTIES, and the report time converted with the device\'s zone', async () => {
    const source = await (await detectInput(root)).open(new InputLog());
    expect(source.describe()).toEqual({
      kind: 'android-bugreport',
      root,
      encrypted: false,
      // 10:11:12 in Berlin (CEST, UTC+2) on 1 May.
      acquiredAt: new Date('2024-05-01T08:11:12.000Z'),
      device: { productType: 'SM-A105F', productVersion: '14', buildVersion: 'UP1A.231005.007', serialNumber: 'R58M1234ABC', securityPatch: '2024-04-01', timeZone: 'Europe/Berlin' },
    });
    await source.close();
  });

  it.each<[PackedKind, string | undefined]>([
    ['zip', undefined],
    ['zip', 'bugreport-a10-2024-05-01'],
    ['tar', undefined],
    ['tar.gz', undefined],
    ['tar.gz', 'bugreport-a10-2024-05-01'],
  ])('a %s with the files in %s is read like the folder', async (kind, lead) => {
    const archive = await packAcquisition(root, kind, join(base, `packed-${lead ?? 'root'}.${kind}`), lead);
    const { source, note } = await openAcquisition(archive);
    expect(source.kind).toBe('android-bugreport');
    expect(note).toBe(lead ? `found a bugreport in folder ${lead} of ${archive}` : undefined);
    expect(source.describe().device?.securityPatch).toBe('2024-04-01');
    expect(source.describe().acquiredAt?.toISOString()).toBe('2024-05-01T08:11:12.000Z');
    const [dumpstate] = await source.find({ by: 'dumpstate' });
    expect(dumpstate!.ref.storedPath).toBe('bugreport-a10-2024-05-01.txt');
    expect((await source.read(dumpstate!)).toString('utf8')).toBe(DUMPSTATE);
    expect((await source.find({ by: 'path-glob', pattern: 'FS/data/tombstones/tombstone_*' })).map((f) => f.size)).toEqual([6]);
    await source.close();
  });

  it('MVT\'s folder packed as zip, tar and tar.gz answers as the folder does: find, read, stream, the input log, no notes', async () => {
    const specs = [{ by: 'dumpstate' }, { by: 'path-glob', pattern: 'FS/data/tombstones/tombstone_*' }, { by: 'path-glob', pattern: 'FS', folders: true }] as const;
    const answers = async (path: string) => {
      const { source, inputs } = await openAcquisition(path);
      const out: unknown[] = [];
      for (const spec of specs) {
        for (const f of await source.find(spec)) {
          // A folder is only described, never read (and only a folder on disk has a size).
          if ('folders' in spec) {
            out.push({ spec: spec.by, folder: f.ref.storedPath });
            continue;
          }
          const streamed: Buffer[] = [];
          for await (const c of await source.stream!(f)) streamed.push(c as Buffer);
          out.push({ spec: spec.by, storedPath: f.ref.storedPath, size: f.size, sha: sha(Buffer.concat(streamed)) });
        }
      }
      const log = inputs.all().map(({ label, sha256, bytes }) => ({ label, sha256, bytes })).sort((a, b) => a.label.localeCompare(b.label));
      const notes = source.notes?.();
      const { root: _root, container: _container, ...info } = source.describe();
      await source.close();
      return { out, log, notes, info };
    };
    const folder = await answers(realFolder());
    expect(folder.log.map((e) => e.label)).toEqual(['dumpstate.txt', 'FS/data/tombstones/tombstone_00', 'FS/data/tombstones/tombstone_01', 'main_entry.txt']);
    for (const kind of ['zip', 'tar', 'tar.gz'] as const) {
      const archive = await packAcquisition(realFolder(), kind, join(base, `mvt.${kind}`), kind === 'tar' ? undefined : 'bugreport');
      expect(await answers(archive)).toEqual(folder);
    }
  });

  it('a stream of the dumpstate gives its bytes and logs its hash once read to the end', async () => {
    const { source, inputs } = await openAcquisition(realFolder());
    const [file] = await source.find({ by: 'dumpstate' });
    const chunks: Buffer[] = [];
    for await (const chunk of await source.stream!(file!)) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks)).toEqual(await source.read(file!));
    expect(inputs.all().find((e) => e.label === 'dumpstate.txt')).toMatchObject({ bytes: 14011 });
    await source.close();
  });

  it('without main_entry.txt, a root dumpState_*.log, bugreport-*.txt or dumpstate.txt is the dumpstate', async () => {
    const other = join(base, 'samsung');
    mkdirSync(other);
    writeFileSync(join(other, 'dumpState_G991B_202405011011.log'), DUMPSTATE);
    const { source } = await openAcquisition(other);
    expect(source.kind).toBe('android-bugreport');
    expect((await source.find({ by: 'dumpstate' })).map((f) => f.ref.storedPath)).toEqual(['dumpState_G991B_202405011011.log']);
    await source.close();
  });

  it('a main_entry.txt naming a missing file is a note, and the other names are tried', async () => {
    const broken = join(base, 'broken');
    mkdirSync(broken);
    writeFileSync(join(broken, 'main_entry.txt'), 'bugreport-gone.txt');
    writeFileSync(join(broken, 'dumpstate.txt'), DUMPSTATE);
    const { source } = await openAcquisition(broken);
    expect((await source.find({ by: 'dumpstate' })).map((f) => f.ref.storedPath)).toEqual(['dumpstate.txt']);
    expect(source.notes?.()).toEqual([`${join(broken, 'main_entry.txt')} names the dumpstate "bugreport-gone.txt", which is absent from the bugreport`]);
    await source.close();
  });

  it('a main_entry.txt naming a path out of the bugreport is refused, never followed', async () => {
    const hostile = join(base, 'hostile');
    mkdirSync(hostile);
    writeFileSync(join(hostile, 'main_entry.txt'), '../bugreport-a10-2024-05-01/bugreport-a10-2024-05-01.txt');
    const { source } = await openAcquisition(hostile);
    expect(await source.find({ by: 'dumpstate' })).toEqual([]);
    expect(source.notes?.()).toHaveLength(2);
    expect(source.notes?.()[1]).toBe(`${join(hostile, '')}: no dumpstate file (main_entry.txt, dumpState_*.log, bugreport-*.txt or dumpstate.txt); its sections are not read`);
    await source.close();
  });

  it('inside a zip too, a main_entry.txt naming a path out of the bugreport finds nothing and says so', async () => {
    const hostile = join(base, 'hostile-zip');
    mkdirSync(hostile);
    writeFileSync(join(hostile, 'main_entry.txt'), '../../../etc/passwd');
    const zip = await packAcquisition(hostile, 'zip', join(base, 'hostile.zip'));
    const { source } = await openAcquisition(zip);
    expect(await source.find({ by: 'dumpstate' })).toEqual([]);
    expect(source.notes?.()[0]).toBe(`${join(zip, 'main_entry.txt')} names the dumpstate "../../../etc/passwd", which is absent from the bugreport`);
    await source.close();
  });

  it('an androidqf folder stays androidqf, even holding a bugreport.zip and a dumpsys.txt', async () => {
    const aqf = join(base, 'aqf');
    mkdirSync(aqf);
    writeFileSync(join(aqf, 'getprop.txt'), '[ro.build.version.release]: [14]\n');
    writeFileSync(join(aqf, 'dumpsys.txt'), 'DUMP OF SERVICE package:\n');
    writeFileSync(join(aqf, 'bugreport.zip'), 'PK');
    expect(detectAcquisition(aqf)).toMatchObject({ answer: 'match', kind: 'android-androidqf' });
  });

  it('--type android-bugreport on something else names only what it expected', () => {
    expect(() => detectAcquisition(shared('mvt-test-artifacts', 'androidqf'), 'android-bugreport')).toThrow(/not a supported acquisition \(expected an Android bugreport \(main_entry\.txt or a dumpstate text, FS\/…\)\)$/);
  });
});

describe('old-format bugreports: a lone dumpstate text file', () => {
  it('is detected by its banner and described from its SYSTEM PROPERTIES section', async () => {
    const found = await detectInput(oldFormat());
    expect(found.detection).toEqual({ answer: 'match', kind: 'android-bugreport', root: oldFormat(), note: `${oldFormat()} is a lone dumpstate text (an old-format bugreport): only its text is read; tombstones and file times need a full bugreport` });
    const source = await found.open(new InputLog());
    expect(source.describe()).toEqual({
      kind: 'android-bugreport',
      root: oldFormat(),
      encrypted: false,
      // `== dumpstate: 1980-01-06 01:03:38` in Europe/Stockholm (CET, UTC+1): the phone's clock was never set.
      acquiredAt: new Date('1980-01-06T00:03:38.000Z'),
      device: { productType: 'Nexus One', productVersion: '2.3.5', buildVersion: 'MIUI', serialNumber: 'HT9CMP803066', timeZone: 'Europe/Stockholm' },
    });
    expect((await source.find({ by: 'dumpstate' })).map((f) => [f.ref.storedPath, f.size])).toEqual([['bugreport_deadlock.txt', 1278619]]);
    // Only the file itself: its folder's other files are not part of the acquisition.
    expect(await source.find({ by: 'path-glob', pattern: '*' })).toHaveLength(1);
    expect(await source.find({ by: 'path-glob', pattern: 'FS', folders: true })).toEqual([]);
    expect(source.notes?.()).toEqual([]);
    await source.close();
  });

  it('a text file without the banner is not one, and --type other kinds never take it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tracehound-lone-'));
    try {
      writeFileSync(join(dir, 'notes.txt'), 'hello\n== dumpstate: 2024-05-01 10:11:12\n'.padEnd(5000, 'x'));
      await expect(detectInput(join(dir, 'notes.txt'))).rejects.toThrow(/notes\.txt: not a supported acquisition: not a zip, tar or tar\.gz/);
      await expect(detectInput(oldFormat(), 'android-androidqf')).rejects.toThrow(/not a supported acquisition/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('dumpstate facts', () => {
  it('reads the header and the SYSTEM PROPERTIES section, with the properties\' line numbers in the file', () => {
    const facts = decodeDumpstateFacts(DUMPSTATE);
    expect(facts).toMatchObject({ takenAt: '2024-05-01 10:11:12', build: 'UP1A.231005.007', fingerprint: 'samsung/a10eea/a10:14/UP1A.231005.007/A105FXXU9:user/release-keys', propertiesAt: 12, skipped: { count: 0 }, truncated: false });
    expect(facts.properties.map((p) => [p.name, p.line])[0]).toEqual(['persist.sys.timezone', 13]);
    expect(facts.properties).toHaveLength(6);
  });

  it('without SYSTEM PROPERTIES, the device comes from the fingerprint and the Build line; no zone, no acquisition time', () => {
    const facts = decodeDumpstateFacts(DUMPSTATE.split('------ SYSTEM')[0]!);
    expect(facts.properties).toEqual([]);
    expect(deviceFromDumpstate(facts)).toEqual({ productVersion: '14', buildVersion: 'UP1A.231005.007' });
    expect(takenAtOf(facts, undefined)).toBeUndefined();
    expect(parseFingerprint('not a fingerprint')).toBeNull();
  });

  it('an unknown zone gives no acquisition time rather than a guess', () => {
    expect(takenAtOf({ takenAt: '2024-05-01 10:11:12', properties: [], skipped: { count: 0 }, truncated: false }, 'Mars/Olympus_Mons')).toBeUndefined();
  });

  it('a dumpstate\'s banner is recognised in its first lines, and never in binary data', () => {
    expect(looksLikeDumpstateHead(Buffer.from(DUMPSTATE))).toBe(true);
    expect(looksLikeDumpstateHead(Buffer.from('== dumpstate: 2024-05-01 10:11:12\0'))).toBe(false);
    expect(looksLikeDumpstateHead(Buffer.from('Build: x\n'))).toBe(false);
  });
});
