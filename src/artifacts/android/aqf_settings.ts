import { defineArtifact, type Parsed } from '../artifact.js';
import { at } from '../_read.js';
import { aqfName, readAqfText } from './_aqf.js';

/** One Android setting: `settings_secure.txt`'s `package_verifier_enable=1` is namespace `secure`. */
export interface AqfSettingRecord {
  readonly namespace: string;
  readonly key: string;
  readonly value: string;
}

/** A settings table has a few hundred keys. */
const MAX_BYTES = 4 * 1024 * 1024;
export const MAX_SETTINGS_LINES = 50_000;

/** `settings_global.txt` → `global`: the text after the last `_`, without `.txt`. */
export function settingsNamespace(fileName: string): string {
  const stem = fileName.replace(/\.txt$/, '');
  return stem.slice(stem.lastIndexOf('_') + 1);
}

/** `key=value` lines, split at the first `=`; a line without one is skipped and counted. */
export function decodeSettings(text: string, namespace: string, maxLines = MAX_SETTINGS_LINES): { settings: { record: AqfSettingRecord; line: number }[]; skipped: number; truncated: boolean } {
  const lines = text.split(/\r?\n/);
  const settings: { record: AqfSettingRecord; line: number }[] = [];
  let skipped = 0;
  lines.slice(0, maxLines).forEach((line, i) => {
    if (line.trim() === '') return;
    const eq = line.indexOf('=');
    if (eq <= 0) {
      skipped++;
      return;
    }
    settings.push({ record: { namespace, key: line.slice(0, eq), value: line.slice(eq + 1) }, line: i + 1 });
  });
  return { settings, skipped, truncated: lines.length > maxLines };
}

export default defineArtifact<AqfSettingRecord>({
  id: 'android.aqf_settings',
  version: 1,
  title: 'Android settings (settings_*.txt)',
  doc: 'The system, secure and global settings tables: spyware installers turn off Google Play Protect, adb install confirmation and crash reporting here, and enable accessibility services to read the screen.',
  references: ['https://github.com/mvt-project/androidqf', 'https://developer.android.com/reference/android/provider/Settings'],
  mvt: { module: 'aqf_settings', className: 'AQFSettings', shape: { group: 'namespace', key: 'key', value: 'value' } },
  inputs: { 'android-androidqf': [{ by: 'path-glob', pattern: 'settings_*.txt' }] },
  inputMode: 'all',
  async *parse(ctx) {
    for (const file of await ctx.findInputs()) {
      if (ctx.signal.aborted) return;
      const name = aqfName(file);
      const text = await readAqfText(ctx, file, MAX_BYTES);
      if (text === null) continue;
      const decoded = decodeSettings(text, settingsNamespace(name));
      if (decoded.skipped > 0) ctx.warn({ code: 'row-skipped', file, message: `${name}: ${decoded.skipped} line(s) without "key=value" not read` });
      if (decoded.truncated) ctx.warn({ code: 'truncated', file, message: `${name}: more than ${MAX_SETTINGS_LINES} lines; the rest not read` });
      for (const { record, line } of decoded.settings) yield { record, source: at(file, { line }) } satisfies Parsed<AqfSettingRecord>;
    }
  },
});
