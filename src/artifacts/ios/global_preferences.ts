import { isDict } from '../../formats/plist.js';
import { defineArtifact } from '../artifact.js';
import { at, homeFile, readPlists } from '../_read.js';
import { plainValue, type PlainValue } from './_plist_values.js';

/** One top-level setting of .GlobalPreferences.plist (language, keyboards, Lockdown Mode's `LDMGlobalEnabled`, …). */
export interface GlobalPreferenceRecord {
  readonly entry: string;
  readonly value: PlainValue;
}

export default defineArtifact<GlobalPreferenceRecord>({
  id: 'ios.global_preferences',
  version: 1,
  title: 'Global preferences',
  mvt: { module: 'global_preferences', className: 'GlobalPreferences' },
  doc: 'The system-wide preferences (.GlobalPreferences.plist): languages, keyboards and whether Lockdown Mode, Apple\'s hardening against mercenary spyware, is turned on.',
  inputs: homeFile('Library/Preferences/.GlobalPreferences.plist'),
  async *parse(ctx) {
    yield* readPlists(ctx, function* (plist, file) {
      if (!isDict(plist)) {
        ctx.warn({ code: 'bad-plist', file, message: '.GlobalPreferences.plist: expected a dictionary of settings at the top level' });
        return;
      }
      for (const [entry, value] of Object.entries(plist)) {
        yield { record: { entry, value: plainValue(value) }, source: at(file, { key: entry }) };
      }
    });
  },
});
