/**
 * What the browser and WebKit artifacts share: where the stores live (backup paths and full-dump globs),
 * Chrome's 1601-based microsecond clock read without losing precision, and row locators that say when a
 * row exists only in the WAL.
 */
import type { EvidenceFile, FileSpec } from '../../evidence/source.js';
import type { SqliteHandle } from '../../evidence/sqlite.js';
import { Moment } from '../../formats/time.js';
import type { ArtifactInputs, RecordSource } from '../artifact.js';
import { num } from '../_read.js';

/** Third-party app data on a full dump: `…/Containers/Data/Application/<UUID>/<relativePath>`. */
export function appContainerGlob(relativePath: string): FileSpec {
  return { by: 'device-glob', pattern: `private/var/mobile/Containers/Data/Application/*/${relativePath}` };
}

/**
 * Safari keeps one store per profile (iOS 17+: `Profiles/<UUID>/`) beside the default one, in HomeDomain
 * on iOS before 17 and in the Safari app container after. Every copy is read (`inputMode: 'all'`).
 */
export function safariInputs(fileName: string): ArtifactInputs {
  return {
    'ios-backup': [
      { by: 'backup-any-domain', relativePath: `Library/Safari/${fileName}` },
      { by: 'backup-any-domain', relativePath: `Library/Safari/Profiles/*/${fileName}` },
    ],
    'ios-fs': [
      { by: 'device-glob', pattern: `private/var/mobile/Library/Safari/${fileName}` },
      { by: 'device-glob', pattern: `private/var/mobile/Library/Safari/Profiles/*/${fileName}` },
      appContainerGlob(`Library/Safari/${fileName}`),
      appContainerGlob(`Library/Safari/Profiles/*/${fileName}`),
    ],
  };
}

const CHROME_TO_UNIX_MICROS = 11_644_473_600_000_000n;

/**
 * Chrome stores microseconds since 1601 as 64-bit integers around 1.3e16, above 2^53: as a JS number every
 * odd value is off by one microsecond. Read with `safeIntegers` (a BigInt), the conversion is exact.
 */
export function chromeMoment(raw: unknown): Moment | null {
  if (typeof raw !== 'bigint') {
    const n = num(raw);
    return n ? chromeMoment(BigInt(Math.trunc(n))) : null;
  }
  if (raw === 0n) return null;
  const unixMicros = raw - CHROME_TO_UNIX_MICROS;
  const whole = unixMicros / 1_000_000n;
  const rest = unixMicros % 1_000_000n;
  return Moment.fromUnixSeconds(Number(whole) + Number(rest) / 1e6, 'chrome', Number(raw));
}

/** Locates a row, marking the ones a WAL replay added (evidence a plain copy of the main file would miss). */
export function rowSource(db: SqliteHandle, file: EvidenceFile, table: string, rowid: number | null): RecordSource {
  const inWal = rowid !== null && db.walApplied && db.walOnlyRowids(table).has(rowid);
  return { file, at: inWal ? { table, rowid, inWal: true } : { table, rowid } };
}
