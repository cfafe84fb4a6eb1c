/**
 * Whether a process named in a NetBase database (DataUsage.sqlite, netusage.sqlite) has a binary in the dump:
 * MVT's `_find_suspicious_processes` (reference-spec §7.2.3), made to stay quiet on a clean phone. The file
 * names come from the source once per run; this module only answers from them.
 */

/** The kernel keeps 16 characters of a process name (MAXCOMLEN), so a longer binary name is stored cut. */
export const processNameMaxChars = 16;

/**
 * Stock binaries every iOS system partition has: without them the dump holds the data partition only
 * (`/private/var`), where no daemon binary lives, and every daemon would look binary-less.
 */
const systemPartitionMarkers = ['launchd', 'SpringBoard'] as const;

/** Names iOS records without any executable of that name: the kernel and DataUsage's own running total. */
const namesWithoutBinary = new Set(['kernel_task', 'CumulativeUsageTracker']);

export interface BinaryIndex {
  readonly names: ReadonlySet<string>;
  readonly systemPartition: boolean;
  /** Whether some name starts with `prefix` (a cut process name): a binary search in the names sorted once. */
  hasNameStarting(prefix: string): boolean;
}

export function binaryIndexOf(names: ReadonlySet<string>): BinaryIndex {
  let sorted: string[] | undefined;
  return {
    names,
    systemPartition: systemPartitionMarkers.some((n) => names.has(n)),
    hasNameStarting(prefix) {
      sorted ??= [...names].sort();
      let lo = 0;
      let hi = sorted.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (sorted[mid]! < prefix) lo = mid + 1;
        else hi = mid;
      }
      return lo < sorted.length && sorted[lo]!.startsWith(prefix);
    },
  };
}

/**
 * True when a file carries the name; null when the dump cannot tell (no system partition). A name of the
 * `<binary or UUID>/<bundle id>` shape is found through any of its parts; a name of exactly 16 characters may
 * be cut, so any file name it starts is enough.
 */
export function binaryOnDisk(procName: string | null, index: BinaryIndex): boolean | null {
  if (!index.systemPartition) return null;
  if (!procName) return false;
  if (namesWithoutBinary.has(procName)) return true;
  const parts = procName.split('/').filter(Boolean);
  if (parts.some((p) => index.names.has(p))) return true;
  return parts.some((p) => p.length === processNameMaxChars && index.hasNameStarting(p));
}
