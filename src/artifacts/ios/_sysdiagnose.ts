/**
 * What every sysdiagnose artifact needs to know about the collection itself: when it ran and the phone's UTC
 * offset then, both read from the folder name (`sysdiagnose_2024.01.02_03-04-05+0200_iPhone-OS_iPhone_21C66`).
 * Logs inside write local wall-clock times with no zone; this offset is the only one the archive states.
 */
import { basename } from 'node:path';
import type { EvidenceFile } from '../../evidence/source.js';
import { Moment } from '../../formats/time.js';
import type { ParseContext } from '../artifact.js';

export interface SysdiagnoseClock {
  /** The collection time (UTC). */
  readonly collectedAt: Moment;
  /** Minutes east of UTC at collection time (`+0200` → 120). */
  readonly offsetMinutes: number;
}

const NAME = /sysdiagnose_(\d{4})\.(\d{2})\.(\d{2})_(\d{2})-(\d{2})-(\d{2})([+-])(\d{2})(\d{2})/;

/** The clock a sysdiagnose folder or archive name states, or null for any other name. */
export function sysdiagnoseClock(name: string): SysdiagnoseClock | null {
  const m = NAME.exec(name);
  if (!m) return null;
  const [, y, mo, d, h, mi, s, sign, oh, om] = m;
  const offsetMinutes = (sign === '-' ? -1 : 1) * (Number(oh) * 60 + Number(om));
  const local = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  const collectedAt = Moment.fromUnixSeconds(local / 1000 - offsetMinutes * 60, 'iso', m[0]);
  return collectedAt ? { collectedAt, offsetMinutes } : null;
}

/** The clock of the sysdiagnose being read: its root's name, else the folder inside the archive that holds it. */
export function clockOf(ctx: ParseContext): SysdiagnoseClock | null {
  const info = ctx.source.describe();
  return sysdiagnoseClock(basename(info.root)) ?? (info.container?.prefix ? sysdiagnoseClock(info.container.prefix) : null);
}

/** A local wall-clock time (fields as written) turned into a Moment with the collection's offset. */
export function localMoment(fields: { year: number; month: number; day: number; hour: number; minute: number; second: number; micros?: number }, offsetMinutes: number, raw: string): Moment | null {
  const { year, month, day, hour, minute, second } = fields;
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return null;
  const local = Date.UTC(year, month - 1, day, hour, minute, second) / 1000;
  return Moment.fromUnixSeconds(local - offsetMinutes * 60 + (fields.micros ?? 0) / 1e6, 'iso', raw);
}

/** The file's name inside the sysdiagnose (`ps.txt`, `mobile_installation.log.1`). */
export function fileName(file: EvidenceFile): string {
  return basename(file.ref.storedPath);
}

/** Refuses to read more than `max` bytes of a text file whose size the file system reports. */
export async function readBoundedText(ctx: ParseContext, file: EvidenceFile, max: number, what: string): Promise<string | null> {
  if (file.size !== undefined && file.size > max) {
    ctx.warn({ code: 'corrupted', file, message: `${what}: ${file.size} bytes, more than the ${max} a real one holds; not read` });
    return null;
  }
  const data = await ctx.source.read(file);
  if (data.length > max) {
    ctx.warn({ code: 'corrupted', file, message: `${what}: ${data.length} bytes, more than the ${max} a real one holds; not read` });
    return null;
  }
  if (data.subarray(0, 4096).includes(0)) {
    ctx.warn({ code: 'corrupted', file, message: `${what}: binary data where text was expected; not read` });
    return null;
  }
  return data.toString('utf8');
}
