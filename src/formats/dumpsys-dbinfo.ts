/**
 * `dumpsys dbinfo` (reference-spec §10.3): the SQL statements apps recently ran on their databases, with the
 * database path (which names the app). Times are the device's local wall clock, as printed, without a year on
 * older Android (`07-15 20:27:39.431`), so they are kept as text.
 */

export interface DbinfoOperation {
  /** As printed: `2021-07-15 20:27:39.431` or `07-15 20:27:39.431` (device local time). */
  readonly isodate: string;
  readonly action: string;
  readonly sql: string;
  /** The database of the connection pool (`/data/user/0/com.x/databases/x.db`). */
  readonly path: string;
  readonly pid?: string;
}

export const MAX_DBINFO_OPERATIONS = 100_000;

/** Bounded quantifiers only: a hostile line costs linear time. */
const OPERATION = /\[((?:\d{4}-)?\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3})\]\s*(?:\[Pid:\((\d+)\)\])?([\w-]+)[^\n]*?sql="([^"\n]+)"/;

export function decodeDbinfo(text: string): DbinfoOperation[] {
  const out: DbinfoOperation[] = [];
  let pool = '';
  let inOperations = false;
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (trimmed.startsWith('Connection pool for ')) {
      pool = trimmed.slice('Connection pool for '.length).replace(/:$/, '');
      inOperations = false;
      continue;
    }
    if (trimmed.startsWith('Most recently executed operations:')) {
      inOperations = true;
      continue;
    }
    if (!inOperations) continue;
    if (!line.startsWith('        ')) {
      inOperations = false;
      continue;
    }
    const m = OPERATION.exec(line.length > 65_536 ? line.slice(0, 65_536) : line);
    if (!m) continue;
    out.push({ isodate: m[1]!, action: m[3]!, sql: m[4]!, path: pool, ...(m[2] !== undefined ? { pid: m[2] } : {}) });
    if (out.length >= MAX_DBINFO_OPERATIONS) break;
  }
  return out;
}
