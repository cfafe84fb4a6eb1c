/**
 * What a dumpstate (the text of a bugreport) says about the device, read line by line as it streams past:
 * the header (`== dumpstate: <time>`, `Build:`, `Build fingerprint:`) and the `------ SYSTEM PROPERTIES`
 * section (getprop output). Both Android 2.3-era and current dumpstates have them. The reader stops wanting
 * lines once the properties section has ended, so a caller can stop reading a 100 MB file there.
 */
import { decodeGetprop, MAX_GETPROP_LINES, type AndroidProperty } from './android-getprop.js';

/** The header is the first lines, before the first section; a real one is under 20 lines. */
const HEADER_LINES = 200;
/** Longer than any property line; a longer line is not one (the rest is cut). */
export const MAX_DUMPSTATE_LINE = 64 * 1024;

export interface DumpstateFacts {
  /** `== dumpstate: 2022-03-29 23:14:20`: when the report was taken, in the device's local time. */
  readonly takenAt?: string;
  /** `Build:` (the build id, `SP1A.210812.016`, or a ROM's name on old phones). */
  readonly build?: string;
  /** `Build fingerprint:`, quotes removed. */
  readonly fingerprint?: string;
  /** The 1-based line of the `------ SYSTEM PROPERTIES` header, when there is one. */
  readonly propertiesAt?: number;
  readonly properties: readonly AndroidProperty[];
  /** Lines inside the section that are not properties: count and first line. */
  readonly skipped: { readonly count: number; readonly firstLine?: number };
  /** The section had more than MAX_GETPROP_LINES lines; the rest was not read. */
  readonly truncated: boolean;
}

/** A section header of dumpstate: `------ NAME (command) ------`, and the duration lines that close one. */
const SECTION = /^------ /;

/** Feed lines in order with `push`; it returns false once nothing more is wanted. */
export class DumpstateFactsReader {
  private lineNo = 0;
  private state: 'header' | 'body' | 'properties' | 'done' = 'header';
  private takenAt: string | undefined;
  private build: string | undefined;
  private fingerprint: string | undefined;
  private propertiesAt: number | undefined;
  private readonly section: string[] = [];

  push(raw: string): boolean {
    this.lineNo++;
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (this.state === 'header' || this.state === 'body') {
      if (line.startsWith('------ SYSTEM PROPERTIES')) {
        this.state = 'properties';
        this.propertiesAt = this.lineNo;
        return true;
      }
      if (this.state === 'header') {
        if (this.lineNo > HEADER_LINES || SECTION.test(line) || line.startsWith('DUMP OF SERVICE')) this.state = 'body';
        else this.headerLine(line);
      }
      return true;
    }
    if (this.state === 'properties') {
      // Ends at the next section header, its own duration line (`------ 0.04s was the duration of …`) or `------`.
      if (line.startsWith('------') || this.section.length > MAX_GETPROP_LINES) {
        this.state = 'done';
        return false;
      }
      this.section.push(line);
      return true;
    }
    return false;
  }

  private headerLine(line: string): void {
    const taken = /^== dumpstate: (.+)$/.exec(line);
    if (taken) this.takenAt ??= taken[1]!.trim();
    else if (line.startsWith('Build fingerprint:')) this.fingerprint ??= unquote(line.slice('Build fingerprint:'.length));
    else if (line.startsWith('Build:')) this.build ??= line.slice('Build:'.length).trim();
  }

  result(): DumpstateFacts {
    const decoded = decodeGetprop(this.section.join('\n'));
    const offset = this.propertiesAt ?? 0;
    const properties = decoded.properties.map((p) => ({ ...p, line: p.line + offset }));
    const first = decoded.skipped[0];
    return {
      ...(this.takenAt !== undefined ? { takenAt: this.takenAt } : {}),
      ...(this.build ? { build: this.build } : {}),
      ...(this.fingerprint ? { fingerprint: this.fingerprint } : {}),
      ...(this.propertiesAt !== undefined ? { propertiesAt: this.propertiesAt } : {}),
      properties,
      skipped: { count: decoded.skipped.length, ...(first ? { firstLine: first.line + offset } : {}) },
      truncated: decoded.truncated || this.section.length > MAX_GETPROP_LINES,
    };
  }
}

function unquote(text: string): string {
  return text.trim().replace(/^'(.*)'$/, '$1');
}

/** Every fact of a dumpstate held as a string (tests, small files). */
export function decodeDumpstateFacts(text: string): DumpstateFacts {
  const reader = new DumpstateFactsReader();
  for (const line of text.split('\n')) if (!reader.push(line.slice(0, MAX_DUMPSTATE_LINE))) break;
  return reader.result();
}

/**
 * The fields of a build fingerprint, `brand/product/device:release/build-id/incremental:type/tags`
 * (`samsung/a10eea/a10:11/RP1A.200720.012/A105:user/release-keys`), or null when it has another shape.
 */
export function parseFingerprint(fp: string): { brand: string; product: string; device: string; release: string; buildId: string } | null {
  const m = /^([^/]+)\/([^/]+)\/([^:/]+):([^/]+)\/([^/]+)\/[^:]*:/.exec(fp);
  return m ? { brand: m[1]!, product: m[2]!, device: m[3]!, release: m[4]!, buildId: m[5]! } : null;
}

/**
 * A dumpstate's first bytes: its banner, `== dumpstate: 2011-…`, as the first line or below a rule of `=`
 * (how every dumpstate since Android 1 begins). Binary data is never one.
 */
export function looksLikeDumpstateHead(head: Buffer): boolean {
  if (head.includes(0)) return false;
  const [first = '', second = ''] = head.toString('latin1').split('\n', 2).map((l) => l.replace(/\r$/, ''));
  const banner = (l: string) => /^== dumpstate: \d{4}-\d{2}-\d{2}/.test(l);
  return banner(first) || (/^={8,}$/.test(first) && banner(second));
}
