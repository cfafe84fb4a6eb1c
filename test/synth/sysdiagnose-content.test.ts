/**
 * The sysdiagnose content generator: deterministic per seed, the files a real sysdiagnose has at the places it
 * has them, and an ordinary phone that stays quiet when the whole check runs on it against every indicator feed.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { check, type CheckResult } from '../../src/app/check.js';
import { levelRank, type Finding } from '../../src/findings/finding.js';
import { generateSysdiagnose } from '../../src/synth/sysdiagnose.js';
import { sysdiagnoseContent, sysdiagnoseFolderName } from '../../src/synth/sysdiagnose-content.js';
import { writeSysdiagnoseTree, type SysdiagnoseTree } from '../artifacts/ios/_sysdiagnose-tree.js';
import { shared } from '../helpers/data.js';

const digest = (files: ReturnType<typeof sysdiagnoseContent>) => files.map((f) => `${f.path} ${createHash('sha256').update(f.data).digest('hex').slice(0, 16)}`);

describe('sysdiagnoseContent', () => {
  it('writes the same bytes for the same seed and other bytes for another', () => {
    expect(digest(sysdiagnoseContent(42))).toEqual(digest(sysdiagnoseContent(42)));
    expect(digest(sysdiagnoseContent(43))).not.toEqual(digest(sysdiagnoseContent(42)));
  });

  it('puts each file where a real sysdiagnose has it', () => {
    const paths = sysdiagnoseContent(42).map((f) => f.path.replace(/profile-[0-9a-f]{64}/, 'profile-<hash>').replace(/-\d{4}-\d{2}-\d{2}-\d{6}\.ips$/, '-<date>.ips'));
    expect(paths).toEqual([
      'ps.txt',
      'ps_thread.txt',
      'taskinfo.txt',
      'logs/MobileInstallation/mobile_installation.log.0',
      'logs/MCState/Shared/profile-<hash>.stub',
      'logs/MCState/Shared/MCSettingsEvents.plist',
      'logs/MCState/Shared/MCProfileEvents.plist',
      'logs/Accessibility/TCC.db',
      'crashes_and_spins/WhatsApp-<date>.ips',
      'crashes_and_spins/nsurlsessiond-<date>.ips',
      'crashes_and_spins/JetsamEvent-<date>.ips',
      'logs/SystemVersion/SystemVersion.plist',
      'remotectl_dumpstate.txt',
    ]);
  });

  it('names the folder as Apple does, with the local time and offset', () => {
    expect(sysdiagnoseFolderName()).toBe('sysdiagnose_2024.06.28_18-04-05+0200_iPhone-OS_iPhone_21F90');
    expect(sysdiagnoseFolderName({ collectedAt: new Date(Date.UTC(2023, 11, 31, 23, 30, 0)), utcOffsetMinutes: -300, buildVersion: '21C66' })).toBe('sysdiagnose_2023.12.31_18-30-00-0500_iPhone-OS_iPhone_21C66');
  });
});

function describeFindings(findings: readonly Finding[]): string {
  return findings.map((f) => `${f.level.toUpperCase()} ${f.artifact}: ${f.message}`).join('\n') || '(none)';
}

describe('a generated sysdiagnose checked end to end against every indicator feed', () => {
  let clean: { tree: SysdiagnoseTree; result: CheckResult };
  let planted: { tree: SysdiagnoseTree; result: CheckResult };
  const run = async (plants: Parameters<typeof sysdiagnoseContent>[1]) => {
    const tree = writeSysdiagnoseTree(sysdiagnoseFolderName(), sysdiagnoseContent(2024, plants));
    return { tree, result: await check({ target: tree.root, iocs: [shared('iocs')], userIocDir: null }) };
  };
  beforeAll(async () => {
    clean = await run({});
    planted = await run({
      plants: [
        { kind: 'process', path: '/private/var/db/com.apple.xpc.roleaccountd.staging/bhd' },
        { kind: 'process', path: '/usr/libexec/stagingd', lists: ['taskinfo'] },
      ],
    });
  }, 120_000);
  afterAll(() => {
    clean.tree.remove();
    planted.tree.remove();
  });

  it('reads every sysdiagnose artifact of an ordinary phone and raises nothing at HIGH or above', () => {
    expect(clean.result.acquisition.kind).toBe('ios-sysdiagnose');
    const parsed = clean.result.coverage.filter((c) => c.artifact.startsWith('ios.sysdiagnose_') && c.state === 'parsed').map((c) => c.artifact);
    expect(parsed.sort()).toEqual([
      'ios.sysdiagnose_app_installs',
      'ios.sysdiagnose_crash_reports',
      'ios.sysdiagnose_device',
      'ios.sysdiagnose_processes',
      'ios.sysdiagnose_profiles',
      'ios.sysdiagnose_settings_events',
    ]);
    const serious = clean.result.findings.filter((f) => levelRank(f.level) >= levelRank('high'));
    expect(describeFindings(serious)).toBe('(none)');
  });

  it('finds the planted implant: CRITICAL for a Pegasus process name (taskinfo\'s name as an observable), MEDIUM for being seen by taskinfo only, HIGH for the folder the other runs from', () => {
    const ours = planted.result.findings.filter((f) => f.artifact === 'ios.sysdiagnose_processes');
    expect(ours.map((f) => `${f.level} ${f.rule?.id ?? 'indicator'}: ${f.message}`)).toEqual([
      'critical indicator: Found a known suspicious process name "stagingd" matching indicators from "Pegasus"',
      expect.stringMatching(/^medium ios\.sysdiagnose_processes\.single_list: Process stagingd \(PID \d+\) is listed in taskinfo\.txt but not in ps\.txt or ps_thread\.txt, taken seconds apart$/),
      expect.stringMatching(/^high ios\.sysdiagnose_processes\.suspicious_folder: Process \/private\/var\/db\/com\.apple\.xpc\.roleaccountd\.staging\/bhd \(PID \d+\) was running from \/private\/var\/db\//),
    ]);
  });
});

describe('the content packed by the sysdiagnose archive generator', () => {
  it('is read straight from the .tar.gz, dated with the offset in the archive\'s name', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tracehound-sd-tgz-'));
    try {
      const collectedAt = new Date(Date.UTC(2024, 4, 2, 8, 15, 30));
      const extra = sysdiagnoseContent(5, { collectedAt, utcOffsetMinutes: 120, buildVersion: '21E236', productVersion: '17.4.1', plants: [{ kind: 'process', path: '/private/var/tmp/updated' }] });
      const archive = await generateSysdiagnose(dir, { seed: 5, format: 'tar.gz', collectedAt, utcOffsetMinutes: 120, build: '21E236', extra });
      const result = await check({ target: archive.path, iocs: [shared('iocs')], userIocDir: null });
      expect(result.acquisition.kind).toBe('ios-sysdiagnose');
      expect(result.coverage.find((c) => c.artifact === 'ios.sysdiagnose_device')?.state).toBe('parsed');
      expect(describeFindings(result.findings.filter((f) => f.artifact.startsWith('ios.sysdiagnose_')))).toMatch(/^HIGH ios\.sysdiagnose_processes: Process \/private\/var\/tmp\/updated \(PID \d+\) was running from \/private\/var\/tmp\/, where Reign and Predator ran$/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
