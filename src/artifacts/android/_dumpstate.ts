/**
 * What every artifact reading a bugreport's dumpstate shares: the file streamed line by line (a dumpstate is
 * 100 MB+), lines bounded, and read to its end even when the artifact stops early, so the input log holds the
 * whole file's hash. Inputs: `'android-bugreport': [{ by: 'dumpstate' }]`.
 */
import { Readable } from 'node:stream';
import type { EvidenceFile } from '../../evidence/source.js';
import { MAX_DUMPSTATE_LINE } from '../../formats/dumpstate-facts.js';
import { forEachLine, type LineStats } from '../../formats/lines.js';
import type { ParseContext } from '../artifact.js';

/** Calls `onLine` with each line and its 1-based number until it returns false (or the run is aborted). */
export async function eachDumpstateLine(ctx: ParseContext, file: EvidenceFile, onLine: (line: string, lineNo: number) => boolean): Promise<LineStats> {
  const stream = ctx.source.stream ? await ctx.source.stream(file) : Readable.from([await ctx.source.read(file)]);
  let n = 0;
  return forEachLine(stream, MAX_DUMPSTATE_LINE, (line) => !ctx.signal.aborted && onLine(line, ++n), { drain: !ctx.signal.aborted });
}
