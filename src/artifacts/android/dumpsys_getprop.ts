import { MAX_GETPROP_LINES, propertyValue } from '../../formats/android-getprop.js';
import { DumpstateFactsReader } from '../../formats/dumpstate-facts.js';
import { defineArtifact, type Parsed } from '../artifact.js';
import { at } from '../_read.js';
import type { AqfPropertyRecord } from './aqf_getprop.js';
import { eachDumpstateLine } from './_dumpstate.js';
import { TIME_ZONE_PROPERTY, unknownZoneMessage, zoneIssue } from './_zone.js';

/** One system property of a bugreport's `SYSTEM PROPERTIES` section: the same record as androidqf's getprop.txt. */
export type DumpsysPropertyRecord = AqfPropertyRecord;

export default defineArtifact<DumpsysPropertyRecord>({
  id: 'android.dumpsys_getprop',
  version: 1,
  title: 'System properties (bugreport)',
  doc: 'The Android system properties a bugreport\'s dumpstate lists (`------ SYSTEM PROPERTIES`): the model, the Android version and its security patch level (a phone months behind on patches is open to known exploits), and property names some spyware sets.',
  references: ['https://developer.android.com/studio/debug/bug-report', 'https://source.android.com/docs/core/architecture/configuration/add-system-properties'],
  mvt: { module: 'dumpsys_get_prop', className: 'DumpsysGetProp' },
  // androidqf: the dumpstate of its bugreport.zip (androidqf's own getprop.txt is android.aqf_getprop).
  inputs: { 'android-bugreport': [{ by: 'dumpstate' }], 'android-androidqf': [{ by: 'dumpstate' }] },
  async *parse(ctx) {
    for (const file of await ctx.findInputs()) {
      const reader = new DumpstateFactsReader();
      // Split into lines only up to the section's end; the rest is read unsplit (the input log's hash).
      const stats = await eachDumpstateLine(ctx, file, (line) => reader.push(line));
      const facts = reader.result();
      const name = file.ref.storedPath;
      if (facts.propertiesAt === undefined) {
        ctx.warn({ code: 'section-missing', file, message: `${name}: no "------ SYSTEM PROPERTIES" section in ${stats.lines} lines` });
        continue;
      }
      if (facts.skipped.count > 0) {
        ctx.warn({ code: 'row-skipped', file, message: `${name}: ${facts.skipped.count} line(s) of the SYSTEM PROPERTIES section that are not "[name]: [value]", the first at line ${facts.skipped.firstLine}` });
      }
      if (facts.truncated) ctx.warn({ code: 'truncated', file, message: `${name}: a SYSTEM PROPERTIES section of more than ${MAX_GETPROP_LINES} lines; the rest not read` });
      // In androidqf, its getprop artifact says what is said of the examiner's zone (once a run).
      const info = ctx.source.describe();
      const value = propertyValue(facts.properties, TIME_ZONE_PROPERTY);
      const zoneLine = ctx.source.kind === 'android-bugreport' ? zoneIssue(name, value, info) : unknownZoneMessage(name, value, info.givenTimeZone);
      if (zoneLine) ctx.warn({ code: 'row-skipped', file, message: zoneLine });
      for (const p of facts.properties) yield { record: { name: p.name, value: p.value }, source: at(file, { line: p.line }) } satisfies Parsed<DumpsysPropertyRecord>;
    }
  },
  observables: (r) => [{ kind: 'android_property', value: r.name, field: 'name' }],
});
