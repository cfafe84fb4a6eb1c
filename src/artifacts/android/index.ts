/**
 * Every Android artifact, in MVT's androidqf module order (reference-spec §9.1: AQFPackages, AQFProcesses,
 * AQFGetProp, AQFSettings, AQFFiles, AQFLogTimestamps, RootBinaries, Mounts), so findings come out in the order of MVT's alerts.
 */
import type { AnyArtifact } from '../artifact.js';
import aqfFiles from './aqf_files.js';
import aqfGetprop from './aqf_getprop.js';
import aqfLogTimestamps from './aqf_log_timestamps.js';
import aqfPackages from './aqf_packages.js';
import aqfProcesses from './aqf_processes.js';
import aqfSettings from './aqf_settings.js';
import dumpsysAccessibility from './dumpsys_accessibility.js';
import dumpsysActivities from './dumpsys_activities.js';
import dumpsysAdbState from './dumpsys_adb_state.js';
import dumpsysAppops from './dumpsys_appops.js';
import dumpsysBatteryDaily from './dumpsys_battery_daily.js';
import dumpsysBatteryHistory from './dumpsys_battery_history.js';
import dumpsysDbinfo from './dumpsys_dbinfo.js';
import dumpsysPackages from './dumpsys_packages.js';
import dumpsysPlatformCompat from './dumpsys_platform_compat.js';
import dumpsysReceivers from './dumpsys_receivers.js';
import mounts from './mounts.js';
import rootBinaries from './root_binaries.js';

/** The dumpsys sections, in MVT's bugreport module order (reference-spec §9.2), after the androidqf ones. */
export const dumpsysArtifacts: readonly AnyArtifact[] = [
  dumpsysAccessibility,
  dumpsysActivities,
  dumpsysAppops,
  dumpsysBatteryDaily,
  dumpsysBatteryHistory,
  dumpsysDbinfo,
  dumpsysPackages,
  dumpsysPlatformCompat,
  dumpsysReceivers,
  dumpsysAdbState,
];

export const androidArtifacts: readonly AnyArtifact[] = [aqfPackages, aqfProcesses, aqfGetprop, aqfSettings, aqfFiles, aqfLogTimestamps, rootBinaries, mounts, ...dumpsysArtifacts];
