/**
 * A synthetic sysdiagnose, as an iPhone writes it when its owner presses both volume buttons and the side button:
 * one folder named `sysdiagnose_<YYYY.MM.DD_HH-MM-SS±ZZZZ>_iPhone-OS_iPhone_<build>`, as it is or packed into a
 * `.tar.gz` of that name. It holds the collection log, the unified log archive with its `Extra/shutdown.log`
 * (ordinary reboots, and any planted suspicious ones), the files other content generators give (process lists,
 * installation logs, profiles: `extra`), and for benchmarks bulk like a real archive's (`padBytes`: tracev3
 * chunks that compress no better than real ones, uuidtext files). Streamed member by member (tar-writer.ts), so
 * a 200 MB archive never sits in memory. Same seed and options → the same bytes.
 */
import { createCipheriv, createHash } from 'node:crypto';
import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { forkRandom } from './random.js';
import { ordinaryReboots, shutdownLogText, type PlantedClient, type ShutdownReboot } from './shutdown-log.js';
import type { SysdiagnoseFile } from './sysdiagnose-files.js';
import { TarWriter } from './tar-writer.js';

export interface SuspiciousReboot {
  readonly at: Date;
  readonly clients: readonly PlantedClient[];
}

export interface SysdiagnoseOptions {
  readonly seed: number;
  readonly format: 'folder' | 'tar.gz';
  /** When the owner triggered it. */
  readonly collectedAt?: Date;
  /** The phone's offset from UTC in minutes, which the folder name carries (default +120). */
  readonly utcOffsetMinutes?: number;
  readonly build?: string;
  /** Ordinary reboots before the collection, one every three days (default 12). */
  readonly reboots?: number;
  readonly suspicious?: readonly SuspiciousReboot[];
  /** Split the reboots between `shutdown.0.log` (the older half) and `shutdown.log`. */
  readonly rotated?: boolean;
  /** Client paths end in the binary's UUID, as on iOS 26. */
  readonly uuidSuffix?: boolean;
  /** Files of the other content generators; a path given here replaces the generated file of that path. */
  readonly extra?: readonly SysdiagnoseFile[];
  /** Bytes of log-archive bulk on top (before compression; it barely compresses). */
  readonly padBytes?: number;
}

export interface GeneratedSysdiagnose {
  /** The folder, or the `.tar.gz`. */
  readonly path: string;
  /** The sysdiagnose folder's name (the archive's one top-level folder). */
  readonly name: string;
  readonly files: number;
  /** Every reboot in the shutdown logs, oldest first, planted ones included. */
  readonly reboots: readonly Date[];
}

export const SHUTDOWN_LOG = 'system_logs.logarchive/Extra/shutdown.log';
export const ROTATED_SHUTDOWN_LOG = 'system_logs.logarchive/Extra/shutdown.0.log';

const DEFAULT_COLLECTED = new Date('2024-05-02T08:15:30Z');
const CHUNK_BYTES = 10 * 1024 * 1024;

/** `sysdiagnose_2024.05.02_10-15-30+0200_iPhone-OS_iPhone_21E236`: the phone's local time and its offset. */
export function sysdiagnoseName(collectedAt: Date, utcOffsetMinutes: number, build: string): string {
  const local = new Date(collectedAt.getTime() + utcOffsetMinutes * 60_000);
  const p = (n: number) => String(n).padStart(2, '0');
  const sign = utcOffsetMinutes < 0 ? '-' : '+';
  const off = Math.abs(utcOffsetMinutes);
  const date = `${local.getUTCFullYear()}.${p(local.getUTCMonth() + 1)}.${p(local.getUTCDate())}`;
  const time = `${p(local.getUTCHours())}-${p(local.getUTCMinutes())}-${p(local.getUTCSeconds())}${sign}${p(Math.floor(off / 60))}${p(off % 60)}`;
  return `sysdiagnose_${date}_${time}_iPhone-OS_iPhone_${build}`;
}

/** Writes the sysdiagnose into `dir` (the folder `<name>/`, or `<name>.tar.gz`). */
export async function generateSysdiagnose(dir: string, options: SysdiagnoseOptions): Promise<GeneratedSysdiagnose> {
  const collectedAt = options.collectedAt ?? DEFAULT_COLLECTED;
  const name = sysdiagnoseName(collectedAt, options.utcOffsetMinutes ?? 120, options.build ?? '21E236');
  const reboots = allReboots(collectedAt, options);
  const files = [...baseFiles(collectedAt, reboots, options)];
  const replaced = new Set((options.extra ?? []).map((f) => f.path));
  const members = [...files.filter((f) => !replaced.has(f.path)), ...(options.extra ?? [])];
  const out = options.format === 'folder' ? folderOut(join(dir, name)) : tarOut(join(dir, `${name}.tar.gz`), name);
  let count = 0;
  for (const f of members) {
    await out.file(f.path, Buffer.from(f.data), f.mtime ?? collectedAt);
    count += 1;
  }
  count += await writeBulk(out, options, collectedAt);
  await out.finish();
  return { path: out.path, name, files: count, reboots: reboots.map((r) => r.at) };
}

function allReboots(collectedAt: Date, options: SysdiagnoseOptions): ShutdownReboot[] {
  const ordinary = ordinaryReboots(new Date(collectedAt.getTime() - 26 * 3_600_000), options.reboots ?? 12);
  const planted = (options.suspicious ?? []).map((s) => ({ at: s.at, planted: s.clients }));
  return [...ordinary, ...planted].sort((a, b) => a.at.getTime() - b.at.getTime());
}

function* baseFiles(collectedAt: Date, reboots: readonly ShutdownReboot[], options: SysdiagnoseOptions): Generator<SysdiagnoseFile> {
  yield { path: 'sysdiagnose.log', data: collectionLog(collectedAt, options) };
  yield { path: 'system_logs.logarchive/Info.plist', data: LOGARCHIVE_INFO };
  const log = (rs: readonly ShutdownReboot[], label: string) => shutdownLogText({ seed: options.seed ^ hashLabel(label), reboots: rs, uuidSuffix: options.uuidSuffix ?? false });
  if (options.rotated && reboots.length > 1) {
    const half = Math.floor(reboots.length / 2);
    yield { path: ROTATED_SHUTDOWN_LOG, data: log(reboots.slice(0, half), 'rotated'), mtime: reboots[half - 1]!.at };
    yield { path: SHUTDOWN_LOG, data: log(reboots.slice(half), 'current'), mtime: reboots.at(-1)!.at };
  } else {
    yield { path: SHUTDOWN_LOG, data: log(reboots, 'current'), ...(reboots.length > 0 ? { mtime: reboots.at(-1)!.at } : {}) };
  }
}

function collectionLog(collectedAt: Date, options: SysdiagnoseOptions): string {
  const t = (s: number) => new Date(collectedAt.getTime() + s * 1000).toUTCString();
  return [
    `${t(0)}: sysdiagnose (full) v3.0 started, triggered by a key chord`,
    `${t(0)}: Build ${options.build ?? '21E236'}`,
    `${t(1)}: Gathering ps, ps_thread, taskinfo`,
    `${t(9)}: Gathering logs: system_logs.logarchive`,
    `${t(41)}: Gathering crashes_and_spins`,
    `${t(58)}: Finished, archive written`,
    '',
  ].join('\n');
}

const LOGARCHIVE_INFO = `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
	<key>ArchiveIdentifier</key>
	<string>5E7B8C2A-1D4F-4A6B-9C3E-2F8D7A6B5C4D</string>
	<key>OSArchiveVersion</key>
	<integer>4</integer>
</dict>
</plist>
`;

/**
 * tracev3 chunks of up to 10 MiB in Persist/ (a header chunk, then bytes from a seeded AES-CTR stream: real
 * chunks hold LZ4-compressed data, so gzip gains little on either), and one small uuidtext file per 100 KB.
 */
async function writeBulk(out: Out, options: SysdiagnoseOptions, collectedAt: Date): Promise<number> {
  let left = options.padBytes ?? 0;
  if (left <= 0) return 0;
  const key = createHash('sha256').update(`sysdiagnose-bulk:${options.seed}`).digest();
  const stream = createCipheriv('aes-256-ctr', key, Buffer.alloc(16));
  const rng = forkRandom(options.seed, 'uuidtext');
  let count = 0;
  for (let i = 1; left > 0; i++) {
    const size = Math.min(CHUNK_BYTES, left);
    const chunk = stream.update(Buffer.alloc(size));
    TRACEV3_HEADER.copy(chunk, 0, 0, Math.min(size, TRACEV3_HEADER.length));
    const mtime = new Date(collectedAt.getTime() - i * 1_800_000);
    await out.file(`system_logs.logarchive/Persist/${i.toString(16).padStart(16, '0')}.tracev3`, chunk, mtime);
    count += 1;
    left -= size;
    for (let u = 0; u < Math.ceil(size / 100_000); u++) {
      const uuid = rng.uuid().replace(/-/g, '');
      const text = stream.update(Buffer.alloc(rng.int(512, 4096)));
      await out.file(`system_logs.logarchive/uuidtext/${uuid.slice(0, 2)}/${uuid.slice(2)}`, text, mtime);
      count += 1;
    }
  }
  return count;
}

/** A tracev3 header chunk's preamble: tag 0x1000, subtag 0x11, data size 0xd0. */
const TRACEV3_HEADER = Buffer.from('0010000011000000d000000000000000', 'hex');

function hashLabel(label: string): number {
  return createHash('sha256').update(label).digest().readUInt32LE(0);
}

interface Out {
  readonly path: string;
  file(rel: string, data: Buffer, mtime: Date): Promise<void>;
  finish(): Promise<void>;
}

function folderOut(root: string): Out {
  return {
    path: root,
    async file(rel, data, mtime) {
      const full = join(root, rel);
      mkdirSync(dirname(full), { recursive: true });
      writeFileSync(full, data);
      utimesSync(full, mtime, mtime);
    },
    async finish() {},
  };
}

/** The members under one top-level folder, each folder written once before its first member. */
function tarOut(path: string, top: string): Out {
  const tar = TarWriter.create(path, { gzip: true });
  const made = new Set<string>();
  return {
    path,
    async file(rel, data, mtime) {
      const full = `${top}/${rel}`;
      const parts = full.split('/');
      for (let i = 1; i < parts.length; i++) {
        const folder = parts.slice(0, i).join('/');
        if (made.has(folder)) continue;
        made.add(folder);
        await tar.directory({ path: folder, mtime });
      }
      await tar.file({ path: full, mtime }, data);
    },
    finish: () => tar.finish(),
  };
}
