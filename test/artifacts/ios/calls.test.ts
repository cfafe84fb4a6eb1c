import { describe, expect, it } from 'vitest';
import calls, { type CallRecord } from '../../../src/artifacts/ios/calls.js';
import { parseBackup } from '../../helpers/artifacts.js';
import { mvtIosBackup } from '../../helpers/data.js';
import { buildBackup, sqliteBytes } from '../../fixtures/ios-backup.js';
import { OPERATOR_EMAIL, operatorHits } from '../../fixtures/operator-indicators.js';
import { pythonDescription } from '../../../src/report/mvt/compat.js';

const CALL_DB = { domain: 'HomeDomain', relativePath: 'Library/CallHistoryDB/CallHistory.storedata' };

/** The ZCALLRECORD columns of iOS 14–17 CallHistory.storedata (CoreData), ZADDRESS stored as a blob. */
const CALL_SCHEMA = `CREATE TABLE ZCALLRECORD (Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZANSWERED INTEGER, ZCALLTYPE INTEGER, ZORIGINATED INTEGER,
  ZREAD INTEGER, ZDATE TIMESTAMP, ZDURATION FLOAT, ZADDRESS BLOB, ZISO_COUNTRY_CODE VARCHAR, ZLOCATION VARCHAR, ZNAME VARCHAR, ZSERVICE_PROVIDER VARCHAR, ZUNIQUE_ID VARCHAR);`;

describe('ios.calls on the MVT test backup', () => {
  it('reports CallHistory.storedata as listed in Manifest.db but absent (MVT: no db, no output)', async () => {
    const { records, coverage } = await parseBackup<CallRecord>(calls, mvtIosBackup());
    expect(records).toEqual([]);
    expect(coverage.state).toBe('missing');
    expect(coverage.issues).toEqual([
      {
        code: 'file-missing',
        file: expect.anything() as unknown,
        message: 'HomeDomain/Library/CallHistoryDB/CallHistory.storedata (5a/5a4935c78a5255723f707230a451d79c540d2741) is listed in Manifest.db but absent from the backup',
      },
    ]);
  });
});

describe('ios.calls on a built CallHistory.storedata', () => {
  it('reads each call with its number (a UTF-8 blob), provider, duration and date; durations print as Python floats, as in MVT', async () => {
    const data = sqliteBytes(CALL_SCHEMA, (db) => {
      const insert = db.prepare('INSERT INTO ZCALLRECORD (Z_ENT, Z_OPT, ZANSWERED, ZCALLTYPE, ZORIGINATED, ZDATE, ZDURATION, ZADDRESS, ZLOCATION, ZSERVICE_PROVIDER) VALUES (2, 1, ?, ?, ?, ?, ?, ?, ?, ?)');
      insert.run(1, 1, 0, 700000000.5, 63.25, Buffer.from('+14155550100'), 'California', 'com.apple.Telephony');
      insert.run(0, 16, 0, 700003600, 0, Buffer.from('alice@example.org'), null, 'com.apple.FaceTime');
      insert.run(1, 1, 1, 700007200, 12, null, 'Unknown', 'net.whatsapp.WhatsApp');
    });
    const { records, items, timeline, coverage } = await parseBackup<CallRecord>(calls, buildBackup([{ ...CALL_DB, data }]));
    expect(coverage.state).toBe('parsed');
    expect(coverage.issues).toEqual([]);
    expect(records.map((r) => ({ ...r, isodate: r.isodate?.mvt() }))).toEqual([
      { isodate: '2023-03-08 20:26:40.500000', duration: 63.25, location: 'California', number: '+14155550100', provider: 'com.apple.Telephony' },
      { isodate: '2023-03-08 21:26:40.000000', duration: 0, location: null, number: 'alice@example.org', provider: 'com.apple.FaceTime' },
      { isodate: '2023-03-08 22:26:40.000000', duration: 12, location: 'Unknown', number: null, provider: 'net.whatsapp.WhatsApp' },
    ]);
    expect(items.map((i) => i.source.at)).toEqual([1, 2, 3].map((rowid) => ({ table: 'ZCALLRECORD', rowid })));
    expect(timeline.map((e) => [e.event, pythonDescription(e.description)])).toEqual([
      ['call', 'From +14155550100 using com.apple.Telephony during 63.25 seconds'],
      ['call', 'From alice@example.org using com.apple.FaceTime during 0.0 seconds'],
      ['call', 'From None using net.whatsapp.WhatsApp during 12.0 seconds'],
    ]);
  });

  it('fails with a message naming CallHistory.storedata when a column is missing', async () => {
    const data = sqliteBytes('CREATE TABLE ZCALLRECORD (Z_PK INTEGER PRIMARY KEY, ZDATE TIMESTAMP, ZDURATION FLOAT);');
    const { coverage } = await parseBackup<CallRecord>(calls, buildBackup([{ ...CALL_DB, data }]));
    expect(coverage.state).toBe('failed');
    expect(coverage.issues[0]).toMatchObject({ code: 'missing-column' });
    expect(coverage.issues[0]!.message).toBe(
      'CallHistory.storedata (HomeDomain/Library/CallHistoryDB/CallHistory.storedata, 5a/5a4935c78a5255723f707230a451d79c540d2741): table ZCALLRECORD lacks column(s) ZLOCATION, ZADDRESS, ZSERVICE_PROVIDER',
    );
  });

  it('reports a file that is not a database without crashing', async () => {
    const { coverage } = await parseBackup<CallRecord>(calls, buildBackup([{ ...CALL_DB, data: Buffer.from('bplist00 not sqlite') }]));
    expect(coverage.state).toBe('failed');
    expect(coverage.issues[0]).toMatchObject({ code: 'bad-sqlite' });
    expect(coverage.issues[0]!.message).toContain('CallHistory.storedata');
  });
});

describe('ios.calls observables: the other party, when it is an e-mail address (FaceTime), direct (CRITICAL)', () => {
  const callsDb = (addresses: (string | null)[]) =>
    sqliteBytes(CALL_SCHEMA, (db) => {
      const insert = db.prepare('INSERT INTO ZCALLRECORD (ZDATE, ZDURATION, ZADDRESS, ZSERVICE_PROVIDER) VALUES (700000000, 5, ?, ?)');
      for (const a of addresses) insert.run(a === null ? null : Buffer.from(a), a?.includes('@') ? 'com.apple.FaceTime' : 'com.apple.Telephony');
    });

  it('reports a FaceTime call with the operator\'s address, and nothing for ordinary calls', async () => {
    const data = callsDb(['+14155550100', 'dana@icloud.com', OPERATOR_EMAIL.toUpperCase(), null, '14155550100@s.whatsapp.net']);
    const { observables } = await parseBackup<CallRecord>(calls, buildBackup([{ ...CALL_DB, data }]));
    // Phone numbers and WhatsApp JIDs are not e-mail addresses; there is no phone-number indicator kind.
    expect(observables).toEqual([
      { kind: 'email', value: 'dana@icloud.com', field: 'number' },
      { kind: 'email', value: OPERATOR_EMAIL.toUpperCase(), field: 'number' },
    ]);
    expect(operatorHits(observables)).toEqual([{ field: 'number', observed: OPERATOR_EMAIL.toUpperCase(), indicator: OPERATOR_EMAIL, level: 'critical' }]);
  });
});
