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
import dumpsysGetprop from './dumpsys_getprop.js';
import intrusionConnect from './intrusion_connect.js';
import intrusionDns from './intrusion_dns.js';
import intrusionSecurity from './intrusion_security.js';
import mounts from './mounts.js';
import rootBinaries from './root_binaries.js';
import sms from './sms.js';
import tombstones from './tombstones.js';

/** The bugreport artifacts of this slice, in MVT's bugreport module order (reference-spec §9.2): DumpsysGetProp, BugReportTimestamps, Tombstones. */
const bugreportArtifacts: readonly AnyArtifact[] = [dumpsysGetprop, bugreportTimestamps, tombstones];

export const androidArtifacts: readonly AnyArtifact[] = [aqfPackages, aqfProcesses, aqfGetprop, aqfSettings, aqfFiles, aqfLogTimestamps, rootBinaries, mounts, ...bugreportArtifacts, sms, intrusionDns, intrusionConnect, intrusionSecurity];
