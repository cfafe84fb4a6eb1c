/**
 * A synthetic full-filesystem dump of an iPhone's data partition, streamed straight into a tar or tar.gz
 * (tar-writer.ts): the artifact databases at their device paths (filled by ios-content.ts, with `plant`ed
 * traces), and filler files laid out like a real phone's (app bundles, app data and group containers, the
 * camera roll, system caches and databases), most of them empty as in a file listing, some with a few KB of
 * bytes. For the benchmark (half a million files) and for tests of dump layouts. Same seed and options →
 * the same members in the same order.
 *
 * Layouts (how acquisition tools store a dump): `private-var` keeps device paths (`private/var/mobile/…`);
 * `filesystem12` is the one of the clean iOS 15 listing in shared/data: `filesystem1/` holds `/` and
 * `filesystem2/` holds `/private/var/`.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { STORE_APPS } from './_apps.js';
import { PATH_WORDS } from './_vocabulary.js';
import { defaultPeriod, globalPreferencesPlist, writeDataUsageDb, writeSafariHistoryDb, writeSmsDb, writeTccDb, type Period, type Plant } from './ios-content.js';
import { forkRandom, type Random } from './random.js';
import { TarWriter } from './tar-writer.js';

export type DumpLayout = 'private-var' | 'filesystem12';

export interface DumpOptions {
  readonly seed: number;
  /** Regular files in all (artifact files included); their folders come on top. */
  readonly files: number;
  readonly format: 'tar' | 'tar.gz';
  readonly layout?: DumpLayout;
  /** Ordinary rows of the artifact databases (planted ones come on top). Defaults: 2,000, 2,000, 300. */
  readonly messages?: number;
  readonly visits?: number;
  readonly processes?: number;
  readonly plant?: readonly Plant[];
  /** More files at device paths (`/private/var/db/diagnostics/shutdown.log`), written after the databases. */
  readonly extra?: readonly { readonly devicePath: string; readonly data: Buffer | string }[];
  readonly period?: Period;
}

export interface GeneratedDump {
  readonly path: string;
  readonly files: number;
  readonly directories: number;
  /** Size of the tar before compression. */
  readonly tarBytes: number;
}

/** Where the generated databases live on the device. */
export const DUMP_FILES = {
  sms: '/private/var/mobile/Library/SMS/sms.db',
  safariHistory: '/private/var/mobile/Library/Safari/History.db',
  dataUsage: '/private/var/wireless/Library/Databases/DataUsage.sqlite',
  netusage: '/private/var/networkd/db/netusage.sqlite',
  tcc: '/private/var/mobile/Library/TCC/TCC.db',
  globalPreferences: '/private/var/mobile/Library/Preferences/.GlobalPreferences.plist',
} as const;

/** The stored path of a device path in a layout. */
export function storedPathIn(layout: DumpLayout, devicePath: string): string {
  const rel = devicePath.replace(/^\/+/, '');
  if (layout === 'private-var') return rel;
  if (rel === 'private/var' || rel.startsWith('private/var/')) return `filesystem2${rel.slice('private/var'.length)}`;
  return `filesystem1/${rel}`;
}

export async function generateIosFilesystemDump(dest: string, options: DumpOptions): Promise<GeneratedDump> {
  const layout = options.layout ?? 'private-var';
  const period = options.period ?? defaultPeriod;
  const rng = (label: string): Random => forkRandom(options.seed, label);
  const tar = TarWriter.create(dest, { gzip: options.format === 'tar.gz' });
  const folders = new Set<string>();
  let files = 0;
  const timeOf = (r: Random) => new Date(period.start.getTime() + Math.floor(r.next() * (period.end.getTime() - period.start.getTime())));

  const add = async (devicePath: string, data: Buffer, mtime: Date): Promise<void> => {
    const stored = storedPathIn(layout, devicePath);
    const parts = stored.split('/');
    for (let i = 1; i < parts.length; i++) {
      const folder = parts.slice(0, i).join('/');
      if (folders.has(folder)) continue;
      folders.add(folder);
      await tar.directory({ path: folder, mtime: period.start });
    }
    await tar.file({ path: stored, mtime }, data);
    files++;
  };

  const scratch = mkdtempSync(join(tmpdir(), 'tracehound-synth-dump-'));
  try {
    const plants = options.plant ?? [];
    const of = <K extends Plant['kind']>(kind: K) => plants.filter((p): p is Extract<Plant, { kind: K }> => p.kind === kind);
    const built = (name: string, write: (path: string) => unknown): Buffer => {
      const path = join(scratch, name);
      write(path);
      return readFileSync(path);
    };
    const mtime = new Date(period.end.getTime() - 3_600_000);
    await add(DUMP_FILES.sms, built('sms.db', (p) => writeSmsDb(p, rng('sms'), { messages: options.messages ?? 2_000, plants: of('sms-link'), period })), mtime);
    await add(DUMP_FILES.safariHistory, built('History.db', (p) => writeSafariHistoryDb(p, rng('safari'), { visits: options.visits ?? 2_000, plants: of('safari-visit'), period })), mtime);
    const usage = (label: string) => (p: string) => writeDataUsageDb(p, rng(label), { processes: options.processes ?? 300, plants: of('datausage-process'), period });
    await add(DUMP_FILES.dataUsage, built('DataUsage.sqlite', usage('datausage')), mtime);
    await add(DUMP_FILES.netusage, built('netusage.sqlite', usage('netusage')), mtime);
    await add(DUMP_FILES.tcc, built('TCC.db', (p) => writeTccDb(p, rng('tcc'), { clients: 24, plants: of('tcc-client'), period })), mtime);
    await add(DUMP_FILES.globalPreferences, globalPreferencesPlist(rng('prefs'), { period }), mtime);
    for (const extra of options.extra ?? []) await add(extra.devicePath, Buffer.from(extra.data), mtime);

    const filler = fillerPaths(rng('filler'));
    const content = contentBytes(rng('content'));
    const times = rng('times');
    while (files < options.files) {
      await add(filler.next(), content.next(), timeOf(times));
    }
    await tar.finish();
    return { path: dest, files, directories: folders.size, tarBytes: tar.size };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** About one file in twenty has content: a few KB cut from one seeded block of noise (cheap and deterministic). */
function contentBytes(rng: Random): { next(): Buffer } {
  const block = Buffer.alloc(64 * 1024);
  for (let i = 0; i < block.length; i++) block[i] = Math.floor(rng.next() * 256);
  const empty = Buffer.alloc(0);
  return {
    next() {
      if (!rng.chance(0.05)) return empty;
      const length = rng.int(512, 4096);
      const start = rng.int(0, block.length - length);
      return block.subarray(start, start + length);
    },
  };
}

const LANGS = ['en', 'ar', 'de', 'es', 'fr', 'he', 'it', 'ja', 'ko', 'pt-BR', 'ru', 'tr', 'zh-Hans'];
const SYSTEM_CACHES = ['com.apple.Safari', 'com.apple.mobilesafari', 'com.apple.Maps', 'com.apple.news', 'com.apple.weather', 'com.apple.appstored', 'com.apple.parsecd'];
const SYSTEM_DBS = ['analyticsd', 'uuidtext', 'diagnostics/Persist', 'diagnostics/Special', 'timezone', 'lockdown', 'mds'];

/**
 * Device paths of filler files, each unique (a counter in every name), in the proportions of a used phone:
 * app bundles 35%, app data 30%, app groups 10%, the camera roll 15%, system caches and databases 10%.
 */
function fillerPaths(rng: Random): { next(): string } {
  const apps = STORE_APPS.map((app) => ({ app, bundle: rng.uuid(), data: rng.uuid(), group: rng.uuid() }));
  let n = 0;
  let photo = 0;
  const word = () => rng.pick(PATH_WORDS);
  return {
    next() {
      const id = (n++).toString(36);
      const a = rng.pick(apps);
      const roll = rng.next();
      if (roll < 0.35) {
        const app = `/private/var/containers/Bundle/Application/${a.bundle}/${a.app.name.split(/[^A-Za-z]/)[0]}.app`;
        const kind = rng.int(0, 3);
        if (kind === 0) return `${app}/${rng.pick(LANGS)}.lproj/${word()}_${id}.strings`;
        if (kind === 1) return `${app}/Frameworks/${word()}Kit.framework/${word()}_${id}`;
        if (kind === 2) return `${app}/${word()}.bundle/${word()}_${id}.png`;
        return `${app}/${word()}_${id}.nib`;
      }
      if (roll < 0.65) {
        const data = `/private/var/mobile/Containers/Data/Application/${a.data}`;
        const kind = rng.int(0, 3);
        if (kind === 0) return `${data}/Library/Caches/${a.app.bundleId}/fsCachedData/${rng.uuid()}`;
        if (kind === 1) return `${data}/Documents/${word()}/${word()}_${id}.dat`;
        if (kind === 2) return `${data}/Library/Application Support/${word()}/${rng.hex(16)}_${id}`;
        return `${data}/tmp/${rng.uuid()}_${id}`;
      }
      if (roll < 0.75) return `/private/var/mobile/Containers/Shared/AppGroup/${a.group}/Library/Caches/${word()}/${rng.hex(24)}_${id}`;
      if (roll < 0.9) {
        photo++;
        return `/private/var/mobile/Media/DCIM/${100 + Math.floor(photo / 1000)}APPLE/IMG_${String(photo % 10_000).padStart(4, '0')}_${id}.HEIC`;
      }
      if (rng.chance(0.5)) return `/private/var/mobile/Library/Caches/${rng.pick(SYSTEM_CACHES)}/${word()}/${rng.hex(32)}_${id}`;
      return `/private/var/db/${rng.pick(SYSTEM_DBS)}/${rng.hex(2)}/${rng.hex(30)}_${id}`;
    },
  };
}
