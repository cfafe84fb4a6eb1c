/**
 * android.sms on MVT's backups (reference-spec §10.1, §13.5 test_backup_module / test_backup_parser, §14.4):
 * the same decoder over a `.ab` file, an encrypted one, the extracted folder and androidqf's backup.ab.
 */
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sms, { decodeSmsEntry, type AndroidSmsRecord } from '../../../src/artifacts/android/sms.js';
import { openAcquisition } from '../../../src/evidence/detect.js';
import type { CredentialProvider } from '../../../src/evidence/ios-backup-keys.js';
import { check } from '../../../src/index.js';
import { TELEPHONY_DIR } from '../../../src/synth/android-backup.js';
import { parseSource, type ArtifactResult } from '../../helpers/artifacts.js';
import { mvtTestStix, shared } from '../../helpers/data.js';
import { mvtAndroidqf } from './_aqf.js';

const mvt = (...p: string[]) => shared('mvt-test-artifacts', 'android_backup', ...p);

async function parse(path: string, credentials?: CredentialProvider): Promise<ArtifactResult<AndroidSmsRecord>> {
  const { source } = await openAcquisition(path, undefined, credentials);
  try {
    return await parseSource<AndroidSmsRecord>(sms, source);
  } finally {
    await source.close();
  }
}

const pin = (p: string): CredentialProvider => async () => ({ kind: 'password', password: p });
const mvtTime = (r: AndroidSmsRecord) => r.isodate?.mvt();

const SMS_RECORD = {
  address: '06543219',
  body: 'Hi this is a test message to https://google.com/',
  date: '1645543781956',
  date_sent: '0',
  status: '-1',
  type: '6',
  recipients: ['06543219'],
  read: '1',
  direction: 'received',
  links: ['https://google.com/'],
};

describe('MVT\'s test backups', () => {
  it('backup.ab: 2 records, the SMS first (MVT\'s results[0]), then the MMS with its body moved from mms_body and its seconds read as ms', async () => {
    const r = await parse(mvt('backup.ab'));
    expect(r.coverage).toMatchObject({ state: 'parsed', records: 2, issues: [] });
    expect(r.records[0]).toMatchObject(SMS_RECORD);
    expect(mvtTime(r.records[0]!)).toBe('2022-02-22 15:29:41.956000');
    expect(r.records[1]).toMatchObject({
      date: '1579531789',
      date_sent: '1579531786',
      m_type: '132',
      msg_box: '1',
      tr_id: 'cjdYUDkdslU',
      mms_addresses: [
        { type: 137, address: '+12345678', charset: 106 },
        { type: 151, address: '+23456789', charset: 106 },
      ],
      body: 'Very suspicious MMS, click on this link http://google.com',
      direction: 'sent',
      links: ['http://google.com'],
    });
    expect(r.records[1]).not.toHaveProperty('mms_body');
    expect(mvtTime(r.records[1]!)).toBe('1970-01-19 06:45:31.789000');
    expect(r.items.map((i) => [i.source.file.ref.storedPath, i.source.at])).toEqual([
      [`${TELEPHONY_DIR}/000000_sms_backup`, { key: '[0]' }],
      [`${TELEPHONY_DIR}/000001_mms_backup`, { key: '[0]' }],
    ]);
    expect(r.observables).toEqual([
      { kind: 'url', value: 'https://google.com/', field: 'links' },
      { kind: 'url', value: 'http://google.com', field: 'links' },
    ]);
    expect(r.timeline).toEqual([]); // MVT's Android SMS module has no timeline
  });

  it('the extracted folder: 2 records, results[0].links == ["https://google.com/"]', async () => {
    const r = await parse(mvt());
    expect(r.coverage).toMatchObject({ state: 'parsed', records: 2 });
    expect(r.records[0]!.links).toEqual(['https://google.com/']);
  });

  it('backup2.ab with password 123456: 1 record, links ["https://google.com/"]', async () => {
    const r = await parse(mvt('backup2.ab'), pin('123456'));
    expect(r.coverage).toMatchObject({ state: 'parsed', records: 1 });
    expect(r.records[0]!.links).toEqual(['https://google.com/']);
  });

  it('backup3.ab: 1 record with 1 link', async () => {
    const r = await parse(mvt('backup3.ab'));
    expect(r.coverage).toMatchObject({ state: 'parsed', records: 1 });
    expect(r.records[0]!.links).toHaveLength(1);
  });

  it('androidqf\'s backup.ab: the same 2 records, addressed inside it', async () => {
    const { source } = await openAcquisition(mvtAndroidqf());
    try {
      const r = await parseSource<AndroidSmsRecord>(sms, source);
      expect(r.records.map((x) => x.links)).toEqual([['https://google.com/'], ['http://google.com']]);
      expect(r.items[0]!.source.file.ref.storedPath).toBe(`backup.ab/${TELEPHONY_DIR}/000000_sms_backup`);
    } finally {
      await source.close();
    }
  });
});

describe('§14.4: check-backup of backup.ab with MVT\'s test.stix2, MVT-compatible output', () => {
  let out: string;
  beforeAll(() => {
    out = mkdtempSync(join(tmpdir(), 'th-ab-mvt-'));
  });
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('sms.json 2 records, urls.json 2 entries, info.json the backup\'s hash, no alert, no timeline.csv', async () => {
    const result = await check({ target: mvt('backup.ab'), iocs: [mvtTestStix()], userIocDir: null, output: join(out, 'o'), format: 'mvt' });
    expect(result.findings).toEqual([]);
    expect(readdirSync(join(out, 'o')).sort()).toEqual(['alerts_timeline.csv', 'info.json', 'sms.json', 'urls.json']);
    const read = (f: string) => JSON.parse(readFileSync(join(out, 'o', f), 'utf8')) as unknown;
    const records = read('sms.json') as Record<string, unknown>[];
    expect(records).toHaveLength(2);
    expect(records[0]).toEqual({ ...SMS_RECORD, isodate: '2022-02-22 15:29:41.956000' });
    expect(read('urls.json')).toEqual([
      { url: 'https://google.com/', expanded_url: null, timestamp: '2022-02-22 15:29:41.956000', source: 'sms' },
      { url: 'http://google.com', expanded_url: null, timestamp: '1970-01-19 06:45:31.789000', source: 'sms' },
    ]);
    expect((read('info.json') as { hashes: unknown }).hashes).toEqual([{ file_path: mvt('backup.ab'), sha256: 'f0e32fe8a7fd5ac0e2de19636d123c0072e979396986139ba2bc49ec385dc325' }]);
  });
});

describe('decodeSmsEntry (reference-spec §11.3)', () => {
  it.each([
    ['a body with links', { body: 'see https://a.example/x and http://b.example', date: '1000', date_sent: '0' }, { links: ['https://a.example/x', 'http://b.example'], direction: 'received' }],
    ['a blank body: links [], as MVT (a non-empty string, no link in it)', { body: '  ', date: '1000', date_sent: '0' }, { links: [] }],
    ['an empty body: links null, as MVT', { body: '', date: '1000', date_sent: '0' }, { links: null }],
    ['a body without links: no links field', { body: 'hello', date: '1000', date_sent: '0' }, {}],
    ['an MMS body is moved to body', { mms_body: 'go https://c.example', date: '1', date_sent: '5' }, { body: 'go https://c.example', links: ['https://c.example'], direction: 'sent' }],
  ])('%s', (_, entry, expected) => {
    const r = decodeSmsEntry(entry);
    expect(r).toMatchObject(expected);
    if (!('links' in expected)) expect(r).not.toHaveProperty('links');
  });

  it('no body at all (MVT raises KeyError): a record without links', () => {
    expect(decodeSmsEntry({ address: '1', date: '1000', date_sent: '0' })).toEqual({ address: '1', date: '1000', date_sent: '0', isodate: expect.anything() as unknown, direction: 'received' });
  });

  it('a date that is not a whole number gives no time, not a crash; a missing date_sent reads as received', () => {
    const r = decodeSmsEntry({ body: 'x', date: 'yesterday' });
    expect(r.isodate).toBeNull();
    expect(r.direction).toBe('received');
  });

  it('a scheme-less host in the body is a mention; the other party as an e-mail address is direct', () => {
    const observables = sms.observables!(decodeSmsEntry({ address: 'op@evil-mail.com', body: 'visit evil-host.net today', date: '1', date_sent: '0' }));
    expect(observables).toEqual([
      { kind: 'email', value: 'op@evil-mail.com', field: 'address' },
      { kind: 'domain', value: 'evil-host.net', field: 'body', role: 'mention' },
    ]);
  });
});

describe('damaged telephony backups in the extracted folder', () => {
  it('a file that is not zlib is one issue naming it; the other file is still read', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'th-ab-bad-'));
    try {
      mkdirSync(join(dir, TELEPHONY_DIR), { recursive: true });
      writeFileSync(join(dir, TELEPHONY_DIR, '000000_sms_backup'), 'plain text, not zlib');
      writeFileSync(join(dir, TELEPHONY_DIR, '000001_mms_backup'), deflateSync(JSON.stringify([{ mms_body: 'hi', date: '1', date_sent: '0' }, 'not a message', 42])));
      const r = await parse(dir);
      expect(r.records).toHaveLength(1);
      expect(r.coverage.state).toBe('partial');
      expect(r.coverage.issues.map((i) => [i.code, i.message])).toEqual([
        ['corrupted', expect.stringMatching(new RegExp(`^${TELEPHONY_DIR}/000000_sms_backup: not zlib-compressed data \\(expected a telephony SMS/MMS backup\\): .+$`))],
        ['row-skipped', `${TELEPHONY_DIR}/000001_mms_backup: 2 item(s) of the list are not messages (expected objects); not read`],
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('JSON that is not a list is one issue', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'th-ab-bad-'));
    try {
      mkdirSync(join(dir, TELEPHONY_DIR), { recursive: true });
      writeFileSync(join(dir, TELEPHONY_DIR, '000000_sms_backup'), deflateSync('{"body": "x"}'));
      const r = await parse(dir);
      expect(r.coverage).toMatchObject({ state: 'failed', reason: `${TELEPHONY_DIR}/000000_sms_backup: expected a JSON list of messages, found an object` });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
