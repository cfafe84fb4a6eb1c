import { describe, expect, it } from 'vitest';
import accessibility, { type DumpsysAccessibilityRecord } from '../../../src/artifacts/android/dumpsys_accessibility.js';
import { decodeAccessibility } from '../../../src/formats/dumpsys-accessibility.js';
import { mvtAndroidqf, parseAqf } from './_aqf.js';
import { checkDumpsys, mvtDumpsys, parseDumpsysSections } from './_dumpsys.js';

const old = () => mvtDumpsys('dumpsys_accessibility.txt').toString('utf8');
const v14 = () => mvtDumpsys('dumpsys_accessibility_v14_or_later.txt').toString('utf8');

describe('android.dumpsys_accessibility', () => {
  it('MVT\'s old-syntax file: 4 installed services, the first com.android.settings', () => {
    const services = decodeAccessibility(old());
    expect(services).toHaveLength(4);
    expect(services[0]).toEqual({
      package_name: 'com.android.settings',
      service: 'com.android.settings/com.samsung.android.settings.development.gpuwatch.GPUWatchInterceptor',
      lists: ['installed'],
    });
  });

  it('MVT\'s Android 14 file: 1 enabled service, com.malware.accessibility', () => {
    expect(decodeAccessibility(v14())).toEqual([{ package_name: 'com.malware.accessibility', service: 'com.malware.accessibility/com.malware.service.malwareservice', lists: ['enabled'] }]);
  });

  it('a service in both syntaxes is one record naming both lists (MVT lists it twice)', () => {
    const both = '  installed services: {\n    0 : com.x/.Svc\n  }\n     Enabled services:{{com.x/.Svc}, {com.y/.Other}}\n';
    expect(decodeAccessibility(both)).toEqual([
      { package_name: 'com.x', service: 'com.x/.Svc', lists: ['installed', 'enabled'] },
      { package_name: 'com.y', service: 'com.y/.Other', lists: ['enabled'] },
    ]);
  });

  it('reads androidqf\'s dumpsys.txt (its doubled "installed services:" line is not a service): 4 services, no issue', async () => {
    const { records, coverage, timeline, observables } = await parseAqf<DumpsysAccessibilityRecord>(accessibility, mvtAndroidqf());
    expect(coverage.state).toBe('parsed');
    expect(coverage.issues).toEqual([]);
    expect(records.map((r) => r.package_name)).toEqual(['com.android.settings', 'com.samsung.accessibility', 'com.samsung.accessibility', 'com.sec.android.app.camera']);
    expect(timeline).toEqual([]);
    expect(observables[3]).toEqual({ kind: 'app_id', value: 'com.sec.android.app.camera', field: 'package_name' });
  });

  it('the Android 14 file: 1 MEDIUM whose record is the service', async () => {
    const findings = await checkDumpsys('android.dumpsys_accessibility', { accessibility: v14() });
    expect(findings.map((f) => [f.level, f.message])).toEqual([['medium', 'Found accessibility service: "com.malware.accessibility/com.malware.service.malwareservice"']]);
    expect(findings[0]!.record).toEqual(decodeAccessibility(v14())[0]);
  });

  it('with the indicator com.sec.android.app.camera: 1 CRITICAL for it, and a MEDIUM for each of the 4 services (MVT: 3, it skips the MEDIUM of the matched one)', async () => {
    const findings = await checkDumpsys('android.dumpsys_accessibility', { accessibility: old() }, ['com.sec.android.app.camera']);
    expect(findings.filter((f) => f.level === 'critical').map((f) => (f.record as DumpsysAccessibilityRecord).package_name)).toEqual(['com.sec.android.app.camera']);
    expect(findings.filter((f) => f.level === 'medium')).toHaveLength(4);
  });

  it('a dumpsys.txt without the accessibility section: no record, one issue saying which section is absent', async () => {
    const { records, coverage } = await parseDumpsysSections<DumpsysAccessibilityRecord>(accessibility, { package: 'Packages:\n' });
    expect(records).toEqual([]);
    expect(coverage.state).toBe('empty');
    expect(coverage.issues.map((i) => i.message)).toEqual(['dumpsys.txt: no "DUMP OF SERVICE accessibility:" section']);
  });
});
