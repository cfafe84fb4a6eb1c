/**
 * `mobile_installation.log` (and its rotations `.0`, `.1`, …): installd's text log, kept in a sysdiagnose under
 * logs/MobileInstallation/. Each entry starts `Wed Aug 11 05:51:02 2021 [176] <notice> (0x16bae7000) method: text`
 * in the phone's local time with no zone; an entry may run over several lines (a dictionary printed in it). The
 * decoder keeps the entries that say something about an app: installed, updated, removed, its containers made
 * live or destroyed, and the reboots that date them.
 */

export type InstallEventKind =
  /** `Installing <MIInstallableBundle ID=…; Version=…, ShortVersion=…>`: an install or update starts. */
  | 'installing'
  /** `Install Successful for (Customer:com.x)`: the install type (Customer, Placeholder, System, …) is kept. */
  | 'install_succeeded'
  /** `Attempting Delta patch update of com.x from …`: an App Store update applied as a patch. */
  | 'update'
  /** `Uninstall requested by <process> (pid N …) for identity [com.x…]`: who asked for the removal. */
  | 'uninstall_requested'
  /** `Uninstalling identifier com.x`. */
  | 'uninstall'
  /** `Destroying container com.x … at /private/var/…`. */
  | 'container_destroyed'
  /** `Made container live for com.x at /private/var/…`. */
  | 'container_live'
  /** `main: Reboot detected`. */
  | 'reboot';

export interface InstallLogEvent {
  /** 1-based line of the entry's first line. */
  readonly line: number;
  readonly event: InstallEventKind;
  /** The local time as written (`Wed Aug 11 05:51:02 2021`) and its fields. */
  readonly local_time: string;
  readonly local: { year: number; month: number; day: number; hour: number; minute: number; second: number };
  /** installd's (or the writer's) pid and the entry's level (`notice`, `err`, …). */
  readonly pid: number;
  readonly level: string;
  readonly bundle_id: string | null;
  readonly version: string | null;
  /** Install Successful's type (`Customer`, `Placeholder`, `System`) or the update kind (`Delta`, `Parallel`). */
  readonly install_type: string | null;
  /** The process that asked for an uninstall (`installcoordinationd`, `SpringBoard`, …). */
  readonly requested_by: string | null;
  readonly container_path: string | null;
  /** The entry's text after the method name, cut to `maxTextChars`. */
  readonly text: string;
}

export interface InstallLog {
  readonly events: InstallLogEvent[];
  /** Entries read but about nothing we keep. */
  readonly other: number;
  /** Lines before the first dated entry, or otherwise not part of an entry. */
  readonly unreadable: { line: number; text: string }[];
  readonly truncated: boolean;
}

export interface InstallLogLimits {
  readonly maxLines: number;
  readonly maxLineChars: number;
  readonly maxTextChars: number;
}

/** Real logs hold a few thousand lines per rotation; a line is at most a few KB. */
export const installLogLimits: InstallLogLimits = { maxLines: 1_000_000, maxLineChars: 16_384, maxTextChars: 1_000 };

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const ENTRY = /^((?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) +(\d{1,2}) (\d{2}):(\d{2}):(\d{2}) (\d{4})) \[(\d+)\] <(\w+)> \(0x[0-9a-fA-F]+\) (.*)$/;

export class InstallLogError extends Error {}

export function decodeInstallLog(text: string, limits: InstallLogLimits = installLogLimits): InstallLog {
  const lines = text.split(/\r?\n/);
  const last = Math.min(lines.length, limits.maxLines);
  const events: InstallLogEvent[] = [];
  const unreadable: { line: number; text: string }[] = [];
  let other = 0;
  let entries = 0;
  for (let i = 0; i < last; i++) {
    const raw = lines[i]!.length > limits.maxLineChars ? lines[i]!.slice(0, limits.maxLineChars) : lines[i]!;
    const m = ENTRY.exec(raw);
    if (!m) {
      // Continuation lines of a multi-line entry belong to it; before any entry, they are not this log.
      if (entries === 0 && raw.trim() !== '') unreadable.push({ line: i + 1, text: raw.slice(0, 80) });
      continue;
    }
    entries++;
    const body = stripMethod(m[10]!);
    const found = classify(body);
    if (!found) {
      other++;
      continue;
    }
    events.push({
      line: i + 1,
      event: found.event,
      local_time: m[1]!,
      local: { year: Number(m[7]), month: MONTHS.indexOf(m[2]!) + 1, day: Number(m[3]), hour: Number(m[4]), minute: Number(m[5]), second: Number(m[6]) },
      pid: Number(m[8]),
      level: m[9]!,
      bundle_id: found.bundle_id ?? null,
      version: found.version ?? null,
      install_type: found.install_type ?? null,
      requested_by: found.requested_by ?? null,
      container_path: found.container_path ?? null,
      text: body.length > limits.maxTextChars ? body.slice(0, limits.maxTextChars) : body,
    });
  }
  if (entries === 0 && unreadable.length > 0) throw new InstallLogError(`line ${unreadable[0]!.line}: no dated entry ("Wed Aug 11 05:51:02 2021 [pid] <level> (0x…) …") in the file`);
  return { events, other, unreadable, truncated: lines.length > last };
}

/** `-[MIInstaller performInstallationWithError:]: text` → `text`; the method's own colons sit inside brackets. */
function stripMethod(message: string): string {
  const close = message.startsWith('-[') || message.startsWith('+[') ? message.indexOf(']') : -1;
  const sep = message.indexOf(': ', Math.max(0, close));
  return sep < 0 ? message : message.slice(sep + 2);
}

type Found = { event: InstallEventKind } & Partial<Pick<InstallLogEvent, 'bundle_id' | 'version' | 'install_type' | 'requested_by' | 'container_path'>>;

/** Every repetition is bounded: a hostile 16 KB line must not make a pattern backtrack quadratically. */
const PATTERNS: readonly [RegExp, (m: RegExpExecArray) => Found][] = [
  [/^Installing <MIInstallableBundle ID=([^;>\s]+); Version=([^,>]*), ShortVersion=([^>]*)>/, (m) => ({ event: 'installing', bundle_id: m[1]!, version: m[3]! || m[2]! })],
  [/^Install Successful for \((?:(\w+):)?([^)\s]+)\)/, (m) => ({ event: 'install_succeeded', bundle_id: m[2]!, install_type: m[1] ?? null })],
  [/^Attempting (\w+) patch update of (\S+) from (\S+)/, (m) => ({ event: 'update', bundle_id: m[2]!, install_type: m[1]!, version: m[3]! })],
  [/^Uninstall requested by ([^(]{1,200}?) \(pid \d+[^\n]{0,200}? for (?:identity \[|identifier )([^\]\s/,]+)/, (m) => ({ event: 'uninstall_requested', requested_by: m[1]!, bundle_id: m[2]! })],
  [/^Uninstalling identifier (\S+)/, (m) => ({ event: 'uninstall', bundle_id: m[1]! })],
  [/^Destroying container (?:with identifier )?(\S{1,300})(?: with persona [^\n]{0,200}?)? at (\/\S+)/, (m) => ({ event: 'container_destroyed', bundle_id: m[1]!, container_path: m[2]! })],
  [/^Made container live for (\S+) at (\/\S+)/, (m) => ({ event: 'container_live', bundle_id: m[1]!, container_path: m[2]! })],
  [/^Reboot detected/, () => ({ event: 'reboot' })],
];

function classify(body: string): Found | null {
  for (const [re, make] of PATTERNS) {
    const m = re.exec(body);
    if (m) return make(m);
  }
  return null;
}
