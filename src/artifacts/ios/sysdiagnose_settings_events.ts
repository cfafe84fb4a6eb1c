import { isDict, type PlistDict, type PlistValue } from '../../formats/plist.js';
import type { Moment } from '../../formats/time.js';
import { defineArtifact, type Observable } from '../artifact.js';
import { at, readPlists } from '../_read.js';
import { described } from '../describe.js';
import { plistMoment } from './_plist_values.js';

/**
 * One change of a managed setting from MCSettingsEvents.plist: which setting (its key path), what happened
 * (`changed`, `installed`, …), by which process and when. Profiles and MDM change restrictions through it.
 */
export interface SettingsEventRecord {
  /** The dictionary path to the event (`SettingsEvents/restrictedBool/allowAppInstallation`). */
  readonly setting: string;
  readonly event: string | null;
  readonly process: string | null;
  readonly timestamp: Moment | null;
}

/** Nesting of a real file is three or four levels; deeper is not this file. */
const MAX_DEPTH = 12;
const MAX_EVENTS = 100_000;

/** Every dictionary holding a `timestamp` is one event; the others are walked into. */
export function decodeSettingsEvents(plist: PlistDict): { events: SettingsEventRecord[]; truncated: boolean } {
  const events: SettingsEventRecord[] = [];
  let truncated = false;
  const walk = (dict: PlistDict, path: string[]) => {
    for (const [key, value] of Object.entries(dict)) {
      if (events.length >= MAX_EVENTS || path.length >= MAX_DEPTH) {
        truncated = true;
        return;
      }
      if (!isDict(value)) continue;
      if ('timestamp' in value) {
        events.push({ setting: [...path, key].join('/'), event: text(value.event), process: text(value.process), timestamp: plistMoment(value.timestamp) });
      } else {
        walk(value, [...path, key]);
      }
    }
  };
  walk(plist, []);
  return { events, truncated };
}

const text = (v: PlistValue | undefined): string | null => (typeof v === 'string' && v !== '' ? v : null);

export default defineArtifact<SettingsEventRecord>({
  id: 'ios.sysdiagnose_settings_events',
  version: 1,
  title: 'Managed settings changes (MCSettingsEvents.plist)',
  doc: 'When restrictions and managed settings were changed and by which process: a profile or MDM that silently changed settings around the time of an infection shows here.',
  references: ['https://github.com/EC-DIGIT-CSIRC/sysdiagnose'],
  inputs: { 'ios-sysdiagnose': [{ by: 'path-glob', pattern: 'logs/MCState/Shared/MCSettingsEvents.plist' }] },
  async *parse(ctx) {
    yield* readPlists(ctx, function* (plist, file) {
      if (!isDict(plist)) {
        ctx.warn({ code: 'bad-plist', file, message: 'MCSettingsEvents.plist: expected a dictionary at the top level' });
        return;
      }
      const { events, truncated } = decodeSettingsEvents(plist);
      if (truncated) ctx.warn({ code: 'truncated', file, message: `MCSettingsEvents.plist: deeper than ${MAX_DEPTH} levels or more than ${MAX_EVENTS} events; the rest not read` });
      for (const record of events) yield { record, source: at(file, { key: record.setting }) };
    });
  },
  timeline: (r) => [{ time: r.timestamp, event: 'setting_event', description: described`Setting ${r.setting} ${r.event} by ${r.process}` }],
  observables: (r): Observable[] => (r.process ? [{ kind: 'process', value: r.process, field: 'process' }] : []),
});
