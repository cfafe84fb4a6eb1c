import { decodeGetprop, MAX_GETPROP_LINES, propertyValue, type AndroidProperty } from '../../formats/android-getprop.js';
import { defineArtifact, type Parsed } from '../artifact.js';
import { at } from '../_read.js';
import { aqfName, readAqfText } from './_aqf.js';
import { TIME_ZONE_PROPERTY, zoneIssue } from './_zone.js';

/** One system property (`ro.build.version.security_patch = 2024-01-05`). */
export interface AqfPropertyRecord {
  readonly name: string;
  readonly value: string;
}

/** A real getprop.txt is tens of KB. */
const MAX_BYTES = 8 * 1024 * 1024;

export default defineArtifact<AqfPropertyRecord>({
  id: 'android.aqf_getprop',
  version: 1,
  title: 'System properties (getprop.txt)',
  doc: 'The Android system properties androidqf captured: the model, the Android version and its security patch level (a phone months behind on patches is open to known exploits), and property names some spyware sets.',
  references: ['https://github.com/mvt-project/androidqf', 'https://source.android.com/docs/core/architecture/configuration/add-system-properties'],
  mvt: { module: 'aqf_get_prop', className: 'AQFGetProp' },
  inputs: { 'android-androidqf': [{ by: 'path-glob', pattern: 'getprop.txt' }] },
  async *parse(ctx) {
    for (const file of await ctx.findInputs()) {
      const text = await readAqfText(ctx, file, MAX_BYTES);
      if (text === null) continue;
      const decoded = decodeGetprop(text);
      if (decoded.skipped.length > 0) {
        const first = decoded.skipped[0]!;
        ctx.warn({ code: 'row-skipped', file, message: `${aqfName(file)}: ${decoded.skipped.length} line(s) that are not "[name]: [value]", the first at line ${first.line}` });
      }
      if (decoded.truncated) ctx.warn({ code: 'truncated', file, message: `${aqfName(file)}: more than ${MAX_GETPROP_LINES} lines; the rest not read` });
      const zoneLine = zoneIssue(aqfName(file), propertyValue(decoded.properties, TIME_ZONE_PROPERTY), ctx.source.describe());
      if (zoneLine) ctx.warn({ code: 'row-skipped', file, message: zoneLine });
      for (const p of decoded.properties) yield { record: recordOf(p), source: at(file, { line: p.line }) } satisfies Parsed<AqfPropertyRecord>;
    }
  },
  observables: (r) => [{ kind: 'android_property', value: r.name, field: 'name' }],
});

function recordOf(p: AndroidProperty): AqfPropertyRecord {
  return { name: p.name, value: p.value };
}
