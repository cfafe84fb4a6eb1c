/**
 * The match keys (indicators/match-keys.ts) are match.ts as data: a join on them in the case database must
 * find exactly the observables the compiled matcher matches. Held to that on every observable of the MVT test
 * backup and of a generated phone, plus the hard cases of docs/dev/matching.md, against every real feed and a
 * bundle of edge-case indicators.
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Observable } from '../../src/artifacts/artifact.js';
import { check } from '../../src/app/check.js';
import { loadIndicatorTable, matchedRecords } from '../../src/case/recheck.js';
import { openCase } from '../../src/case/store.js';
import { createFieldIds, createRecordWriter } from '../../src/case/record-store.js';
import { createKeyWriter } from '../../src/case/write.js';
import { loadIndicators, type LoadedIndicators } from '../../src/indicators/load.js';
import { observableKeys } from '../../src/indicators/match-keys.js';
import { compileIndicators } from '../../src/indicators/match.js';
import { generateIosBackup } from '../../src/synth/ios-backup.js';
import { tempDir } from '../fixtures/ios-backup.js';
import { mvtIosBackup, shared } from '../helpers/data.js';
import { stixBundle, tempTree } from './bundle.js';

/** Observables the matching policy has a case for, each on both sides of its rule. */
const HARD_CASES: Observable[] = [
  { kind: 'url', value: 'https://a.b.evil-edge.com/x', field: 'u' },
  { kind: 'url', value: 'landing.evil-edge.com/x1', field: 'u' },
  { kind: 'url', value: 'HTTPS://EVIL-EDGE.COM/Path', field: 'u' },
  { kind: 'url', value: 'https://notevil-edge.com/', field: 'u' },
  { kind: 'url', value: 'https://evil-edge.com.attacker.net/', field: 'u' },
  { kind: 'domain', value: 'www.www-edge.org', field: 'd' },
  { kind: 'domain', value: 'www-edge.org', field: 'd' },
  { kind: 'domain', value: 'someone.github.io', field: 'd' },
  { kind: 'domain', value: 'github.io', field: 'd' },
  { kind: 'domain', value: '203.0.113.9', field: 'd' },
  { kind: 'url', value: 'http://[2001:DB8::1]/x', field: 'u' },
  { kind: 'process', value: 'averyveryverylon', field: 'p' },
  { kind: 'process', value: 'averyveryverylo', field: 'p' },
  { kind: 'process', value: '/usr/bin/edgeproc', field: 'p' },
  { kind: 'file_path', value: '/private/var/db/com.apple.xpc.roleaccountd.staging/edgeproc', field: 'f' },
  { kind: 'file_path', value: '/private/var/db/com.apple.xpc.roleaccountd.staging/edgeproc', field: 'f', role: 'mention' },
  { kind: 'file_path', value: '/private/var/mobile/Containers/Data/Application/X/edgeproc', field: 'f' },
  { kind: 'file_path', value: '/var/containers/Bundle/Application/X/edgeproc.app/edgeproc', field: 'f' },
  { kind: 'file_path', value: '/private/var/tmp/edgedir/inner/file', field: 'f' },
  { kind: 'file_path', value: '/private/var/tmp/edgedirx/file', field: 'f' },
  { kind: 'email', value: 'Op <OPERATOR@Edge-Mail.net>', field: 'e' },
  { kind: 'sha256', value: 'A'.repeat(64), field: 'h' },
  { kind: 'cert_hash', value: 'ab:cd:ef:01', field: 'c' },
  { kind: 'profile_id', value: '5D0B6A3E-1C2D', field: 'pid' },
  { kind: 'profile_id', value: 'com.edge', field: 'pid' },
  { kind: 'profile_id', value: 'com.edge.mdm.extra', field: 'pid' },
  { kind: 'profile_id', value: '5D0B', field: 'pid' },
  { kind: 'app_id', value: 'COM.EDGE.SPY', field: 'a' },
  { kind: 'android_property', value: 'ro.edge.flag', field: 'ap' },
];

const EDGE_BUNDLE = stixBundle({
  malware: ['Edge'],
  indicators: [
    "[domain-name:value = 'evil-edge.com']",
    "[domain-name:value = 'www.www-edge.org']",
    "[domain-name:value = 'github.io']",
    "[ipv4-addr:value = '203.0.113.9']",
    "[ipv6-addr:value = '2001:db8::1']",
    "[url:value = 'https://landing.evil-edge.com/x1']",
    "[process:name = 'averyveryverylongname']",
    "[process:name = 'edgeproc']",
    "[file:path = '/var/tmp/edgedir']",
    "[email-addr:value = 'operator@edge-mail.net']",
    `[file:hashes.sha256 = '${'a'.repeat(64)}']`,
    "[app:cert.sha1 = 'ABCDEF01']",
    "[configuration-profile:id = '5D0B6A3E-1C2D-4E5F-8A9B-0C1D2E3F4A5B']",
    "[configuration-profile:id = 'com.edge.mdm']",
    "[app:id = 'com.edge.spy']",
    "[android-property:name = 'ro.edge.flag']",
  ].map((pattern) => ({ pattern, malware: 'Edge' })),
});

describe('match keys joined in the case database', () => {
  let indicators: LoadedIndicators;
  let observables: Observable[];
  beforeAll(async () => {
    const tree = tempTree({ 'edge.stix2': EDGE_BUNDLE });
    indicators = await loadIndicators({ paths: [shared('iocs'), tree.path('edge.stix2')], userDir: null });
    tree.remove();
    const seen: Observable[] = [];
    const collect = { record: (_a: unknown, _i: unknown, obs: readonly Observable[]) => void seen.push(...obs) };
    const generated = generateIosBackup(join(tempDir('keys'), 'gen'), { seed: 5, manifestEntries: 400, messages: 80, visits: 80, processes: 30, contacts: 20, whatsappMessages: 20 }).dir;
    for (const target of [mvtIosBackup(), generated]) await check({ target, userIocDir: null, sinks: [collect] });
    observables = [...seen, ...HARD_CASES];
  }, 120_000);

  it('finds exactly the observables the compiled matcher matches', () => {
    // STIX 1 XML files in the Citizen Lab repository are refused by the loader; the rest load.
    expect(indicators.rejected.every((r) => r.reason.includes('STIX 1.x XML is not supported'))).toBe(true);
    expect(indicators.total).toBeGreaterThan(5_000);
    expect(observables.length).toBeGreaterThan(3_000);
    const matcher = compileIndicators(indicators.collections);
    const expected = observables.flatMap((o, i) => (matcher.match(o).length > 0 ? [i + 1] : []));

    const store = openCase(join(tempDir('keys-case'), 'c'), { create: true });
    try {
      const { db } = store;
      db.transaction(() => {
        db.exec(`INSERT INTO devices (id, name, created_at) VALUES (1, 'd', 'now')`);
        db.exec(`INSERT INTO acquisitions (id, device_id, kind, target, encrypted, metadata, added_at) VALUES (1, 1, 'ios-backup', '/x', 0, '{}', 'now')`);
        const records = createRecordWriter(db, 1);
        const fieldId = createFieldIds(db);
        const obs = db.prepare('INSERT INTO observables (id, record_id, field_id, value) VALUES (?, ?, ?, ?)');
        const keys = createKeyWriter(db);
        observables.forEach((o, i) => {
          // One record per observable, so the join's record ids name observables.
          expect(records.add('test', { root: '/x', storedPath: 'f' }, { whole: true }, null, false)).toBe(i + 1);
          obs.run(i + 1, i + 1, fieldId(o), o.value);
          keys(i + 1, observableKeys(o));
        });
        records.flush();
      });
      loadIndicatorTable(db, indicators);
      const joined = matchedRecords(db);
      // Spot checks that the hard cases really are on both sides of their rules.
      const hit = (value: string, role?: string) => expected.includes(observables.findIndex((o) => o.value === value && o.role === role) + 1);
      expect(hit('https://a.b.evil-edge.com/x')).toBe(true);
      expect(hit('https://notevil-edge.com/')).toBe(false);
      expect(hit('someone.github.io')).toBe(false);
      expect(hit('github.io')).toBe(true);
      expect(hit('averyveryverylon')).toBe(true);
      expect(hit('/private/var/mobile/Containers/Data/Application/X/edgeproc')).toBe(false);
      expect(hit('/private/var/db/com.apple.xpc.roleaccountd.staging/edgeproc', 'mention')).toBe(false);
      expect(hit('5D0B6A3E-1C2D')).toBe(true);
      expect(hit('com.edge')).toBe(false);
      expect(expected.length).toBeGreaterThan(15);
      expect(joined).toEqual(expected);
    } finally {
      store.close();
    }
  }, 120_000);
});
