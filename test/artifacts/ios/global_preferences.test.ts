import { buildBinary } from 'plist';
import { describe, expect, it } from 'vitest';
import globalPreferences, { type GlobalPreferenceRecord } from '../../../src/artifacts/ios/global_preferences.js';
import { Moment } from '../../../src/formats/time.js';
import { buildBackup } from '../../fixtures/ios-backup.js';
import { parseBackup } from '../../helpers/artifacts.js';
import { mvtIosBackup } from '../../helpers/data.js';

const at = { domain: 'HomeDomain', relativePath: 'Library/Preferences/.GlobalPreferences.plist' };

describe('ios.global_preferences on the MVT test backup', () => {
  it('gives one record per top-level key (16), the first WebKitShowLinkPreviews = false, and no timeline', async () => {
    const { records, items, coverage, timeline } = await parseBackup<GlobalPreferenceRecord>(globalPreferences, mvtIosBackup());
    expect(coverage.state).toBe('parsed');
    expect(coverage.issues).toEqual([]);
    expect(records).toHaveLength(16);
    expect(records[0]).toEqual({ entry: 'WebKitShowLinkPreviews', value: false });
    expect(items[0]!.source.at).toEqual({ key: 'WebKitShowLinkPreviews' });
    expect(records.find((r) => r.entry === 'LDMGlobalEnabled')).toEqual({ entry: 'LDMGlobalEnabled', value: true });
    expect(records.find((r) => r.entry === 'AppleKeyboards')).toEqual({ entry: 'AppleKeyboards', value: ['en_GB', 'fr_FR', 'emoji'] });
    const emailDate = records.find((r) => r.entry === 'AKLastEmailListRequestDateKey')!.value;
    expect(emailDate).toBeInstanceOf(Moment);
    // MVT shows .150919: the binary plist reader keeps milliseconds only (reported; formats/plist.ts).
    expect((emailDate as Moment).mvt()).toBe('2023-08-01 21:21:46.150000');
    expect(timeline).toEqual([]);
  });
});

describe('ios.global_preferences on built files', () => {
  it('turns data values into base64 text and keeps nested dictionaries', async () => {
    const data = Buffer.from(buildBinary({ Blob: Buffer.from([0xa8, 0xa9]), Nested: { a: 1, b: [true] } }));
    const { records, coverage } = await parseBackup<GlobalPreferenceRecord>(globalPreferences, buildBackup([{ ...at, data }]));
    expect(coverage.state).toBe('parsed');
    expect(records).toEqual([
      { entry: 'Blob', value: 'qKk=' },
      { entry: 'Nested', value: { a: 1, b: [true] } },
    ]);
  });

  it('fails with a message naming the file when the plist is corrupted', async () => {
    const { records, coverage } = await parseBackup<GlobalPreferenceRecord>(globalPreferences, buildBackup([{ ...at, data: Buffer.from('bplist00\x00\x01garbage') }]));
    expect(records).toEqual([]);
    expect(coverage.state).toBe('failed');
    expect(coverage.issues.map((i) => i.code)).toEqual(['bad-plist']);
    expect(coverage.reason).toMatch(/^HomeDomain\/Library\/Preferences\/\.GlobalPreferences\.plist: truncated or corrupted binary plist/);
  });

  it('is missing, not failed, when the backup lists the file without its content', async () => {
    const { coverage } = await parseBackup<GlobalPreferenceRecord>(globalPreferences, buildBackup([at]));
    expect(coverage.state).toBe('missing');
    expect(coverage.issues.map((i) => i.code)).toEqual(['file-missing']);
  });
});
