import { loadIndicators } from '../indicators/load.js';

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
  if (flags.json) {
    const out = {
      files: loaded.files.map((f) => ({ path: f.path, sha256: f.sha256, indicators: f.indicators, collections: f.collections, skipped: f.skipped })),
      rejected: loaded.rejected,
      total: loaded.total,
    };
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  } else {
    for (const f of loaded.files) {
      process.stdout.write(`${String(f.indicators).padStart(6)} indicators  ${String(f.collections).padStart(2)} collection(s)  ${f.skipped ? `${f.skipped} skipped  ` : ''}${f.path}\n`);
    }
    for (const r of loaded.rejected) process.stdout.write(`rejected: ${r.reason}\n`);
    process.stdout.write(`${loaded.total} indicators from ${loaded.files.length} file(s)${loaded.rejected.length ? `, ${loaded.rejected.length} rejected` : ''}\n`);
  }
  return loaded.files.length === 0 && flags.iocs.length > 0 ? 2 : 0;
}
