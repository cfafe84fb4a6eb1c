import { describe, expect, it } from 'vitest';
import platformCompat, { type DumpsysPlatformCompatRecord } from '../../../src/artifacts/android/dumpsys_platform_compat.js';
import { mvtAndroidqf, parseAqf } from './_aqf.js';
import { checkDumpsys, mvtDumpsys, parseDumpsysSections } from './_dumpsys.js';

describe('android.dumpsys_platform_compat', () => {
  it('MVT\'s file: the 2 raw overrides of DOWNSCALED (uninstalled apps leave them)', async () => {
    const { records, coverage } = await parseDumpsysSections<DumpsysPlatformCompatRecord>(platformCompat, { platform_compat: mvtDumpsys('dumpsys_platform_compat.txt') });
    expect(coverage).toMatchObject({ state: 'parsed', issues: [] });
    expect(records).toEqual([{ package_name: 'org.torproject.torbrowser' }, { package_name: 'org.article19.circulo.next' }]);
  });

  it('both as indicators: 2 CRITICAL', async () => {
    const findings = await checkDumpsys('android.dumpsys_platform_compat', { platform_compat: mvtDumpsys('dumpsys_platform_compat.txt') }, ['org.torproject.torbrowser', 'org.article19.circulo.next']);
    expect(findings.map((f) => [f.level, f.match?.observed])).toEqual([
      ['critical', 'org.torproject.torbrowser'],
      ['critical', 'org.article19.circulo.next'],
    ]);
  });

  it('androidqf\'s dumpsys.txt has the same 2', async () => {
    const { records } = await parseAqf<DumpsysPlatformCompatRecord>(platformCompat, mvtAndroidqf());
    expect(records.map((r) => r.package_name)).toEqual(['org.torproject.torbrowser', 'org.article19.circulo.next']);
  });
});
