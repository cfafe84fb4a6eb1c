import { setImmediate as nextTurn } from 'node:timers/promises';
import type { FsEntry } from '../../evidence/fs/file-system.js';
import { fromDate, type Moment } from '../../formats/time.js';
import { defineArtifact, type Observable, type RecordSource, type TimelineEvent } from '../artifact.js';

/** One file, folder or link of a filesystem dump, at its path on the device. */
export interface FilesystemRecord {
  /** The device path, absolute: `/private/var/mobile/Library/SMS/sms.db` (MVT writes it relative to the dump). */
  readonly path: string;
  /** The entry's modification time as the dump recorded it. */
  readonly modified: Moment | null;
  readonly type: 'file' | 'directory' | 'symlink' | 'other';
}

/** A listing entry (path relative to the device's root) as a record. */
export function decodeListingEntry(entry: FsEntry): FilesystemRecord {
  return { path: `/${entry.path}`, modified: entry.mtimeMs === undefined ? null : fromDate(new Date(entry.mtimeMs)), type: entry.type };
}

export function filesystemTimeline(r: FilesystemRecord): TimelineEvent[] {
  return [{ time: r.modified, event: 'entry_modified', description: r.path }];
}

/**
 * A file present on the device is the thing itself, not a mention. A folder is written with a trailing `/`:
 * path indicators match it (Predator's `/private/var/tmp/l/`), process names never do (indicators/match.ts).
 */
export function filesystemObservables(r: FilesystemRecord): Observable[] {
  if (r.path === '/') return [];
  return [{ kind: 'file_path', value: r.type === 'directory' ? `${r.path}/` : r.path, field: 'path' }];
}

/** Longest stretch between two turns of the event loop while listing: a 500,000-entry index is read without I/O. */
const TURN_EVERY_MS = 25;

export default defineArtifact<FilesystemRecord>({
  id: 'ios.filesystem',
  version: 1,
  title: 'Filesystem listing',
  mvt: { module: 'filesystem', className: 'Filesystem' },
  doc: 'Every file, folder and link of a full-filesystem dump with its modification time: a spyware binary or working folder at a known path (`/private/var/db/com.apple.xpc.roleaccountd.staging/`, `/private/var/tmp/`) shows up here, and the times place it on the timeline.',
  references: ['https://github.com/AmnestyTech/investigations/tree/master/2021-07-18_nso'],
  // /private/var, which every dump has, so the coverage says where the listing was read; any top-level folder
  // of a tree without it (MVT lists whatever folder it is given).
  inputs: { 'ios-fs': [{ by: 'device-glob', pattern: 'private/var', folders: true }, { by: 'device-glob', pattern: '*', folders: true }] },
  async *parse(ctx) {
    const [dump] = await ctx.findInputs();
    if (!dump || !ctx.source.listing) return;
    const { root, container } = dump.ref;
    let next = performance.now() + TURN_EVERY_MS;
    for await (const entry of ctx.source.listing()) {
      if (performance.now() >= next) {
        await nextTurn();
        next = performance.now() + TURN_EVERY_MS;
      }
      if (ctx.signal.aborted) return;
      const record = decodeListingEntry(entry);
      // Refs keep the path as stored (`filesystem2/mobile/…` in a partition-per-folder dump).
      const source: RecordSource = { file: { ref: { root, storedPath: entry.storedPath, ...(container ? { container } : {}) }, devicePath: record.path }, at: { whole: true } };
      yield { record, source };
    }
  },
  timeline: filesystemTimeline,
  observables: filesystemObservables,
});
