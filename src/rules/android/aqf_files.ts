/** Files where exploits drop their payloads (MVT AQFFiles). */
import type { AqfFileRecord } from '../../artifacts/android/aqf_files.js';
import { defineRule } from '../rule.js';

/** The shell's scratch folder, writable over adb and by exploits; androidqf itself runs its collector from there. */
export const suspiciousPrefix = '/data/local/tmp/';
export const androidqfCollector = '/data/local/tmp/collector';

export default [
  defineRule<AqfFileRecord>({
    id: 'android.aqf_files.suspicious_path',
    version: 1,
    artifact: 'android.aqf_files',
    level: 'high',
    title: 'A file in /data/local/tmp, where exploits drop their payloads',
    why: '/data/local/tmp is a scratch folder that only the adb shell and privileged processes write to. Exploit chains and spyware installers stage their binaries there; an executable left in it is especially suspicious.',
    innocent: 'Developers, rooting tools and some forensic or testing tools (Frida, scrcpy, benchmark tools) push files there over adb. androidqf\'s own collector is set aside. Ask whether the phone was used for development or connected to such tools.',
    source: 'MVT AQFFiles heuristic (reference-spec §10.2)',
    mvtNeedsIndicators: true,
    scope: 'record',
    check(r) {
      if (!r.path.startsWith(suspiciousPrefix) || r.path === androidqfCollector) return [];
      const executable = r.mode?.includes('x') ? 'executable ' : '';
      return [{ message: `Found ${executable}file at suspicious path "${r.path}"`, eventTime: r.modified_time }];
    },
  }),
];
