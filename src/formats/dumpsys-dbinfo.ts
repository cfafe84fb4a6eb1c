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

/** `[2023-07-27 12:21:44.097]` or `[07-15 20:27:39.431]`, matched at one position (sticky). */
const DATE = /\[((?:\d{4}-)?\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3})\]/y;
const PID = /\s*\[Pid:\((\d{1,10})\)\]/y;
const ACTION = /\s*([\w-]+)/y;

/**
 * One operation line: `N: [date] [Pid:(p)]action took … sql="…", path=…`. Read by position, without a regular
 * expression over the whole line: MVT's single pattern backtracks quadratically on a long line that lacks `sql="`.
 */
export function decodeOperation(line: string, path: string): DbinfoOperation | null {
  let at = line.indexOf('[');
  while (at !== -1) {
    DATE.lastIndex = at;
    const date = DATE.exec(line);
    if (date) {
      let next = DATE.lastIndex;
      PID.lastIndex = next;
      const pid = PID.exec(line);
      if (pid) next = PID.lastIndex;
      ACTION.lastIndex = next;
      const action = ACTION.exec(line);
      if (!action) return null;
      const sqlAt = line.indexOf('sql="', ACTION.lastIndex);
      if (sqlAt === -1) return null;
      const end = line.indexOf('"', sqlAt + 5);
      if (end === -1 || end === sqlAt + 5) return null;
      return { isodate: date[1]!, action: action[1]!, sql: line.slice(sqlAt + 5, end), path, ...(pid ? { pid: pid[1]! } : {}) };
    }
    at = line.indexOf('[', at + 1);
  }
  return null;
}

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
    const op = decodeOperation(line, pool);
    if (!op) continue;
    out.push(op);
    if (out.length >= MAX_DBINFO_OPERATIONS) break;
  }
  return out;
}
