import { describe, expect, it } from 'vitest';
import packages, { type AqfPackageRecord } from '../../../src/artifacts/android/aqf_packages.js';
import rules from '../../../src/rules/android/aqf_packages.js';
import type { RecordRule } from '../../../src/rules/rule.js';
import { mvtAndroidqf, parseAqf } from '../../artifacts/android/_aqf.js';

const all = rules as RecordRule<AqfPackageRecord>[];

function hits(records: readonly AqfPackageRecord[]) {
  return records.flatMap((r) => all.flatMap((rule) => rule.check(r).map((h) => ({ rule: rule.id.split('.').pop(), level: h.level ?? rule.level, message: h.message }))));
}

function pkg(name: string, over: Partial<AqfPackageRecord> = {}): AqfPackageRecord {
  return { name, files: [], installer: 'com.android.vending', uid: 10100, disabled: false, system: false, third_party: true, ...over };
}

describe('package heuristics on MVT\'s androidqf test acquisition', () => {
  it('raise MVT\'s 5 findings: 4 MEDIUM (one adb, three browser) and 1 INFO; nothing for the two system packages with no installer', async () => {
    const { records } = await parseAqf<AqfPackageRecord>(packages, mvtAndroidqf());
    expect(hits(records)).toEqual([
      { rule: 'unknown_installer', level: 'medium', message: 'Found a non-system package installed via adb or another method: "com.whatsapp"' },
      { rule: 'browser_install', level: 'medium', message: 'Found a package installed via a browser (installer="com.google.android.packageinstaller"): "app.revanced.manager.flutter"' },
      // YouTube is a system package; the browser check has no system condition, as in MVT.
      { rule: 'browser_install', level: 'medium', message: 'Found a package installed via a browser (installer="com.google.android.packageinstaller"): "com.google.android.youtube"' },
      { rule: 'browser_install', level: 'medium', message: 'Found a package installed via a browser (installer="com.google.android.packageinstaller"): "org.fdroid.fdroid"' },
      { rule: 'third_party_store', level: 'informational', message: 'Found a package installed via a third party store (installer="org.fdroid.fdroid"): "org.nuclearfog.apollo"' },
    ]);
  });
});

describe('package heuristics', () => {
  it('an ordinary phone raises nothing: Play Store apps, Google and Samsung system packages, enabled security agents', () => {
    const clean = [
      pkg('com.whatsapp'),
      pkg('org.telegram.messenger'),
      pkg('com.google.android.gms', { installer: 'null', system: true, third_party: false }),
      pkg('com.android.chrome', { installer: 'com.android.vending', system: true, third_party: false }),
      pkg('com.samsung.android.securitylogagent', { installer: 'null', system: true, third_party: false }),
      pkg('com.sec.android.soagent', { installer: 'null', system: true, third_party: false }),
      pkg('com.wssyncmldm', { installer: 'null', system: true, third_party: false }),
      pkg('com.samsung.android.app.spage', { installer: 'com.sec.android.app.samsungapps', system: false }),
    ];
    expect(hits(clean)).toEqual([]);
  });

  it('a rooting app is reported as such and nothing else about it', () => {
    expect(hits([pkg('com.topjohnwu.magisk', { installer: 'com.google.android.packageinstaller' })])).toEqual([
      { rule: 'root_package', level: 'medium', message: 'Found an installed package related to rooting/jailbreaking: "com.topjohnwu.magisk"' },
    ]);
  });

  it('disabled security and update packages', () => {
    expect(hits([pkg('com.samsung.android.securitylogagent', { system: true, installer: 'null', disabled: true }), pkg('com.google.android.gms', { system: true, installer: 'null', disabled: true })])).toEqual([
      { rule: 'security_package_disabled', level: 'medium', message: 'Security package "com.samsung.android.securitylogagent" disabled on the phone' },
      { rule: 'update_package_disabled', level: 'medium', message: 'System OTA update package "com.google.android.gms" disabled on the phone' },
    ]);
  });

  it('a non-system app with no installer at all (absent or empty, not only "null") is the adb finding', () => {
    expect(hits([pkg('com.a', { installer: null }), pkg('com.b', { installer: '' })]).map((h) => h.rule)).toEqual(['unknown_installer', 'unknown_installer']);
    // Whether it is a system package is unknown: no finding rather than a guess.
    expect(hits([pkg('com.c', { installer: 'null', system: null })])).toEqual([]);
  });

  it('Aurora Store installs are informational', () => {
    expect(hits([pkg('com.x', { installer: 'com.aurora.store' })])).toEqual([
      { rule: 'third_party_store', level: 'informational', message: 'Found a package installed via a third party store (installer="com.aurora.store"): "com.x"' },
    ]);
  });
});
