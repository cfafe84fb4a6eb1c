import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { openIosBackup } from '../../src/evidence/ios-backup.js';
import { UserError } from '../../src/errors.js';
import { check } from '../../src/app/check.js';
import { isDict, parsePlist, type PlistDict } from '../../src/formats/plist.js';
import { STORE_APPS } from '../../src/synth/_apps.js';
import { DEMO_APPS, DEMO_DOMAIN, DEMO_EMAIL, DEMO_LANDING, DEMO_PROCESS, DEMO_SMS_LINK, demoStixBundle, writeDemo, type DemoFiles } from '../../src/synth/demo.js';
import { tempDir } from '../fixtures/ios-backup.js';

const COCOA = 978_307_200;
const cocoa = (iso: string): number => new Date(iso).getTime() / 1000 - COCOA;

describe('writeDemo', () => {
  const dir = tempDir('demo');
  let demo: DemoFiles;
  beforeAll(() => {
    demo = writeDemo(dir);
  });

  it('writes the backup in <dir>/backup and the indicators beside it, not inside it', () => {
    expect(demo).toEqual({ backup: join(dir, 'backup'), iocs: join(dir, 'demospy.stix2') });
    expect(dirname(demo.iocs)).toBe(dir);
    expect(readdirSync(demo.backup)).not.toContain('demospy.stix2');
    expect(existsSync(join(demo.backup, 'Manifest.db'))).toBe(true);
  });

  it('is a backup the source opens, with the planted traces in sms.db, History.db, DataUsage.sqlite and TCC.db', async () => {
    const source = await openIosBackup(demo.backup);
    const open = async (domain: string, relativePath: string) => {
      const [file] = await source.find({ by: 'backup', domain, relativePath });
      return source.openSqlite(file!);
    };
    try {
      expect(source.describe().device?.name).toBe('Demo iPhone');
      expect([...source.manifestRows()]).toHaveLength(400);

      const sms = await open('HomeDomain', 'Library/SMS/sms.db');
      expect(sms.db.prepare('SELECT count(*) FROM message').pluck().get()).toBe(51); // 50 + the lure
      const lure = sms.db
        .prepare('SELECT text, message.service AS service, is_from_me, handle.id AS phone, date FROM message JOIN handle ON handle.ROWID = message.handle_id WHERE text LIKE ?')
        .safeIntegers()
        .get(`%${DEMO_DOMAIN}%`) as { text: string; service: string; is_from_me: bigint; phone: string; date: bigint };
      expect(lure).toEqual({
        text: `Your parcel is held at customs. Pay the fee to release it: ${DEMO_SMS_LINK}`,
        service: 'SMS',
        is_from_me: 0n,
        phone: '+15550100666',
        date: BigInt(cocoa('2024-04-16T09:12:05Z')) * 1_000_000_000n,
      });
      sms.close();

      const history = await open('HomeDomain', 'Library/Safari/History.db');
      const chain = history.db
        .prepare(
          `SELECT v.id, i.url, v.visit_time, v.redirect_source, v.redirect_destination FROM history_visits v JOIN history_items i ON i.id = v.history_item
           WHERE v.visit_time BETWEEN ? AND ? ORDER BY v.id`,
        )
        .all(cocoa('2024-04-16T09:13:40Z'), cocoa('2024-04-16T09:13:42Z')) as { id: number; url: string; visit_time: number; redirect_source: number | null; redirect_destination: number | null }[];
      expect(chain.map((v) => v.url)).toEqual(['http://weather-today.example/', DEMO_LANDING, 'https://www.apple.com/']);
      expect(chain[1]).toMatchObject({ visit_time: cocoa('2024-04-16T09:13:41Z'), redirect_source: chain[0]!.id, redirect_destination: chain[2]!.id });
      expect(chain[2]!.visit_time - chain[1]!.visit_time).toBeCloseTo(0.14, 6);
      expect(history.db.prepare('SELECT count(*) FROM history_visits').pluck().get()).toBe(103); // 100 + the 3-visit chain
      history.close();

      const usage = await open('WirelessDomain', 'Library/Databases/DataUsage.sqlite');
      expect(usage.db.prepare('SELECT ZPROCNAME, ZBUNDLENAME, ZFIRSTTIMESTAMP FROM ZPROCESS WHERE ZPROCNAME = ?').get(DEMO_PROCESS)).toEqual({
        ZPROCNAME: 'demospyd',
        ZBUNDLENAME: null,
        ZFIRSTTIMESTAMP: cocoa('2024-04-16T09:13:52Z'),
      });
      expect(usage.db.prepare('SELECT count(*) FROM ZPROCESS').pluck().get()).toBe(31);
      usage.close();

      const tccDb = await open('HomeDomain', 'Library/TCC/TCC.db');
      expect(tccDb.db.prepare('SELECT service, client, client_type, auth_value, last_modified FROM access WHERE client = ?').get(DEMO_PROCESS)).toEqual({
        service: 'kTCCServiceMicrophone',
        client: 'demospyd',
        client_type: 0,
        auth_value: 2,
        last_modified: new Date('2024-04-16T09:14:30Z').getTime() / 1000,
      });
      tccDb.close();
    } finally {
      await source.close();
    }
  });

  it('lists a few App Store apps in an XML Info.plist, as iTunes writes it: binary iTunesMetadata and a PNG icon each', () => {
    const raw = readFileSync(join(demo.backup, 'Info.plist'));
    expect(raw.subarray(0, 5).toString()).toBe('<?xml');
    const info = parsePlist(raw, 'Info.plist') as PlistDict;
    const apps = info.Applications as PlistDict;
    const expected = STORE_APPS.slice(0, DEMO_APPS).map((a) => a.bundleId);
    expect(Object.keys(apps)).toEqual([...expected].sort()); // written with sorted keys, as CoreFoundation does
    expect(info['Installed Applications']).toEqual(expected);
    for (const id of expected) {
      const app = apps[id] as PlistDict;
      const metadata = app.iTunesMetadata as Buffer;
      expect(metadata.subarray(0, 8).toString()).toBe('bplist00');
      const parsed = parsePlist(metadata, `${id} iTunesMetadata`);
      expect(isDict(parsed) && parsed).toMatchObject({ softwareVersionBundleId: id, sourceApp: 'com.apple.AppStore', kind: 'software' });
      expect((app.PlaceholderIcon as Buffer).subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
    }
  });

  it('checked against its own indicators, shows only the planted traces: 4 CRITICAL and 1 MEDIUM, none about the apps', async () => {
    const r = await check({ target: demo.backup, iocs: [demo.iocs], userIocDir: null });
    expect(r.coverage.find((c) => c.artifact === 'ios.applications')).toMatchObject({ state: 'parsed', records: DEMO_APPS });
    expect(r.findings.map((f) => [f.level, f.artifact, f.rule?.id ?? f.indicator?.value, f.match?.observed ?? null])).toEqual([
      ['critical', 'ios.datausage', DEMO_PROCESS, DEMO_PROCESS],
      ['medium', 'ios.safari_history', 'ios.safari_history.fast_cross_domain_redirect', null],
      ['critical', 'ios.safari_history', DEMO_DOMAIN, DEMO_LANDING],
      ['critical', 'ios.tcc', DEMO_PROCESS, DEMO_PROCESS],
      ['critical', 'ios.sms', DEMO_DOMAIN, DEMO_SMS_LINK],
    ]);
  });

  it('writes a STIX 2.1 bundle for the fictional DemoSpy: one malware, three indicators, each related to it', () => {
    const bundle = JSON.parse(readFileSync(demo.iocs, 'utf8')) as { type: string; id: string; objects: Record<string, unknown>[] };
    expect(bundle.type).toBe('bundle');
    expect(bundle.id).toMatch(/^bundle--[0-9a-f-]{36}$/);
    const malware = bundle.objects.filter((o) => o.type === 'malware');
    expect(malware).toHaveLength(1);
    expect(malware[0]).toMatchObject({ name: 'DemoSpy', spec_version: '2.1', is_family: false });
    const indicators = bundle.objects.filter((o) => o.type === 'indicator');
    expect(indicators.map((i) => i.pattern)).toEqual([`[domain-name:value='${DEMO_DOMAIN}']`, `[process:name='${DEMO_PROCESS}']`, `[email-addr:value='${DEMO_EMAIL}']`]);
    for (const i of indicators) expect(i).toMatchObject({ pattern_type: 'stix', pattern_version: '2.1', spec_version: '2.1', indicator_types: ['malicious-activity'] });
    const relationships = bundle.objects.filter((o) => o.type === 'relationship');
    expect(relationships.map((r) => [r.relationship_type, r.source_ref, r.target_ref])).toEqual(indicators.map((i) => ['indicates', i.id, malware[0]!.id]));
    // Made up: the domain and the address sit under the reserved .example TLD, so nothing real can match them.
    expect(DEMO_DOMAIN.endsWith('.example')).toBe(true);
    expect(DEMO_EMAIL.endsWith(`@${DEMO_DOMAIN}`)).toBe(true);
  });

  it('is reproducible: the same bundle every time, byte for byte', () => {
    expect(`${JSON.stringify(demoStixBundle(), null, 2)}\n`).toBe(readFileSync(demo.iocs, 'utf8'));
  });

  it('refuses to write over an existing, non-empty backup folder', () => {
    expect(() => writeDemo(dir)).toThrow(UserError);
    expect(() => writeDemo(dir)).toThrow(/already exists and is not empty/);
  });
});
