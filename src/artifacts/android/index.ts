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
import bugreportTimestamps from './bugreport_timestamps.js';
import dumpsysGetprop from './dumpsys_getprop.js';
import mounts from './mounts.js';
import rootBinaries from './root_binaries.js';
import tombstones from './tombstones.js';

/** The bugreport artifacts of this slice, in MVT's bugreport module order (reference-spec §9.2): DumpsysGetProp, BugReportTimestamps, Tombstones. */
const bugreportArtifacts: readonly AnyArtifact[] = [dumpsysGetprop, bugreportTimestamps, tombstones];

export const androidArtifacts: readonly AnyArtifact[] = [aqfPackages, aqfProcesses, aqfGetprop, aqfSettings, aqfFiles, aqfLogTimestamps, rootBinaries, mounts, ...bugreportArtifacts];
