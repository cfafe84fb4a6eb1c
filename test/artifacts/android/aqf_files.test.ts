import { describe, expect, it } from 'vitest';
import files, { decodeFilesJson, fileTimeline, type AqfFileRecord } from '../../../src/artifacts/android/aqf_files.js';
import { plainDescription } from '../../../src/report/native.js';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { detectInput } from '../../../src/evidence/detect.js';
import { InputLog } from '../../../src/evidence/input-log.js';
import { parseSource } from '../../helpers/artifacts.js';
import { writeFileSync } from 'node:fs';
import yazl from 'yazl';
import { zipTree } from '../../fixtures/archives.js';
import { mvtAndroidqf, parseAqf, parseAqfFiles, writeAqf } from './_aqf.js';

const entry = (over: Record<string, unknown> = {}) => ({ path: '/sdcard/x', size: 1, mode: '-rw-rw----', user_id: 0, user_name: '', group_id: 1015, group_name: '', changed_time: 100, modified_time: 200, access_time: 200, error: '', context: '', sha1: '', sha256: '', sha512: '', md5: '', ...over });

describe('android.aqf_files on MVT\'s androidqf', () => {
  it('reads the 3 files and gives 6 MACB timeline rows (the times are Unix seconds: exact, UTC)', async () => {
    const { records, coverage, timeline, observables } = await parseAqf<AqfFileRecord>(files, mvtAndroidqf());
    expect(coverage.state).toBe('parsed');
    expect(coverage.issues).toEqual([]);
    expect(records).toHaveLength(3);
    expect(records[0]).toMatchObject({ path: '/sdcard/.profig.os', size: 36, mode: '-rw-rw----', group_id: 1015, context: 'u:object_r:sdcardfs:s0', sha256: '' });
    expect(records[0]!.changed_time!.mvt()).toBe('2019-02-14 14:47:52.000000');
    expect(timeline).toHaveLength(6);
    expect(timeline.slice(0, 2).map((e) => [e.time!.mvt(), e.event, plainDescription(e.description)])).toEqual([
      ['2020-06-25 18:25:32.000000', 'MA--', '/sdcard/.profig.os (u:object_r:sdcardfs:s0)'],
      ['2019-02-14 14:47:52.000000', '--C-', '/sdcard/.profig.os (u:object_r:sdcardfs:s0)'],
    ]);
    // No hash was computed for these files: only the path is an observable.
    expect(observables).toEqual(records.map((r) => ({ kind: 'file_path', value: r.path, field: 'path' })));
  });
});

describe('decodeFilesJson', () => {
  it('reads JSON lines (newer androidqf) as well as a list, and counts the lines that are not entries', () => {
    const text = `${JSON.stringify(entry({ path: '/a' }))}\n\n{broken\n${JSON.stringify(entry({ path: '/b', sha256: 'ab'.repeat(32) }))}\n`;
    const d = decodeFilesJson(Buffer.from(text));
    expect(d.files.map((f) => [f.record.path, f.at])).toEqual([
      ['/a', { line: 1 }],
      ['/b', { line: 4 }],
    ]);
    expect(d.skipped).toHaveLength(1);
    expect(d.skipped[0]!.at).toEqual({ line: 3 });
    expect(d.skipped[0]!.reason).toMatch(/^not valid JSON/);
    expect(d.end).toBe('complete');
  });

  it('reads a list item by item, with strings holding brackets, commas and escaped quotes', () => {
    const list = [entry({ path: '/a,[b]{c}' }), entry({ path: '/q\\"x"' }), 7, entry({ path: '/z', mode: 'é' })];
    const d = decodeFilesJson(Buffer.from(`\ufeff  ${JSON.stringify(list, null, 2)}\n`));
    expect(d.files.map((f) => [f.record.path, f.at])).toEqual([
      ['/a,[b]{c}', { key: '[0]' }],
      ['/q\\"x"', { key: '[1]' }],
      ['/z', { key: '[3]' }],
    ]);
    expect(d.files[2]!.record.mode).toBe('é');
    expect(d.skipped).toEqual([{ at: { key: '[2]' }, reason: 'expected an object, found a number' }]);
    expect(d.end).toBe('complete');
  });

  it('a list cut short keeps the items before the cut and says so', () => {
    const text = JSON.stringify([entry({ path: '/a' }), entry({ path: '/b' })]);
    const d = decodeFilesJson(Buffer.from(text.slice(0, text.length - 20)));
    expect(d.files.map((f) => f.record.path)).toEqual(['/a']);
    expect(d.end).toBe('the list is cut short');
    expect(decodeFilesJson(Buffer.from('[]')).end).toBe('complete');
    expect(decodeFilesJson(Buffer.from('[] trailing')).end).toBe('text after the end of the list');
  });

  it('refuses what is neither', () => {
    expect(decodeFilesJson(Buffer.from('"files"')).end).toBe('neither a JSON list nor JSON lines');
    expect(decodeFilesJson(Buffer.from('  \n')).end).toBe('empty');
  });
});

describe('fileTimeline', () => {
  it('one event per distinct time; a missing or zero time gives none; the context only when set', () => {
    const d = decodeFilesJson(Buffer.from(JSON.stringify([entry({ changed_time: 0, modified_time: 300, access_time: 300 }), entry({ changed_time: 5, modified_time: 5, access_time: 5, context: 'u:object_r:shell_data_file:s0' })])));
    expect(fileTimeline(d.files[0]!.record).map((e) => [e.time!.unixSeconds, e.event, plainDescription(e.description)])).toEqual([[300, 'MA--', '/sdcard/x']]);
    expect(fileTimeline(d.files[1]!.record).map((e) => [e.event, plainDescription(e.description)])).toEqual([['MAC-', '/sdcard/x (u:object_r:shell_data_file:s0)']]);
  });
});

describe('android.aqf_files observables and bad input', () => {
  it('every hash androidqf computed is an observable', async () => {
    const { observables } = await parseAqfFiles<AqfFileRecord>(files, { 'files.json': JSON.stringify([entry({ path: '/data/local/tmp/x', sha256: 'a'.repeat(64), sha1: 'b'.repeat(40), md5: 'c'.repeat(32) })]) });
    expect(observables.map((o) => o.kind)).toEqual(['file_path', 'sha256', 'sha1', 'md5']);
  });

  it('a truncated files.json gives the files before the cut and one issue', async () => {
    const text = JSON.stringify([entry({ path: '/a' }), entry({ path: '/b' })]);
    const { records, coverage } = await parseAqfFiles<AqfFileRecord>(files, { 'files.json': text.slice(0, -30) });
    expect(records.map((r) => r.path)).toEqual(['/a']);
    expect(coverage.state).toBe('partial');
    expect(coverage.issues.map((i) => i.message)).toEqual(['files.json: the list is cut short']);
  });

  it('entries without a path are counted in one issue', async () => {
    const bad = await parseAqfFiles<AqfFileRecord>(files, { 'files.json': '[' + JSON.stringify(entry()) + ', {"size": 3}, 7]' });
    expect(bad.records).toHaveLength(1);
    expect(bad.coverage.issues.map((i) => i.message)).toEqual(['files.json: 2 item(s) not read, the first (item [1]: no path)']);
  });
});

describe('android.aqf_files reads files.json as a stream', () => {
  // 3,000 entries (about 1 MB): many stream chunks (64 KB from a folder), entries cut between them.
  const many = Array.from({ length: 3_000 }, (_, i) => entry({ path: `/sdcard/DCIM/IMG_${i}.jpg`, size: i, sha256: createHash('sha256').update(String(i)).digest('hex') }));

  it.each([
    ['a folder', false],
    ['a zip', true],
  ] as const)('from %s: the records are those of the whole-buffer decoder, in order, and the input log holds the whole file\'s SHA-256', async (_, zipped) => {
    const text = Buffer.from(JSON.stringify(many, null, 1));
    const tree = writeAqf({ 'files.json': text });
    try {
      const target = zipped ? join(tree.root, '..', 'aqf.zip') : tree.root;
      if (zipped) await zipTree(tree.root, target);
      const log = new InputLog();
      const source = await (await detectInput(target, 'android-androidqf')).open(log);
      let result;
      try {
        result = await parseSource<AqfFileRecord>(files, source);
      } finally {
        await source.close();
      }
      expect(result.coverage.issues).toEqual([]);
      expect(result.records).toHaveLength(3_000);
      expect(result.items.map((i) => [i.record, i.source.at])).toEqual(decodeFilesJson(text).files.map((f) => [f.record, f.at]));
      expect(result.items[2_999]!.source.at).toEqual({ key: '[2999]' });
      const logged = log.all().find((r) => r.label === 'files.json');
      expect(logged).toMatchObject({ sha256: createHash('sha256').update(text).digest('hex'), bytes: text.length });
    } finally {
      tree.remove();
    }
  });

  it('a zipped files.json whose bytes fail its CRC-32 keeps every entry read, with one issue saying why the listing is incomplete', async () => {
    const text = Buffer.from(JSON.stringify(many));
    const tree = writeAqf({});
    try {
      const zip = new yazl.ZipFile();
      zip.addBuffer(Buffer.from('[ro.build.version.release]: [14]\n'), 'getprop.txt');
      zip.addBuffer(text, 'files.json', { compress: false });
      zip.end();
      const chunks: Buffer[] = [];
      for await (const c of zip.outputStream) chunks.push(c as Buffer);
      const bytes = Buffer.concat(chunks);
      const at = bytes.indexOf('IMG_2999');
      bytes.write('img_2999', at); // same length, still JSON: only the checksum can tell
      const target = join(tree.root, '..', 'damaged.zip');
      writeFileSync(target, bytes);
      const source = await (await detectInput(target, 'android-androidqf')).open(new InputLog());
      let result;
      try {
        result = await parseSource<AqfFileRecord>(files, source);
      } finally {
        await source.close();
      }
      // The layer reports the damage when the member ends; what it still held then is dropped with the stream.
      const read = result.records.length;
      expect(read).toBeGreaterThan(2_000);
      expect(result.records.map((r) => r.path)).toEqual(many.slice(0, read).map((e) => e.path));
      expect(result.coverage.state).toBe('partial');
      expect(result.coverage.issues.map((i) => i.message)).toEqual([expect.stringMatching(new RegExp(`^files\\.json: files\\.json in .*damaged\\.zip: damaged: its CRC-32 is [0-9a-f]{8}, the archive declares [0-9a-f]{8}; the ${read} item\\(s\\) before it are kept$`))]);
    } finally {
      tree.remove();
    }
  });

  it('JSON Lines cut across chunks keep their line numbers; damage after the first chunk keeps the records before it', async () => {
    const lines = many.map((e) => JSON.stringify(e)).join('\n');
    const { items, coverage } = await parseAqfFiles<AqfFileRecord>(files, { 'files.json': `\n${lines}\n{"path": "/sdcard/cut` });
    expect(items).toHaveLength(3_000);
    expect(items[2_999]!.source.at).toEqual({ line: 3_001 });
    expect(coverage.issues.map((i) => i.message)).toEqual([expect.stringMatching(/^files\.json: 1 item\(s\) not read, the first \(line 3002: not valid JSON/)]);
  });

  it('a binary files.json is refused before any record, with one issue', async () => {
    const { records, coverage } = await parseAqfFiles<AqfFileRecord>(files, { 'files.json': Buffer.concat([Buffer.from('[{"path":"/a"}'), Buffer.alloc(10), Buffer.from(']')]) });
    expect(records).toEqual([]);
    expect(coverage.issues.map((i) => i.message)).toEqual(['files.json: binary data where text was expected; not read']);
  });

  it('an entry larger than the item bound is skipped with why, and the entries around it are read', async () => {
    const text = JSON.stringify([entry({ path: '/a' }), entry({ path: `/b${'x'.repeat(2 * 1024 * 1024)}` }), entry({ path: '/c' })]);
    const { records, coverage } = await parseAqfFiles<AqfFileRecord>(files, { 'files.json': text });
    expect(records.map((r) => r.path)).toEqual(['/a', '/c']);
    expect(coverage.issues.map((i) => i.message)).toEqual([`files.json: 1 item(s) not read, the first (item [1]: larger than ${1024 * 1024} bytes; not read)`]);
  });
});
