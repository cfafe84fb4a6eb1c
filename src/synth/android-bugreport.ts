/**
 * A generated Android bugreport zip, as `adb bugreport` writes it: `main_entry.txt` naming the dumpstate
 * (`bugreport-<product>-<build>-<date>.txt`), the dumpstate itself, `version.txt` and `FS/data/tombstones/`.
 * The dumpstate has the header and section layout of a current one (`== dumpstate:`, `------ SYSTEM
 * PROPERTIES (getprop) ------`, `DUMP OF SERVICE package:` …), filled with logcat lines to a chosen size (the
 * benchmark's 100 MB), streamed into the zip so memory stays flat.
 *
 * Clean by default: a phone on a recent patch, Play Store apps, app crashes only. Plants add what a check must
 * find: a crash of a root process (MEDIUM) and a crash of a process named like an indicator (CRITICAL).
 */
import { offsetMinutesAt } from '../formats/device-time.js';
import { mulberry32, type Random } from './random.js';
import { ZipWriter } from './zip-writer.js';

export interface BugreportPlants {
  /** A crash of `vold` running as root (uid 0): the privileged-crash rule's MEDIUM. */
  readonly rootCrash?: boolean;
  /** A crash of an app process of this name (uid 10xxx): a process indicator of that name matches it. */
  readonly crashedProcess?: string;
}

export interface BugreportOptions {
  /** Approximate size of the dumpstate in bytes (at least the sections' own size, about 30 KB). */
  readonly dumpstateBytes?: number;
  /**
   * When the report was taken (the device's clock is Europe/Berlin). By default a day ago, so that the security
   * patch (40 days before it) is recent for the old-patch rule, which measures against today.
   */
  readonly takenAt?: Date;
  readonly seed?: number;
  readonly plants?: BugreportPlants;
}

export interface WrittenBugreport {
  readonly path: string;
  readonly dumpstateName: string;
  readonly dumpstateBytes: number;
  readonly tombstones: number;
  /** What a check must report: MEDIUM crashes of privileged processes and processes planted for indicators. */
  readonly planted: { readonly privilegedCrashes: number; readonly crashedProcess?: string };
}

const ZONE = 'Europe/Berlin';
const MODEL = 'SM-A546B';
const BUILD_ID = 'UP1A.231005.007';
const FINGERPRINT = `samsung/a54xnsxx/a54x:14/${BUILD_ID}/A546BXXS8BXD5:user/release-keys`;
const RULE = '-'.repeat(79);

/** Apps of an ordinary phone, all from the Play Store. */
const APPS = ['com.whatsapp', 'org.telegram.messenger', 'com.spotify.music', 'org.thoughtcrime.securesms', 'com.google.android.apps.maps', 'com.instagram.android', 'de.number26.android', 'com.duolingo'] as const;
const SYSTEM_APPS = ['com.android.settings', 'com.android.systemui', 'com.google.android.gms', 'com.android.vending', 'com.samsung.android.messaging', 'com.sec.android.app.camera'] as const;
const LOG_TAGS = ['ActivityManager', 'WindowManager', 'PackageManager', 'ConnectivityService', 'WifiService', 'BatteryService', 'NotificationService', 'AlarmManager', 'JobScheduler', 'chatty', 'SurfaceFlinger', 'InputDispatcher'] as const;

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

/** `2024-05-01 10:11:12`: the wall clock `offsetHours` east of UTC. */
function localWall(d: Date, offsetHours: number): string {
  const l = new Date(d.getTime() + offsetHours * 3_600_000);
  return `${l.getUTCFullYear()}-${pad2(l.getUTCMonth() + 1)}-${pad2(l.getUTCDate())} ${pad2(l.getUTCHours())}:${pad2(l.getUTCMinutes())}:${pad2(l.getUTCSeconds())}`;
}

/** Hours east of UTC in the device's zone at that instant (whole hours in Berlin). */
function berlinOffset(d: Date): number {
  return offsetMinutesAt(ZONE, d.getTime()) / 60;
}

function properties(takenAt: Date): string[] {
  const patch = new Date(takenAt.getTime() - 40 * 86_400_000).toISOString().slice(0, 10);
  const props: Record<string, string> = {
    'dalvik.vm.heapsize': '512m',
    'gsm.sim.operator.alpha': 'Telekom.de',
    'gsm.sim.operator.iso-country': 'de',
    'persist.sys.timezone': ZONE,
    'persist.sys.locale': 'de-DE',
    'ro.boot.verifiedbootstate': 'green',
    'ro.build.fingerprint': FINGERPRINT,
    'ro.build.id': BUILD_ID,
    'ro.build.type': 'user',
    'ro.build.version.release': '14',
    'ro.build.version.sdk': '34',
    'ro.build.version.security_patch': patch,
    'ro.debuggable': '0',
    'ro.product.manufacturer': 'samsung',
    'ro.product.model': MODEL,
    'ro.product.vendor.model': MODEL,
    'ro.secure': '1',
    'ro.serialno': 'R58T90ABCDE',
    'sys.boot_completed': '1',
  };
  return Object.keys(props)
    .sort()
    .map((k) => `[${k}]: [${props[k]}]`);
}

function header(takenAt: Date): string {
  return [
    '========================================================',
    `== dumpstate: ${localWall(takenAt, berlinOffset(takenAt))}`,
    '========================================================',
    '',
    `Build: ${BUILD_ID}`,
    `Build fingerprint: '${FINGERPRINT}'`,
    'Bootloader: A546BXXS8BXD5',
    'Radio: A546BXXS8BXD5',
    'Network: Telekom.de',
    'Linux version 5.10.198-android12-9 (build@host) #1 SMP PREEMPT',
    'Command line: console=null androidboot.hardware=s5e8835',
    'Uptime: up 2 days, 3:04',
    'Bugreport format version: 2.0',
    `Dumpstate info: id=1 pid=12345 dry_run=0 parallel_run=1 args=-S bugreport_mode=BUGREPORT_DEFAULT`,
    '',
  ].join('\n');
}

function section(title: string, body: string[], seconds = '0.012'): string {
  return [`------ ${title} ------`, ...body, `------ ${seconds}s was the duration of '${title.replace(/ \(.*$/, '')}' ------`, ''].join('\n');
}

function service(name: string, body: string[]): string {
  return [RULE, `DUMP OF SERVICE ${name}:`, ...body, `--------- 0.021s was the duration of dumpsys ${name}, ending at: 2024-05-01 10:11:30`, ''].join('\n');
}

function packageSection(rnd: Random): string[] {
  const lines = ['Packages:'];
  for (const [i, name] of [...SYSTEM_APPS, ...APPS].entries()) {
    const system = i < SYSTEM_APPS.length;
    lines.push(
      `  Package [${name}] (${rnd.hex(7)}):`,
      `    userId=${system ? 1000 + i : 10_200 + i}`,
      `    pkg=Package{${rnd.hex(7)} ${name}}`,
      `    codePath=/data/app/~~${rnd.hex(8)}==/${name}-${rnd.hex(8)}==`,
      `    versionCode=${rnd.int(1000, 900_000)} minSdk=26 targetSdk=34`,
      `    flags=[ ${system ? 'SYSTEM ' : ''}HAS_CODE ALLOW_CLEAR_USER_DATA ALLOW_BACKUP ]`,
      `    timeStamp=2024-0${rnd.int(1, 4)}-1${rnd.int(0, 9)} 09:${pad2(rnd.int(0, 59))}:${pad2(rnd.int(0, 59))}`,
      `    firstInstallTime=2024-01-10 09:19:39`,
      `    lastUpdateTime=2024-04-2${rnd.int(0, 9)} 10:${pad2(rnd.int(0, 59))}:${pad2(rnd.int(0, 59))}`,
      `    installerPackageName=${system ? 'null' : 'com.android.vending'}`,
      '    install permissions:',
      '      android.permission.INTERNET: granted=true',
      '      android.permission.ACCESS_NETWORK_STATE: granted=true',
      '    User 0: ceDataInode=1 installed=true hidden=false suspended=false stopped=false notLaunched=false enabled=0',
      '      runtime permissions:',
      '        android.permission.POST_NOTIFICATIONS: granted=true',
      '',
    );
  }
  return lines;
}

function appopsSection(): string[] {
  const lines = ['Current AppOps Service state:', '  Settings:', '    top_state_settle_time=+30s0ms', ''];
  lines.push('  Uid 0:', '    state=cch', '    Package android:', '      WAKE_LOCK (allow):', '');
  for (const [i, name] of APPS.entries()) {
    lines.push(`  Uid u0a${200 + i}:`, '    state=cch', `    Package ${name}:`, '      WAKE_LOCK (allow):', '          Access: [fg-s] 2024-05-01 09:12:11.123 (-58m59s877ms)', '      POST_NOTIFICATION (allow):');
  }
  lines.push('');
  return lines;
}

function logLine(rnd: Random, takenAt: Date): string {
  const t = new Date(takenAt.getTime() - rnd.int(0, 7_200_000));
  const stamp = `${pad2(t.getUTCMonth() + 1)}-${pad2(t.getUTCDate())} ${pad2(t.getUTCHours())}:${pad2(t.getUTCMinutes())}:${pad2(t.getUTCSeconds())}.${String(t.getUTCMilliseconds()).padStart(3, '0')}`;
  const tag = LOG_TAGS[rnd.int(0, LOG_TAGS.length - 1)]!;
  const app = APPS[rnd.int(0, APPS.length - 1)]!;
  const what = rnd.int(0, 3);
  const text = what === 0 ? `Start proc ${rnd.int(2000, 30000)}:${app}/u0a${rnd.int(200, 300)} for service {${app}/.Service}` : what === 1 ? `Displayed ${app}/.MainActivity: +${rnd.int(100, 900)}ms` : what === 2 ? `uid=${10_000 + rnd.int(200, 300)} ${app} identical ${rnd.int(1, 40)} lines` : `Scheduling job ${rnd.hex(8)} for ${app}`;
  return `${stamp}  ${rnd.int(1000, 10_300)}  ${rnd.int(500, 30_000)}  ${rnd.int(500, 30_000)} ${'VDIWE'[rnd.int(0, 4)]} ${tag}: ${text}\n`;
}

/** The dumpstate in chunks of about 64 KB: header, system log filler to `size`, properties, services. */
function* dumpstateChunks(takenAt: Date, size: number, rnd: Random): Generator<string> {
  const head = header(takenAt) + section('UPTIME (uptime)', ['up 2 days,  3:04,  0 users,  load average: 5.1, 4.9, 4.8']);
  const tail = [
    section('SYSTEM PROPERTIES (getprop)', properties(takenAt), '0.045'),
    service('package', packageSection(rnd)),
    service('appops', appopsSection()),
    service('accessibility', ['ACCESSIBILITY MANAGER (dumpsys accessibility)', '', 'User state[', '     attributes:{id=0, touchExplorationEnabled=false, serviceCount=0}', '     installed services: {', '}', '     Bound services:{}', '     Enabled services:{}', ']', '']),
    RULE,
    'was the duration of dumpsys, ending at: 2024-05-01 10:11:40',
    '',
  ].join('\n');
  yield head;
  let written = Buffer.byteLength(head) + Buffer.byteLength(tail);
  const logTitle = 'SYSTEM LOG (logcat -v threadtime -v printable -v uid -d *:v)';
  yield `------ ${logTitle} ------\n--------- beginning of main\n`;
  let chunk = '';
  while (written < size) {
    const line = logLine(rnd, takenAt);
    chunk += line;
    written += line.length;
    if (chunk.length >= 65_536) {
      yield chunk;
      chunk = '';
    }
  }
  yield `${chunk}------ 1.234s was the duration of 'SYSTEM LOG' ------\n`;
  yield tail;
}

function tombstone(o: { fingerprint: string; time: string; pid: number; tid: number; name: string; binary: string; uid: number; signal: string; abort?: string }): string {
  return [
    '*** *** *** *** *** *** *** *** *** *** *** *** *** *** *** ***',
    `Build fingerprint: '${o.fingerprint}'`,
    "Revision: '4'",
    "ABI: 'arm64'",
    `Timestamp: ${o.time}`,
    'Process uptime: 612s',
    `Cmdline: ${o.binary}`,
    `pid: ${o.pid}, tid: ${o.tid}, name: ${o.name}  >>> ${o.binary} <<<`,
    `uid: ${o.uid}`,
    o.signal,
    ...(o.abort ? [`Abort message: '${o.abort}'`] : []),
    '    x0  0000000000000000  x1  0000000000003039  x2  0000000000000006  x3  0000007fc0d1b2a0',
    '',
    'backtrace:',
    '      #00 pc 000000000005b3c4  /apex/com.android.runtime/lib64/bionic/libc.so (abort+164) (BuildId: 1a2b3c)',
    '',
  ].join('\n');
}

/** Writes the bugreport zip at `path` (created or replaced). */
export async function writeBugreport(path: string, options: BugreportOptions = {}): Promise<WrittenBugreport> {
  const takenAt = options.takenAt ?? new Date(Math.floor(Date.now() / 60_000) * 60_000 - 86_400_000);
  const rnd = mulberry32(options.seed ?? 10);
  const plants = options.plants ?? {};
  const date = localWall(takenAt, berlinOffset(takenAt)).replace(/[ :]/g, '-');
  const dumpstateName = `bugreport-a54xnsxx-${BUILD_ID}-${date}.txt`;
  const zip = ZipWriter.create(path);
  const offset = `+0${berlinOffset(takenAt)}00`;
  const crashTime = (minutesBefore: number) => `${localWall(new Date(takenAt.getTime() - minutesBefore * 60_000), berlinOffset(takenAt))}.123456789${offset}`;
  const crashes = [
    { name: 'com.spotify.music', binary: '/system/bin/app_process64', uid: 10_202, signal: 'signal 11 (SIGSEGV), code 1 (SEGV_MAPERR), fault addr 0x0000000000000010' },
    { name: 'RenderThread', binary: '/system/bin/app_process64', uid: 10_205, signal: 'signal 6 (SIGABRT), code -1 (SI_QUEUE), fault addr --------', abort: 'Failed to allocate texture' },
    ...(plants.rootCrash ? [{ name: 'vold', binary: '/system/bin/vold', uid: 0, signal: 'signal 11 (SIGSEGV), code 2 (SEGV_ACCERR), fault addr 0x00000077a0c01000' }] : []),
    ...(plants.crashedProcess ? [{ name: plants.crashedProcess, binary: '/data/app/~~x/base.apk', uid: 10_250, signal: 'signal 11 (SIGSEGV), code 1 (SEGV_MAPERR), fault addr 0x0' }] : []),
  ];
  let dumpstateBytes: number;
  try {
    await zip.add('main_entry.txt', [dumpstateName], takenAt);
    await zip.add('version.txt', ['2.0'], takenAt);
    dumpstateBytes = await zip.add(dumpstateName, dumpstateChunks(takenAt, options.dumpstateBytes ?? 200_000, rnd), takenAt);
    for (const [i, c] of crashes.entries()) {
      const text = tombstone({ fingerprint: FINGERPRINT, time: crashTime(600 - i * 37), pid: 4000 + i * 311, tid: 4000 + i * 311 + 7, ...c });
      await zip.add(`FS/data/tombstones/tombstone_${pad2(i)}`, [text], new Date(takenAt.getTime() - (600 - i * 37) * 60_000));
    }
  } finally {
    await zip.close();
  }
  return {
    path,
    dumpstateName,
    dumpstateBytes,
    tombstones: crashes.length,
    planted: { privilegedCrashes: plants.rootCrash ? 1 : 0, ...(plants.crashedProcess ? { crashedProcess: plants.crashedProcess } : {}) },
  };
}
