/**
 * What every dumpsys artifact shares: finding androidqf's `dumpsys.txt` or a bugreport's dumpstate file,
 * splitting it into sections once per run, and handing one section to the artifact's pure decoder.
 *
 * One split per run: the first dumpsys artifact to ask streams the file once through the section scanner
 * (`formats/dumpstate-sections.ts`), which keeps the offsets of every section and the bytes of the services
 * the text decoders read (`KEPT_SERVICES`, each bounded); the others reuse that split. The file itself is never
 * held (a dumpstate is 20 to 150 MB, mostly battery history): a section decoded line by line (`batterystats`,
 * `parseDumpsysLines`) is read again by its offsets (`Source.streamRange`), without holding it either. The
 * cache is a WeakMap keyed by the Source object (one per run, shared by every artifact of it), holding per
 * stored path the promise of the split, so artifacts parsed concurrently wait for the same pass. It is
 * dropped with the Source at the end of the run.
 */
import { Readable } from 'node:stream';
import type { EvidenceFile, FileSpec } from '../../evidence/source.js';
import { deviceTimeZone } from '../../evidence/device-zone.js';
import { MAX_DUMPSTATE_LINE } from '../../formats/dumpstate-facts.js';
import { forEachSectionLine, SectionScanner, textOf, type SectionIndex } from '../../formats/dumpstate-sections.js';
import type { LineDecoder } from '../../formats/lines.js';
import type { ArtifactInputs, ParseContext, Parsed } from '../artifact.js';
import { at } from '../_read.js';
import { aqfName } from './_aqf.js';

/**
 * A bugreport's dumpstate (wherever the bugreport source finds it); in androidqf, the dumpstate of its
 * `bugreport.zip` (what MVT reads there), else its own `dumpsys.txt` (which MVT does not read): the first found
 * only, so one phone's services are not counted twice.
 */
export const DUMPSYS_INPUTS: ArtifactInputs = {
  'android-androidqf': [{ by: 'dumpstate' } satisfies FileSpec, { by: 'path-glob', pattern: 'dumpsys.txt' } satisfies FileSpec],
  'android-bugreport': [{ by: 'dumpstate' } satisfies FileSpec],
};

/** A dumpstate is 20 to 150 MB; a file ten times larger is not one. */
export const MAX_DUMPSTATE_BYTES = 1024 * 1024 * 1024;

/**
 * The services whose sections the text decoders read whole, kept in memory by the one pass. A new dumpsys
 * artifact adds its service here (parseDumpsys only takes these), or reads its section line by line.
 */
export const KEPT_SERVICES = ['accessibility', 'adb', 'appops', 'dbinfo', 'package', 'platform_compat'] as const;
export type KeptService = (typeof KEPT_SERVICES)[number];
/** A real `dumpsys package` of a phone with 500 apps is a few MB; a kept section past this is a coverage line. */
export const MAX_KEPT_SECTION_BYTES = 64 * 1024 * 1024;

interface Split {
  readonly index: SectionIndex;
}

/** The file as a stream (hashed into the input log by the source once read to its end). */
async function openDumpstate(ctx: ParseContext, file: EvidenceFile): Promise<Readable> {
  return ctx.source.stream ? ctx.source.stream(file) : Readable.from([await ctx.source.read(file)]);
}

const splits = new WeakMap<object, Map<string, Promise<Split | { readonly error: string }>>>();

function splitOf(ctx: ParseContext, file: EvidenceFile): Promise<Split | { readonly error: string }> {
  let perSource = splits.get(ctx.source);
  if (!perSource) splits.set(ctx.source, (perSource = new Map<string, Promise<Split | { readonly error: string }>>()));
  const key = file.ref.storedPath;
  let split = perSource.get(key);
  if (!split) {
    split = (async () => {
      const what = aqfName(file);
      if (file.size !== undefined && file.size > MAX_DUMPSTATE_BYTES) return { error: `${what}: ${file.size} bytes, more than the ${MAX_DUMPSTATE_BYTES} a dumpstate holds; not read` };
      const scanner = new SectionScanner({ services: new Set(KEPT_SERVICES), maxBytes: MAX_KEPT_SECTION_BYTES });
      let bytes = 0;
      // Read to its end (a stream stopped early would not be hashed into the input log).
      for await (const chunk of await openDumpstate(ctx, file)) {
        bytes += (chunk as Buffer).length;
        if (bytes > MAX_DUMPSTATE_BYTES) return { error: `${what}: more than the ${MAX_DUMPSTATE_BYTES} bytes a dumpstate holds; not read` };
        scanner.push(chunk as Buffer);
      }
      return { index: scanner.end() };
    })();
    perSource.set(key, split);
  }
  return split;
}

type SectionAt = { readonly split: Split; readonly headerLine: number; readonly name: string };

/** The split and one service's place in it, or null with one issue naming the file and what is absent. */
async function sectionOf(ctx: ParseContext, file: EvidenceFile, service: string): Promise<SectionAt | null> {
  const split = await splitOf(ctx, file);
  if ('error' in split) {
    ctx.warn({ code: 'corrupted', file, message: split.error });
    return null;
  }
  const span = split.index.services.get(service);
  if (!span) {
    ctx.warn({ code: 'section-missing', file, message: `${aqfName(file)}: no "DUMP OF SERVICE ${service}:" section` });
    return null;
  }
  return { split, headerLine: span.headerLine, name: service };
}

/** One kept service section: its text and where it is, or null with one issue (absent, or larger than kept). */
export async function dumpsysSection(ctx: ParseContext, file: EvidenceFile, service: KeptService): Promise<{ text: string; headerLine: number } | null> {
  const found = await sectionOf(ctx, file, service);
  if (!found) return null;
  const bytes = found.split.index.kept.get(service);
  if (!bytes) {
    const span = found.split.index.services.get(service)!;
    ctx.warn({ code: 'corrupted', file, message: `${aqfName(file)}: the "DUMP OF SERVICE ${service}:" section is ${span.end - span.start} bytes, more than the ${MAX_KEPT_SECTION_BYTES} a dumpsys section is read to; not read` });
    return null;
  }
  return { text: textOf(bytes), headerLine: found.headerLine };
}

/**
 * The parse of a dumpsys artifact: each input's `service` section through `decode`, each record located at the
 * section's header line. `decode` also gets the device's time zone when the acquisition names it, for the
 * device-local times it reads.
 */
export async function* parseDumpsys<R>(ctx: ParseContext, service: KeptService, decode: (text: string, file: EvidenceFile, zone: string | undefined) => Iterable<R>): AsyncIterable<Parsed<R>> {
  const zone = deviceTimeZone(ctx.source.describe());
  for (const file of await ctx.findInputs()) {
    if (ctx.signal.aborted) return;
    const section = await dumpsysSection(ctx, file, service);
    if (!section) continue;
    for (const record of decode(section.text, file, zone)) yield { record, source: at(file, { line: section.headerLine }) };
  }
}

/**
 * The parse of a dumpsys artifact whose section may be most of the file (`batterystats`: the battery history
 * of a 100 MB dumpstate): the section's lines are fed to a fresh `decoder` from a second read of its bytes
 * (at the offsets the split found), so neither the file nor the section is held. The lines are those of the
 * section's text split on `\n`; a line longer than MAX_DUMPSTATE_LINE is cut there, with one issue.
 */
export async function* parseDumpsysLines<R>(ctx: ParseContext, service: string, decoder: () => LineDecoder<R>): AsyncIterable<Parsed<R>> {
  for (const file of await ctx.findInputs()) {
    if (ctx.signal.aborted) return;
    const found = await sectionOf(ctx, file, service);
    if (!found) continue;
    const span = found.split.index.services.get(service)!;
    const d = decoder();
    // Only the section's bytes (by seeking where the layer can, else by skipping); a source without ranged reads
    // streams the file again from its start.
    const ranged = ctx.source.streamRange ? await ctx.source.streamRange(file, span.start, span.end) : null;
    const stream = ranged ?? (await openDumpstate(ctx, file));
    let stats;
    try {
      stats = await forEachSectionLine(stream as AsyncIterable<Buffer>, span, MAX_DUMPSTATE_LINE, (line) => !ctx.signal.aborted && d.line(line), ranged ? span.start : 0);
    } finally {
      // Left where the section ends: the pass that split the file already logged its hash.
      stream.destroy();
    }
    if (stats.cut > 0) ctx.warn({ code: 'corrupted', file, message: `${aqfName(file)}: ${stats.cut} line(s) of the "DUMP OF SERVICE ${service}:" section longer than ${MAX_DUMPSTATE_LINE} bytes, cut there` });
    for (const record of d.end()) yield { record, source: at(file, { line: found.headerLine }) };
  }
}
