/**
 * Heuristics over the installed packages of an androidqf acquisition: rooting apps, apps that did not come
 * from the Play Store, and security or update packages turned off. Lists and levels as MVT has them
 * (reference-spec Appendix B).
 */
import type { AqfPackageRecord } from '../../artifacts/android/aqf_packages.js';
import { defineRule, type RuleHit } from '../rule.js';

/** Apps that root a phone, hide root or patch apps. */
export const rootPackages: ReadonlySet<string> = new Set([
  'com.noshufou.android.su',
  'com.noshufou.android.su.elite',
  'eu.chainfire.supersu',
  'com.koushikdutta.superuser',
  'com.thirdparty.superuser',
  'com.yellowes.su',
  'com.koushikdutta.rommanager',
  'com.koushikdutta.rommanager.license',
  'com.dimonvideo.luckypatcher',
  'com.chelpus.lackypatch',
  'com.ramdroid.appquarantine',
  'com.ramdroid.appquarantinepro',
  'com.devadvance.rootcloak',
  'com.devadvance.rootcloakplus',
  'de.robv.android.xposed.installer',
  'com.saurik.substrate',
  'com.zachspong.temprootremovejb',
  'com.amphoras.hidemyroot',
  'com.amphoras.hidemyrootadfree',
  'com.formyhm.hiderootPremium',
  'com.formyhm.hideroot',
  'me.phh.superuser',
  'eu.chainfire.supersu.pro',
  'com.kingouser.com',
  'com.topjohnwu.magisk',
]);

/** Manufacturer agents that report security problems (Samsung's security log and policy agents). */
export const securityPackages: ReadonlySet<string> = new Set(['com.policydm', 'com.samsung.android.app.omcagent', 'com.samsung.android.securitylogagent', 'com.sec.android.soagent']);

/** The packages that install system updates, per maker. */
export const systemUpdatePackages: ReadonlySet<string> = new Set([
  'com.android.updater',
  'com.google.android.gms',
  'com.huawei.android.hwouc',
  'com.lge.lgdmsclient',
  'com.motorola.ccc.ota',
  'com.oneplus.opbackup',
  'com.oppo.ota',
  'com.transsion.systemupdate',
  'com.wssyncmldm',
]);

export const thirdPartyStoreInstallers: ReadonlySet<string> = new Set(['com.aurora.store', 'org.fdroid.fdroid']);
/** Android's own installer: what installs an APK file opened from a browser download, a file manager or a chat. */
export const browserInstallers: ReadonlySet<string> = new Set(['com.google.android.packageinstaller', 'com.android.packageinstaller']);

/** androidqf writes the word `null` when Android recorded no installer; an absent or empty one says the same. */
export function hasNoInstaller(r: AqfPackageRecord): boolean {
  return r.installer === null || r.installer === '' || r.installer === 'null';
}

/** A rooting app is reported as such and nothing else about it, as MVT does. */
const otherwise = (r: AqfPackageRecord, hit: () => RuleHit[]): RuleHit[] => (rootPackages.has(r.name) ? [] : hit());

const source = 'MVT AQFPackages heuristics (reference-spec §10.2, Appendix B)';

export default [
  defineRule<AqfPackageRecord>({
    id: 'android.aqf_packages.root_package',
    version: 1,
    artifact: 'android.aqf_packages',
    level: 'medium',
    title: 'An app that roots the phone or hides root is installed',
    why: 'Rooting apps (Magisk, SuperSU, Xposed, root cloakers) give apps full control of the phone and switch off Android\'s protections. Spyware installed by someone with the phone in hand often needs root; an unexpected rooting app is a reason to look further.',
    innocent: 'Some owners root their own phones to customise them. Ask whether the owner rooted the phone.',
    source,
    scope: 'record',
    check: (r) => (rootPackages.has(r.name) ? [{ message: `Found an installed package related to rooting/jailbreaking: "${r.name}"` }] : []),
  }),
  defineRule<AqfPackageRecord>({
    id: 'android.aqf_packages.third_party_store',
    version: 1,
    artifact: 'android.aqf_packages',
    level: 'informational',
    title: 'An app installed from an alternative app store',
    why: 'F-Droid and Aurora Store install apps that Google Play did not review. Worth knowing which apps came that way, not an alarm.',
    innocent: 'Privacy-minded people use F-Droid and Aurora Store on purpose; most of their apps are open-source and harmless.',
    source,
    scope: 'record',
    check: (r) =>
      otherwise(r, () => (r.installer !== null && thirdPartyStoreInstallers.has(r.installer) ? [{ message: `Found a package installed via a third party store (installer="${r.installer}"): "${r.name}"` }] : [])),
  }),
  defineRule<AqfPackageRecord>({
    id: 'android.aqf_packages.browser_install',
    version: 1,
    artifact: 'android.aqf_packages',
    level: 'medium',
    title: 'An app installed from an APK file (side-loaded)',
    why: "The app was installed by Android's package installer from an APK file, downloaded in a browser or received in a message, not from an app store. Spyware delivered by a link or installed by someone holding the phone arrives this way.",
    innocent: 'People side-load apps that are not on Google Play (modified apps, regional apps, updates of apps from a maker\'s site). Ask the owner about each one and check its name, hash and certificate.',
    source,
    scope: 'record',
    check: (r) => otherwise(r, () => (r.installer !== null && browserInstallers.has(r.installer) ? [{ message: `Found a package installed via a browser (installer="${r.installer}"): "${r.name}"` }] : [])),
  }),
  defineRule<AqfPackageRecord>({
    id: 'android.aqf_packages.unknown_installer',
    version: 1,
    artifact: 'android.aqf_packages',
    level: 'medium',
    title: 'A non-system app with no recorded installer (adb or another method)',
    why: 'Android records which app installed each app. A non-system app with no installer was pushed with adb from a computer or by a tool that bypasses the installers, which is how stalkerware and spyware are often put on a phone that was in someone else\'s hands.',
    innocent: 'Apps restored from a backup, installed by a developer over USB, or by some phone-transfer tools have no installer either. Ask who installed it and when.',
    source,
    scope: 'record',
    check: (r) =>
      otherwise(r, () =>
        r.installer !== null && (thirdPartyStoreInstallers.has(r.installer) || browserInstallers.has(r.installer))
          ? []
          : hasNoInstaller(r) && r.system === false
            ? [{ message: `Found a non-system package installed via adb or another method: "${r.name}"` }]
            : [],
      ),
  }),
  defineRule<AqfPackageRecord>({
    id: 'android.aqf_packages.security_package_disabled',
    version: 1,
    artifact: 'android.aqf_packages',
    level: 'medium',
    title: "A maker's security agent is disabled",
    why: "Samsung's security log and policy agents report tampering and apply security policies. Spyware and the people who install it disable them so that nothing is reported.",
    innocent: 'Owners sometimes disable pre-installed apps with debloating tools. Ask whether the owner did.',
    source,
    scope: 'record',
    check: (r) => otherwise(r, () => (securityPackages.has(r.name) && r.disabled === true ? [{ message: `Security package "${r.name}" disabled on the phone` }] : [])),
  }),
  defineRule<AqfPackageRecord>({
    id: 'android.aqf_packages.update_package_disabled',
    version: 1,
    artifact: 'android.aqf_packages',
    level: 'medium',
    title: 'The system update package is disabled',
    why: 'The package that installs system updates is disabled, so the phone stops receiving security fixes; an attacker keeps a phone vulnerable, and the exploit working, this way.',
    innocent: 'Owners sometimes block updates on purpose (to keep an old version, or a rooted phone). Ask whether the owner did.',
    source,
    scope: 'record',
    check: (r) => otherwise(r, () => (systemUpdatePackages.has(r.name) && r.disabled === true ? [{ message: `System OTA update package "${r.name}" disabled on the phone` }] : [])),
  }),
];
