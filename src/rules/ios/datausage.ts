/**
 * NetBase heuristics (reference-spec §7.2.3), the same for DataUsage.sqlite and networkd's netusage.sqlite:
 * process records deleted behind the back of the live usage that still points at them, holes in the process
 * id sequence, and (on a filesystem dump) processes with no binary on the phone.
 */
import type { DatausageRecord } from '../../artifacts/ios/datausage.js';
import { processNameMaxChars } from '../../artifacts/ios/_binaries.js';
import { compareMoments } from '../../formats/time.js';
import { defineRule, type RuleHit } from '../rule.js';

const methodology = 'https://www.amnesty.org/en/latest/research/2021/07/forensic-methodology-report-how-to-catch-nso-groups-pegasus/';

/** A gap wider than this is reported once, as a range, instead of one finding per id (MVT: one each). */
export const maxMissingIdsListed = 1000;

const isDeleted = (r: DatausageRecord) => r.proc_id === null || r.proc_id === 0;
const when = (r: DatausageRecord) => r.first_isodate?.mvt() ?? 'None';

/** Rules that read only the records, so they run wherever the artifact runs. */
export function netBaseRules(artifact: 'ios.datausage' | 'ios.netusage') {
  return [
    defineRule<DatausageRecord>({
      id: `${artifact}.manipulated_process`,
      version: 1,
      artifact,
      level: 'high',
      title: 'Network usage by a process whose record was deleted',
      why: 'DataUsage.sqlite records how much data each process used. Here a usage row still points at a process entry that no longer exists. Pegasus was seen deleting its own process entries from this database to hide which process used the network, leaving exactly this kind of orphaned row.',
      innocent: 'iOS itself rarely deletes a process entry while keeping its usage rows; a database damaged by a crash or restored from an inconsistent backup could also show it. Look at the time of the orphaned row and what else happened then.',
      source: `${methodology} (reference-spec §7.2.3)`,
      scope: 'artifact',
      check(records) {
        const orphans = records.filter(isDeleted);
        orphans.sort((a, b) => compareMoments(a.live_isodate, b.live_isodate));
        return orphans.map((record) => ({
          record,
          hit: { message: `Found manipulated process entry ${record.live_proc_id ?? 'None'}. Entry on ${record.live_isodate?.mvt() ?? 'None'}`, eventTime: record.live_isodate },
        }));
      },
    }),
    defineRule<DatausageRecord>({
      id: `${artifact}.missing_process`,
      version: 1,
      artifact,
      level: 'low',
      title: 'A process entry is missing from the network usage database',
      why: 'Process entries in DataUsage.sqlite are numbered in sequence. A number missing from the sequence means an entry was removed; spyware that deletes its process entry (as Pegasus did) leaves such a hole. The finding names the process recorded just before the hole, which dates it.',
      innocent: 'iOS also removes old entries, for instance when an app is deleted or the database is pruned, so a hole alone is weak evidence. It matters when it lines up in time with other findings.',
      source: `${methodology} (reference-spec §7.2.3)`,
      scope: 'artifact',
      check(records) {
        // The first record carrying each id stands for it (a process with several live rows appears several times).
        const byId = new Map<number, DatausageRecord>();
        for (const r of records) if (r.proc_id && !byId.has(r.proc_id)) byId.set(r.proc_id, r);
        const ids = [...byId.keys()].sort((a, b) => a - b);
        const out: { record: DatausageRecord; hit: RuleHit }[] = [];
        for (let i = 1; i < ids.length; i++) {
          const prevId = ids[i - 1]!;
          const gap = ids[i]! - prevId - 1;
          if (gap <= 0) continue;
          const prev = byId.get(prevId)!;
          const after = `Previous process at "${when(prev)}" (${prev.proc_name ?? 'None'})`;
          if (gap > maxMissingIdsListed) {
            out.push({ record: prev, hit: { message: `Missing processes ${prevId + 1} to ${ids[i]! - 1} (${gap} ids). ${after}`, eventTime: prev.first_isodate } });
            continue;
          }
          for (let id = prevId + 1; id < ids[i]!; id++) {
            out.push({ record: prev, hit: { message: `Missing process ${id}. ${after}`, eventTime: prev.first_isodate } });
          }
        }
        return out;
      },
    }),
  ];
}

/**
 * MVT's message for a process whose binary is not in the dump, with its caveats: a name of 16 characters may
 * have been cut by the kernel, and an empty name cannot be looked for at all.
 */
export function noBinaryMessage(r: DatausageRecord): string {
  if (!r.proc_name) return `Found process entry with empty 'proc_name': ${r.live_proc_id ?? 'None'} at ${r.live_isodate?.mvt() ?? 'None'}`;
  const cut = r.proc_name.length === processNameMaxChars ? ' (However, the process name might have been truncated in the database)' : '';
  return `Could not find the binary associated with the process with name ${r.proc_name}${cut}`;
}

/**
 * Only on a filesystem dump: the parser sets `binary_on_disk` there (false = searched and not found), never on
 * a backup, which holds no binaries.
 */
export function noBinaryRule(artifact: 'ios.datausage' | 'ios.netusage') {
  return defineRule<DatausageRecord>({
    id: `${artifact}.process_without_binary`,
    version: 1,
    artifact,
    level: 'medium',
    title: 'Network use by a process whose program is not on the phone',
    why: 'Every process that used the network was started from a program file on the phone. A process recorded here whose program cannot be found anywhere in the filesystem dump ran from a file that was deleted afterwards, or from memory: Pegasus processes (bh, roleaccountd, …) were found this way, since the spyware removes its files once it runs.',
    innocent: 'An app or tool that was uninstalled leaves its name behind; some system daemons live outside what a dump holds (the Cryptex volume of iOS 16 and later, the shared cache); and the kernel keeps only 16 characters of a name, so a longer program name can look unmatched. Compare the name with known apps and daemons of that iOS version.',
    source: `${methodology} (reference-spec §7.2.3)`,
    sources: ['ios-fs'],
    scope: 'record',
    check: (r) => (r.binary_on_disk === false ? [{ message: noBinaryMessage(r), eventTime: r.live_isodate }] : []),
  });
}

export default [...netBaseRules('ios.datausage'), noBinaryRule('ios.datausage')];
