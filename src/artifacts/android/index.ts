/**
 * Every Android artifact, in MVT's androidqf module order (reference-spec §9.1: AQFPackages, AQFProcesses,
 * AQFGetProp, AQFSettings, AQFFiles, AQFLogTimestamps, RootBinaries, Mounts), so findings come out in the order of MVT's alerts;
 * then the backup's SMS, which MVT checks after them (its nested backup run, §9.1 finish()).
 */
import type { AnyArtifact } from '../artifact.js';
import aqfFiles from './aqf_files.js';
import aqfGetprop from './aqf_getprop.js';
import aqfLogTimestamps from './aqf_log_timestamps.js';
import aqfPackages from './aqf_packages.js';
import aqfProcesses from './aqf_processes.js';
import aqfSettings from './aqf_settings.js';
import mounts from './mounts.js';
import rootBinaries from './root_binaries.js';
import sms from './sms.js';

export const androidArtifacts: readonly AnyArtifact[] = [aqfPackages, aqfProcesses, aqfGetprop, aqfSettings, aqfFiles, aqfLogTimestamps, rootBinaries, mounts, sms];
