/** Heuristics over Android settings: protections turned off (reference-spec Appendix B, MVT's list and values). */
import type { AqfSettingRecord } from '../../artifacts/android/aqf_settings.js';
import { defineRule } from '../rule.js';

export interface DangerousSetting {
  /** The value a phone with the protection on has; any other value raises the finding. */
  readonly safeValue: string;
  readonly description: string;
}

export const dangerousSettings: ReadonlyMap<string, DangerousSetting> = new Map([
  ['verifier_verify_adb_installs', { safeValue: '1', description: 'disabled Google Play Services apps verification' }],
  ['package_verifier_enable', { safeValue: '1', description: 'disabled Google Play Protect' }],
  ['package_verifier_state', { safeValue: '1', description: 'disabled APK package verification' }],
  ['package_verifier_user_consent', { safeValue: '1', description: 'disabled Google Play Protect' }],
  ['upload_apk_enable', { safeValue: '1', description: 'disabled Google Play Protect' }],
  ['adb_install_need_confirm', { safeValue: '1', description: 'disabled confirmation of adb apps installation' }],
  ['send_security_reports', { safeValue: '1', description: 'disabled sharing of security reports' }],
  ['samsung_errorlog_agree', { safeValue: '1', description: 'disabled sharing of crash logs with manufacturer' }],
  ['send_action_app_error', { safeValue: '1', description: 'disabled applications errors reports' }],
  ['accessibility_enabled', { safeValue: '0', description: 'enabled accessibility services' }],
]);

export default [
  defineRule<AqfSettingRecord>({
    id: 'android.aqf_settings.dangerous_setting',
    version: 1,
    artifact: 'android.aqf_settings',
    level: 'medium',
    title: 'A protection is turned off in the Android settings',
    why: 'Play Protect, the verification of apps installed over adb and crash or security reporting are on by default. Whoever installs spyware on a phone turns them off so the app is not scanned or reported; accessibility services, once enabled, let an app read the screen and act for the user, which stalkerware relies on.',
    innocent: 'Owners turn some of these off themselves (declining to share crash logs with the maker is common), and accessibility services are used by password managers, launchers and assistive apps. Check which app uses accessibility, and ask the owner.',
    source: 'MVT AQFSettings heuristic (reference-spec §10.2, Appendix B)',
    scope: 'record',
    check(r) {
      const danger = dangerousSettings.get(r.key);
      if (!danger || danger.safeValue === r.value) return [];
      return [{ message: `Found suspicious "${r.namespace}" setting "${r.key} = ${r.value}" (${danger.description})` }];
    },
  }),
];
