/**
 * Every iOS artifact, in MVT's module order (reference-spec §7: the backup modules, the filesystem-only ones,
 * then the mixed ones), so findings come out in the same order as MVT's alerts on a backup and on a dump; the
 * sysdiagnose artifacts, which MVT does not have, come last. The `--only` validation, the docs and the registry test derive from this list.
 */
import type { AnyArtifact } from '../artifact.js';
import analytics from './analytics.js';
import analyticsIosVersions from './analytics_ios_versions.js';
import applications from './applications.js';
import backupInfo from './backup_info.js';
import calendar from './calendar.js';
import cacheFiles from './cache_files.js';
import calls from './calls.js';
import chromeFavicon from './chrome_favicon.js';
import chromeHistory from './chrome_history.js';
import configurationProfiles from './configuration_profiles.js';
import contacts from './contacts.js';
import datausage from './datausage.js';
import filesystem from './filesystem.js';
import firefoxFavicon from './firefox_favicon.js';
import firefoxHistory from './firefox_history.js';
import globalPreferences from './global_preferences.js';
import idStatusCache from './id_status_cache.js';
import iosVersionHistory from './ios_version_history.js';
import interactionC from './interaction_c.js';
import locationdClients from './locationd_clients.js';
import manifest from './manifest.js';
import netusage from './netusage.js';
import osAnalyticsAdDaily from './os_analytics_ad_daily.js';
import profileEvents from './profile_events.js';
import safariBrowserState from './safari_browser_state.js';
import safariFavicon from './safari_favicon.js';
import safariHistory from './safari_history.js';
import shortcuts from './shortcuts.js';
import shutdownLog from './shutdown_log.js';
import sms from './sms.js';
import smsAttachments from './sms_attachments.js';
import sysdiagnoseAppInstalls from './sysdiagnose_app_installs.js';
import sysdiagnoseCrashReports from './sysdiagnose_crash_reports.js';
import sysdiagnoseDevice from './sysdiagnose_device.js';
import sysdiagnoseProcesses from './sysdiagnose_processes.js';
import sysdiagnoseProfiles from './sysdiagnose_profiles.js';
import sysdiagnoseSettingsEvents from './sysdiagnose_settings_events.js';
import tcc from './tcc.js';
import webkitIndexeddb from './webkit_indexeddb.js';
import webkitLocalStorage from './webkit_local_storage.js';
import webkitResourceLoadStatistics from './webkit_resource_load_statistics.js';
import webkitSafariViewService from './webkit_safari_view_service.js';
import webkitSessionResourceLog from './webkit_session_resource_log.js';
import whatsapp from './whatsapp.js';
import whatsappContacts from './whatsapp_contacts.js';

export const iosArtifacts: readonly AnyArtifact[] = [
  backupInfo,
  configurationProfiles,
  manifest,
  profileEvents,
  cacheFiles,
  filesystem,
  netusage,
  analytics,
  analyticsIosVersions,
  safariFavicon,
  shutdownLog,
  iosVersionHistory,
  webkitIndexeddb,
  webkitLocalStorage,
  webkitSafariViewService,
  calls,
  chromeFavicon,
  chromeHistory,
  contacts,
  firefoxFavicon,
  firefoxHistory,
  idStatusCache,
  interactionC,
  locationdClients,
  osAnalyticsAdDaily,
  datausage,
  safariBrowserState,
  safariHistory,
  tcc,
  sms,
  smsAttachments,
  webkitResourceLoadStatistics,
  webkitSessionResourceLog,
  whatsapp,
  whatsappContacts,
  shortcuts,
  applications,
  calendar,
  globalPreferences,
  sysdiagnoseProcesses,
  sysdiagnoseAppInstalls,
  sysdiagnoseCrashReports,
  sysdiagnoseProfiles,
  sysdiagnoseSettingsEvents,
  sysdiagnoseDevice,
];
