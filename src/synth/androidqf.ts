/**
 * Synthetic androidqf acquisitions of any size, for benchmarks and scale tests: what androidqf writes for an
 * ordinary Android phone (a recent patch level, Play Store and system packages, safe settings, a listing of
 * shared storage), with a `dumpsys.txt` grown to a chosen size the way a real one grows (battery history,
 * app-ops entries, database operations). Seeded: the same options give the same bytes.
 *
 * Clean by default: nothing in it matches a public feed or a heuristic at MEDIUM or above. `plant` adds one
 * package from a stalkerware feed (its app id, installed from a browser), so a run can show it still finds it.
 *
 * The big files (files.json, dumpsys.txt) are written in chunks, so generating 500,000 entries or 100 MB of
 * dumpsys costs the generator little memory.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { mulberry32, type Random } from './random.js';

export interface AndroidqfOptions {
  readonly seed: number;
  /** Installed packages (packages.json, dumpsys package and appops). */
  readonly packages: number;
  /** Entries of files.json. */
  readonly files: number;
  /** Approximate size of dumpsys.txt, in bytes. */
  readonly dumpsysBytes: number;
  /** An app id to plant as a package installed from a browser (a stalkerware indicator, say). */
  readonly plant?: string;
  /** When androidqf ran; every time in the acquisition is before it. */
  readonly collectedAt?: Date;
}

export interface GeneratedAndroidqf {
  readonly root: string;
  readonly packages: number;
  readonly files: number;
  readonly dumpsysBytes: number;
}

const VENDORS = ['google', 'samsung', 'sec', 'android', 'spotify', 'whatsapp', 'telegram', 'mozilla', 'duolingo', 'booking', 'airbnb', 'strava', 'shazam', 'deepl', 'ikea', 'lidl'];
const WORDS = ['app', 'music', 'photos', 'maps', 'notes', 'calendar', 'weather', 'camera', 'wallet', 'fitness', 'reader', 'player', 'launcher', 'keyboard', 'gallery', 'clock'];
const STORE = 'com.android.vending';
const SYSTEM_DAEMONS = ['init', 'ueventd', 'logd', 'servicemanager', 'hwservicemanager', 'vold', 'netd', 'zygote64', 'zygote', 'surfaceflinger', 'audioserver', 'cameraserver', 'mediaserver', 'installd', 'keystore2', 'gatekeeperd', 'statsd', 'incidentd', 'system_server', 'com.android.systemui', 'com.android.phone'];

interface Pkg {
  readonly name: string;
  readonly uid: number;
  readonly system: boolean;
  readonly installer: string;
  readonly version: number;
}

function packagesOf(rnd: Random, count: number, plant: string | undefined): Pkg[] {
  const out: Pkg[] = [];
  const seen = new Set<string>();
  for (let i = 0; out.length < count; i++) {
    const system = i % 3 === 0;
    const name = `com.${rnd.pick(VENDORS)}.${rnd.pick(WORDS)}${i}`;
    if (seen.has(name)) continue;
    seen.add(name);
    out.push({ name, uid: system ? 1000 + (i % 50) : 10_000 + i, system, installer: system ? 'null' : STORE, version: rnd.int(1_000, 900_000) });
  }
  if (plant) out[out.length - 1] = { name: plant, uid: 10_000 + count, system: false, installer: 'com.google.android.packageinstaller', version: 1 };
  return out;
}

function packagesJson(rnd: Random, pkgs: readonly Pkg[]): string {
  return JSON.stringify(
    pkgs.map((p) => ({
      name: p.name,
      files: [
        {
          path: p.system ? `/system/app/${p.name}/${p.name}.apk` : `/data/app/~~${rnd.hex(22)}==/${p.name}-${rnd.hex(22)}==/base.apk`,
          local_name: '',
          md5: rnd.hex(32),
          sha1: rnd.hex(40),
          sha256: rnd.hex(64),
          sha512: rnd.hex(128),
          error: '',
          verified_certificate: true,
          certificate: { Md5: rnd.hex(32), Sha1: rnd.hex(40), Sha256: rnd.hex(64), ValidFrom: '2019-01-01T00:00:00Z', ValidTo: '2049-01-01T00:00:00Z', Issuer: 'CN=Android', Subject: 'CN=Android', SignatureAlgorithm: 'SHA256-RSA', SerialNumber: rnd.int(1, 2 ** 31) },
          certificate_error: '',
          trusted_certificate: true,
        },
      ],
      installer: p.installer,
      uid: p.uid,
      disabled: false,
      system: p.system,
      third_party: !p.system,
    })),
  );
}

function getprop(collectedAt: Date): string {
  const patch = new Date(collectedAt.getTime() - 35 * 86_400_000).toISOString().slice(0, 10);
  return [
    ['ro.build.version.security_patch', patch],
    ['ro.build.version.release', '14'],
    ['ro.build.version.sdk', '34'],
    ['ro.product.model', 'SM-S911B'],
    ['ro.product.vendor.manufacturer', 'samsung'],
    ['persist.sys.timezone', 'Europe/Madrid'],
    ['ro.boot.verifiedbootstate', 'green'],
    ['ro.debuggable', '0'],
  ]
    .map(([k, v]) => `[${k}]: [${v}]`)
    .join('\n');
}

function psTxt(rnd: Random, pkgs: readonly Pkg[]): string {
  const lines = ['USER           PID  PPID     VSZ    RSS WCHAN            ADDR S NAME'];
  let pid = 1;
  for (const d of SYSTEM_DAEMONS) lines.push(`root      ${String(pid++).padStart(7)}     1 ${rnd.int(10_000, 99_999_999)} ${rnd.int(1_000, 99_999)} 0                   0 S ${d}`);
  for (const p of pkgs.slice(0, 300)) lines.push(`u0_a${p.uid % 1000}  ${String(pid++ + 1000).padStart(7)}   610 ${rnd.int(10_000, 99_999_999)} ${rnd.int(1_000, 99_999)} 0                   0 S ${p.name}`);
  return lines.join('\n');
}

/** files.json as androidqf writes it: one JSON list, here streamed in chunks. */
async function writeFilesJson(path: string, rnd: Random, count: number, collectedAt: Date): Promise<void> {
  const out = await open(path, 'w');
  try {
    const now = Math.floor(collectedAt.getTime() / 1000);
    let chunk = '[';
    for (let i = 0; i < count; i++) {
      const folder = rnd.pick(['DCIM/Camera', 'Pictures/WhatsApp', 'Download', 'Documents', 'Android/media/com.whatsapp/WhatsApp/Media', 'Music', 'Movies']);
      const when = now - rnd.int(60, 3 * 365 * 86_400);
      const entry = {
        path: `/sdcard/${folder}/${rnd.pick(WORDS)}_${i}.${rnd.pick(['jpg', 'mp4', 'pdf', 'opus', 'txt'])}`,
        size: rnd.int(0, 5_000_000),
        mode: '-rw-rw----',
        user_id: 10_000 + (i % 200),
        user_name: '',
        group_id: 1015,
        group_name: '',
        changed_time: when,
        modified_time: when,
        access_time: when + rnd.int(0, 86_400),
        error: '',
        context: 'u:object_r:media_rw_data_file:s0',
        sha1: '',
        sha256: rnd.hex(64),
        sha512: '',
        md5: '',
      };
      chunk += (i === 0 ? '' : ',') + JSON.stringify(entry);
      if (chunk.length > 1 << 20) {
        await out.write(chunk);
        chunk = '';
      }
    }
    await out.write(`${chunk}]`);
  } finally {
    await out.close();
  }
}

/** `YYYY-MM-DD HH:MM:SS.mmm` as dumpsys writes its local times. */
const dumpTime = (d: Date) => d.toISOString().replace('T', ' ').slice(0, 23);

function packageSection(pkgs: readonly Pkg[]): string {
  const lines = ['DUMP OF SERVICE package:', 'Packages:'];
  for (const p of pkgs) {
    lines.push(
      `  Package [${p.name}] (${(p.uid * 7919).toString(16).slice(0, 7)}):`,
      `    userId=${p.uid}`,
      `    versionCode=${p.version} minSdk=28 targetSdk=34`,
      `    versionName=${(p.version / 100_000).toFixed(2)}`,
      `    flags=[ ${p.system ? 'SYSTEM ' : ''}HAS_CODE ALLOW_CLEAR_USER_DATA ]`,
      '    timeStamp=2024-01-10 09:19:39',
      `    installerPackageName=${p.installer === 'null' ? 'null' : p.installer}`,
      '    requested permissions:',
      '      android.permission.INTERNET',
      '    install permissions:',
      '      android.permission.INTERNET: granted=true',
      '    User 0: ceDataInode=1 installed=true hidden=false suspended=false stopped=false',
      '      firstInstallTime=2024-01-10 09:19:39',
      '      lastUpdateTime=2024-03-01 12:00:00',
    );
  }
  lines.push('', '-'.repeat(78));
  return lines.join('\n') + '\n';
}

function appopsSection(rnd: Random, pkgs: readonly Pkg[], collectedAt: Date): string {
  const lines = ['DUMP OF SERVICE appops:', 'Current AppOps Service state:', '  Uid 0:', '    state=cch'];
  for (const p of pkgs) {
    lines.push(`  Uid ${p.system ? p.uid : `u0a${p.uid - 10_000}`}:`, '    state=cch', `    Package ${p.name}:`);
    for (const op of ['CAMERA', 'READ_EXTERNAL_STORAGE', 'COARSE_LOCATION']) {
      lines.push(`      ${op} (allow):`);
      const when = new Date(collectedAt.getTime() - rnd.int(60, 30 * 86_400) * 1000);
      lines.push(`          Access: [fg-s] ${dumpTime(when)} (-1d2h3m4s5ms)`);
    }
  }
  lines.push('', '-'.repeat(78));
  return lines.join('\n') + '\n';
}

/** Battery history lines of ordinary apps, the bulk of a big dumpsys. */
function historyLine(rnd: Random, pkgs: readonly Pkg[], i: number): string {
  const p = pkgs[i % pkgs.length]!;
  const uid = `u0a${Math.max(0, p.uid - 10_000)}`;
  const at = `+${Math.floor(i / 3600)}h${Math.floor(i / 60) % 60}m${i % 60}s${rnd.int(0, 999)}ms`;
  return rnd.chance(0.5) ? `      ${at} (2) 100 +job=${uid}:"${p.name}/.sync.SyncJobService"\n` : `      ${at} (2) 100 +top=${uid}:"${p.name}"\n`;
}

async function writeDumpsys(path: string, rnd: Random, pkgs: readonly Pkg[], bytes: number, collectedAt: Date): Promise<number> {
  const out = await open(path, 'w');
  let written = 0;
  const put = async (text: string) => {
    await out.write(text);
    written += Buffer.byteLength(text);
  };
  try {
    await put('DUMP OF SERVICE accessibility:\nACCESSIBILITY MANAGER (dumpsys accessibility)\n\nUser state[attributes:{id=0, currentUser=true\n  mIsTouchExplorationEnabled = false\n     installed services: {\n}\n\n' + '-'.repeat(78) + '\n');
    await put(packageSection(pkgs));
    await put(appopsSection(rnd, pkgs, collectedAt));
    await put('DUMP OF SERVICE dbinfo:\nApplications Database Info:\n\n' + '-'.repeat(78) + '\n');
    // Every service the dumpsys artifacts read is present, as in a real dump: no trusted adb key, no override left by a removed app.
    await put('DUMP OF SERVICE adb:\nADB MANAGER STATE (dumpsys adb):\n{\n  debugging_manager={\n    connected_to_adb=true\n  }\n}\n' + '-'.repeat(78) + '\n');
    await put('DUMP OF SERVICE platform_compat:\nChangeId(168419799; name=DOWNSCALED; disabled; overridable)\n' + '-'.repeat(78) + '\n');
    await put('DUMP OF SERVICE batterystats:\nBattery History (0% used, 2720 used of 4096KB, 31 strings using 2694):\n                    0 (19) RESET:TIME: 2024-03-01-17-30-01\n');
    let chunk = '';
    for (let i = 0; written + chunk.length < bytes; i++) {
      chunk += historyLine(rnd, pkgs, i);
      if (chunk.length > 1 << 20) {
        await put(chunk);
        chunk = '';
      }
    }
    await put(`${chunk}\n${'-'.repeat(78)}\n`);
  } finally {
    await out.close();
  }
  return written;
}

/** Writes an androidqf acquisition folder at `root` (created; it must not exist). */
export async function generateAndroidqf(root: string, options: AndroidqfOptions): Promise<GeneratedAndroidqf> {
  const rnd = mulberry32(options.seed);
  const collectedAt = options.collectedAt ?? new Date();
  mkdirSync(root);
  const pkgs = packagesOf(rnd, options.packages, options.plant);
  writeFileSync(join(root, 'acquisition.json'), JSON.stringify({ uuid: rnd.uuid(), androidqf_version: 'v1.7.0', started: new Date(collectedAt.getTime() - 600_000).toISOString(), completed: collectedAt.toISOString() }));
  writeFileSync(join(root, 'getprop.txt'), getprop(collectedAt));
  writeFileSync(join(root, 'packages.json'), packagesJson(rnd, pkgs));
  writeFileSync(join(root, 'ps.txt'), psTxt(rnd, pkgs));
  writeFileSync(join(root, 'settings_secure.txt'), 'install_non_market_apps=0\npackage_verifier_enable=1\nadb_enabled=0\n');
  writeFileSync(join(root, 'settings_global.txt'), 'development_settings_enabled=0\nverifier_verify_adb_installs=1\n');
  writeFileSync(join(root, 'settings_system.txt'), 'screen_brightness=120\n');
  await writeFilesJson(join(root, 'files.json'), rnd, options.files, collectedAt);
  const dumpsysBytes = await writeDumpsys(join(root, 'dumpsys.txt'), rnd, pkgs, options.dumpsysBytes, collectedAt);
  return { root, packages: pkgs.length, files: options.files, dumpsysBytes };
}
