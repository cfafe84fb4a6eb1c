/**
 * A whole synthetic iTunes/Finder backup: the artifact databases at their real domains and paths, filled by
 * `ios-content.ts`, plus filler Manifest.db entries laid out like a real phone's (camera roll, app caches,
 * WebKit data, notification attachments, WhatsApp media), most listed without content as in partial backups.
 * On request (ORDINARY_PHONE asks for all of it): the apps in an XML Info.plist (`ios-apps.ts`), and the
 * address book, calls, calendar, interactionC (`ios-people.ts`) and WhatsApp chats (`ios-whatsapp.ts`).
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
import { pngWithData } from './_png.js';
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
import { DEFAULT_SIDELOADED_APP, DEFAULT_TESTFLIGHT_APP, installedApps, type AppsStats, type SideloadedApp, type TestFlightApp } from './ios-apps.js';
import {
  addressBook,
  writeAddressBook,
  writeCalendar,
  writeCallHistory,
  writeInteractionC,
  type AddressBookStats,
  type CalendarStats,
  type CallHistoryStats,
  type InteractionStats,
} from './ios-people.js';
import { writeWhatsappChatStorage, type WhatsappStats } from './ios-whatsapp.js';

export type { Plant, Period } from './ios-content.js';

/** Where the generated artifact files live in the backup (the paths iOS and MVT use). */
export const SYNTH_FILES = {
  sms: { domain: 'HomeDomain', relativePath: 'Library/SMS/sms.db' },
  safariHistory: { domain: 'HomeDomain', relativePath: 'Library/Safari/History.db' },
  dataUsage: { domain: 'WirelessDomain', relativePath: 'Library/Databases/DataUsage.sqlite' },
  tcc: { domain: 'HomeDomain', relativePath: 'Library/TCC/TCC.db' },
  globalPreferences: { domain: 'HomeDomain', relativePath: 'Library/Preferences/.GlobalPreferences.plist' },
} as const;

/** Where the people databases live; each is written only when asked for (see GenerateOptions). */
export const SYNTH_PEOPLE_FILES = {
  addressBook: { domain: 'HomeDomain', relativePath: 'Library/AddressBook/AddressBook.sqlitedb' },
  callHistory: { domain: 'HomeDomain', relativePath: 'Library/CallHistoryDB/CallHistory.storedata' },
  calendar: { domain: 'HomeDomain', relativePath: 'Library/Calendar/Calendar.sqlitedb' },
  interactionC: { domain: 'HomeDomain', relativePath: 'Library/CoreDuet/People/interactionC.db' },
  whatsapp: { domain: 'AppDomainGroup-group.net.whatsapp.WhatsApp.shared', relativePath: 'ChatStorage.sqlite' },
} as const;

/**
 * An ordinary phone after half a year of use: about 30 App Store apps in an XML Info.plist, over a thousand
 * contacts, WhatsApp chats with link previews, thousands of messages (a third of the plain ones everyday texts with dotted words and bare links),
 * visits, calls and interactions, and a calendar with invitations. Add a `seed`; generation takes seconds.
 */
export const ORDINARY_PHONE = {
  manifestEntries: 6_000,
  messages: 5_000,
  visits: 3_000,
  processes: 300,
  apps: 30,
  contacts: 1_200,
  calls: 2_500,
  calendarEvents: 400,
  interactions: 3_000,
  whatsappMessages: 2_000,
  everydayTexts: true,
} as const satisfies Omit<GenerateOptions, 'seed'>;

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
  /**
   * Filler files stored with content: exactly this many (at most the filler's entries), spread evenly over the
   * backup, each a few KB of bytes shaped like its name (JPEG, HEIC, PNG, MOV headers; JSON; binary plists).
   * The Manifest rows are the ones generated without it (only which files have content, and their sizes,
   * change), but for a few rows at the very end that give way to files still owed content. Never at a path an
   * artifact reads. Default: about 3% of the filler.
   */
  readonly storedFiles?: number;
  /**
   * App Store apps listed in Info.plist (`Applications` with iTunesMetadata and icons, `Installed Applications`),
   * the first of the catalogue. Giving this or one of the two options below makes Info.plist XML with the keys
   * iTunes writes; without any of them it stays the small binary one (existing seeds keep their bytes).
   */
  readonly apps?: number;
  /** Adds an app that did not come from the App Store (true: DEFAULT_SIDELOADED_APP). */
  readonly sideloadedApp?: boolean | SideloadedApp;
  /** Adds a TestFlight beta (true: DEFAULT_TESTFLIGHT_APP). */
  readonly testFlightApp?: boolean | TestFlightApp;
  /** People in AddressBook.sqlitedb (person i has sms.db handle i's address). Default 0: no address book. */
  readonly contacts?: number;
  /** Calls in CallHistory.storedata, with the address book's people. Default 0: no call history. */
  readonly calls?: number;
  /** Events in Calendar.sqlitedb, about a third invitations with attendees. Default 0: no calendar. */
  readonly calendarEvents?: number;
  /** Interactions in interactionC.db. Default 0: no interactionC.db. */
  readonly interactions?: number;
  /** WhatsApp messages in ChatStorage.sqlite, some with link previews. Default 0: no ChatStorage.sqlite. */
  readonly whatsappMessages?: number;
  /** sms.db plain texts partly from EVERYDAY_TEXTS (see SmsDbOptions). Default false. */
  readonly everydayTexts?: boolean;
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
  /** Present when Info.plist lists apps. */
  readonly apps?: AppsStats;
  readonly contacts?: AddressBookStats;
  readonly calls?: CallHistoryStats;
  readonly calendar?: CalendarStats;
  readonly interactions?: InteractionStats;
  readonly whatsapp?: WhatsappStats;
}

export function generateIosBackup(dir: string, options: GenerateOptions): GeneratedBackup {
  const period = options.period ?? defaultPeriod;
  const plants = options.plant ?? [];
  const rng = (label: string): Random => forkRandom(options.seed, label);
  const apps = withApps(options) ? installedApps(rng('apps'), { count: options.apps ?? 0, period, ...sideloadedOf(options), ...testFlightOf(options) }) : null;
  const writer = new IosBackupWriter(
    dir,
    {
      deviceName: 'Synthetic iPhone',
      productVersion: '17.5.1',
      buildVersion: '21F90',
      lastBackup: period.end,
      ...options.device,
    },
    {
      ...(options.encryption ? { encryption: { seed: options.seed, ...options.encryption } } : {}),
      ...(apps ? { info: { xml: true, extra: itunesInfoKeys(apps.applications, apps.installed) } } : {}),
    },
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
    const of = <K extends Plant['kind']>(kind: K) => plants.filter((p): p is Extract<Plant, { kind: K }> => p.kind === kind);

    const smsPath = join(scratch, 'sms.db');
    const sms = writeSmsDb(smsPath, rng('sms'), { messages: options.messages, plants: of('sms-link'), period, ...(options.everydayTexts ? { everydayTexts: true } : {}) });
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

    const people = writePeople(writer, scratch, rng, options, period, mtime);
    entries += people.entries;
    stored += people.stored;

    const media = writeMedia(writer, rng('media'), Math.max(0, Math.floor(options.mediaBytes ?? 0)), mtime);
    entries += media.files;
    stored += media.files;

    const fillerCount = Math.max(0, Math.floor(options.manifestEntries) - entries);
    const storedTarget = options.storedFiles === undefined ? null : Math.min(fillerCount, Math.max(0, Math.floor(options.storedFiles)));
    // With apps listed in Info.plist, their containers are the ones the filler fills, beside Apple's own apps.
    const containers = apps ? [...APPS.filter((a) => a.startsWith('com.apple.')), ...apps.installed] : APPS;
    const filler = writeFiller(writer, rng('manifest'), fillerCount, period, storedTarget === null ? null : { target: storedTarget, rng: rng('filler-content') }, containers);
    entries += filler.entries;
    stored += filler.stored;
    return {
      dir,
      manifestEntries: entries,
      storedFiles: stored,
      mediaBytes: media.bytes,
      mediaFiles: media.files,
      sms,
      safari,
      dataUsage,
      tcc,
      ...(apps ? { apps: apps.stats } : {}),
      ...people.stats,
    };
  } finally {
    writer.close();
    rmSync(scratch, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------------------
// Apps and Info.plist

function withApps(o: GenerateOptions): boolean {
  return o.apps !== undefined || Boolean(o.sideloadedApp) || Boolean(o.testFlightApp);
}

function sideloadedOf(o: GenerateOptions): { sideloaded?: SideloadedApp } {
  if (!o.sideloadedApp) return {};
  return { sideloaded: o.sideloadedApp === true ? DEFAULT_SIDELOADED_APP : o.sideloadedApp };
}

function testFlightOf(o: GenerateOptions): { testFlight?: TestFlightApp } {
  if (!o.testFlightApp) return {};
  return { testFlight: o.testFlightApp === true ? DEFAULT_TESTFLIGHT_APP : o.testFlightApp };
}

/** The Info.plist keys iTunes/Finder write beside the device ones: the apps, the phone's identifiers, iTunes' own. */
function itunesInfoKeys(applications: Record<string, unknown>, installed: readonly string[]): Record<string, unknown> {
  return {
    Applications: applications,
    'Installed Applications': [...installed],
    ICCID: '8901410427710089275',
    IMEI: '356789104523187',
    'IMEI 2': '356789104619472',
    MEID: '35678910452318',
    'Phone Number': '+1 (555) 000-0100',
    'iBooks Data 2': Buffer.from(buildBinary({})),
    'iTunes Files': {},
    'iTunes Settings': {},
  };
}

// ---------------------------------------------------------------------------------------------------------
// People databases

/** Directories above each people database in its domain, listed once each (flags 2). */
const PEOPLE_DIRS: Record<keyof typeof SYNTH_PEOPLE_FILES, readonly string[]> = {
  addressBook: ['Library/AddressBook'],
  callHistory: ['Library/CallHistoryDB'],
  calendar: ['Library/Calendar'],
  interactionC: ['Library/CoreDuet', 'Library/CoreDuet/People'],
  whatsapp: [''],
};

type PeopleStats = Pick<GeneratedBackup, 'contacts' | 'calls' | 'calendar' | 'interactions' | 'whatsapp'>;

/**
 * AddressBook, CallHistory, Calendar, interactionC and WhatsApp's ChatStorage, each only when its count is given, all over one address
 * book (its own stream, so the sizes asked for elsewhere never change who the people are).
 */
function writePeople(writer: IosBackupWriter, scratch: string, rng: (label: string) => Random, o: GenerateOptions, period: Period, mtime: number): { entries: number; stored: number; stats: PeopleStats } {
  const people = addressBook(rng('people'), o.contacts ?? 0);
  let entries = 0;
  const stats: { -readonly [K in keyof PeopleStats]: PeopleStats[K] } = {};
  const add = <S>(key: keyof typeof SYNTH_PEOPLE_FILES, write: (path: string) => S): S => {
    for (const relativePath of PEOPLE_DIRS[key]) writer.addEntry({ domain: SYNTH_PEOPLE_FILES[key].domain, relativePath, mtime }, 'directory');
    const path = join(scratch, key);
    const result = write(path);
    writer.addFileFrom({ ...SYNTH_PEOPLE_FILES[key], mtime }, path);
    entries += PEOPLE_DIRS[key].length + 1;
    return result;
  };
  if ((o.contacts ?? 0) > 0) stats.contacts = add('addressBook', (p) => writeAddressBook(p, rng('addressbook'), people, period));
  if ((o.calls ?? 0) > 0) stats.calls = add('callHistory', (p) => writeCallHistory(p, rng('calls'), people, { calls: o.calls ?? 0, period }));
  if ((o.calendarEvents ?? 0) > 0) stats.calendar = add('calendar', (p) => writeCalendar(p, rng('calendar'), people, { events: o.calendarEvents ?? 0, period }));
  if ((o.interactions ?? 0) > 0) stats.interactions = add('interactionC', (p) => writeInteractionC(p, rng('interactions'), people, { interactions: o.interactions ?? 0, period }));
  if ((o.whatsappMessages ?? 0) > 0) stats.whatsapp = add('whatsapp', (p) => writeWhatsappChatStorage(p, rng('whatsapp'), people, { messages: o.whatsappMessages ?? 0, period }));
  const files = Object.keys(stats).length;
  return { entries, stored: files, stats };
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

/** With `storedFiles`: how many filler files get content, and the stream their bytes come from. */
interface StoredQuota {
  readonly target: number;
  readonly rng: Random;
}

/**
 * `count` Manifest rows shaped like a phone's. Every path carries a counter or a random UUID, so rows never
 * collide (Manifest.db's fileID is the primary key) and nothing has to be remembered per row: memory is flat.
 * Stored files (about 3%, or `quota.target` of them) are small and sit only at paths no artifact reads.
 *
 * With a quota, the rows are drawn exactly as without one (the same stream, the same calls), and a file gets
 * content whenever fewer than its share (target × rows so far / count) have had some; files whose names promise
 * a database (.db, .sqlite) never do, so no parser is ever handed fake SQLite. Near the end, when only as many
 * rows are left as files still owed, rows that cannot hold content are skipped, so the target is met exactly.
 */
function writeFiller(writer: IosBackupWriter, rng: Random, count: number, period: Period, quota: StoredQuota | null, apps: readonly string[]): { entries: number; stored: number } {
  let entries = 0;
  let stored = 0;
  const start = period.start.getTime() / 1000;
  const span = period.end.getTime() / 1000 - start;
  const content = quota ? fillerContent(quota.rng) : null;
  const emit: Emit = (entry, kind, data) => {
    if (entries >= count) return false;
    const withTime = { ...entry, mtime: Math.floor(start + (span * entries) / Math.max(1, count)) };
    if (!quota || !content) {
      if (kind === 'stored' && data) {
        writer.addFile(withTime, data());
        stored++;
      } else {
        writer.addEntry(withTime, kind === 'directory' ? 'directory' : 'file', kind === 'file' ? rng.int(200, 3_000_000) : 0);
      }
      entries++;
      return true;
    }
    // Draw from the row stream exactly as the quota-less branch does, whatever becomes of the row.
    const listedSize = kind === 'file' ? rng.int(200, 3_000_000) : 0;
    const ownBytes = kind === 'stored' && data ? data() : null;
    const storable = ownBytes !== null || (kind === 'file' && content.canFill(entry.relativePath));
    const owed = quota.target - stored;
    if (!storable && owed > 0 && count - entries <= owed) return false; // every remaining row is owed content
    if (storable && stored < Math.floor(((entries + 1) * quota.target) / count)) {
      writer.addFile(withTime, ownBytes ?? content.fill(entry.relativePath));
      stored++;
    } else if (kind === 'directory') {
      writer.addEntry(withTime, 'directory', 0);
    } else {
      writer.addEntry(withTime, 'file', ownBytes?.length ?? listedSize);
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
      const app = rng.pick(apps);
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
      const app = rng.pick(apps);
      emit({ domain: appDomain(app), relativePath: `Library/Caches/${rng.uuid()}` }, 'directory');
    } else if (r < 0.97) {
      const app = rng.pick(apps);
      emit({ domain: appDomain(app), relativePath: `Library/Application Support/${app}/${rng.uuid()}.sqlite` }, 'file');
    } else {
      const app = rng.pick(apps);
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

// ---------------------------------------------------------------------------------------------------------
// Content of stored filler files

const NOISE_BYTES = 64 * 1024;

interface FillerContent {
  /** Whether a file at this path can be given plausible content (database names cannot). */
  canFill(relativePath: string): boolean;
  fill(relativePath: string): Buffer;
}

/**
 * A few KB per file, shaped like what its name says: the magic bytes and first structures of a JPEG, PNG,
 * HEIC or QuickTime file around image-like noise, a JSON document, a binary plist. The noise is one seeded
 * block sliced at random offsets and stamped with a counter, so files differ and a hundred thousand of them
 * cost little to make.
 */
function fillerContent(rng: Random): FillerContent {
  const noise = Buffer.alloc(NOISE_BYTES);
  for (let i = 0; i < noise.length; i += 4) noise.writeUInt32LE(rng.int(0, 0xffffffff), i);
  let serial = 0;
  const body = (min: number, max: number): Buffer => {
    const size = rng.int(min, max);
    const at = rng.int(0, NOISE_BYTES - size);
    const out = Buffer.from(noise.subarray(at, at + size));
    out.writeUInt32BE(serial++, 0);
    return out;
  };
  const kindOf = (relativePath: string): string => {
    const name = relativePath.slice(relativePath.lastIndexOf('/') + 1);
    const dot = name.lastIndexOf('.');
    return dot < 0 ? 'cache' : name.slice(dot + 1).toLowerCase();
  };
  const makers: Record<string, () => Buffer> = {
    jpg: () => jpeg(body(1_500, 7_000)),
    jpeg: () => jpeg(body(1_500, 7_000)),
    png: () => pngWithData(rng.int(64, 640), rng.int(64, 640), body(1_000, 6_000)),
    heic: () => isoMedia('heic', ['mif1', 'heic'], body(2_000, 7_000)),
    mov: () => isoMedia('qt  ', ['qt  '], body(3_000, 8_000)),
    json: () => jsonDocument(rng),
    plist: () => Buffer.from(buildBinary({ identifier: rng.uuid(), launchCount: rng.int(1, 500), onboardingDone: rng.chance(0.8), lastSync: new Date(Date.UTC(2024, 0, 1) + rng.int(0, 180) * 86_400_000) })),
    // fsCachedData/<UUID>: a cached HTTP response body, usually JSON.
    cache: () => jsonDocument(rng),
  };
  return {
    canFill: (relativePath) => kindOf(relativePath) in makers,
    fill: (relativePath) => {
      const make = makers[kindOf(relativePath)];
      if (!make) throw new Error(`no synthetic content for ${relativePath}`);
      return make();
    },
  };
}

/** SOI, a JFIF APP0 segment, scan-like bytes, EOI. */
function jpeg(scan: Buffer): Buffer {
  const app0 = Buffer.from('ffe000104a46494600010100004800480000', 'hex');
  return Buffer.concat([Buffer.from('ffd8', 'hex'), app0, scan, Buffer.from('ffd9', 'hex')]);
}

/** An ISO base media file (HEIF, QuickTime): an `ftyp` box, then an `mdat` box. */
function isoMedia(brand: string, compatible: readonly string[], data: Buffer): Buffer {
  const ftyp = Buffer.alloc(16 + 4 * compatible.length);
  ftyp.writeUInt32BE(ftyp.length, 0);
  ftyp.write('ftyp', 4, 'latin1');
  ftyp.write(brand, 8, 'latin1');
  compatible.forEach((c, i) => ftyp.write(c, 16 + 4 * i, 'latin1'));
  const mdat = Buffer.alloc(8);
  mdat.writeUInt32BE(8 + data.length, 0);
  mdat.write('mdat', 4, 'latin1');
  return Buffer.concat([ftyp, mdat, data]);
}

/** An app's small JSON document: a record list, as app caches and documents hold. */
function jsonDocument(rng: Random): Buffer {
  const items = Array.from({ length: rng.int(3, 30) }, () => ({
    id: rng.uuid().toLowerCase(),
    updated: new Date(Date.UTC(2024, 0, 1) + rng.int(0, 180 * 86_400) * 1000).toISOString(),
    score: rng.int(0, 10_000) / 100,
    tag: rng.pick(SITES).host,
    hash: rng.hex(40),
  }));
  return Buffer.from(JSON.stringify({ version: rng.int(1, 9), etag: rng.hex(16), items }));
}
