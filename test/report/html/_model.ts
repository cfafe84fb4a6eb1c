/** Report models written as object literals (vitest's fixture style): a finding of each kind, hostile text on demand. */
import type { CoverageEntry, ReportFinding, ReportModel } from '../../../src/report/html/model.js';

export const indicatorFinding: ReportFinding = {
  level: 'critical',
  title: 'Found a known suspicious domain https://example.org/news matching indicator "example.org" from "TestMalware"',
  explanation: 'A message held a link to a domain that published indicators tie to spyware.',
  artifact: 'ios.whatsapp',
  time: '2021-10-18T12:00:00Z',
  evidence: { file: 'AppDomainGroup-group.net.whatsapp.WhatsApp.shared/ChatStorage.sqlite', locator: 'table ZWAMESSAGE, row 2', storedAs: '7c/7c7fba66680ef796b916b067077cc246adacf01d' },
  basis: { kind: 'indicator', value: 'example.org', collection: 'TestMalware', file: 'test.stix2', fileSha256: '0f787d16', observed: 'https://example.org/news' },
};

export const ruleFinding: ReportFinding = {
  level: 'low',
  title: 'Missing process 5',
  explanation: 'A hole in the DataUsage process sequence; iOS also prunes entries.',
  artifact: 'ios.datausage',
  time: '2021-10-18T11:30:00Z',
  evidence: { file: 'WirelessDomain/Library/Databases/DataUsage.sqlite', locator: 'table ZPROCESS, row 4' },
  basis: { kind: 'rule', id: 'ios.datausage.missing_process', version: 1, source: 'https://www.amnesty.org/' },
};

export const infoFinding: ReportFinding = {
  level: 'informational',
  title: 'Lockdown mode enabled',
  explanation: 'The phone runs in Lockdown Mode.',
  artifact: 'ios.global_preferences',
  time: null,
  evidence: { file: 'HomeDomain/Library/Preferences/.GlobalPreferences.plist', locator: 'key LDMGlobalEnabled' },
};

export const coverage: CoverageEntry[] = [
  { artifact: 'ios.sms', title: 'SMS and iMessage', state: 'parsed', records: 12 },
  { artifact: 'ios.safari_history', title: 'Safari history', state: 'missing', records: 0, reason: 'HomeDomain/Library/Safari/History.db is listed in Manifest.db but absent from the backup' },
  { artifact: 'ios.profile_events', title: 'Profile events', state: 'missing', records: 0, reason: 'not present in this acquisition' },
  { artifact: 'ios.sms_attachments', title: 'SMS attachments', state: 'failed', records: 0, reason: 'sms.db: no table attachment' },
  { artifact: 'ios.applications', title: 'Applications', state: 'empty', records: 0 },
];

export function model(findings: ReportFinding[], extra: Partial<ReportModel> = {}): ReportModel {
  return {
    generatedAt: '2026-12-03T08:00:00.000Z',
    subject: { person: 'A. Defender', organisation: 'Helpline', device: { name: 'iPhone', model: 'iPhone9,3', os: 'iOS 14.3 (18C66)', serial: 'F1234567890', id: '1CB128EA' } },
    findings,
    coverage,
    timeline: {
      events: [
        { time: '2021-10-18T11:29:00Z', artifact: 'ios.manifest', event: 'M--B', description: 'Library/SMS/sms.db - HomeDomain' },
        { time: '2021-10-18T12:01:00Z', artifact: 'ios.sms', event: 'sms_received', description: 'a message' },
      ],
      omitted: 0,
      span: { first: '2019-07-14T07:39:58Z', last: '2021-12-03T19:33:13Z', total: 5980 },
    },
    provenance: {
      tool: { name: 'tracehound', version: '0.1.0' },
      startedAt: '2026-12-03T07:00:00Z',
      finishedAt: '2026-12-03T07:00:03Z',
      acquisition: { kind: 'ios-backup', target: '/cases/backup', acquiredAt: '2021-12-03T19:33:13.000Z', encrypted: false },
      inputs: [{ path: '/cases/backup/Manifest.db', label: 'Manifest.db', sha256: '7876f1034a5082d2aaef9f6df2f90ca72168616bb724efd8bd856e0c9d7ecd96', bytes: 3285008 }],
      indicatorFiles: [{ path: '/iocs/test.stix2', sha256: '0f787d161ced161d9b36778423558c902b0105a7bd3c8490a58d4a0e5ed576d2', indicators: 9 }],
      rejectedIndicatorFiles: [],
      notes: [],
      artifacts: [{ id: 'ios.sms', version: 1 }],
      rules: [{ id: 'ios.datausage.missing_process', version: 1 }],
    },
    ...extra,
  };
}
