/**
 * Every Android artifact, in MVT's androidqf module order (reference-spec §9.1: AQFPackages, AQFProcesses,
 * AQFGetProp, AQFSettings, AQFFiles, AQFLogTimestamps, RootBinaries, Mounts), so findings come out in the order of MVT's alerts;
 * then the nested bugreport's modules, the backup's SMS and the intrusion-log modules (DnsEvent, ConnectEvent,
 * SecurityEvent), in the order MVT's androidqf run checks them (§9.1 finish()).
 */
import type { AnyArtifact } from '../artifact.js';
import aqfFiles from './aqf_files.js';
import aqfGetprop from './aqf_getprop.js';
import aqfLogTimestamps from './aqf_log_timestamps.js';
import aqfPackages from './aqf_packages.js';
import aqfProcesses from './aqf_processes.js';
import aqfSettings from './aqf_settings.js';
import bugreportTimestamps from './bugreport_timestamps.js';
import dumpsysAccessibility from './dumpsys_accessibility.js';
import dumpsysActivities from './dumpsys_activities.js';
import dumpsysAdbState from './dumpsys_adb_state.js';
import dumpsysAppops from './dumpsys_appops.js';
import dumpsysBatteryDaily from './dumpsys_battery_daily.js';
import dumpsysBatteryHistory from './dumpsys_battery_history.js';
import dumpsysDbinfo from './dumpsys_dbinfo.js';
import dumpsysGetprop from './dumpsys_getprop.js';
import dumpsysPackages from './dumpsys_packages.js';
import dumpsysPlatformCompat from './dumpsys_platform_compat.js';
import dumpsysReceivers from './dumpsys_receivers.js';
import intrusionConnect from './intrusion_connect.js';
import intrusionDns from './intrusion_dns.js';
import intrusionSecurity from './intrusion_security.js';
import mounts from './mounts.js';
import rootBinaries from './root_binaries.js';
import sms from './sms.js';
import tombstones from './tombstones.js';

/**
 * A bugreport's modules in MVT's order (reference-spec §9.2): the dumpstate's sections (read from a bugreport's
 * dumpstate and from androidqf's dumpsys.txt alike), then the bugreport's file times and tombstones.
 */
export const bugreportArtifacts: readonly AnyArtifact[] = [
  dumpsysAccessibility,
  dumpsysActivities,
  dumpsysAppops,
  dumpsysBatteryDaily,
  dumpsysBatteryHistory,
  dumpsysDbinfo,
  dumpsysGetprop,
  dumpsysPackages,
  dumpsysPlatformCompat,
  dumpsysReceivers,
  dumpsysAdbState,
  bugreportTimestamps,
  tombstones,
];

/** The ten that read one service section each through `_dumpsys.ts` (one split of the file per run). */
export const dumpsysArtifacts: readonly AnyArtifact[] = bugreportArtifacts.filter((a) => a !== dumpsysGetprop && a !== bugreportTimestamps && a !== tombstones);

export const androidArtifacts: readonly AnyArtifact[] = [aqfPackages, aqfProcesses, aqfGetprop, aqfSettings, aqfFiles, aqfLogTimestamps, rootBinaries, mounts, ...bugreportArtifacts, sms, intrusionDns, intrusionConnect, intrusionSecurity];
