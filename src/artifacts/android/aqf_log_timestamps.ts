import { fromUnix, type Moment } from '../../formats/time.js';
import { defineArtifact, type Parsed } from '../artifact.js';
import { at } from '../_read.js';
import { described } from '../describe.js';

/**
 * One file of the `logs/` folder androidqf copies from the phone, with the time it was last modified as the
 * acquisition stores it. Only the metadata is read, never the content.
 */
export interface AqfLogFileRecord {
  /** The path inside the acquisition (`logs/…`). */
  readonly path: string;
  readonly modified_time: Moment | null;
}

export default defineArtifact<AqfLogFileRecord>({
  id: 'android.aqf_log_timestamps',
  version: 1,
  title: 'Times of the copied log files (logs/)',
  doc: 'When each log file androidqf copied was last written: a timeline anchor showing when the phone logged, with gaps where logs were cleared. A folder gives the copy\'s modification time; a zip its member time, which zip stores as the packing computer\'s wall-clock time (read here as UTC, as MVT does).',
  references: ['https://github.com/mvt-project/androidqf'],
  mvt: { module: 'aqf_log_timestamps', className: 'FileTimestampsArtifact' },
  inputs: { 'android-androidqf': [{ by: 'path-glob', pattern: 'logs/*' }] },
  inputMode: 'all',
  async *parse(ctx) {
    for (const file of await ctx.findInputs()) {
      if (ctx.signal.aborted) return;
      const modified = file.times?.modified;
      yield { record: { path: file.ref.storedPath, modified_time: modified !== undefined ? fromUnix(modified) : null }, source: at(file, { whole: true }) } satisfies Parsed<AqfLogFileRecord>;
    }
  },
  timeline: (r) => (r.modified_time ? [{ time: r.modified_time, event: 'M---', description: described`${r.path}` }] : []),
});
