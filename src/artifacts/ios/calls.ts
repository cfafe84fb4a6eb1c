import { fromCocoa, type Moment } from '../../formats/time.js';
import { defineArtifact } from '../artifact.js';
import { at, homeFile, num, readDatabases, type Row } from '../_read.js';
import { described, real } from '../describe.js';
import { rowLocator, text } from './_messaging.js';
import { emailObservable } from './_observables.js';

/** One call (phone, FaceTime, VoIP apps using CallKit) from CallHistory.storedata `ZCALLRECORD`. */
export interface CallRecord {
  /** ZDATE, Cocoa seconds. */
  readonly isodate: Moment | null;
  /** ZDURATION, seconds. */
  readonly duration: number | null;
  /** ZLOCATION: the region iOS derived from the number ("California", "Unknown"). */
  readonly location: string | null;
  /** ZADDRESS: number or handle of the other party (a UTF-8 blob on most iOS versions). */
  readonly number: string | null;
  /** ZSERVICE_PROVIDER: `com.apple.Telephony`, `com.apple.FaceTime`, or a VoIP app's bundle id. */
  readonly provider: string | null;
}

export function decodeCallRow(row: Row): CallRecord {
  return {
    isodate: fromCocoa(num(row.ZDATE)),
    duration: num(row.ZDURATION),
    location: text(row.ZLOCATION),
    number: text(row.ZADDRESS),
    provider: text(row.ZSERVICE_PROVIDER),
  };
}

export default defineArtifact<CallRecord>({
  id: 'ios.calls',
  version: 1,
  title: 'Call history',
  mvt: { module: 'calls', className: 'Calls' },
  doc: 'CallHistory.storedata lists phone, FaceTime and VoIP calls with the other party and duration; missed or very short calls around a suspected infection are worth a look (WhatsApp\'s 2019 exploit was delivered by a call).',
  inputs: homeFile('Library/CallHistoryDB/CallHistory.storedata'),
  requires: { ZCALLRECORD: ['ZDATE', 'ZDURATION', 'ZLOCATION', 'ZADDRESS', 'ZSERVICE_PROVIDER'] },
  async *parse(ctx) {
    yield* readDatabases(ctx, function* (db, file) {
      const locate = rowLocator(db, 'ZCALLRECORD');
      const sql = 'SELECT rowid AS __rowid, ZDATE, ZDURATION, ZLOCATION, ZADDRESS, ZSERVICE_PROVIDER FROM ZCALLRECORD ORDER BY rowid';
      for (const row of db.db.prepare(sql).iterate() as Iterable<Row>) {
        yield { record: decodeCallRow(row), source: at(file, locate(num(row.__rowid))) };
      }
    });
  },
  timeline: (r) => [{ time: r.isodate, event: 'call', description: described`From ${r.number} using ${r.provider} during ${real(r.duration)} seconds` }],
  // Not checked by MVT: a FaceTime call by e-mail address has the address as its other party.
  observables: (r) => emailObservable(r.number, 'number'),
});
