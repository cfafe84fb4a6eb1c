/**
 * What an ordinary iPhone's sysdiagnose holds besides shutdown.log, generated from a seed: the three process
 * snapshots (ps.txt, ps_thread.txt, taskinfo.txt) of a couple of hundred Apple daemons and a few apps, the
 * MobileInstallation log, configuration-profile stubs and settings events, TCC.db, crash and jetsam reports and
 * SystemVersion.plist. Formats follow the real files (see the parsers in src/formats/ and src/artifacts/ios/
 * sysdiagnose_*.ts). Plants put one suspicious thing in: a process in one snapshot only, an app installed or
 * removed, a profile, a crash of a planted process.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build as buildXml, buildBinary } from 'plist';
import { STORE_APPS } from './_apps.js';
import { writeTccDb, type TccClientPlant } from './ios-content.js';
import { forkRandom, type Random } from './random.js';
import type { SysdiagnoseFile } from './sysdiagnose-files.js';

type PlistInput = Parameters<typeof buildBinary>[0];

export type SnapshotList = 'ps' | 'ps_thread' | 'taskinfo';

/** A process only some snapshots show (all three when `lists` is absent). */
export interface ProcessPlant {
  readonly kind: 'process';
  readonly path: string;
  readonly lists?: readonly SnapshotList[];
  readonly user?: string;
  /** Minutes it had been running at collection. Default 300. */
  readonly runningMinutes?: number;
  /** The command line ps shows, when the process rewrote its argv to pose as another program; taskinfo keeps `path`'s name. */
  readonly psCommand?: string;
}

/** An app installed (and, with `uninstalledAt`, removed) as mobile_installation.log writes it. */
export interface AppInstallPlant {
  readonly kind: 'app-install';
  readonly bundleId: string;
  readonly version: string;
  readonly at: Date;
  readonly uninstalledAt?: Date;
}

/** An installed configuration profile (stub). */
export interface ProfilePlant {
  readonly kind: 'profile';
  readonly identifier: string;
  readonly uuid: string;
  readonly displayName: string;
  /** The first payload's type. */
  readonly payloadType: string;
  readonly at: Date;
}

/** A crash report of a process (bug_type 309). */
export interface CrashPlant {
  readonly kind: 'crash';
  readonly procPath: string;
  readonly at: Date;
}

export type SysdiagnosePlant = ProcessPlant | AppInstallPlant | ProfilePlant | CrashPlant | TccClientPlant;

export interface SysdiagnoseContentOptions {
  /** Collection time (UTC). Default 2024-06-28 16:04:05Z. */
  readonly collectedAt?: Date;
  /** The phone's UTC offset in minutes at collection. Default +120. */
  readonly utcOffsetMinutes?: number;
  readonly productType?: string;
  readonly productVersion?: string;
  readonly buildVersion?: string;
  readonly plants?: readonly SysdiagnosePlant[];
}

export const defaultCollection = { collectedAt: new Date(Date.UTC(2024, 5, 28, 16, 4, 5)), utcOffsetMinutes: 120, productType: 'iPhone14,2', productVersion: '17.5.1', buildVersion: '21F90' } as const;

/** The folder name Apple gives this sysdiagnose: `sysdiagnose_2024.06.28_18-04-05+0200_iPhone-OS_iPhone_21F90`. */
export function sysdiagnoseFolderName(options: SysdiagnoseContentOptions = {}): string {
  const at = options.collectedAt ?? defaultCollection.collectedAt;
  const off = options.utcOffsetMinutes ?? defaultCollection.utcOffsetMinutes;
  const l = new Date(at.getTime() + off * 60_000);
  const sign = off < 0 ? '-' : '+';
  const abs = Math.abs(off);
  return `sysdiagnose_${l.getUTCFullYear()}.${p2(l.getUTCMonth() + 1)}.${p2(l.getUTCDate())}_${p2(l.getUTCHours())}-${p2(l.getUTCMinutes())}-${p2(l.getUTCSeconds())}${sign}${p2(Math.floor(abs / 60))}${p2(abs % 60)}_iPhone-OS_iPhone_${options.buildVersion ?? defaultCollection.buildVersion}`;
}

/** Every content file of an ordinary phone's sysdiagnose, plus the plants. Deterministic for a seed. */
export function sysdiagnoseContent(seed: number, options: SysdiagnoseContentOptions = {}): SysdiagnoseFile[] {
  const plants = options.plants ?? [];
  return [
    ...processSnapshotFiles(forkRandom(seed, 'sysdiagnose-processes'), options, plants.filter((p): p is ProcessPlant => p.kind === 'process')),
    ...installLogFiles(forkRandom(seed, 'sysdiagnose-installs'), options, plants.filter((p): p is AppInstallPlant => p.kind === 'app-install')),
    ...profileFiles(forkRandom(seed, 'sysdiagnose-profiles'), options, plants.filter((p): p is ProfilePlant => p.kind === 'profile')),
    tccFile(seed, plants.filter((p): p is TccClientPlant => p.kind === 'tcc-client')),
    ...crashReportFiles(forkRandom(seed, 'sysdiagnose-crashes'), options, plants.filter((p): p is CrashPlant => p.kind === 'crash')),
    systemVersionFile(options),
    remotectlFile(forkRandom(seed, 'sysdiagnose-remotectl'), options),
  ];
}

// ---------------------------------------------------------------------------------------------------------
// Process snapshots

interface Daemon {
  readonly path: string;
  readonly user: 'root' | 'mobile' | `_${string}`;
  /** Several instances (WebContent, cfprefsd per user). */
  readonly count?: number;
}

const UIDS: Record<string, number> = { root: 0, mobile: 501, _logd: 272, _locationd: 205, _mdnsresponder: 65, _wireless: 25, _analyticsd: 263, _networkd: 24, _distnote: 241, _nearbyd: 279, _securityd: 64 };

const PF = '/System/Library/PrivateFrameworks';
const FW = '/System/Library/Frameworks';
const WEBKIT = `${FW}/WebKit.framework/XPCServices`;

/** Apple daemons of iOS 17, by executable and user. */
export const APPLE_DAEMONS: readonly Daemon[] = [
  { path: '/usr/libexec/UserEventAgent (System)', user: 'root' },
  { path: '/usr/libexec/logd', user: '_logd' },
  { path: '/usr/libexec/smd', user: 'root' },
  { path: '/usr/libexec/runningboardd', user: 'root' },
  { path: '/usr/libexec/configd', user: 'root' },
  { path: '/usr/libexec/keybagd', user: 'root' },
  { path: '/usr/libexec/watchdogd', user: 'root' },
  { path: '/usr/libexec/thermalmonitord', user: 'root' },
  { path: '/usr/libexec/fseventsd', user: 'root' },
  { path: '/usr/sbin/notifyd', user: 'root' },
  { path: '/usr/libexec/powerd', user: 'root' },
  { path: '/usr/libexec/amfid', user: 'root' },
  { path: '/usr/libexec/lockdownd', user: 'root' },
  { path: '/usr/libexec/cfprefsd', user: 'root' },
  { path: '/usr/libexec/cfprefsd', user: 'mobile' },
  { path: '/usr/libexec/usermanagerd', user: 'root' },
  { path: '/usr/libexec/MobileGestaltHelper', user: 'root' },
  { path: '/usr/libexec/diagnosticd', user: 'root' },
  { path: '/usr/libexec/osanalyticshelper', user: 'root' },
  { path: '/usr/libexec/mobileassetd', user: 'root' },
  { path: '/usr/libexec/nehelper', user: 'root' },
  { path: '/usr/libexec/nesessionmanager', user: 'root' },
  { path: '/usr/libexec/timed', user: 'root' },
  { path: '/usr/libexec/nfcd', user: 'root' },
  { path: '/usr/libexec/securityd', user: 'root' },
  { path: '/usr/libexec/softwareupdateservicesd', user: 'root' },
  { path: '/usr/sbin/wifid', user: 'root' },
  { path: '/usr/sbin/mDNSResponder', user: '_mdnsresponder' },
  { path: '/usr/sbin/mDNSResponderHelper', user: 'root' },
  { path: '/usr/libexec/CommCenter', user: '_wireless' },
  { path: '/usr/libexec/locationd', user: '_locationd' },
  { path: '/usr/libexec/symptomsd', user: '_networkd' },
  { path: '/usr/libexec/distnoted', user: 'mobile' },
  { path: '/usr/libexec/distnoted', user: '_distnote' },
  { path: '/usr/libexec/nearbyd', user: '_nearbyd' },
  { path: `${PF}/CoreAnalytics.framework/Support/analyticsd`, user: '_analyticsd' },
  { path: '/System/Library/CoreServices/SpringBoard.app/SpringBoard', user: 'mobile' },
  { path: '/usr/libexec/backboardd', user: 'mobile' },
  { path: '/usr/sbin/bluetoothd', user: 'mobile' },
  { path: '/usr/libexec/trustd', user: 'mobile' },
  { path: '/usr/libexec/nsurlsessiond', user: 'mobile' },
  { path: '/usr/libexec/mediaserverd', user: 'mobile' },
  { path: '/usr/libexec/dasd', user: 'mobile' },
  { path: '/usr/libexec/containermanagerd', user: 'mobile' },
  { path: '/usr/libexec/installd', user: 'mobile' },
  { path: '/usr/libexec/installcoordinationd', user: 'mobile' },
  { path: '/usr/libexec/networkserviceproxy', user: 'mobile' },
  { path: '/usr/libexec/sharingd', user: 'mobile' },
  { path: '/usr/libexec/rapportd', user: 'mobile' },
  { path: '/usr/libexec/routined', user: 'mobile' },
  { path: '/usr/libexec/useractivityd', user: 'mobile' },
  { path: '/usr/libexec/duetexpertd', user: 'mobile' },
  { path: '/usr/libexec/knowledgeconstructiond', user: 'mobile' },
  { path: '/usr/libexec/lsd', user: 'mobile' },
  { path: '/usr/libexec/pkd', user: 'mobile' },
  { path: '/usr/libexec/mobileactivationd', user: 'mobile' },
  { path: '/usr/libexec/fairplayd.H2', user: 'mobile' },
  { path: '/usr/libexec/misagent', user: 'mobile' },
  { path: '/usr/libexec/dmd', user: 'mobile' },
  { path: '/usr/libexec/profiled', user: 'mobile' },
  { path: '/usr/libexec/syncdefaultsd', user: 'mobile' },
  { path: '/usr/libexec/avconferenced', user: 'mobile' },
  { path: '/usr/libexec/callservicesd', user: 'mobile' },
  { path: '/usr/libexec/mediaremoted', user: 'mobile' },
  { path: '/usr/libexec/seld', user: 'mobile' },
  { path: '/usr/libexec/pasted', user: 'mobile' },
  { path: '/usr/libexec/searchpartyd', user: 'mobile' },
  { path: '/usr/libexec/chronod', user: 'mobile' },
  { path: '/usr/libexec/transparencyd', user: 'mobile' },
  { path: '/usr/libexec/adprivacyd', user: 'mobile' },
  { path: '/usr/libexec/wifianalyticsd', user: 'mobile' },
  { path: '/usr/libexec/wifip2pd', user: 'mobile' },
  { path: '/usr/libexec/wirelessproxd', user: 'mobile' },
  { path: '/usr/libexec/accessoryd', user: 'mobile' },
  { path: '/usr/libexec/iaptransportd', user: 'mobile' },
  { path: '/usr/libexec/audioaccessoryd', user: 'mobile' },
  { path: '/usr/libexec/gamecontrollerd', user: 'mobile' },
  { path: '/usr/libexec/mobiletimerd', user: 'mobile' },
  { path: '/usr/libexec/navd', user: 'mobile' },
  { path: '/usr/libexec/remindd', user: 'mobile' },
  { path: '/usr/libexec/suggestd', user: 'mobile' },
  { path: '/usr/libexec/spotlightknowledged', user: 'mobile' },
  { path: '/usr/libexec/corespeechd', user: 'mobile' },
  { path: '/usr/libexec/siriknowledged', user: 'mobile' },
  { path: '/usr/libexec/translationd', user: 'mobile' },
  { path: '/usr/libexec/ReportCrash', user: 'mobile' },
  { path: '/usr/libexec/storebookkeeperd', user: 'mobile' },
  { path: '/usr/libexec/tipsd', user: 'mobile' },
  { path: '/usr/libexec/proactived', user: 'mobile' },
  { path: '/usr/libexec/coreidvd', user: 'mobile' },
  { path: '/usr/libexec/biometrickitd', user: 'mobile' },
  { path: '/usr/libexec/mobile_storage_proxy', user: 'mobile' },
  { path: '/usr/libexec/healthappd', user: 'mobile' },
  { path: '/usr/libexec/momentsd', user: 'mobile' },
  { path: '/usr/libexec/intelligenceplatformd', user: 'mobile' },
  { path: '/usr/libexec/swcd', user: 'mobile' },
  { path: '/usr/libexec/findmydeviced', user: 'mobile' },
  { path: '/usr/libexec/locationpushd', user: 'mobile' },
  { path: '/usr/libexec/keyboardservicesd', user: 'mobile' },
  { path: '/usr/libexec/peopled', user: 'mobile' },
  { path: '/usr/libexec/replicatord', user: 'mobile' },
  { path: '/usr/sbin/filecoordinationd', user: 'mobile' },
  { path: `${PF}/ApplePushService.framework/apsd`, user: 'mobile' },
  { path: `${PF}/IDS.framework/identityservicesd.app/identityservicesd`, user: 'mobile' },
  { path: `${PF}/TCC.framework/Support/tccd`, user: 'mobile' },
  { path: `${PF}/BiomeStreams.framework/Support/biomed`, user: 'mobile' },
  { path: `${PF}/CoreParsec.framework/parsecd`, user: 'mobile' },
  { path: `${PF}/AssistantServices.framework/assistantd`, user: 'mobile' },
  { path: `${PF}/MediaAnalysis.framework/mediaanalysisd`, user: 'mobile' },
  { path: `${PF}/CloudKitDaemon.framework/Support/cloudd`, user: 'mobile' },
  { path: `${PF}/iTunesStore.framework/Support/itunesstored`, user: 'mobile' },
  { path: `${PF}/Search.framework/searchd`, user: 'mobile' },
  { path: `${PF}/PhotoLibraryServices.framework/assetsd`, user: 'mobile' },
  { path: `${PF}/PhotoAnalysis.framework/Versions/A/Support/photoanalysisd`, user: 'mobile' },
  { path: `${PF}/PassKitCore.framework/passd`, user: 'mobile' },
  { path: `${PF}/HomeKitDaemon.framework/Support/homed`, user: 'mobile' },
  { path: `${PF}/CloudDocsDaemon.framework/Support/bird`, user: 'mobile' },
  { path: `${PF}/CacheDelete.framework/deleted`, user: 'mobile' },
  { path: `${PF}/AppStoreDaemon.framework/Support/appstored`, user: 'mobile' },
  { path: `${PF}/IMCore.framework/imagent.app/imagent`, user: 'mobile' },
  { path: `${PF}/IMDPersistence.framework/XPCServices/IMDPersistenceAgent.xpc/IMDPersistenceAgent`, user: 'mobile' },
  { path: `${PF}/GeoServices.framework/geod`, user: 'mobile' },
  { path: `${PF}/NanoRegistry.framework/nanoregistryd`, user: 'mobile' },
  { path: `${PF}/PrivacyAccounting.framework/privacyaccountingd`, user: 'mobile' },
  { path: `${PF}/ScreenTimeCore.framework/ScreenTimeAgent`, user: 'mobile' },
  { path: `${PF}/FamilyCircle.framework/familycircled`, user: 'mobile' },
  { path: `${PF}/AuthKit.framework/akd`, user: 'mobile' },
  { path: `${FW}/Accounts.framework/accountsd`, user: 'mobile' },
  { path: `${FW}/Contacts.framework/Support/contactsd`, user: 'mobile' },
  { path: `${FW}/HealthKit.framework/healthd`, user: 'mobile' },
  { path: `${FW}/Metal.framework/XPCServices/MTLCompilerService.xpc/MTLCompilerService`, user: 'mobile' },
  { path: `${WEBKIT}/com.apple.WebKit.WebContent.xpc/com.apple.WebKit.WebContent`, user: 'mobile', count: 4 },
  { path: `${WEBKIT}/com.apple.WebKit.Networking.xpc/com.apple.WebKit.Networking`, user: 'mobile' },
  { path: `${WEBKIT}/com.apple.WebKit.GPU.xpc/com.apple.WebKit.GPU`, user: 'mobile' },
  { path: '/Applications/MobileSafari.app/MobileSafari', user: 'mobile' },
  { path: '/Applications/MobileSMS.app/MobileSMS', user: 'mobile' },
  { path: '/Applications/InCallService.app/InCallService', user: 'mobile' },
  { path: '/Applications/Preferences.app/Preferences', user: 'mobile' },
  { path: '/Applications/MobileMail.app/MobileMail', user: 'mobile' },
  { path: `${PF}/SpringBoardHome.framework/XPCServices/WidgetRenderer.xpc/WidgetRenderer`, user: 'mobile', count: 2 },
  { path: `${PF}/ChronoCore.framework/XPCServices/WidgetRenderer_Default.xpc/WidgetRenderer_Default`, user: 'mobile' },
  { path: `${PF}/ContextKit.framework/XPCServices/ContextService.xpc/ContextService`, user: 'mobile' },
  { path: `${PF}/StoreServices.framework/Support/storeassetd`, user: 'mobile' },
  { path: `${PF}/MobileAsset.framework/XPCServices/com.apple.MobileAsset.AutoAssetService.xpc/com.apple.MobileAsset.AutoAssetService`, user: 'mobile' },
];

/** More daemons of an iOS 17 phone, all in /usr/libexec, run as mobile: together with the list above, the couple of hundred a real ps.txt shows. */
const MORE_DAEMONS: readonly string[] = [
  'amsaccountsd', 'amsengagementd', 'appleaccountd', 'appstorecomponentsd', 'appconduitd', 'asd', 'audiomxd', 'betaenrollmentd',
  'bookassetd', 'bluetoothuserd', 'cameracaptured', 'carkitd', 'cdpd', 'checkerboardd', 'clipserviced', 'cloudpaird', 'cmfsyncagent',
  'companionproxyd', 'contextstored', 'coreauthd', 'corespotlightd', 'countryd', 'ctkd', 'dataaccessd', 'diagnosticextensionsd',
  'donotdisturbd', 'dprivacyd', 'extensionkitservice', 'familynotificationd', 'financed', 'fitnesscoachingd', 'followupd', 'gamed',
  'geoanalyticsd', 'homeenergyd', 'iconservicesagent', 'idamd', 'inputanalyticsd', 'itunescloudd', 'kbd', 'linkd', 'lskdd',
  'mediaplaybackd', 'memorymaintenanced', 'misd', 'mlhostd', 'mobilerepaird', 'modelmanagerd', 'newsd', 'ospredictiond',
  'PerfPowerServices', 'pipelined', 'printd', 'progressd', 'proximitycontrold', 'ptpcamerad', 'replayd', 'rtcreportingd',
  'safarifetcherd', 'securityuploadd', 'sensorkitd', 'seserviced', 'shazamd', 'siriactionsd', 'sociallayerd', 'spaceattributiond',
  'storekitd', 'studentd', 'tailspind', 'triald', 'tursd', 'ubd', 'universalaccessd', 'usernotificationsd', 'UsageTrackingAgent',
  'videosubscriptionsd', 'voicememod', 'weatherd', 'webbookmarksd', 'webinspectord', 'WirelessRadioManagerd',
];

/** App Store apps running at collection (their main executable in a bundle container). */
const RUNNING_APPS: readonly { bundleId: string; executable: string }[] = [
  { bundleId: 'net.whatsapp.WhatsApp', executable: 'WhatsApp.app/WhatsApp' },
  { bundleId: 'org.whispersystems.signal', executable: 'Signal.app/Signal' },
  { bundleId: 'com.google.Maps', executable: 'GoogleMaps.app/GoogleMaps' },
];

interface Proc {
  readonly pid: number;
  readonly ppid: number;
  readonly user: string;
  readonly command: string;
  /** What ps shows when it differs from `command` (a rewritten argv). */
  readonly psCommand?: string;
  /** Minutes running at collection. */
  readonly ageMin: number;
  readonly threads: number;
  readonly cpuSeconds: number;
  readonly lists: ReadonlySet<SnapshotList>;
}

const ALL_LISTS: ReadonlySet<SnapshotList> = new Set(['ps', 'ps_thread', 'taskinfo']);

function processModel(rng: Random, plants: readonly ProcessPlant[]): Proc[] {
  const bootAgeMin = rng.int(3 * 1440, 9 * 1440);
  const procs: Proc[] = [{ pid: 1, ppid: 0, user: 'root', command: '/sbin/launchd', ageMin: bootAgeMin, threads: rng.int(3, 6), cpuSeconds: rng.int(200, 900), lists: ALL_LISTS }];
  let pid = 29;
  const add = (user: string, command: string, ageMin: number, lists: ReadonlySet<SnapshotList> = ALL_LISTS) => {
    pid += rng.int(1, 4);
    procs.push({ pid, ppid: 1, user, command, ageMin, threads: rng.int(2, 24), cpuSeconds: rng.int(0, 400), lists });
  };
  for (const d of APPLE_DAEMONS) {
    for (let i = 0; i < (d.count ?? 1); i++) add(d.user, d.path, pid < 120 ? bootAgeMin : rng.int(10, bootAgeMin));
  }
  for (const name of MORE_DAEMONS) add('mobile', `/usr/libexec/${name}`, rng.int(10, bootAgeMin));
  for (const app of RUNNING_APPS) add('mobile', `/private/var/containers/Bundle/Application/${rng.uuid()}/${app.executable}`, rng.int(5, 600));
  // Planted processes are established ones, started well before the collection, so they sit among the daemons.
  for (const plant of plants) {
    add(plant.user ?? 'root', plant.path, plant.runningMinutes ?? 300, new Set(plant.lists ?? ALL_LISTS));
    if (plant.psCommand) procs[procs.length - 1] = { ...procs[procs.length - 1]!, psCommand: plant.psCommand };
  }
  // The collection itself: sysdiagnose and the tools it runs, each visible only in the snapshot it took.
  pid += rng.int(200, 900);
  const sysdiagnosePid = pid;
  procs.push({ pid, ppid: 1, user: 'root', command: '/usr/bin/sysdiagnose', ageMin: 0, threads: 9, cpuSeconds: 2, lists: ALL_LISTS });
  procs.push({ pid: pid + 3, ppid: sysdiagnosePid, user: 'root', command: '/bin/ps axwwo user,uid,prsna,pid,ppid,flags,%cpu,%mem,pri,ni,vsz,rss,wchan,tt,stat,start,time,command', ageMin: 0, threads: 1, cpuSeconds: 0, lists: new Set(['ps']) });
  procs.push({ pid: pid + 5, ppid: sysdiagnosePid, user: 'root', command: '/usr/local/bin/taskinfo', ageMin: 0, threads: 1, cpuSeconds: 0, lists: new Set(['taskinfo']) });
  return procs.sort((a, b) => a.pid - b.pid);
}

function localClock(options: SysdiagnoseContentOptions): { at: Date; offset: number; local: Date } {
  const at = options.collectedAt ?? defaultCollection.collectedAt;
  const offset = options.utcOffsetMinutes ?? defaultCollection.utcOffsetMinutes;
  return { at, offset, local: new Date(at.getTime() + offset * 60_000) };
}

/** ps's STARTED: `h:mmAM` the same day, `WkdHHAM` within a week, `DDMonYY` before. */
function startedColumn(local: Date, ageMin: number): string {
  const t = new Date(local.getTime() - ageMin * 60_000);
  const h12 = ((t.getUTCHours() + 11) % 12) + 1;
  const ampm = t.getUTCHours() < 12 ? 'AM' : 'PM';
  if (ageMin < 24 * 60 && t.getUTCDate() === local.getUTCDate()) return `${h12}:${p2(t.getUTCMinutes())}${ampm}`;
  if (ageMin < 7 * 24 * 60) return `${WEEKDAYS[t.getUTCDay()]}${p2(h12)}${ampm}`;
  return `${t.getUTCDate()}${MONTHS[t.getUTCMonth()]}${String(t.getUTCFullYear()).slice(2)}`;
}

function cpuTime(seconds: number): string {
  return `${Math.floor(seconds / 60)}:${(seconds % 60).toFixed(2).padStart(5, '0')}`;
}

function processSnapshotFiles(rng: Random, options: SysdiagnoseContentOptions, plants: readonly ProcessPlant[]): SysdiagnoseFile[] {
  const { local } = localClock(options);
  const procs = processModel(rng, plants);
  const uid = (u: string) => UIDS[u] ?? 501;
  const ps = ['USER               UID PRSNA   PID  PPID        F  %CPU %MEM PRI NI      VSZ    RSS WCHAN    TT  STAT STARTED      TIME COMMAND'];
  const thread = ['USER             PID   TT   %CPU STAT PRI     STIME     UTIME COMMAND  PPID        F %MEM PRI NI      VSZ    RSS WCHAN  STARTED      TIME COMMAND'];
  const tasks: string[] = [];
  for (const p of procs) {
    const started = startedColumn(local, p.ageMin);
    const time = cpuTime(p.cpuSeconds);
    const persona = p.pid === 1 ? '-' : p.user === 'mobile' ? '501' : '200';
    const flags = p.pid === 1 ? '4004' : '4004004';
    const vsz = 400_000_000 + ((p.pid * 7919) % 9_000_000);
    const rss = 2_000 + ((p.pid * 131) % 60_000);
    const shown = p.psCommand ?? p.command;
    if (p.lists.has('ps')) {
      ps.push(`${p.user.padEnd(16)} ${String(uid(p.user)).padStart(5)} ${persona.padStart(5)} ${String(p.pid).padStart(5)} ${String(p.ppid).padStart(5)} ${flags.padStart(8)}   0.0  0.1  31  0 ${String(vsz).padStart(9)} ${String(rss).padStart(6)} -        ??  Ss   ${started.padStart(7)} ${time.padStart(9)} ${shown}`);
    }
    if (p.lists.has('ps_thread')) {
      const abbrev = shown.slice(0, 7).padEnd(7);
      const tail = (pri: string) => `${String(p.ppid).padStart(5)} ${flags.padStart(8)}  0.1 ${pri}  0 ${String(vsz).padStart(9)} ${String(rss).padStart(6)} -      ${started.padStart(7)} ${time.padStart(9)}`;
      thread.push(`${p.user.padEnd(16)} ${String(p.pid).padStart(5)}   ??    0.0 S    31T   0:00.00   0:00.01 ${abbrev} ${tail('31T')} ${shown}`);
      for (let t = 1; t < p.threads; t++) thread.push(`${' '.repeat(16)} ${String(p.pid).padStart(5)}         0.0 S    ${rng.pick(['4T ', '20T', '31T', '37T', '47T'])}   0:00.00   0:00.00         ${tail('31T')}`);
    }
    if (p.lists.has('taskinfo')) tasks.push(taskBlock(p, rng));
  }
  return [
    { path: 'ps.txt', data: `${ps.join('\n')}\n` },
    { path: 'ps_thread.txt', data: `${thread.join('\n')}\n` },
    { path: 'taskinfo.txt', data: `num tasks: ${tasks.length}\n\n${tasks.join('\n\n')}\n` },
  ];
}

function taskBlock(p: Proc, rng: Random): string {
  const name = p.command.split(/ (?=[-(])/)[0]!.split('/').pop()!.split(' ')[0]!.slice(0, 32);
  const lines = [
    `process: "${name}" [${p.pid}] [unique ID: ${p.pid + 11}]`,
    'architecture: arm64e',
    `coalition (type 0) ID: ${p.pid + 2}`,
    `coalition (type 1) ID: ${p.pid + 3}`,
    'suspend count: 0',
    `virtual bytes: 390.12 GB; phys_footprint bytes: ${(1 + (p.pid % 40) / 3).toFixed(2)} MB; phys_footprint lifetime maximum bytes: ${(2 + (p.pid % 40) / 3).toFixed(2)} MB`,
    `run time: ${p.ageMin * 60 + rng.int(0, 59)} s`,
    `user/system time    (current threads): ${(p.cpuSeconds / 3).toFixed(6)} s / 0.000000 s`,
    'default sched policy: POLICY_TIMESHARE',
    'dirty tracking: untracked  dirty',
    'threads:',
  ];
  for (let t = 0; t < p.threads; t++) {
    const id = 0x300 + p.pid * 40 + t;
    lines.push(`\tthread ID: 0x${id.toString(16)} / ${id}`, `\tuser/system time: 0.00${rng.int(1000, 9999)} s / 0.000000 s`, '\tCPU usage (over last tick): 0%', '\tsched mode: timeshare', '\trun state: TH_STATE_WAITING', '\tsuspend count: 0', '');
  }
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------------------
// mobile_installation.log

/** `Fri Jun 28 18:04:05 2024`, as MobileInstallation writes its local time. */
function logTime(local: Date): string {
  return `${WEEKDAYS[local.getUTCDay()]} ${MONTHS[local.getUTCMonth()]} ${String(local.getUTCDate()).padStart(2)} ${p2(local.getUTCHours())}:${p2(local.getUTCMinutes())}:${p2(local.getUTCSeconds())} ${local.getUTCFullYear()}`;
}

function installLogFiles(rng: Random, options: SysdiagnoseContentOptions, plants: readonly AppInstallPlant[]): SysdiagnoseFile[] {
  const { at, offset } = localClock(options);
  const events: { t: number; lines: (prefix: string) => string[] }[] = [];
  const pid = rng.int(120, 400);
  const thread = `0x16${rng.hex(4)}000`;
  const line = (level: string, method: string, text: string) => (prefix: string) => `${prefix} [${pid}] <${level}> (${thread}) ${method}: ${text}`;
  const install = (bundleId: string, version: string, kind: 'Customer' | 'Placeholder') => [
    line('notice', '-[MIInstaller performInstallationWithError:]', `Installing <MIInstallableBundle ID=${bundleId}; Version=${version}, ShortVersion=${version}>`),
    line('notice', '-[MIContainer makeContainerLiveReplacingContainer:reason:waitForDeletion:withError:]', `Made container live for ${bundleId} at /private/var/containers/Bundle/Application/${rng.uuid()}`),
    line('notice', '-[MIInstaller performInstallationWithError:]', `Install Successful for (${kind}:${bundleId}); Staging: 0.0${rng.int(1, 9)}s; Waiting: 0.00s; Preflight/Patch: 0.0${rng.int(1, 9)}s, Verifying: 0.${rng.int(10, 99)}s; Overall: 1.${rng.int(10, 99)}s`),
  ];
  const uninstall = (bundleId: string) => [
    line('notice', '-[MIClientConnection _uninstallIdentities:withOptions:completion:]', `Uninstall requested by installcoordinationd (pid ${pid + 3} (501/501)) for identity [${bundleId}] with options: {\n}`),
    line('notice', '-[MIUninstaller _uninstallBundleWithIdentity:linkedToChildren:waitForDeletion:uninstallReason:temporaryReference:wasLastReference:error:]', `Uninstalling identifier ${bundleId}`),
    line('err', '-[MIUninstaller _uninstallBundleWithIdentity:linkedToChildren:waitForDeletion:uninstallReason:temporaryReference:wasLastReference:error:]', `Destroying container ${bundleId} with persona (null) at /private/var/containers/Bundle/Application/${rng.uuid()}`),
  ];
  const span = 60 * 86_400_000;
  events.push({ t: at.getTime() - span - 3_600_000, lines: (p) => [line('notice', 'main', 'Reboot detected')(p)] });
  for (const app of STORE_APPS.slice(0, 12)) {
    const t = at.getTime() - span + rng.next() * span;
    events.push({ t, lines: (p) => install(app.bundleId, app.version, 'Customer').map((l) => l(p)) });
    if (rng.chance(0.3)) {
      const later = t + rng.next() * (at.getTime() - t) * 0.9;
      events.push({ t: later, lines: (p) => [line('notice', '-[MIInstaller performInstallationWithError:]', `Attempting Delta patch update of ${app.bundleId} from ${app.version} to ${bumpVersion(app.version)}`)(p), ...install(app.bundleId, bumpVersion(app.version), 'Customer').map((l) => l(p))] });
    }
  }
  for (const plant of plants) {
    events.push({ t: plant.at.getTime(), lines: (p) => install(plant.bundleId, plant.version, 'Customer').map((l) => l(p)) });
    if (plant.uninstalledAt) events.push({ t: plant.uninstalledAt.getTime(), lines: (p) => uninstall(plant.bundleId).map((l) => l(p)) });
  }
  events.sort((a, b) => a.t - b.t);
  const text = events.flatMap((e) => e.lines(logTime(new Date(e.t + offset * 60_000)))).join('\n');
  return [{ path: 'logs/MobileInstallation/mobile_installation.log.0', data: `${text}\n` }];
}

function bumpVersion(v: string): string {
  const parts = v.split('.');
  parts[parts.length - 1] = String(Number(parts[parts.length - 1]) + 1);
  return parts.join('.');
}

// ---------------------------------------------------------------------------------------------------------
// Configuration profiles

function profileFiles(rng: Random, options: SysdiagnoseContentOptions, plants: readonly ProfilePlant[]): SysdiagnoseFile[] {
  const { at } = localClock(options);
  const ordinary: ProfilePlant = {
    kind: 'profile',
    identifier: 'org.eduroam.wifi.profile',
    uuid: rng.uuid(),
    displayName: 'eduroam',
    payloadType: 'com.apple.wifi.managed',
    at: new Date(at.getTime() - 200 * 86_400_000),
  };
  const files: SysdiagnoseFile[] = [];
  const settings: Record<string, unknown> = {};
  for (const p of [ordinary, ...plants]) {
    const stub = {
      PayloadIdentifier: p.identifier,
      PayloadUUID: p.uuid,
      PayloadDisplayName: p.displayName,
      PayloadType: 'Configuration',
      PayloadVersion: 1,
      InstallDate: p.at,
      IsEncrypted: false,
      PayloadContent: [{ PayloadType: p.payloadType, PayloadIdentifier: `${p.identifier}.payload`, PayloadUUID: rng.uuid(), PayloadVersion: 1 }],
    };
    const hash = `${rng.hex(64)}`;
    files.push({ path: `logs/MCState/Shared/profile-${hash}.stub`, data: Buffer.from(buildBinary(stub as PlistInput)), mtime: p.at });
    settings[p.identifier] = { event: 'installed', process: 'profiled', timestamp: p.at };
  }
  const events = {
    SettingsEvents: {
      restrictedBool: { allowAppInstallation: { event: 'changed', process: 'Preferences', timestamp: new Date(at.getTime() - 40 * 86_400_000) } },
      profiles: settings,
    },
  };
  files.push({ path: 'logs/MCState/Shared/MCSettingsEvents.plist', data: Buffer.from(buildBinary(events as PlistInput)) });
  // MCProfileEvents.plist: a list of one-key dictionaries, profile identifier → what happened, by which process.
  const profileEvents = { ProfileEvents: [ordinary, ...plants].map((p) => ({ [p.identifier]: { timestamp: p.at, operation: 'install', process: 'profiled' } })) };
  files.push({ path: 'logs/MCState/Shared/MCProfileEvents.plist', data: Buffer.from(buildBinary(profileEvents as PlistInput)) });
  return files;
}

// ---------------------------------------------------------------------------------------------------------
// TCC.db

function tccFile(seed: number, plants: readonly TccClientPlant[]): SysdiagnoseFile {
  const dir = mkdtempSync(join(tmpdir(), 'tracehound-tcc-'));
  try {
    const path = join(dir, 'TCC.db');
    writeTccDb(path, forkRandom(seed, 'sysdiagnose-tcc'), { clients: 16, plants });
    return { path: 'logs/Accessibility/TCC.db', data: readFileSync(path) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------------------
// Crash and jetsam reports

/** `2024-06-28 18:04:05.00 +0200`, the .ips header's local time with its offset. */
function ipsTime(d: Date, offset: number): string {
  const l = new Date(d.getTime() + offset * 60_000);
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  return `${l.getUTCFullYear()}-${p2(l.getUTCMonth() + 1)}-${p2(l.getUTCDate())} ${p2(l.getUTCHours())}:${p2(l.getUTCMinutes())}:${p2(l.getUTCSeconds())}.00 ${sign}${p2(Math.floor(abs / 60))}${p2(abs % 60)}`;
}

function ipsName(name: string, d: Date, offset: number): string {
  const l = new Date(d.getTime() + offset * 60_000);
  return `crashes_and_spins/${name}-${l.getUTCFullYear()}-${p2(l.getUTCMonth() + 1)}-${p2(l.getUTCDate())}-${p2(l.getUTCHours())}${p2(l.getUTCMinutes())}${p2(l.getUTCSeconds())}.ips`;
}

function crashReportFiles(rng: Random, options: SysdiagnoseContentOptions, plants: readonly CrashPlant[]): SysdiagnoseFile[] {
  const { at, offset } = localClock(options);
  const osVersion = `iPhone OS ${options.productVersion ?? defaultCollection.productVersion} (${options.buildVersion ?? defaultCollection.buildVersion})`;
  const model = options.productType ?? defaultCollection.productType;
  const files: SysdiagnoseFile[] = [];
  const crash = (procPath: string, bundleId: string | null, when: Date, appName: string) => {
    const incident = rng.uuid();
    const procName = procPath.split('/').pop()!;
    const header = { app_name: appName, timestamp: ipsTime(when, offset), app_version: bundleId ? '1.0' : '', slice_uuid: rng.uuid().toLowerCase(), build_version: '', platform: 2, ...(bundleId ? { bundleID: bundleId } : {}), share_with_app_devs: 0, is_first_party: bundleId?.startsWith('com.apple.') || !bundleId ? 1 : 0, bug_type: '309', os_version: osVersion, roots_installed: 0, name: procName, incident_id: incident };
    const body = {
      uptime: rng.int(1000, 400000),
      procRole: 'Foreground',
      version: 2,
      userID: 501,
      modelCode: model,
      coalitionID: rng.int(100, 900),
      osVersion: { isEmbedded: true, train: osVersion.split(' (')[0], releaseType: 'User', build: options.buildVersion ?? defaultCollection.buildVersion },
      captureTime: ipsTime(when, offset).replace('.00 ', '.1234 '),
      incident,
      pid: rng.int(300, 9000),
      cpuType: 'ARM-64',
      procName,
      procPath,
      ...(bundleId ? { bundleInfo: { CFBundleShortVersionString: '1.0', CFBundleVersion: '1', CFBundleIdentifier: bundleId } } : {}),
      parentProc: 'launchd',
      parentPid: 1,
      coalitionName: bundleId ?? `com.apple.${procName}`,
      exception: { codes: '0x0000000000000000, 0x0000000000000000', rawCodes: [0, 0], type: 'EXC_CRASH', signal: 'SIGABRT' },
      termination: { flags: 0, code: 6, namespace: 'SIGNAL', indicator: 'Abort trap: 6', byProc: procName, byPid: 1 },
      faultingThread: 0,
      threads: [{ triggered: true, id: rng.int(1000, 90000), queue: 'com.apple.main-thread', frames: [{ imageOffset: rng.int(1000, 900000), imageIndex: 0 }] }],
      usedImages: [{ source: 'P', arch: 'arm64e', base: 4_300_000_000, size: 65536, uuid: rng.uuid().toLowerCase(), path: procPath, name: procName }],
    };
    files.push({ path: ipsName(procName, when, offset), data: `${JSON.stringify(header)}\n${JSON.stringify(body, null, 2)}\n`, mtime: when });
  };
  crash(`/private/var/containers/Bundle/Application/${rng.uuid()}/WhatsApp.app/WhatsApp`, 'net.whatsapp.WhatsApp', new Date(at.getTime() - 9 * 86_400_000), 'WhatsApp');
  crash('/usr/libexec/nsurlsessiond', null, new Date(at.getTime() - 3 * 86_400_000), 'nsurlsessiond');
  for (const plant of plants) crash(plant.procPath, null, plant.at, plant.procPath.split('/').pop()!);
  const jetsamAt = new Date(at.getTime() - 2 * 86_400_000);
  const jetsamHeader = { bug_type: '298', timestamp: ipsTime(jetsamAt, offset), os_version: osVersion, incident_id: rng.uuid() };
  const victims = ['com.apple.WebKit.WebContent', 'mediaanalysisd', 'photoanalysisd', 'WhatsApp', 'SpringBoard', 'backboardd'];
  const jetsamBody = {
    crashReporterKey: rng.hex(40),
    product: model,
    incident: jetsamHeader.incident_id,
    date: jetsamHeader.timestamp,
    build: osVersion,
    timeDelta: 5,
    memoryStatus: { compressorSize: 55911, pageSize: 16384, uncompressed: 139405, memoryPages: { active: 55880, wired: 51160, free: 3000 } },
    largestProcess: 'WhatsApp',
    processes: victims.map((name, i) => ({ pid: 100 + i * 37, name, uuid: rng.uuid().toLowerCase(), states: ['daemon', 'idle'], priority: i === 0 ? 0 : 180, rpages: rng.int(1000, 20000), lifetimeMax: rng.int(20000, 40000), ...(i === 0 ? { reason: 'vm-pageshortage' } : {}) })),
  };
  files.push({ path: ipsName('JetsamEvent', jetsamAt, offset), data: `${JSON.stringify(jetsamHeader)}\n${JSON.stringify(jetsamBody, null, 2)}\n`, mtime: jetsamAt });
  return files;
}

// ---------------------------------------------------------------------------------------------------------
// SystemVersion.plist

function systemVersionFile(options: SysdiagnoseContentOptions): SysdiagnoseFile {
  const plist = {
    BuildID: '0B3D5C8A-1F2E-11EF-9C8B-5A3C2E1D0F4B',
    ProductBuildVersion: options.buildVersion ?? defaultCollection.buildVersion,
    ProductCopyright: '1983-2024 Apple Inc.',
    ProductName: 'iPhone OS',
    ProductVersion: options.productVersion ?? defaultCollection.productVersion,
    ReleaseType: 'Public',
    SystemImageID: '7E1A9B44-3C2D-4E5F-8A6B-1C2D3E4F5A6B',
  };
  return { path: 'logs/SystemVersion/SystemVersion.plist', data: buildXml(plist) };
}

/** remotectl_dumpstate.txt: the local device block (tab-indented keys, `=>` properties), then its services. */
function remotectlFile(rng: Random, options: SysdiagnoseContentOptions): SysdiagnoseFile {
  const version = options.productVersion ?? defaultCollection.productVersion;
  const build = options.buildVersion ?? defaultCollection.buildVersion;
  const type = options.productType ?? defaultCollection.productType;
  const lines = [
    'Local device',
    `\tUUID: ${rng.uuid()}`,
    '\tMessaging Protocol Version: 3',
    `\tProduct Type: ${type}`,
    `\tOS Build: ${version} (${build})`,
    '\tProperties: {',
    '\t\tAppleInternal => false',
    '\t\tCPUArchitecture => arm64e',
    `\t\tOSVersion => ${version}`,
    `\t\tBuildVersion => ${build}`,
    `\t\tProductType => ${type}`,
    '\t}',
    '\tServices:',
    '\t\tcom.apple.mobile.lockdown.remote.trusted',
    '\t\tcom.apple.sysdiagnose.remote',
    '',
  ];
  return { path: 'remotectl_dumpstate.txt', data: `${lines.join('\n')}\n` };
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;

function p2(n: number): string {
  return String(n).padStart(2, '0');
}
