/**
 * Zipped exports among the intrusion logs (MVT walks `.zip` files among the logs and zips inside them,
 * reference-spec §9.4): their events are read as if the text files were there, de-duplicated with the rest,
 * located by zip member and line; a damaged zip is one issue naming it, and the other files are read. Also:
 * the logs are decoded once per run however many of the three artifacts run.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { check } from '../../../src/index.js';
import { ZipWriter } from '../../../src/synth/zip-writer.js';
import { writeAqf } from './_aqf.js';

const base = mkdtempSync(join(tmpdir(), 'tracehound-intrusion-zips-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));
let n = 0;
const ALL = ['android.intrusion_dns', 'android.intrusion_connect', 'android.intrusion_security'];
const T = new Date('2024-05-01T00:00:00Z');

const lines = (...events: object[]) => `${events.map((e) => JSON.stringify(e)).join('\n')}\n`;
const dns = (host: string, ms: number) => ({ dns_event: { hostname: host, package_name: 'com.example', ip_addresses: ['/192.0.2.1'], event_time: ms } });
const connect = (port: number, ms: number) => ({ connect_event: { ip_address: '/192.0.2.7', port, package_name: 'com.example', event_time: ms } });

async function zipOf(members: Record<string, string | Buffer>): Promise<Buffer> {
  const path = join(base, `z-${++n}.zip`);
  const zip = ZipWriter.create(path);
  for (const [name, data] of Object.entries(members)) await zip.add(name, [data], T);
  await zip.close();
  return readFileSync(path);
}

async function checkAqf(files: Record<string, string | Buffer>) {
  const tree = writeAqf(files);
  const output = join(base, `out-${++n}`);
  try {
    const result = await check({ target: tree.root, iocs: [], userIocDir: null, only: ALL, output });
    const read = (id: string) => JSON.parse(readFileSync(join(output, `${id}.json`), 'utf8')) as { record: Record<string, unknown>; source: Record<string, unknown> }[];
    return { result, read };
  } finally {
    tree.remove();
  }
}

describe('zips among the intrusion logs', () => {
  it('a zip and a zip inside it: every event read once, de-duplicated with the plain files, located by member and line', async () => {
    const inner = await zipOf({ 'day3.txt': lines(dns('three.example', 3000)) });
    const outer = await zipOf({ 'day2.txt': lines(dns('two.example', 2000), connect(443, 2001), dns('one.example', 1000)), 'inner.zip': inner, 'notes.md': 'not a log' });
    const { result, read } = await checkAqf({ 'intrusion_logs/day1.txt': lines(dns('one.example', 1000)), 'intrusion_logs/older.zip': outer });
    expect(result.coverage.map((c) => [c.artifact, c.records])).toEqual([
      ['android.intrusion_dns', 3],
      ['android.intrusion_connect', 1],
      ['android.intrusion_security', 0],
    ]);
    const records = read('android.intrusion_dns');
    expect(records.map((r) => [r.record.hostname, r.source.file, r.source.line ?? r.source.key])).toEqual([
      ['one.example', { path: 'intrusion_logs/day1.txt' }, 1],
      ['two.example', { path: 'intrusion_logs/older.zip' }, 'day2.txt:1'],
      ['three.example', { path: 'intrusion_logs/older.zip' }, 'inner.zip::day3.txt:1'],
    ]);
    // The copy of one.example in the zip is the same event: dropped and counted once, by the first artifact.
    expect(result.coverage[0]!.issues.map((i) => i.message)).toContain('1 duplicate intrusion-log event(s) dropped (the same event exported more than once)');
  });

  it('a damaged zip is one issue naming it; the other files are read', async () => {
    const good = await zipOf({ 'day2.txt': lines(dns('two.example', 2000)) });
    const { result } = await checkAqf({ 'intrusion_logs/day1.txt': lines(dns('one.example', 1000)), 'intrusion_logs/broken.zip': good.subarray(0, good.length - 30) });
    const dnsCov = result.coverage.find((c) => c.artifact === 'android.intrusion_dns')!;
    expect(dnsCov.records).toBe(1);
    expect(dnsCov.issues.filter((i) => i.code === 'corrupted').map((i) => i.message)).toEqual([expect.stringMatching(/^intrusion_logs\/broken\.zip: not a readable zip \(.+\)$/)]);
    // Each artifact's coverage names the damaged file (all three read the same files).
    expect(result.coverage.every((c) => c.issues.some((i) => i.code === 'corrupted'))).toBe(true);
  });

  it('a zip deeper than two levels is a note, not opened', async () => {
    const deepest = await zipOf({ 'day9.txt': lines(dns('nine.example', 9000)) });
    const middle = await zipOf({ 'deep.zip': deepest });
    const outer = await zipOf({ 'middle.zip': middle, 'day2.txt': lines(dns('two.example', 2000)) });
    const { result } = await checkAqf({ 'intrusion_logs/a.zip': outer });
    const dnsCov = result.coverage.find((c) => c.artifact === 'android.intrusion_dns')!;
    expect(dnsCov.records).toBe(1);
    expect(dnsCov.issues.map((i) => i.message)).toContain('intrusion_logs/a.zip::middle.zip: middle.zip::deep.zip: a zip inside a zip inside the logs, deeper than 2 levels: not opened');
  });
});

describe('one decode per run', () => {
  it('each log line is parsed once, however many of the three artifacts read the logs', async () => {
    const text = lines(dns('one.example', 1000), connect(443, 1001), { security_event: { tag: 'adb_shell_command', event_time: 1002, event_id: 1 } });
    const parse = JSON.parse;
    const parsedLogLines: string[] = [];
    const spy = vi.spyOn(JSON, 'parse').mockImplementation((raw: string, reviver?: Parameters<typeof JSON.parse>[1]) => {
      if (typeof raw === 'string' && raw.includes('_event')) parsedLogLines.push(raw);
      return parse(raw, reviver) as unknown;
    });
    try {
      const { result } = await checkAqf({ 'intrusion_logs/day1.txt': text });
      expect(result.coverage.map((c) => c.records)).toEqual([1, 1, 1]);
    } finally {
      spy.mockRestore();
    }
    expect(parsedLogLines).toHaveLength(3);
  });
});
