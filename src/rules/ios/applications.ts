import { bundleIdOf, type ApplicationRecord } from '../../artifacts/ios/applications.js';
import { defineRule } from '../rule.js';

/** Where a normally installed app comes from: the App Store, or device management (MDM). */
export const trustedInstallers: ReadonlySet<string> = new Set(['com.apple.AppStore', 'com.apple.AppStore.ProductPageExtension', 'com.apple.dmd', 'dmd']);

export default [
  defineRule<ApplicationRecord>({
    id: 'ios.applications.not_from_app_store',
    version: 1,
    artifact: 'ios.applications',
    level: 'medium',
    title: 'App not installed from the App Store or device management',
    why: 'Apps on an iPhone normally come from the App Store or are pushed by an employer\'s device management. This one names another source. Stalkerware and some spyware are installed outside the App Store, through enterprise certificates, developer tools or alternative marketplaces.',
    innocent: 'Developers, beta testers (TestFlight), company apps and, in the EU, alternative app marketplaces all install apps this way. Check what the app is, who published it and whether the user knows it.',
    source: 'reference-spec §7.3.22 (MVT Applications)',
    scope: 'record',
    check(r) {
      const source = typeof r.sourceApp === 'string' ? r.sourceApp : 'com.apple.AppStore';
      if (trustedInstallers.has(source)) return [];
      return [{ message: `Suspicious app not installed from the App Store or MDM: ${bundleIdOf(r) ?? 'None'}`, eventTime: r.isodate }];
    },
  }),
  defineRule<ApplicationRecord>({
    id: 'ios.applications.no_bundle_id',
    version: 1,
    artifact: 'ios.applications',
    level: 'medium',
    title: 'App metadata without a bundle id',
    why: 'App Store metadata always names the app\'s bundle id (softwareVersionBundleId). Metadata without it was not written by a normal App Store install, which MVT treats as suspicious.',
    innocent: 'Very old apps, some enterprise or developer installs and damaged metadata can lack the field. Look at the app\'s other fields and where it came from.',
    source: 'reference-spec §7.3.22 (MVT Applications)',
    mvtNeedsIndicators: true,
    scope: 'record',
    check(r) {
      if (typeof r.softwareVersionBundleId === 'string' && r.softwareVersionBundleId) return [];
      return [{ message: 'Suspicious application identified without softwareVersionBundleId', eventTime: r.isodate }];
    },
  }),
];
