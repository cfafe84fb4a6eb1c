import { defineArtifact } from '../artifact.js';
import datausage, { datausageObservables, datausageTimeline, readNetBase, type DatausageRecord } from './datausage.js';

/** netusage.sqlite has DataUsage.sqlite's NetBase schema, so its records are the same. */
export type NetusageRecord = DatausageRecord;

export default defineArtifact<NetusageRecord>({
  id: 'ios.netusage',
  version: 1,
  title: 'Network use per process (networkd netusage.sqlite)',
  mvt: { module: 'netusage', className: 'Netusage' },
  doc: 'networkd\'s own count of the network traffic of every process, on a full filesystem dump only; Pegasus processes (bh, roleaccountd, …) were first found here, and rows whose process record was deleted, or processes with no binary on the phone, are traces of spyware.',
  references: ['https://www.amnesty.org/en/latest/research/2021/07/forensic-methodology-report-how-to-catch-nso-groups-pegasus/'],
  inputs: {
    'ios-fs': [
      { by: 'device-glob', pattern: 'private/var/networkd/netusage.sqlite' },
      // Where iOS 15 keeps it (the clean iOS 15.3.1 listing in ../shared/data).
      { by: 'device-glob', pattern: 'private/var/networkd/db/netusage.sqlite' },
    ],
  },
  // MVT reads every match: a phone upgraded across the move can hold both.
  inputMode: 'all',
  requires: datausage.requires!,
  parse: readNetBase,
  timeline: datausageTimeline,
  observables: datausageObservables,
});
