import { describe, expect, it } from 'vitest';
import { decodeShutdownLog, type ShutdownLogRecord } from '../../../src/artifacts/ios/shutdown_log.js';
import { ordinaryLocation } from '../../../src/rules/ios/_paths.js';
import rules from '../../../src/rules/ios/shutdown_log.js';
import type { RecordRule } from '../../../src/rules/rule.js';
import { ORDINARY_CLIENTS, PEGASUS_STAGING, ordinaryReboots, shutdownLogText } from '../../../src/synth/shutdown-log.js';

const rule = (id: string) => rules.find((r) => r.id === id) as RecordRule<ShutdownLogRecord>;
const suspicious = rule('ios.shutdown_log.suspicious_folder');
const unusual = rule('ios.shutdown_log.unusual_folder');
const sticky = rule('ios.shutdown_log.sticky_process');

const records = (text: string) => [...decodeShutdownLog(Buffer.from(text))].map((l) => l.record);

/** Every hit of every rule: [rule id, level, message]. */
function findings(text: string): [string, string, string][] {
  return records(text).flatMap((r) => rules.flatMap((rl) => (rl as RecordRule<ShutdownLogRecord>).check(r).map((h): [string, string, string] => [rl.id, h.level ?? rl.level, h.message])));
}

/** One reboot of three notices: nfcd listed by the first, `client` by the last `notices`. */
function reboot(client: string, notices: number, sigterm = 1700000000): string {
  const lines: string[] = [];
  for (let n = 0; n < 3; n++) {
    lines.push(`After ${(0.5 * (n + 1)).toFixed(2)}s, these clients are still here:`);
    if (n === 0) lines.push('\t\tremaining client pid: 155 (/usr/libexec/nfcd)');
    if (n >= 3 - notices) lines.push(`\t\tremaining client pid: 2143 (${client})`);
  }
  return `${lines.join('\n')}\nSIGTERM: [${sigterm}]\n`;
}

describe('shutdown.log heuristics', () => {
  it('a Pegasus-staged process that outlives three notices: HIGH for the folder, MEDIUM for the stickiness', () => {
    expect(findings(reboot(`${PEGASUS_STAGING}/bh`, 3))).toEqual([
      ['ios.shutdown_log.suspicious_folder', 'high', `Process "${PEGASUS_STAGING}/bh" (PID 2143) was delaying the reboot of 2023-11-14 22:13:20.000000 while running from /private/var/db/, where Pegasus (e.g. /private/var/db/com.apple.xpc.roleaccountd.staging/) ran`],
      ['ios.shutdown_log.sticky_process', 'medium', `Process "${PEGASUS_STAGING}/bh" (PID 2143) delayed the reboot of 2023-11-14 22:13:20.000000 through 3 delay notices (1.5 s)`],
    ]);
    expect([suspicious.level, unusual.level, sticky.level]).toEqual(['high', 'medium', 'medium']);
  });

  it('/private/var/tmp/ (Reign, Predator) and its /tmp and /var spellings are the same folder; the UUID newer iOS appends changes nothing', () => {
    for (const client of ['/private/var/tmp/UserEventAgent', '/tmp/x', '/var/db/y', '/private/var/db/com.apple.xpc.roleaccountd.staging/bh/AAAA1111-B896-3E7F-A6CC-577F0A547BB1']) {
      const ids = findings(reboot(client, 1)).map(([id]) => id);
      expect(ids, client).toEqual(['ios.shutdown_log.suspicious_folder']);
    }
  });

  it('a process from a folder iOS runs no code from, listed once: MEDIUM; three times: MEDIUM twice; an Apple daemon three times: LOW', () => {
    expect(findings(reboot('/private/var/mobile/Library/Caches/helper', 1))).toEqual([
      ['ios.shutdown_log.unusual_folder', 'medium', 'Process "/private/var/mobile/Library/Caches/helper" (PID 2143) was delaying the reboot of 2023-11-14 22:13:20.000000 while running from an unusual folder'],
    ]);
    expect(findings(reboot('/var/jb/usr/bin/tool', 3)).map(([id, level]) => [id, level])).toEqual([
      ['ios.shutdown_log.unusual_folder', 'medium'],
      ['ios.shutdown_log.sticky_process', 'medium'],
    ]);
    // An Apple daemon as sticky: LOW.
    expect(findings(reboot('/usr/sbin/mediaserverd', 3))).toEqual([
      ['ios.shutdown_log.sticky_process', 'low', 'Process "/usr/sbin/mediaserverd" (PID 2143) delayed the reboot of 2023-11-14 22:13:20.000000 through 3 delay notices (1.5 s)'],
    ]);
  });

  it('an undated shutdown says so', () => {
    const [hit] = suspicious.check(records('After 1s, these clients are still here:\n\t\tremaining client pid: 9 (/private/var/db/x)\n').at(-1)!);
    expect(hit!.message).toBe('Process "/private/var/db/x" (PID 9) was delaying a shutdown the log does not date while running from /private/var/db/, where Pegasus (e.g. /private/var/db/com.apple.xpc.roleaccountd.staging/) ran');
    expect(hit!.eventTime).toBeNull();
  });

  it('iOS\'s own code locations are ordinary; data folders and relative names are not', () => {
    for (const p of [...ORDINARY_CLIENTS, '/kernel', '/kernel/D504008E-47BE-3030-836A-E692031BB4AE', '/private/preboot/Cryptexes/OS/System/Library/Frameworks/WebKit.framework/XPCServices/com.apple.WebKit.Networking.xpc/com.apple.WebKit.Networking', '/private/var/staged_system_apps/Stocks.app/Stocks', '/var/containers/Bundle/Application/X/Y.app/Y'])
      expect(ordinaryLocation(p), p).toBe(true);
    for (const p of ['/private/var/mobile/x', '/private/var/db/x', '/Library/x', '/kernelx', 'nfcd', '/private/var/containers/Data/Application/X/y'])
      expect(ordinaryLocation(p), p).toBe(false);
    expect(findings(reboot('nfcd-without-path', 1))).toEqual([]);
  });

  it('an ordinary phone\'s reboots (Apple daemons and apps, each waiting once or twice) raise nothing', () => {
    const text = shutdownLogText({ seed: 42, reboots: ordinaryReboots(new Date('2024-05-01T07:00:00Z'), 60) });
    const recs = records(text);
    expect(new Set(recs.map((r) => r.reboot)).size).toBe(60);
    expect(recs.length).toBeGreaterThan(100);
    expect(findings(text)).toEqual([]);
    expect(findings(shutdownLogText({ seed: 43, uuidSuffix: true, reboots: ordinaryReboots(new Date('2024-05-01T07:00:00Z'), 60) }))).toEqual([]);
  });
});
