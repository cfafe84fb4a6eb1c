import { describe, expect, it } from 'vitest';
import type { ApplicationRecord } from '../../../src/artifacts/ios/applications.js';
import rules from '../../../src/rules/ios/applications.js';
import type { RecordRule } from '../../../src/rules/rule.js';

const rule = (id: string) => rules.find((r) => r.id === id) as RecordRule<ApplicationRecord>;
const notFromStore = rule('ios.applications.not_from_app_store');
const noBundleId = rule('ios.applications.no_bundle_id');
const app = (fields: Record<string, string>): ApplicationRecord => ({ name: 'com.example.app', ...fields, isodate: null });

describe('application rules', () => {
  it('raise MEDIUM for an app from another source, naming its bundle id', () => {
    expect(notFromStore.level).toBe('medium');
    expect(notFromStore.check(app({ softwareVersionBundleId: 'com.example.app', sourceApp: 'com.apple.TestFlight' }))).toEqual([
      { message: 'Suspicious app not installed from the App Store or MDM: com.example.app', eventTime: null },
    ]);
  });

  it.each(['com.apple.AppStore', 'com.apple.AppStore.ProductPageExtension', 'com.apple.dmd', 'dmd'])('accept apps from %s', (sourceApp) => {
    expect(notFromStore.check(app({ softwareVersionBundleId: 'com.example.app', sourceApp }))).toEqual([]);
  });

  it('treat an app without sourceApp as from the App Store (MVT\'s default)', () => {
    expect(notFromStore.check(app({ softwareVersionBundleId: 'com.example.app' }))).toEqual([]);
  });

  it('raise MEDIUM for metadata without softwareVersionBundleId, even without indicators', () => {
    expect(noBundleId.level).toBe('medium');
    expect(noBundleId.mvtNeedsIndicators).toBe(true);
    expect(noBundleId.check(app({ itemName: 'Mystery' }))).toEqual([{ message: 'Suspicious application identified without softwareVersionBundleId', eventTime: null }]);
    expect(noBundleId.check(app({ softwareVersionBundleId: 'com.example.app' }))).toEqual([]);
  });

  it('name the app by its Info.plist key when it has no bundle id (MVT crashes here without indicators)', () => {
    expect(notFromStore.check(app({ sourceApp: 'com.example.store' })).map((h) => h.message)).toEqual(['Suspicious app not installed from the App Store or MDM: com.example.app']);
  });
});
