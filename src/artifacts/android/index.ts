/**
 * Every Android artifact, in MVT's androidqf module order (reference-spec §9.1: AQFPackages, AQFProcesses,
 * AQFGetProp, AQFSettings, AQFFiles, RootBinaries), so findings come out in the order of MVT's alerts.
 */
import type { AnyArtifact } from '../artifact.js';
import aqfGetprop from './aqf_getprop.js';
import aqfPackages from './aqf_packages.js';

export const androidArtifacts: readonly AnyArtifact[] = [aqfPackages, aqfGetprop];
