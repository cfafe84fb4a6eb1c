/**
 * shutdown.log heuristics (Kaspersky, "A lightweight method to detect potential iOS malware", January 2024):
 * a process that keeps a reboot waiting through three or more delay notices (Pegasus, Reign and Predator
 * processes were "sticky" this way), and processes running from folders iOS never runs code from. MVT has
 * neither (reference-spec §7.2.7): it only matches indicators.
 */
import type { ShutdownLogRecord } from '../../artifacts/ios/shutdown_log.js';
import { defineRule, type RuleHit } from '../rule.js';
import { ordinaryLocation, suspiciousFolder } from './_paths.js';

const securelist = 'https://securelist.com/shutdown-log-lightweight-ios-malware-detection-method/111734/';

/** Delay notices after which a process counts as sticky: iShutdown's threshold. */
export const stickyNotices = 3;

const when = (r: ShutdownLogRecord) => (r.isodate ? `the reboot of ${r.isodate.mvt()}` : 'a shutdown the log does not date');

export default [
  defineRule<ShutdownLogRecord>({
    id: 'ios.shutdown_log.suspicious_folder',
    version: 1,
    artifact: 'ios.shutdown_log',
    level: 'high',
    title: 'A process that delayed a reboot ran from a folder spyware uses',
    why: 'shutdown.log lists the processes still running while the phone shut down. This one ran from a writable data folder (/private/var/db/ or /private/var/tmp/) where iOS keeps no programs. Kaspersky found Pegasus processes running from /private/var/db/ (com.apple.xpc.roleaccountd.staging) in this log on infected iPhones, and the same folders used by Reign and Predator.',
    innocent: 'Apple does not run programs from these folders, so an innocent explanation is rare: a jailbroken phone, or a developer\'s or researcher\'s test device running its own tools. Look for the same name in process lists, data usage and crash reports, and at when the reboot happened.',
    source: securelist,
    scope: 'record',
    check(r) {
      if (r.binary === null) return [];
      const folder = suspiciousFolder(r.binary);
      if (folder === null) return [];
      return [{ message: `Process "${r.binary}" (PID ${r.pid ?? 'None'}) was delaying ${when(r)} while running from ${folder.folder}, where ${folder.seen} ran`, eventTime: r.isodate }];
    },
  }),
  defineRule<ShutdownLogRecord>({
    id: 'ios.shutdown_log.unusual_folder',
    version: 1,
    artifact: 'ios.shutdown_log',
    level: 'medium',
    title: 'A process that delayed a reboot ran from an unusual folder',
    why: 'iOS runs programs only from its signed system volume, its cryptexes and app bundles. This process, listed in shutdown.log while the phone shut down, ran from somewhere else. Mercenary spyware runs its implants from data folders to survive outside the signed system; Kaspersky\'s shutdown.log research found them this way.',
    innocent: 'A jailbroken phone runs tools from /var/jb/ and similar folders; a future iOS version may run Apple code from a place this check does not know yet. Compare the path with other phones of the same iOS version.',
    source: securelist,
    scope: 'record',
    check(r) {
      if (r.binary === null || !r.binary.startsWith('/') || ordinaryLocation(r.binary) || suspiciousFolder(r.binary) !== null) return [];
      return [{ message: `Process "${r.binary}" (PID ${r.pid ?? 'None'}) was delaying ${when(r)} while running from an unusual folder`, eventTime: r.isodate }];
    },
  }),
  defineRule<ShutdownLogRecord>({
    id: 'ios.shutdown_log.sticky_process',
    version: 1,
    artifact: 'ios.shutdown_log',
    level: 'medium',
    title: `A process kept a reboot waiting through ${stickyNotices} or more delay notices`,
    why: `When the phone shuts down, iOS asks every process to exit and logs a notice each time some are still there. Pegasus, Reign and Predator processes were seen keeping the reboot waiting through several notices; Kaspersky's iShutdown flags ${stickyNotices} or more. MEDIUM for a process outside iOS's own folders, LOW for an Apple daemon or an app.`,
    innocent: 'A busy Apple daemon or app (syncing, playing media, writing a large file) can also be slow to exit, once in a while. It matters when the same process does it at several reboots, or runs from an unusual folder.',
    source: securelist,
    scope: 'record',
    check(r) {
      if (r.binary === null || r.times_delayed < stickyNotices) return [];
      const hit: RuleHit = {
        message: `Process "${r.binary}" (PID ${r.pid ?? 'None'}) delayed ${when(r)} through ${r.times_delayed} delay notices (${r.delay ?? 'unknown'} s)`,
        eventTime: r.isodate,
      };
      return [ordinaryLocation(r.binary) ? { ...hit, level: 'low' } : hit];
    },
  }),
];
