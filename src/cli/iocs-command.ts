import { type LoadedIndicators, loadIndicators } from '../indicators/load.js';

export interface IocsListFlags {
  iocs: string[];
  defaultIocs: boolean;
  json?: true;
}

export async function runIocsList(flags: IocsListFlags): Promise<number> {
  const loaded = await loadIndicators({
    paths: flags.iocs,
    env: flags.defaultIocs ? process.env.TRACEHOUND_IOCS : undefined,
    userDir: flags.defaultIocs ? undefined : null,
  });
  process.stdout.write(flags.json ? `${JSON.stringify(iocsListJson(loaded), null, 2)}\n` : iocsListText(loaded));
  return loaded.files.length === 0 && flags.iocs.length > 0 ? 2 : 0;
}

/** Skipped indicators shown under each file in the text listing; `--json` has them all. */
const SKIPPED_SHOWN_PER_FILE = 10;

export function iocsListJson(loaded: LoadedIndicators): object {
  return {
    files: loaded.files.map((f) => ({
      path: f.path,
      sha256: f.sha256,
      indicators: f.indicators,
      collections: f.collections,
      skipped: f.skipped,
      skippedPatterns: f.skippedPatterns,
      // Loaded once: this path holds the same bytes as an earlier one, whose counts it shares.
      ...(f.duplicateOf === undefined ? {} : { duplicateOf: f.duplicateOf }),
    })),
    rejected: loaded.rejected,
    total: loaded.total,
  };
}

/** A pattern on one line: JSON quoting escapes newlines; long patterns are cut. */
function shown(pattern: string): string {
  const MAX_SHOWN_CHARS = 100;
  return JSON.stringify(pattern.length > MAX_SHOWN_CHARS ? `${pattern.slice(0, MAX_SHOWN_CHARS)}…` : pattern);
}

export function iocsListText(loaded: LoadedIndicators): string {
  const lines: string[] = [];
  for (const f of loaded.files) {
    if (f.duplicateOf !== undefined) {
      lines.push(`${'='.padStart(6)}  ${f.path}: duplicate of ${f.duplicateOf} (same content, loaded once)`);
      continue;
    }
    lines.push(`${String(f.indicators).padStart(6)} indicators  ${String(f.collections).padStart(2)} collection(s)  ${f.skipped ? `${f.skipped} skipped  ` : ''}${f.path}`);
    for (const s of f.skippedPatterns.slice(0, SKIPPED_SHOWN_PER_FILE)) lines.push(`        skipped ${shown(s.pattern)}: ${s.reason}`);
    if (f.skipped > SKIPPED_SHOWN_PER_FILE) lines.push(`        … and ${f.skipped - SKIPPED_SHOWN_PER_FILE} more skipped (see --json)`);
  }
  for (const r of loaded.rejected) lines.push(`rejected: ${r.reason}`);
  const fileCount = loaded.files.filter((f) => f.duplicateOf === undefined).length;
  const duplicates = loaded.files.length - fileCount;
  const extras = [duplicates ? `${duplicates} duplicate(s)` : '', loaded.rejected.length ? `${loaded.rejected.length} rejected` : ''].filter((x) => x !== '');
  lines.push(`${loaded.total} indicators from ${fileCount} file(s)${extras.length ? `, ${extras.join(', ')}` : ''}`);
  return `${lines.join('\n')}\n`;
}
