/**
 * What every dumpsys artifact shares: finding androidqf's `dumpsys.txt` or a bugreport's dumpstate file,
 * splitting it into sections once per run,
 * and handing one section's text to the artifact's pure decoder.
 *
 * One split per run: the first dumpsys artifact to ask reads the file and indexes its sections
 * (`formats/dumpstate-sections.ts`); the others reuse that split. The cache is a WeakMap keyed by the Source
 * object (one per run, shared by every artifact of it), holding per stored path the promise of the split, so
 * artifacts parsed concurrently wait for the same read. It is dropped with the Source at the end of the run.
 * The file's bytes are held once (never as one string); each artifact decodes only its own section.
 */
import type { EvidenceFile, FileSpec } from '../../evidence/source.js';
import { deviceTimeZone } from '../../evidence/device-zone.js';
import { indexSections, sectionText, type SectionIndex } from '../../formats/dumpstate-sections.js';
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

interface Split {
  readonly bytes: Buffer;
  readonly index: SectionIndex;
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
      const bytes = await ctx.source.read(file);
      if (bytes.length > MAX_DUMPSTATE_BYTES) return { error: `${what}: ${bytes.length} bytes, more than the ${MAX_DUMPSTATE_BYTES} a dumpstate holds; not read` };
      return { bytes, index: indexSections(bytes) };
    })();
    perSource.set(key, split);
  }
  return split;
}

/** One service section: its text and where it is, or null with one issue naming the file and what is absent. */
export async function dumpsysSection(ctx: ParseContext, file: EvidenceFile, service: string): Promise<{ text: string; headerLine: number } | null> {
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
  return { text: sectionText(split.bytes, span), headerLine: span.headerLine };
}

/**
 * The parse of a dumpsys artifact: each input's `service` section through `decode`, each record located at the
 * section's header line. `decode` also gets the device's time zone when the acquisition names it, for the
 * device-local times it reads.
 */
export async function* parseDumpsys<R>(ctx: ParseContext, service: string, decode: (text: string, file: EvidenceFile, zone: string | undefined) => Iterable<R>): AsyncIterable<Parsed<R>> {
  const zone = deviceTimeZone(ctx.source.describe());
  for (const file of await ctx.findInputs()) {
    if (ctx.signal.aborted) return;
    const section = await dumpsysSection(ctx, file, service);
    if (!section) continue;
    for (const record of decode(section.text, file, zone)) yield { record, source: at(file, { line: section.headerLine }) };
  }
}
