/** Every iOS heuristic, grouped by the artifact it reads. */
import type { AnyRule } from '../rule.js';
import applications from './applications.js';
import calendar from './calendar.js';
import configurationProfiles from './configuration_profiles.js';
import datausage from './datausage.js';
import globalPreferences from './global_preferences.js';
import idStatusCache from './id_status_cache.js';
import netusage from './netusage.js';
import profileEvents from './profile_events.js';
import safariHistory from './safari_history.js';
import shutdownLog from './shutdown_log.js';
import sms from './sms.js';
import smsAttachments from './sms_attachments.js';
import sysdiagnoseCrashReports from './sysdiagnose_crash_reports.js';
import sysdiagnoseProcesses from './sysdiagnose_processes.js';
import sysdiagnoseProfiles from './sysdiagnose_profiles.js';
import webkitSessionResourceLog from './webkit_session_resource_log.js';

export const iosRules: readonly AnyRule[] = [
  ...configurationProfiles,
  ...profileEvents,
  ...idStatusCache,
  ...datausage,
  ...netusage,
  ...safariHistory,
  ...sms,
  ...smsAttachments,
  ...webkitSessionResourceLog,
  ...applications,
  ...calendar,
  ...globalPreferences,
  ...shutdownLog,
  ...sysdiagnoseProcesses,
  ...sysdiagnoseCrashReports,
  ...sysdiagnoseProfiles,
];
