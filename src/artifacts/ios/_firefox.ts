import type { ArtifactInputs } from '../artifact.js';

/**
 * Firefox for iOS keeps history, visits and favicons in one browser.db in its app-group container.
 * MVT's full-dump path (`private/var/mobile/profile.profile/browser.db`) does not exist on devices
 * (reference-spec §15 item 24); it is kept for parity after the real app-group location.
 */
export const firefoxBrowserDb: ArtifactInputs = {
  'ios-backup': [{ by: 'backup', domain: 'AppDomainGroup-group.org.mozilla.ios.Firefox', relativePath: 'profile.profile/browser.db' }],
  'ios-fs': [
    { by: 'device-glob', pattern: 'private/var/mobile/Containers/Shared/AppGroup/*/profile.profile/browser.db' },
    { by: 'device-glob', pattern: 'private/var/mobile/profile.profile/browser.db' },
  ],
};
