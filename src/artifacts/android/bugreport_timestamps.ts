import { fromUnix, type Moment } from '../../formats/time.js';
import { defineArtifact, type Parsed, type RecordSource } from '../artifact.js';
import { described } from '../describe.js';

/**
 * One file of a bugreport's `FS/` tree (the device files dumpstate copied: tombstones, ANR traces, …) with
 * its modification time as the bugreport stores it. Only the metadata is read, never the content.
 */
export interface BugreportFileRecord {
  /** The path inside the bugreport (`FS/data/tombstones/tombstone_00`). */
  readonly path: string;
  readonly modified_time: Moment | null;
  /**
   * What the time is: `utc` for a folder or a tar (exact instants); `zip` for a zip member, whose time is UTC
   * when the zip tool wrote an extended timestamp and otherwise the packing computer's local wall clock
   * (zip's DOS time has no zone), read as if it were UTC.
   */
  readonly modified_time_basis: 'utc' | 'zip';
}

export default defineArtifact<BugreportFileRecord>({
  id: 'android.bugreport_timestamps',
  version: 1,
  title: 'Times of the files copied into a bugreport (FS/)',
  doc: 'When each device file a bugreport copied (`FS/`: tombstones, ANR traces, logs) was last written: a timeline anchor for crashes and hangs around the time of a suspected attack. A zip stores these times without a time zone unless its tool adds one, so a zip\'s times may be the packing computer\'s local time.',
  references: ['https://developer.android.com/studio/debug/bug-report'],
  mvt: { module: 'bugreport_timestamps', className: 'BugReportTimestamps' },
  // The FS/ folder, so the coverage says whether the bugreport has one; its files come from the listing. In
  // androidqf, the FS/ folder of its bugreport.zip.
  inputs: {
    'android-bugreport': [{ by: 'path-glob', pattern: 'FS', folders: true }],
    'android-androidqf': [{ by: 'path-glob', pattern: 'bugreport.zip/FS', folders: true }],
  },
  async *parse(ctx) {
    const [fs] = await ctx.findInputs();
    if (!fs || !ctx.source.listing) return;
    const { root, container } = fs.ref;
    // Where the bugreport sits in the acquisition: '' for a bugreport, `bugreport.zip/` inside androidqf.
    const within = fs.ref.storedPath.slice(0, -'FS'.length);
    const entries = [];
    for await (const entry of ctx.source.listing()) {
      if (ctx.signal.aborted) return;
      if (entry.type !== 'file' || !entry.storedPath.startsWith(`${within}FS/`)) continue;
      entries.push({ ...entry, path: entry.storedPath.slice(within.length) });
    }
    entries.sort((a, b) => a.path.localeCompare(b.path));
    for (const entry of entries) {
      const record: BugreportFileRecord = {
        path: entry.path,
        modified_time: entry.mtimeMs !== undefined ? fromUnix(entry.mtimeMs / 1000) : null,
        // androidqf's bugreport.zip is a zip wherever the acquisition is stored.
        modified_time_basis: within !== '' || container?.container === 'zip' ? 'zip' : 'utc',
      };
      const source: RecordSource = { file: { ref: { root, storedPath: entry.storedPath, ...(container ? { container } : {}) }, size: entry.size }, at: { whole: true } };
      yield { record, source } satisfies Parsed<BugreportFileRecord>;
    }
  },
  timeline: (r) => (r.modified_time ? [{ time: r.modified_time, event: 'M---', description: described`${r.path}` }] : []),
});
