/**
 * androidqf's `dumpsys.txt` as an ordinary phone gives it: an Android 14 Pixel-like dump with the services the
 * dumpsys artifacts read (accessibility, package, appops, adb, dbinfo, batterystats, platform_compat), made of
 * Play Store apps and stock components. An ordinary phone has no accessibility service enabled, appops entries
 * of everyday apps (camera, microphone, location), the stock SMS app as the receiver of SMS_RECEIVED, apps only
 * ever updated upwards, and trusts one adb key: the computer that made the acquisition.
 *
 * `plants` adds the traces of an installed and partly removed spyware, each raising a known finding (the test
 * pins them): an enabled accessibility service, an app allowed to install other apps, adb shell operations, an
 * uninstall and a downgrade in the daily battery stats, a rooting app, an SMS receiver, a compatibility override
 * left by a removed app and a second trusted computer.
 */

export const SEPARATOR = '-'.repeat(79);

/** The public key of a made-up computer: valid base64 (what adb writes is longer; the length does not matter here). */
export const HELPLINE_ADB_KEY = 'QAAAAJ7f3hVtR0x3bW9ja1JTQUtleUZvckhlbHBsaW5lQ29tcHV0ZXI=';
export const OTHER_ADB_KEY = 'QAAAAE90aGVyQ29tcHV0ZXJUaGF0V2FzVHJ1c3RlZEJlZm9yZQ==';

export interface DumpsysPlants {
  /** `package/service` of an enabled accessibility service. */
  readonly accessibility?: string;
  /** A package allowed REQUEST_INSTALL_PACKAGES, used at `installTime`. */
  readonly installer?: { readonly pkg: string; readonly time: string };
  /** Operations run by the adb shell. */
  readonly shellOps?: readonly { readonly op: string; readonly time: string }[];
  /** A package seen uninstalled (`vers=0`) in the daily stats of `day`. */
  readonly uninstalled?: { readonly pkg: string; readonly day: string };
  /** A package whose version went down between two days. */
  readonly downgraded?: { readonly pkg: string; readonly from: number; readonly to: number; readonly day: string };
  /** A rooting app in the package list. */
  readonly rootApp?: string;
  /** `package/receiver` of an extra SMS_RECEIVED receiver. */
  readonly smsReceiver?: string;
  /** A package left in the DOWNSCALED raw overrides. */
  readonly compatOverride?: string;
  /** A second trusted computer (`user@host`). */
  readonly otherAdbUser?: string;
}

export interface DumpsysOptions {
  /** The acquisition's adb key, trusted and last connected at `acquiredAt`. */
  readonly hostKey: string;
  readonly acquiredAt: Date;
  readonly plants?: DumpsysPlants;
}

/** Apps from the Play Store: [package, uid, versionName, versionCode]. */
const STORE_APPS: readonly [string, string, string, number][] = [
  ['com.whatsapp', '10231', '2.24.9.78', 241],
  ['org.telegram.messenger', '10232', '10.12.0', 46210],
  ['com.spotify.music', '10233', '8.9.36.616', 115800632],
  ['org.thoughtcrime.securesms', '10234', '7.6.2', 144200],
  ['com.google.android.apps.maps', '10190', '11.127.0101', 1061270101],
];

const SYSTEM_APPS: readonly [string, string][] = [
  ['com.google.android.gms', '10150'],
  ['com.android.vending', '10151'],
  ['com.google.android.apps.messaging', '10152'],
  ['com.android.chrome', '10153'],
  ['com.google.android.dialer', '10154'],
];

function section(name: string, lines: readonly string[]): string[] {
  return [SEPARATOR, `DUMP OF SERVICE ${name}:`, ...lines, `--------- 0.012s was the duration of dumpsys ${name}, ending at: 2024-05-01 12:19:30`];
}

function accessibility(p: DumpsysPlants): string[] {
  return [
    'ACCESSIBILITY MANAGER (dumpsys accessibility)',
    '',
    'currentUserId=0',
    'User state[',
    '     attributes:{id=0, touchExplorationEnabled=false, serviceHandlesDoubleTap=false}',
    '     shortcut key:{}',
    '     Bound services:{}',
    `     Enabled services:{${p.accessibility ? `{${p.accessibility}}` : ''}}`,
    '     Binding services:{}',
    '     Crashed services:{}',
    ']',
  ];
}

function packageSection(p: DumpsysPlants): string[] {
  const smsReceivers = ['com.google.android.apps.messaging/.shared.receiver.SmsDeliverReceiver', ...(p.smsReceiver ? [p.smsReceiver] : [])];
  const pkgs: string[] = [];
  for (const [name, uid] of SYSTEM_APPS) {
    pkgs.push(`  Package [${name}] (a1b2c3):`, `    userId=${uid}`, '    versionName=24.17.13', '    versionCode=241713000 minSdk=31 targetSdk=34', '    timeStamp=2009-01-01 00:00:00', '    lastUpdateTime=2024-04-20 03:11:02', '    installerPackageName=null', '    pkgFlags=[ SYSTEM HAS_CODE ALLOW_CLEAR_USER_DATA ]', '    User 0: ceDataInode=4118 installed=true hidden=false suspended=false stopped=false notLaunched=false enabled=0', '      firstInstallTime=2009-01-01 00:00:00');
  }
  for (const [name, uid, versionName, code] of [...STORE_APPS, ...(p.rootApp ? [[p.rootApp, '10299', '27.0', 27000] as const] : [])]) {
    pkgs.push(
      `  Package [${name}] (d4e5f6):`,
      `    userId=${uid}`,
      `    versionName=${versionName}`,
      `    versionCode=${code} minSdk=26 targetSdk=34`,
      '    timeStamp=2024-03-02 18:40:11',
      '    lastUpdateTime=2024-04-28 02:15:40',
      `    installerPackageName=${name === p.rootApp ? 'com.google.android.packageinstaller' : 'com.android.vending'}`,
      '    pkgFlags=[ HAS_CODE ALLOW_CLEAR_USER_DATA ALLOW_BACKUP ]',
      '    requested permissions:',
      '      android.permission.INTERNET',
      '      android.permission.CAMERA',
      '    install permissions:',
      '      android.permission.INTERNET: granted=true',
      '    User 0: ceDataInode=5120 installed=true hidden=false suspended=false stopped=false notLaunched=false enabled=0',
      '      firstInstallTime=2024-03-02 18:40:11',
      '      runtime permissions:',
      '        android.permission.CAMERA: granted=true, flags=[ USER_SET|USER_SENSITIVE_WHEN_GRANTED ]',
    );
  }
  return [
    'Activity Resolver Table:',
    '  Non-Data Actions:',
    '      android.intent.action.MAIN:',
    '        3a1f2b7 com.whatsapp/.Main filter 5d2c1e0',
    '        8b4e0c1 org.telegram.messenger/.DefaultIcon filter 1f9a7d3',
    '      android.media.action.IMAGE_CAPTURE:',
    '        4c7d9e2 com.google.android.GoogleCamera/com.android.camera.CameraImageActivity filter 7e3b2a0',
    '',
    'Receiver Resolver Table:',
    '  Non-Data Actions:',
    '      android.provider.Telephony.SMS_RECEIVED:',
    ...smsReceivers.map((r, i) => `        ${(0x51a0 + i).toString(16)}b2 ${r} filter 9c0d4f${i}`),
    '      android.intent.action.BOOT_COMPLETED:',
    '        2d8e6a1 com.google.android.gms/.chimera.GmsIntentOperationService$PersistentTrustedReceiver filter 6a2f1b8',
    '        7f3c0b5 com.whatsapp/.BootReceiver filter 0b7e5d2',
    '',
    'Packages:',
    ...pkgs,
    '',
  ];
}

function appops(p: DumpsysPlants): string[] {
  const lines = [
    'Current AppOps Service state:',
    '  Settings:',
    '    top_state_settle_time=+5s0ms',
    '',
    '  Uid 0:',
    '    state=pers',
    '    Package com.android.phone:',
    '      MANAGE_IPSEC_TUNNELS (allow):',
    '  Uid u0a231:',
    '    state=cch',
    '    Package com.whatsapp:',
    '      CAMERA (allow):',
    '          Access: [top-s] 2024-04-30 19:02:11.402 (-17h17m19s)',
    '      RECORD_AUDIO (allow):',
    '          Access: [top-s] 2024-04-30 19:03:40.118 (-17h15m50s)',
    '      READ_CONTACTS (allow):',
    '          Access: [fg-s] 2024-05-01 08:12:09.930 (-4h7m20s)',
    '  Uid u0a190:',
    '    state=bg',
    '    Package com.google.android.apps.maps:',
    '      FINE_LOCATION (allow):',
    '          Access: [fg-s] 2024-05-01 09:40:55.025 (-2h38m35s)',
  ];
  if (p.installer) lines.push('  Uid u0a298:', '    state=cch', `    Package ${p.installer.pkg}:`, '      REQUEST_INSTALL_PACKAGES (allow):', `          Access: [top-s] ${p.installer.time} (-1d)`);
  if (p.shellOps) lines.push('  Uid 2000:', '    state=bg', '    Package com.android.shell:', ...p.shellOps.flatMap((o) => [`      ${o.op} (allow):`, `          Access: [fg-s] ${o.time} (-1d)`]));
  return [...lines, ''];
}

function adb(o: DumpsysOptions): string[] {
  const ms = o.acquiredAt.getTime();
  const keys = [`${o.hostKey} helpline@laptop`, ...(o.plants?.otherAdbUser ? [`${OTHER_ADB_KEY} ${o.plants.otherAdbUser}`] : [])];
  return [
    'ADB MANAGER STATE (dumpsys adb):',
    '{',
    '  debugging_manager={',
    '    connected_to_adb=true',
    `    user_keys=${keys[0]}`,
    ...keys.slice(1).map((k) => `    ${k}`),
    '',
    "    keystore=<?xml version='1.0' encoding='utf-8' standalone='yes' ?>",
    '    <keyStore version="1">',
    `    <adbKey key="${o.hostKey} helpline@laptop" lastConnection="${ms - 5 * 60_000}" />`,
    '    </keyStore>',
    '',
    '  }',
    '}',
  ];
}

function dbinfo(): string[] {
  return [
    'Applications Database Info:',
    '',
    '** Database info for pid 4321 [com.whatsapp] **',
    '',
    'Connection pool for /data/user/0/com.whatsapp/databases/msgstore.db:',
    '  Open: true',
    '  Most recently executed operations:',
    '        0: [2024-05-01 12:10:03.221] [Pid:(4321)]executeForCursorWindow took 1ms - succeeded, sql="SELECT _id FROM message WHERE chat_row_id=?", path=/data/user/0/com.whatsapp/databases/msgstore.db',
    '        1: [2024-05-01 12:10:02.907] [Pid:(4321)]execute took 0ms - succeeded, sql="PRAGMA foreign_keys=ON", path=/data/user/0/com.whatsapp/databases/msgstore.db',
    '',
  ];
}

function batterystats(p: DumpsysPlants): string[] {
  const days: { day: string; updates: [string, number][] }[] = [
    { day: '2024-04-30', updates: [['com.whatsapp', 241], ['com.google.android.gms', 241713000]] },
    { day: '2024-04-25', updates: [['com.whatsapp', 240], ['com.spotify.music', 115800632]] },
    { day: '2024-04-20', updates: [['com.whatsapp', 230], ['org.telegram.messenger', 46210]] },
  ];
  if (p.uninstalled) days.find((d) => d.day === p.uninstalled!.day)?.updates.push([p.uninstalled.pkg, 0]);
  if (p.downgraded) {
    const d = p.downgraded;
    days.find((x) => x.day === '2024-04-20')!.updates.push([d.pkg, d.from]);
    days.find((x) => x.day === d.day)!.updates.push([d.pkg, d.to]);
  }
  return [
    'Battery History (1% used, 52KB used of 4096KB, 120 strings using 9000):',
    '                    0 (9) RESET:TIME: 2024-04-30-02-00-00',
    '            +12s004ms (2) 100 +job=u0a150:"com.google.android.gms/.gcm.GcmTaskService"',
    '            +12s880ms (2) 100 -job=u0a150:"com.google.android.gms/.gcm.GcmTaskService"',
    '         +3h02m11s201ms (2) 096 +top=u0a231:"com.whatsapp"',
    '         +3h09m40s010ms (2) 095 -top=u0a231:"com.whatsapp"',
    '',
    'Daily stats:',
    ...days.flatMap(({ day, updates }) => [
      `  Daily from ${day}-02-00-00 to ${day}-23-59-59:`,
      '    Discharge total time: 1d 2h 0m 0s 0ms  (from 40 steps)',
      '    Package changes:',
      ...updates.map(([pkg, v]) => `      Update ${pkg} vers=${v}`),
    ]),
    '',
  ];
}

function platformCompat(p: DumpsysPlants): string[] {
  return [
    'ChangeId(180326845; name=OVERRIDE_MIN_ASPECT_RATIO_MEDIUM; disabled; overridable)',
    p.compatOverride
      ? `ChangeId(168419799; name=DOWNSCALED; disabled; rawOverrides={${p.compatOverride}=false}; overridable)`
      : 'ChangeId(168419799; name=DOWNSCALED; disabled; overridable)',
    'ChangeId(143539591; name=SELINUX_LATEST_CHANGES; disabled)',
  ];
}

/** The whole `dumpsys.txt`. */
export function androidDumpsys(options: DumpsysOptions): string {
  const p = options.plants ?? {};
  return [
    'Currently running services:',
    '  accessibility',
    '  adb',
    '  appops',
    ...section('accessibility', accessibility(p)),
    ...section('package', packageSection(p)),
    ...section('appops', appops(p)),
    ...section('adb', adb(options)),
    ...section('dbinfo', dbinfo()),
    ...section('batterystats', batterystats(p)),
    ...section('platform_compat', platformCompat(p)),
    SEPARATOR,
    '',
  ].join('\n');
}

/** Plants of a phone where NoviSpy-like spyware was installed, used and partly removed (app ids from Amnesty's NoviSpy indicators). */
export const SPYWARE_PLANTS: DumpsysPlants = {
  accessibility: 'com.accesibilityservice/.MainService',
  installer: { pkg: 'com.example.notes.free', time: '2024-04-29 21:14:02.518' },
  shellOps: [{ op: 'WRITE_SETTINGS', time: '2024-04-29 21:16:40.002' }],
  uninstalled: { pkg: 'com.li.activity', day: '2024-04-25' },
  downgraded: { pkg: 'com.google.android.dialer', from: 130, to: 120, day: '2024-04-30' },
  rootApp: 'com.topjohnwu.magisk',
  smsReceiver: 'com.gu.activity/.SmsReceiver',
  compatOverride: 'com.serv.services',
  otherAdbUser: 'someone@desktop',
};
