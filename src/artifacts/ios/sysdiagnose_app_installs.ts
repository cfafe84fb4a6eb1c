import { decodeInstallLog, InstallLogError, type InstallEventKind } from '../../formats/mobile-installation-log.js';
import type { Moment } from '../../formats/time.js';
import { defineArtifact, type Observable } from '../artifact.js';
import { at } from '../_read.js';
import { described } from '../describe.js';
import { clockOf, fileName, localMoment, readBoundedText } from './_sysdiagnose.js';

/**
 * One app event from installd's log: an install, update or removal, a container made live or destroyed, a
 * reboot. The log writes local time with no zone: `time` applies the sysdiagnose's UTC offset at collection, so
 * entries from the other side of a daylight-saving change are an hour off (`local_time` keeps what was written).
 */
export interface AppInstallRecord {
  readonly event: InstallEventKind;
  readonly time: Moment | null;
  readonly local_time: string;
  /** The offset applied, in minutes east of UTC; null when the sysdiagnose's name gives none (then `time` is null). */
  readonly utc_offset_min: number | null;
  readonly bundle_id: string | null;
  readonly version: string | null;
  readonly install_type: string | null;
  readonly requested_by: string | null;
  readonly container_path: string | null;
  readonly text: string;
  /** The log file (`mobile_installation.log.0`): rotations overlap nothing, each covers its own period. */
  readonly log_file: string;
}

/** A log rotation is a few MB at most. */
const MAX_BYTES = 64 * 1024 * 1024;

const EVENT_WORDS: Record<InstallEventKind, string> = {
  installing: 'Installing',
  install_succeeded: 'Installed',
  update: 'Updating',
  uninstall_requested: 'Removal requested of',
  uninstall: 'Uninstalling',
  container_destroyed: 'Container destroyed for',
  container_live: 'Container made live for',
  reboot: 'Reboot detected',
};

export default defineArtifact<AppInstallRecord>({
  id: 'ios.sysdiagnose_app_installs',
  version: 1,
  title: 'App installs, updates and removals (mobile_installation.log)',
  doc: "installd's log of apps installed, updated and removed, with times: an app installed shortly before an infection, or removed right after one (spyware droppers and TrollStore-style tools), shows here even when the app is gone.",
  references: ['https://github.com/abrignoni/iLEAPP', 'https://github.com/log2timeline/plaso/blob/main/plaso/parsers/ios_sysdiag_log.py'],
  inputs: { 'ios-sysdiagnose': [{ by: 'path-glob', pattern: 'logs/MobileInstallation/mobile_installation.log*' }] },
  inputMode: 'all',
  async *parse(ctx) {
    const clock = clockOf(ctx);
    for (const file of await ctx.findInputs()) {
      if (ctx.signal.aborted) return;
      const name = fileName(file);
      const text = await readBoundedText(ctx, file, MAX_BYTES, name);
      if (text === null) continue;
      let log: ReturnType<typeof decodeInstallLog>;
      try {
        log = decodeInstallLog(text);
      } catch (err) {
        if (!(err instanceof InstallLogError)) throw err;
        ctx.warn({ code: 'corrupted', file, message: `${name}: ${err.message}` });
        continue;
      }
      if (log.truncated) ctx.warn({ code: 'truncated', file, message: `${name}: stopped after the line limit; later entries not read` });
      for (const e of log.events) {
        const record: AppInstallRecord = {
          event: e.event,
          time: clock ? localMoment(e.local, clock.offsetMinutes, e.local_time) : null,
          local_time: e.local_time,
          utc_offset_min: clock?.offsetMinutes ?? null,
          bundle_id: e.bundle_id,
          version: e.version,
          install_type: e.install_type,
          requested_by: e.requested_by,
          container_path: e.container_path,
          text: e.text,
          log_file: name,
        };
        yield { record, source: at(file, { line: e.line }) };
      }
    }
  },
  timeline: (r) => [
    {
      time: r.time,
      event: r.event,
      description: r.event === 'reboot' ? 'Reboot detected' : described`${EVENT_WORDS[r.event]} ${r.bundle_id}${r.version ? ` ${r.version}` : ''}${r.requested_by ? ` by ${r.requested_by}` : ''}`,
    },
  ],
  observables: (r) => {
    const out: Observable[] = [];
    if (r.bundle_id) out.push({ kind: 'app_id', value: r.bundle_id, field: 'bundle_id' });
    if (r.requested_by) out.push({ kind: 'process', value: r.requested_by, field: 'requested_by' });
    return out;
  },
});
