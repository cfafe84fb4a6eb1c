/**
 * A whole synthetic iTunes/Finder backup: the artifact databases at their real domains and paths, filled by
 * `ios-content.ts`, plus filler Manifest.db entries laid out like a real phone's (camera roll, app caches,
 * WebKit data, notification attachments, WhatsApp media), most listed without content as in partial backups.
 * Used by the demo, by tests and by the benchmark; `plant` injects known traces for end-to-end checks.
 *
 * Same seed and options → identical database contents and Manifest.db rows. With `encryption` the same
 * seed gives the same plaintext, encrypted: the keys come from their own stream (the encryption seed, by
 * default the content seed), so encrypting never changes what is generated.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildBinary } from 'plist';
import { IosBackupWriter, type BackupEntry, type DeviceInfo, type EncryptionOptions } from './ios-backup-writer.js';
import { forkRandom, type Random } from './random.js';
import {
  contactAddress,
  defaultPeriod,
  globalPreferencesPlist,
  writeDataUsageDb,
  writeSafariHistoryDb,
  writeSmsDb,
  writeTccDb,
  type DataUsageStats,
  type Period,
  type Plant,
  type SafariHistoryStats,
  type SmsDbStats,
  type TccStats,
} from './ios-content.js';
import { APPS, SITES } from './_vocabulary.js';

export type { Plant, Period } from './ios-content.js';

/** Where the generated artifact files live in the backup (the paths iOS and MVT use). */
export const SYNTH_FILES = {
  sms: { domain: 'HomeDomain', relativePath: 'Library/SMS/sms.db' },
  safariHistory: { domain: 'HomeDomain', relativePath: 'Library/Safari/History.db' },
  dataUsage: { domain: 'WirelessDomain', relativePath: 'Library/Databases/DataUsage.sqlite' },
  tcc: { domain: 'HomeDomain', relativePath: 'Library/TCC/TCC.db' },
  globalPreferences: { domain: 'HomeDomain', relativePath: 'Library/Preferences/.GlobalPreferences.plist' },
} as const;

/** Directories above the artifact files, listed as iOS lists them (flags 2). */
const SKELETON: readonly { domain: string; relativePath: string }[] = [
  { domain: 'HomeDomain', relativePath: '' },
  { domain: 'HomeDomain', relativePath: 'Library' },
  { domain: 'HomeDomain', relativePath: 'Library/SMS' },
  { domain: 'HomeDomain', relativePath: 'Library/Safari' },
  { domain: 'HomeDomain', relativePath: 'Library/TCC' },
  { domain: 'HomeDomain', relativePath: 'Library/Preferences' },
  { domain: 'WirelessDomain', relativePath: '' },
  { domain: 'WirelessDomain', relativePath: 'Library' },
  { domain: 'WirelessDomain', relativePath: 'Library/Databases' },
];

export interface GenerateOptions {
  readonly seed: number;
  /** Total Manifest.db rows, artifact files and their directories included (never fewer than those 14). */
  readonly manifestEntries: number;
  /** Ordinary sms.db messages (planted ones come on top). */
  readonly messages: number;
  /** Ordinary Safari visits (planted ones come on top). */
  readonly visits: number;
  /** Ordinary DataUsage ZPROCESS rows (planted ones come on top). */
  readonly processes: number;
  /** Apps that appear as TCC clients. Default 24. */
  readonly tccClients?: number;
  readonly plant?: readonly Plant[];
  readonly lockdownMode?: boolean;
  readonly period?: Period;
  readonly device?: DeviceInfo;
  /** Write an encrypted backup with this password (keybag iteration counts default to iOS's real ones). */
  readonly encryption?: EncryptionOptions;
  /**
   * Camera-roll videos stored with content, this many bytes in all (32 MiB each), for benchmarks that need a
   * backup of realistic weight. Written chunk by chunk, never held in memory; their rows count towards
   * `manifestEntries`. No artifact reads them. Default 0.
   */
  readonly mediaBytes?: number;
}

export interface GeneratedBackup {
  readonly dir: string;
  readonly manifestEntries: number;
  /** Manifest rows whose content is stored in the backup (media files included). */
  readonly storedFiles: number;
  /** Bytes of stored camera-roll media (`mediaBytes`), in `mediaFiles` files. */
  readonly mediaBytes: number;
  readonly mediaFiles: number;
  readonly sms: SmsDbStats;
  readonly safari: SafariHistoryStats;
  readonly dataUsage: DataUsageStats;
  readonly tcc: TccStats;
}

export function generateIosBackup(dir: string, options: GenerateOptions): GeneratedBackup {
  const period = options.period ?? defaultPeriod;
  const plants = options.plant ?? [];
  const writer = new IosBackupWriter(
    dir,
    {
      deviceName: 'Synthetic iPhone',
      productVersion: '17.5.1',
      buildVersion: '21F90',
      lastBackup: period.end,
      ...options.device,
    },
    options.encryption ? { encryption: { seed: options.seed, ...options.encryption } } : {},
  );
  const scratch = mkdtempSync(join(tmpdir(), 'tracehound-synth-'));
  let entries = 0;
  let stored = 0;
  const mtime = Math.floor(period.end.getTime() / 1000) - 3_600;
  try {
    for (const d of SKELETON) {
      writer.addEntry({ ...d, mtime }, 'directory');
      entries++;
    }
    const rng = (label: string): Random => forkRandom(options.seed, label);
    const of = <K extends Plant['kind']>(kind: K) => plants.filter((p): p is Extract<Plant, { kind: K }> => p.kind === kind);

    const smsPath = join(scratch, 'sms.db');
    const sms = writeSmsDb(smsPath, rng('sms'), { messages: options.messages, plants: of('sms-link'), period });
    writer.addFileFrom({ ...SYNTH_FILES.sms, mtime }, smsPath);

    const historyPath = join(scratch, 'History.db');
    const safari = writeSafariHistoryDb(historyPath, rng('safari'), { visits: options.visits, plants: of('safari-visit'), period });
    writer.addFileFrom({ ...SYNTH_FILES.safariHistory, mtime }, historyPath);

    const dataUsagePath = join(scratch, 'DataUsage.sqlite');
    const dataUsage = writeDataUsageDb(dataUsagePath, rng('datausage'), { processes: options.processes, plants: of('datausage-process'), period });
    writer.addFileFrom({ ...SYNTH_FILES.dataUsage, mtime }, dataUsagePath);

    const tccPath = join(scratch, 'TCC.db');
    const tcc = writeTccDb(tccPath, rng('tcc'), { clients: options.tccClients ?? 24, plants: of('tcc-client'), period });
    writer.addFileFrom({ ...SYNTH_FILES.tcc, mtime }, tccPath);

    writer.addFile({ ...SYNTH_FILES.globalPreferences, mtime }, globalPreferencesPlist(rng('prefs'), { period, ...(options.lockdownMode === undefined ? {} : { lockdownMode: options.lockdownMode }) }));
    entries += 5;
    stored += 5;

    const media = writeMedia(writer, rng('media'), Math.max(0, Math.floor(options.mediaBytes ?? 0)), mtime);
    entries += media.files;
    stored += media.files;

    const filler = writeFiller(writer, rng('manifest'), Math.max(0, Math.floor(options.manifestEntries) - entries), period);
    entries += filler.entries;
    stored += filler.stored;
    return { dir, manifestEntries: entries, storedFiles: stored, mediaBytes: media.bytes, mediaFiles: media.files, sms, safari, dataUsage, tcc };
  } finally {
    writer.close();
    rmSync(scratch, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------------------
// Stored media (benchmark weight)

const MEDIA_FILE_BYTES = 32 * 1024 * 1024;
const MEDIA_CHUNK_BYTES = 1024 * 1024;

/**
 * `total` bytes of camera-roll videos at `Media/DCIM/999APPLE/` (a folder the filler never uses). Content is one
 * seeded 1 MiB block, stamped with the file and chunk number so no two chunks are equal: cheap to produce at
 * gigabytes, and it does not compress away.
 */
function writeMedia(writer: IosBackupWriter, rng: Random, total: number, mtime: number): { files: number; bytes: number } {
  if (total === 0) return { files: 0, bytes: 0 };
  const block = Buffer.alloc(MEDIA_CHUNK_BYTES);
  for (let i = 0; i < block.length; i += 4) block.writeUInt32LE(rng.int(0, 0xffffffff), i);
  let written = 0;
  let files = 0;
  while (written < total) {
    const size = Math.min(MEDIA_FILE_BYTES, total - written);
    const file = files;
    function* chunks(): Generator<Buffer> {
      for (let at = 0, n = 0; at < size; at += MEDIA_CHUNK_BYTES, n++) {
        const chunk = Buffer.from(block.subarray(0, Math.min(MEDIA_CHUNK_BYTES, size - at)));
        if (chunk.length >= 8) {
          chunk.writeUInt32LE(file, 0);
          chunk.writeUInt32LE(n, 4);
        }
        yield chunk;
      }
    }
    writer.addFileChunks({ domain: 'CameraRollDomain', relativePath: `Media/DCIM/999APPLE/IMG_${String(9000 + file).padStart(4, '0')}.MOV`, mtime }, chunks());
    written += size;
    files++;
  }
  return { files, bytes: written };
}

// ---------------------------------------------------------------------------------------------------------
// Filler Manifest entries

type Emit = (entry: BackupEntry, kind: 'file' | 'directory' | 'stored', data?: () => Buffer) => boolean;

/**
 * `count` Manifest rows shaped like a phone's. Every path carries a counter or a random UUID, so rows never
 * collide (Manifest.db's fileID is the primary key) and nothing has to be remembered per row: memory is flat.
 * Stored files (about 3%) are small and sit only at paths no artifact reads.
 */
function writeFiller(writer: IosBackupWriter, rng: Random, count: number, period: Period): { entries: number; stored: number } {
  let entries = 0;
  let stored = 0;
  const start = period.start.getTime() / 1000;
  const span = period.end.getTime() / 1000 - start;
  const emit: Emit = (entry, kind, data) => {
    if (entries >= count) return false;
    const withTime = { ...entry, mtime: Math.floor(start + (span * entries) / Math.max(1, count)) };
    if (kind === 'stored' && data) {
      writer.addFile(withTime, data());
      stored++;
    } else {
      writer.addEntry(withTime, kind === 'directory' ? 'directory' : 'file', kind === 'file' ? rng.int(200, 3_000_000) : 0);
    }
    entries++;
    return true;
  };
  const appsWithSkeleton = new Set<string>(); // bounded by the fixed app list
  const appDomain = (app: string): string => {
    const domain = `AppDomain-${app}`;
    if (!appsWithSkeleton.has(app)) {
      appsWithSkeleton.add(app);
      for (const relativePath of ['', 'Library', 'Library/Caches', 'Library/Preferences', 'Library/Application Support', 'Documents']) emit({ domain, relativePath }, 'directory');
    }
    return domain;
  };

  let photo = 0;
  while (entries < count) {
    const r = rng.next();
    if (r < 0.3) {
      // Camera roll: the photo, sometimes its thumbnail; a folder row every thousand photos.
      const folder = `Media/DCIM/${100 + Math.floor(photo / 1000)}APPLE`;
      if (photo % 1000 === 0) emit({ domain: 'CameraRollDomain', relativePath: folder }, 'directory');
      const name = `IMG_${String(photo % 10_000).padStart(4, '0')}.${rng.pick(['HEIC', 'HEIC', 'HEIC', 'MOV', 'PNG', 'JPG'])}`;
      emit({ domain: 'CameraRollDomain', relativePath: `${folder}/${name}` }, 'file');
      if (rng.chance(0.4)) emit({ domain: 'CameraRollDomain', relativePath: `Media/PhotoData/Thumbnails/V2/${folder.slice(6)}/${name}/5005.JPG` }, 'file');
      photo++;
    } else if (r < 0.5) {
      const app = rng.pick(APPS);
      emit({ domain: appDomain(app), relativePath: `Library/Caches/${app}/fsCachedData/${rng.uuid()}` }, 'file');
    } else if (r < 0.6) {
      const browser = rng.pick(['com.apple.mobilesafari', 'com.google.chrome.ios', 'org.mozilla.ios.Firefox']);
      const dir = `Library/WebKit/WebsiteData/WebSQL/https_${rng.pick(SITES).host}_0`;
      const domain = appDomain(browser);
      emit({ domain, relativePath: `${dir}/${rng.uuid().toLowerCase()}.db` }, 'file');
    } else if (r < 0.68) {
      const folder = `Library/UserNotifications/${rng.uuid()}`;
      emit({ domain: 'HomeDomain', relativePath: folder }, 'directory');
      emit({ domain: 'HomeDomain', relativePath: `${folder}/Attachments/${rng.uuid()}.png` }, 'file');
    } else if (r < 0.8) {
      const contact = contactAddress(rng.int(1, 400)).replace(/\D/g, '') || '15550000000';
      emit({ domain: 'AppDomainGroup-group.net.whatsapp.WhatsApp.shared', relativePath: `Message/Media/${contact}@s.whatsapp.net/${rng.hex(1)}/${rng.hex(1)}/${rng.uuid().toLowerCase()}.jpg` }, 'file');
    } else if (r < 0.9) {
      const app = rng.pick(APPS);
      emit({ domain: appDomain(app), relativePath: `Library/Caches/${rng.uuid()}` }, 'directory');
    } else if (r < 0.97) {
      const app = rng.pick(APPS);
      emit({ domain: appDomain(app), relativePath: `Library/Application Support/${app}/${rng.uuid()}.sqlite` }, 'file');
    } else {
      const app = rng.pick(APPS);
      const domain = appDomain(app);
      if (rng.chance(0.5)) {
        const id = rng.uuid();
        const created = new Date((start + rng.next() * span) * 1000);
        emit({ domain, relativePath: `Documents/${id}.json` }, 'stored', () => Buffer.from(JSON.stringify({ id, created: created.toISOString(), version: rng.int(1, 9) })));
      } else {
        const id = rng.uuid();
        emit({ domain, relativePath: `Library/Application Support/${id}.plist` }, 'stored', () =>
          Buffer.from(buildBinary({ identifier: id, launchCount: rng.int(1, 500), onboardingDone: rng.chance(0.8) })),
        );
      }
    }
  }
  return { entries, stored };
}
