/**
 * `dumpsys package` (reference-spec §10.3): three readings of one section.
 *
 * - `decodePackages`: the `Packages:` list, one record per `  Package [name]` block (uid, versions, install
 *   times, installer, the SYSTEM flag, permissions). Per-user values (first install time, runtime permissions)
 *   are taken for user 0, else the lines before any `User N:`, else the first user seen.
 * - `decodeResolverTable(text, 'Activity')` / `'Receiver'`: the `Non-Data Actions:` part of the activity and
 *   receiver resolver tables: which component answers which intent action. A receiver of
 *   `android.provider.Telephony.SMS_RECEIVED` reads every incoming SMS.
 *
 * Install times are the device's local wall clock as printed (`2008-12-31 16:00:00`), kept as text.
 */
import { packageOf } from './dumpsys-accessibility.js';

export interface PackagePermission {
  readonly name: string;
  /** null when the line does not say (declared permissions). */
  readonly granted: boolean | null;
  readonly type: 'install' | 'runtime' | 'declared';
}

export interface DumpsysPackage {
  readonly package_name: string;
  readonly uid: string;
  readonly version_name: string;
  /** The whole text after `versionCode=` (`500700000 minSdk=28 targetSdk=28`), as MVT keeps it. */
  readonly version_code: string;
  readonly timestamp: string;
  readonly first_install_time: string;
  readonly last_update_time: string;
  readonly installer: string;
  readonly system: boolean;
  readonly permissions: readonly PackagePermission[];
  readonly requested_permissions: readonly string[];
}

export const MAX_PACKAGES = 100_000;
export const MAX_RESOLVER_ENTRIES = 500_000;

const PACKAGE_HEADER = /^ {2}Package \[(.+?)\]/;

export function decodePackages(text: string): DumpsysPackage[] {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l.trim() === 'Packages:');
  if (start === -1) return [];
  const out: DumpsysPackage[] = [];
  let block: string[] | null = null;
  let name = '';
  const flush = () => {
    if (block && out.length < MAX_PACKAGES) out.push(decodePackageBlock(name, block));
    block = null;
  };
  for (let i = start + 1; i < lines.length; i++) {
    const line = lines[i]!.replace(/\r$/, '');
    if (line.trim() === '') break;
    const m = PACKAGE_HEADER.exec(line);
    if (m) {
      flush();
      name = m[1]!;
      block = [];
      continue;
    }
    block?.push(line);
  }
  flush();
  return out;
}

/** Per-user values: '' is "before any User N: line". */
class PerUser<T> {
  private readonly byUser = new Map<string, T>();
  set(user: string, value: T): void {
    if (!this.byUser.has(user)) this.byUser.set(user, value);
  }
  get(user: string): T | undefined {
    return this.byUser.get(user);
  }
  pick(): T | undefined {
    if (this.byUser.has('0')) return this.byUser.get('0');
    if (this.byUser.has('')) return this.byUser.get('');
    return this.byUser.values().next().value;
  }
}

const indent = (line: string) => line.length - line.trimStart().length;

function decodePackageBlock(packageName: string, lines: readonly string[]): DumpsysPackage {
  const fields = { uid: '', version_name: '', version_code: '', timestamp: '', last_update_time: '', installer: '' };
  let system = false;
  const firstInstall = new PerUser<string>();
  const runtime = new PerUser<PackagePermission[]>();
  const install: PackagePermission[] = [];
  const declared: PackagePermission[] = [];
  const requested: string[] = [];
  let user = '';
  let list: 'install' | 'runtime' | 'declared' | 'requested' | null = null;
  for (const line of lines) {
    const t = line.trim();
    const depth = indent(line);
    const userMatch = /^User (\d+):/.exec(t);
    if (userMatch && depth <= 4) {
      user = userMatch[1]!;
      list = null;
      continue;
    }
    if (list !== null) {
      const expected = list === 'runtime' ? 8 : 6;
      if (depth >= expected && t !== '') {
        if (list === 'requested') requested.push(t.split(/\s/)[0]!.replace(/:$/, '')); // `android.permission.READ_SMS: restricted=true`
        else {
          const p = permissionOf(t, list);
          if (list === 'install') install.push(p);
          else if (list === 'declared') declared.push(p);
          else {
            let mine = runtime.get(user);
            if (!mine) runtime.set(user, (mine = []));
            mine.push(p);
          }
        }
        continue;
      }
      list = null;
    }
    if (t === 'install permissions:') list = 'install';
    else if (t === 'runtime permissions:') list = 'runtime';
    else if (t === 'declared permissions:') list = 'declared';
    else if (t === 'requested permissions:') list = 'requested';
    else if (t.startsWith('userId=')) fields.uid = valueOf(t).split(/\s/)[0]!;
    else if (t.startsWith('versionName=')) fields.version_name = valueOf(t);
    else if (t.startsWith('versionCode=')) fields.version_code = valueOf(t);
    else if (t.startsWith('timeStamp=')) fields.timestamp = valueOf(t);
    else if (t.startsWith('firstInstallTime=')) firstInstall.set(user, valueOf(t));
    else if (t.startsWith('lastUpdateTime=')) fields.last_update_time = valueOf(t);
    else if (t.startsWith('installerPackageName=')) fields.installer = valueOf(t);
    else if (t.startsWith('pkgFlags=')) system = valueOf(t).split(/[\s[\]]+/).includes('SYSTEM');
  }
  return {
    package_name: packageName,
    ...fields,
    first_install_time: firstInstall.pick() ?? '',
    system,
    permissions: [...install, ...(runtime.pick() ?? []), ...declared],
    requested_permissions: requested,
  };
}

function valueOf(t: string): string {
  return t.slice(t.indexOf('=') + 1);
}

/** `android.permission.CAMERA: granted=false, flags=[ … ]` */
function permissionOf(t: string, type: PackagePermission['type']): PackagePermission {
  const colon = t.indexOf(':');
  const name = colon === -1 ? t : t.slice(0, colon);
  const g = /granted=(true|false)/.exec(t);
  return { name, granted: g ? g[1] === 'true' : null, type };
}

export interface ResolverEntry {
  /** The intent action (`android.provider.Telephony.SMS_RECEIVED`). */
  readonly intent: string;
  readonly package_name: string;
  /** The component, `package/class` (`com.android.mms/.transaction.SmsReceiver`). */
  readonly component: string;
}

/**
 * The `Non-Data Actions:` part of `<kind> Resolver Table:`: a 6-space `action:` line opens an intent (also a
 * lone `action:` at another indentation, which some phones print), 8-space lines are `<hash> <component>`,
 * and a blank line ends the part.
 */
export function decodeResolverTable(text: string, kind: 'Activity' | 'Receiver'): ResolverEntry[] {
  const out: ResolverEntry[] = [];
  const lines = text.split('\n');
  let i = lines.findIndex((l) => l.trim() === `${kind} Resolver Table:`);
  if (i === -1) return out;
  while (++i < lines.length && lines[i]!.replace(/\r$/, '') !== '  Non-Data Actions:') {
    // A resolver table ends at the next unindented header before its Non-Data Actions part.
    if (lines[i]!.trim() !== '' && indent(lines[i]!) === 0) return out;
  }
  let intent: string | null = null;
  for (i++; i < lines.length; i++) {
    const line = lines[i]!.replace(/\r$/, '');
    const t = line.trim();
    if (t === '') break;
    const tokens = t.split(/\s+/);
    if (tokens.length === 1) {
      if (t.endsWith(':')) intent = t.slice(0, -1);
      continue;
    }
    if (intent !== null && indent(line) >= 8) {
      const component = tokens[1]!;
      out.push({ intent, package_name: packageOf(component), component });
      if (out.length >= MAX_RESOLVER_ENTRIES) break;
      continue;
    }
    intent = null;
  }
  return out;
}
