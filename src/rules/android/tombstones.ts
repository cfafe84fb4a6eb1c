/** Heuristics over native crashes (MVT Tombstones). */
import type { TombstoneRecord } from '../../artifacts/android/tombstones.js';
import { defineRule } from '../rule.js';

/** root, system and shell: the identities an exploit chain climbs to, and whose crashes MVT flags. */
export const PRIVILEGED_UIDS: ReadonlyMap<number, string> = new Map([
  [0, 'root'],
  [1000, 'system'],
  [2000, 'shell'],
]);

export default [
  defineRule<TombstoneRecord>({
    id: 'android.tombstones.privileged_crash',
    version: 1,
    artifact: 'android.tombstones',
    level: 'medium',
    title: 'A process running as root, system or shell crashed',
    why: 'Exploits against Android\'s privileged services (running as root, system or the adb shell) often crash their target when they misfire or when the phone\'s layout differs from what they expect. A crash of such a process, near the time of a suspected attack, is a lead: its tombstone shows the process, the signal and the abort message.',
    innocent: 'Privileged services also crash from ordinary bugs, especially on vendor builds (the test phone\'s adbd and tzts_daemon crashes are such). Look at the process, the signal and the time; one crash alone proves nothing.',
    source: 'MVT Tombstones heuristic (reference-spec §10.3)',
    scope: 'record',
    check(r) {
      if (!PRIVILEGED_UIDS.has(r.uid)) return [];
      return [{ message: `Potentially suspicious crash in process '${r.process_name ?? 'None'}' running as UID '${r.uid}' in tombstone '${r.file_name}' at ${r.timestamp}`, eventTime: r.timestamp_utc }];
    },
  }),
];
