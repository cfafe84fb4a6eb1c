/**
 * shutdown.log as iOS writes it (`/private/var/db/diagnostics/shutdown.log`, copied into a sysdiagnose as
 * `system_logs.logarchive/Extra/shutdown.log`): for each reboot, the delay notices iOS logs while it waits for
 * processes to exit ("After 1.26s, these clients are still here:", the seconds counted from the start of the
 * shutdown), each followed by one indented "remaining client pid: N (path)" line per process still there, and
 * the `SIGTERM: [unix seconds]` line that ends the reboot. Newer iOS writes the client's path with the binary's
 * UUID as a last component, adds "All buffers flushed" to the SIGTERM line and rotates the log as `shutdown.0.log`.
 *
 * An ordinary phone's reboots hold a few Apple daemons, each listed once or twice; a planted client runs from
 * Pegasus's staging folder and outlives three or more notices (Kaspersky, "A lightweight method to detect
 * potential iOS malware", 2024).
 */
import type { Random } from './random.js';
import { forkRandom } from './random.js';

/** Apple daemons and stock apps seen holding up an ordinary reboot. */
export const ORDINARY_CLIENTS: readonly string[] = [
  '/usr/libexec/nfcd',
  '/usr/sbin/filecoordinationd',
  '/usr/libexec/coreduetd',
  '/usr/sbin/mediaserverd',
  '/usr/libexec/lsd',
  '/usr/libexec/routined',
  '/usr/libexec/dasd',
  '/usr/sbin/bluetoothd',
  '/usr/libexec/locationd',
  '/usr/libexec/keybagd',
  '/System/Library/PrivateFrameworks/CloudDocsDaemon.framework/Versions/A/Support/bird',
  '/System/Library/CoreServices/SpringBoard.app/SpringBoard',
  '/System/Library/PrivateFrameworks/IMCore.framework/imagent.app/imagent',
  '/System/Library/Frameworks/Photos.framework/photoanalysisd',
  '/Applications/MobileSafari.app/MobileSafari',
  '/private/var/containers/Bundle/Application/5C3B2A41-7E0D-4C51-9E1A-0F6B3D2E8C47/WhatsApp.app/WhatsApp',
  '/private/var/containers/Bundle/Application/9A1E4F27-2B8C-4D3E-8F60-1C7D5B9A3E21/Signal.app/Signal',
];

/** Where Pegasus staged its processes on the phones Kaspersky examined. */
export const PEGASUS_STAGING = '/private/var/db/com.apple.xpc.roleaccountd.staging';

export interface PlantedClient {
  /** Absolute path of the process's binary. */
  readonly path: string;
  /** Delay notices that list it (three or more is the published sign). */
  readonly notices: number;
}

export interface ShutdownReboot {
  /** When the SIGTERM was sent. */
  readonly at: Date;
  /** Processes that delay this reboot besides the ordinary ones. */
  readonly planted?: readonly PlantedClient[];
}

export interface ShutdownLogOptions {
  readonly seed: number;
  readonly reboots: readonly ShutdownReboot[];
  /** Write the binary's UUID as a last path component, as iOS 26 does. */
  readonly uuidSuffix?: boolean;
}

/** `n` ordinary reboots, one every `everyDays` days before `last`, at a plausible hour. */
export function ordinaryReboots(last: Date, n: number, everyDays = 3): ShutdownReboot[] {
  const out: ShutdownReboot[] = [];
  for (let i = n - 1; i >= 0; i--) out.push({ at: new Date(last.getTime() - i * everyDays * 86_400_000 - (i % 5) * 3_600_000) });
  return out;
}

/** The text of one shutdown log, reboots in the order given. */
export function shutdownLogText(options: ShutdownLogOptions): string {
  const rng = forkRandom(options.seed, 'shutdown.log');
  const uuids = new Map<string, string>();
  const shown = (path: string): string => {
    if (!options.uuidSuffix) return path;
    let uuid = uuids.get(path);
    if (uuid === undefined) uuids.set(path, (uuid = rng.uuid()));
    return `${path}/${uuid}`;
  };
  const lines: string[] = [];
  // Newer iOS also says the log buffers were flushed on the SIGTERM line.
  const flushed = options.uuidSuffix ? ' All buffers flushed' : '';
  for (const reboot of options.reboots) lines.push(...rebootLines(rng, reboot, shown, flushed));
  return `${lines.join('\n')}\n`;
}

function rebootLines(rng: Random, reboot: ShutdownReboot, shown: (path: string) => string, flushed: string): string[] {
  const planted = reboot.planted ?? [];
  // An ordinary reboot waits once or twice; a sticky client keeps the phone waiting until its last notice.
  const notices = Math.max(rng.int(1, 2), ...planted.map((p) => p.notices));
  const ordinary = pickDistinct(rng, ORDINARY_CLIENTS, rng.int(1, 4)).map((path) => ({ path, pid: rng.int(60, 900), notices: rng.int(1, Math.min(2, notices)) }));
  const clients = [...ordinary, ...planted.map((p) => ({ path: p.path, pid: rng.int(1000, 9000), notices: p.notices }))];
  const lines: string[] = [];
  let seconds = 0;
  for (let n = 0; n < notices; n++) {
    seconds += rng.int(45, 90) / 100;
    lines.push(`After ${seconds.toFixed(2)}s, these clients are still here:`);
    // A client leaves once it exits: those that wait longest are listed in the last notices too.
    for (const c of clients) if (n >= notices - c.notices) lines.push(`\t\tremaining client pid: ${c.pid} (${shown(c.path)})`);
  }
  lines.push(`SIGTERM: [${Math.floor(reboot.at.getTime() / 1000)}]${flushed}`);
  return lines;
}

function pickDistinct<T>(rng: Random, items: readonly T[], n: number): T[] {
  const pool = [...items];
  const out: T[] = [];
  while (out.length < n && pool.length > 0) out.push(pool.splice(rng.int(0, pool.length - 1), 1)[0]!);
  return out;
}
