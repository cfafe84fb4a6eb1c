/**
 * Where an iOS executable should never live. Shared by every rule that sees a process's path (shutdown.log
 * clients, process lists, crash reports), so they agree on one policy and one explanation.
 *
 * iOS runs code from the sealed system volume (/System, /usr, /sbin, /bin, /Applications, /Developer), the
 * cryptexes under /private/preboot, app bundles under /private/var/containers/Bundle and staged system apps.
 * Pegasus ran its processes from /private/var/db/ (`com.apple.xpc.roleaccountd.staging`) and Reign and Predator
 * from /private/var/tmp/; Kaspersky's shutdown.log research (2024) lists both folders as the tell.
 */

export interface SuspiciousFolder {
  /** The folder matched, as written in the policy (`/private/var/db/`). */
  readonly folder: string;
  /** Who was seen running from there. */
  readonly seen: string;
}

export const pathPolicySource =
  'https://securelist.com/shutdown-log-lightweight-ios-malware-detection-method/111734/ ; https://www.amnesty.org/en/latest/research/2021/07/forensic-methodology-report-how-to-catch-nso-groups-pegasus/';

/** Writable data folders from which spyware executables were run; `/var` and `/tmp` are links into /private/var. */
const SUSPICIOUS: readonly SuspiciousFolder[] = [
  { folder: '/private/var/db/', seen: 'Pegasus (e.g. /private/var/db/com.apple.xpc.roleaccountd.staging/)' },
  { folder: '/private/var/tmp/', seen: 'Reign and Predator' },
];

const ALIASES: readonly [string, string][] = [
  ['/var/', '/private/var/'],
  ['/tmp/', '/private/var/tmp/'],
];

/** The path as the kernel would resolve it through the standard links (`/var/db/x` → `/private/var/db/x`). */
export function canonicalDevicePath(path: string): string {
  for (const [alias, target] of ALIASES) if (path.startsWith(alias)) return target + path.slice(alias.length);
  return path;
}

/**
 * Where iOS runs code from: the sealed system volume (`/System/`, `/usr/`, `/sbin/`, `/bin/`, `/Applications/`),
 * the cryptexes iOS 16+ updates apart from it (Safari, WebKit), App Store and TestFlight bundles, the Apple apps
 * iOS 17+ stages outside the system volume, and the developer disk image while Xcode is connected.
 */
const ORDINARY: readonly string[] = [
  '/System/',
  '/usr/',
  '/sbin/',
  '/bin/',
  '/Applications/',
  '/private/preboot/Cryptexes/',
  '/private/var/containers/Bundle/Application/',
  '/private/var/staged_system_apps/',
  '/Developer/',
];

/** True for an absolute executable path in one of iOS's own code locations; `/kernel` is how newer iOS names pid 0. */
export function ordinaryLocation(path: string): boolean {
  const p = canonicalDevicePath(path);
  return p === '/kernel' || p.startsWith('/kernel/') || ORDINARY.some((folder) => p.startsWith(folder));
}

/** The suspicious folder an executable path sits in, or null (relative names and ordinary locations). */
export function suspiciousFolder(path: string): SuspiciousFolder | null {
  const p = canonicalDevicePath(path);
  return SUSPICIOUS.find((s) => p.startsWith(s.folder)) ?? null;
}
