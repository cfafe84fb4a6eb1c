import { truncateSync, writeFileSync } from 'node:fs';
import { delimiter } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Collection, Indicator } from '../../src/indicators/collection.js';
import { defaultIndicatorsDir, loadIndicators, MAX_INDICATOR_FILE_BYTES } from '../../src/indicators/load.js';
import { mvtTestStix, shared } from '../helpers/data.js';
import { collectionsOf, stixBundle, tempTree } from './bundle.js';

const iocs = (...p: string[]) => shared('iocs', ...p);
const load = (...paths: string[]) => loadIndicators({ paths, userDir: null });

function buckets(c: Collection): Record<string, number> {
  const out: Record<string, number> = {};
  for (const i of c.indicators) out[i.bucket] = (out[i.bucket] ?? 0) + 1;
  return out;
}

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length > 0) cleanups.pop()!();
});
function tree(files: Record<string, string | object>) {
  const t = tempTree(files);
  cleanups.push(t.remove);
  return t;
}

describe('loading the real feeds: counts equal the publishers\' lists (iocs/MANIFEST.md)', () => {
  it.each([
    ['amnesty-investigations/2021-07-18_nso/pegasus.stix2', 1549, 'Pegasus'],
    ['amnesty-investigations/2021-12-16_cytrox/cytrox.stix2', 343, 'Predator'],
    ['amnesty-investigations/2023-03-29_android_campaign/malware.stix2', 2187, null],
    ['amnesty-investigations/2024-05-02_wintego_helios/wintego_helios.stix2', 175, null],
    ['amnesty-investigations/2024-12-16_serbia_novispy/novispy.stix2', 18, null],
    ['mvt-indicators/2022-06-23_rcs_lab/rcs.stix2', 40, null],
    ['mvt-indicators/2023-04-11_quadream/kingspawn.stix2', 167, null],
    ['mvt-indicators/2023-06_01_operation_triangulation/operation_triangulation.stix2', 112, null],
    ['mvt-indicators/2023-07-25_wyrmspy_dragonegg/wyrmspy_dragonegg.stix2', 53, null],
    ['mvt-indicators/2024-12-25_eaglemsgspy/eaglemsgspy.stix2', 51, null],
    ['mvt-indicators/2026-03-03_coruna_cryptowaters/coruna.stix2', 216, null],
    ['mvt-indicators/2026-03-30_darksword/darksword.stix2', 43, null],
    ['mvt-indicators/ResidentBat/residentbat.stix2', 48, null],
    ['mvt-indicators/candiru/candiru.stix2', 125, null],
    ['mvt-indicators/cellebrite/cellebrite.stix2', 1, null],
    ['mvt-indicators/intellexa_predator/predator.stix2', 585, null],
  ])('%s holds %i indicators in one malware collection', async (file, count, name) => {
    const r = await load(iocs(file));
    expect(r.rejected).toEqual([]);
    expect(r.total).toBe(count);
    expect(r.collections).toHaveLength(1);
    expect(r.collections[0]!.kind).toBe('malware');
    if (name !== null) expect(r.collections[0]!.name).toBe(name);
    expect(r.files).toEqual([expect.objectContaining({ path: iocs(file), indicators: count, collections: 1, skipped: 0, skippedPatterns: [] })]);
  });

  it('loads the whole iocs folder, rejecting only the two STIX 1.x XML files and ignoring text, CSV and YAML lists', async () => {
    const r = await load(iocs());
    expect(r.files).toHaveLength(16);
    expect(r.total).toBe(1549 + 343 + 2187 + 175 + 18 + 40 + 167 + 112 + 53 + 51 + 216 + 43 + 48 + 125 + 1 + 585);
    expect(r.rejected).toEqual([
      {
        path: iocs('citizenlab-malware-indicators/201608_NSO_Group/stix.xml'),
        reason: `${iocs('citizenlab-malware-indicators/201608_NSO_Group/stix.xml')}: STIX 1.x XML is not supported (expected a STIX 2 JSON bundle)`,
      },
      {
        path: iocs('citizenlab-malware-indicators/201706_RecklessExploit/stix.xml'),
        reason: `${iocs('citizenlab-malware-indicators/201706_RecklessExploit/stix.xml')}: STIX 1.x XML is not supported (expected a STIX 2 JSON bundle)`,
      },
    ]);
    // Folder order is name order, so collections come out the same on every machine.
    expect(r.collections.map((c) => c.file.name).slice(0, 3)).toEqual(['pegasus.stix2', 'cytrox.stix2', 'malware.stix2']);
    expect(r.files.every((f) => /^[0-9a-f]{64}$/.test(f.sha256))).toBe(true);
  });

  it('records each file with its SHA-256 on the collection', async () => {
    const r = await load(iocs('mvt-indicators/cellebrite/cellebrite.stix2'));
    const c = r.collections[0]!;
    expect(c.file).toEqual({
      path: iocs('mvt-indicators/cellebrite/cellebrite.stix2'),
      name: 'cellebrite.stix2',
      sha256: '8494eb07ff91a40ee0f0e3b4e5b677d20aa26a61b871f114fcfd03e182c48e50',
    });
    expect(c.indicators).toEqual([
      expect.objectContaining({ value: 'com.client.appA', original: 'com.client.appA', kind: 'app_id', key: 'app:id', bucket: 'app_ids', collection: c }),
    ]);
  });
});

describe('MVT\'s test oracle (reference-spec §13.2-13.3)', () => {
  it('test.stix2: 1 collection "TestMalware" with 9 indicators, 2 of them in the domains bucket', async () => {
    const r = await load(mvtTestStix());
    expect(r.collections).toHaveLength(1);
    const c = r.collections[0]!;
    expect(c.name).toBe('TestMalware');
    expect(c.indicators).toHaveLength(9);
    expect(buckets(c)).toEqual({
      domains: 2,
      processes: 1,
      file_names: 1,
      emails: 1,
      android_property_names: 1,
      files_sha256: 1,
      files_sha1: 1,
      urls: 1,
    });
    const byBucket = (b: string) => c.indicators.filter((i) => i.bucket === b).map((i) => [i.kind, i.value]);
    expect(byBucket('domains')).toEqual([
      ['domain', 'example.org'],
      ['ip', '198.51.100.1'],
    ]);
    expect(byBucket('files_sha256')).toEqual([['sha256', '570cd76bf49cf52e0cb347a68bdcf0590b2eaece134e1b1eba7e8d66261bdbe6']]);
    expect(c.indicators.find((i) => i.kind === 'sha256')!.key).toBe('file:hashes.sha256');
  });

  it('cytrox: 343 indicators = 336 domains, 6 file paths, 1 configuration profile id', async () => {
    const r = await load(shared('mvt-test-artifacts', 'stix2', 'cytrox.stix2'));
    expect(r.collections).toHaveLength(1);
    expect(r.total).toBe(343);
    expect(buckets(r.collections[0]!)).toEqual({ domains: 336, file_paths: 6, ios_profile_ids: 1 });
  });

  it('the OTX pulse: one report collection with 69 indicators (15 domains, 54 URLs); identity and threat-actor ignored', async () => {
    const r = await load(shared('mvt-test-artifacts', 'stix2', '638cd3ee5e5f019f84f9e0ea.json'));
    expect(r.collections).toHaveLength(1);
    const c = r.collections[0]!;
    expect(c.kind).toBe('report');
    expect(c.name).toBe('Pegasus Forensic Traces per Target Identified in the Aftermath of the Pegasus Project Revelations - Amnesty International');
    expect(buckets(c)).toEqual({ domains: 15, urls: 54 });
    expect(c.indicators.find((i) => i.kind === 'url')).toMatchObject({ value: 'http://statsads.co/2dL8ARH', key: 'url:value' });
  });

  it.each([
    ["file:hashes.'SHA-256'", 'files_sha256', '570cd76bf49cf52e0cb347a68bdcf0590b2eaece134e1b1eba7e8d66261bdbe6'],
    ['file:hashes.SHA-256', 'files_sha256', '570cd76bf49cf52e0cb347a68bdcf0590b2eaece134e1b1eba7e8d66261bdbe6'],
    ['file:hashes.SHA256', 'files_sha256', '570cd76bf49cf52e0cb347a68bdcf0590b2eaece134e1b1eba7e8d66261bdbe6'],
    ['file:hashes.sha256', 'files_sha256', '570cd76bf49cf52e0cb347a68bdcf0590b2eaece134e1b1eba7e8d66261bdbe6'],
    ["file:hashes.'SHA-1'", 'files_sha1', 'da0611a300a9ce9aa7a09d1212f203fca5856794'],
    ['file:hashes.SHA-1', 'files_sha1', 'da0611a300a9ce9aa7a09d1212f203fca5856794'],
    ['file:hashes.SHA1', 'files_sha1', 'da0611a300a9ce9aa7a09d1212f203fca5856794'],
    ['file:hashes.sha1', 'files_sha1', 'da0611a300a9ce9aa7a09d1212f203fca5856794'],
    ['file:hashes.MD5', 'files_md5', 'd41d8cd98f00b204e9800998ecf8427e'],
    ["file:hashes.'MD5'", 'files_md5', 'd41d8cd98f00b204e9800998ecf8427e'],
    ['file:hashes.md5', 'files_md5', 'd41d8cd98f00b204e9800998ecf8427e'],
  ])('hash key %s goes to %s', (key, bucket, hash) => {
    const [c] = collectionsOf({ malware: ['M'], indicators: [{ pattern: `[${key}='${hash}']`, malware: 'M' }] });
    expect(c!.indicators.map((i) => [i.bucket, i.value])).toEqual([[bucket, hash]]);
  });
});

describe('what real feeds contain, normalised', () => {
  async function one(file: string, original: string): Promise<Indicator> {
    const r = await load(iocs(file));
    const found = r.collections[0]!.indicators.find((i) => i.original === original);
    if (found === undefined) throw new Error(`${original} not in ${file}`);
    return found;
  }

  it('an IP address typed as domain-name becomes an IP indicator (novispy)', async () => {
    expect(await one('amnesty-investigations/2024-12-16_serbia_novispy/novispy.stix2', '176.223.111.131')).toMatchObject({
      kind: 'ip',
      value: '176.223.111.131',
      key: 'domain-name:value',
      bucket: 'domains',
    });
  });

  it('a domain value carrying a path keeps its host (coruna fgr1w2gnsdvsb.xyz/x)', async () => {
    expect(await one('mvt-indicators/2026-03-03_coruna_cryptowaters/coruna.stix2', 'fgr1w2gnsdvsb.xyz/x')).toMatchObject({
      kind: 'domain',
      value: 'fgr1w2gnsdvsb.xyz',
    });
  });

  it('a www. name stays as written (eaglemsgspy www.tzsafe.com)', async () => {
    expect(await one('mvt-indicators/2024-12-25_eaglemsgspy/eaglemsgspy.stix2', 'www.tzsafe.com')).toMatchObject({ kind: 'domain', value: 'www.tzsafe.com' });
  });

  it('a folder path loses its trailing slash (kingspawn)', async () => {
    expect(
      await one('mvt-indicators/2023-04-11_quadream/kingspawn.stix2', '/private/var/db/com.apple.xpc.roleaccountd.staging/PlugIns/fud.appex/'),
    ).toMatchObject({ kind: 'file_path', value: '/private/var/db/com.apple.xpc.roleaccountd.staging/PlugIns/fud.appex' });
  });

  it('a domain with no TLD is kept (predator despachosnegocios)', async () => {
    expect(await one('mvt-indicators/intellexa_predator/predator.stix2', 'despachosnegocios')).toMatchObject({ kind: 'domain', value: 'despachosnegocios' });
  });

  it('a relationship to an indicator that does not exist is ignored (wintego_helios: 176 relationships, 175 indicators)', async () => {
    const r = await load(iocs('amnesty-investigations/2024-05-02_wintego_helios/wintego_helios.stix2'));
    expect(r.collections.map((c) => [c.kind, c.indicators.length])).toEqual([['malware', 175]]);
  });
});

describe('bundle semantics', () => {
  it('an indicator goes to the first report listing it, before any malware it indicates', () => {
    const collections = collectionsOf({
      malware: ['M'],
      indicators: [
        { id: 'indicator--a', pattern: "[domain-name:value='a.com']", malware: 'M' },
        { id: 'indicator--b', pattern: "[domain-name:value='b.com']", malware: 'M' },
      ],
      reports: [
        { name: 'R1', refs: ['indicator--a'] },
        { name: 'R2', refs: ['indicator--a', 'indicator--b'] },
      ],
    });
    expect(collections.map((c) => [c.kind, c.name, c.indicators.map((i) => i.value)])).toEqual([
      ['malware', 'M', []],
      ['report', 'R1', ['a.com']],
      ['report', 'R2', ['b.com']],
    ]);
  });

  it('an indicator related to two malware objects goes to the first relationship\'s malware', () => {
    const collections = collectionsOf({ malware: ['First', 'Second'], indicators: [{ pattern: "[domain-name:value='a.com']", malware: ['Second', 'First'] }] });
    expect(collections.map((c) => [c.name, c.indicators.length])).toEqual([
      ['First', 0],
      ['Second', 1],
    ]);
  });

  it('indicators tied to nothing form the default collection, which exists only when non-empty', () => {
    const withOrphan = collectionsOf({ malware: ['M'], indicators: [{ pattern: "[domain-name:value='a.com']", malware: 'M' }, { pattern: "[domain-name:value='b.com']" }] });
    expect(withOrphan.map((c) => [c.id, c.name, c.description, c.kind, c.indicators.length])).toEqual([
      ['malware--00000000-0000-4000-8000-000000000000', 'M', 'M description', 'malware', 1],
      ['0', 'Default collection', 'Collection with IOCs unrelated to malware or reports', 'default', 1],
    ]);
    const without = collectionsOf({ malware: ['M'], indicators: [{ pattern: "[domain-name:value='a.com']", malware: 'M' }] });
    expect(without.map((c) => c.kind)).toEqual(['malware']);
  });

  it('a relationship pointing at a missing malware object leaves the indicator in the default collection', () => {
    const collections = collectionsOf({ indicators: [{ pattern: "[domain-name:value='a.com']", malware: 'Ghost' }] });
    expect(collections.map((c) => [c.kind, c.indicators.length])).toEqual([['default', 1]]);
  });

  it('a repeated indicator id counts once, in its newest version', () => {
    const collections = collectionsOf({
      malware: ['M'],
      indicators: [
        { id: 'indicator--x', pattern: "[domain-name:value='old.com']", malware: 'M', modified: '2020-01-01T00:00:00Z' },
        { id: 'indicator--x', pattern: "[domain-name:value='new.com']", malware: 'M', modified: '2023-01-01T00:00:00Z' },
      ],
    });
    expect(collections[0]!.indicators.map((i) => i.value)).toEqual(['new.com']);
  });

  it('equal values in one collection are kept once (case and www. folding of domains, hash case)', () => {
    const [c] = collectionsOf({
      malware: ['M'],
      indicators: [
        { pattern: "[domain-name:value='Evil.COM']", malware: 'M' },
        { pattern: "[domain-name:value='evil.com']", malware: 'M' },
        { pattern: "[domain-name:value='evil.com.']", malware: 'M' },
        { pattern: "[file:hashes.sha1='DA0611A300A9CE9AA7A09D1212F203FCA5856794']", malware: 'M' },
        { pattern: "[file:hashes.SHA1='da0611a300a9ce9aa7a09d1212f203fca5856794']", malware: 'M' },
        { pattern: "[process:name='Launch']", malware: 'M' },
        { pattern: "[process:name='launch']", malware: 'M' },
      ],
    });
    expect(c!.indicators.map((i) => [i.kind, i.value])).toEqual([
      ['domain', 'evil.com'],
      ['sha1', 'da0611a300a9ce9aa7a09d1212f203fca5856794'],
      ['process', 'Launch'],
      ['process', 'launch'],
    ]);
  });

  it('IDN domains are stored in punycode, wildcards as their base domain', () => {
    const [c] = collectionsOf({
      malware: ['M'],
      indicators: [
        { pattern: "[domain-name:value='пример.рф']", malware: 'M' },
        { pattern: "[domain-name:value='*.wild.org']", malware: 'M' },
        { pattern: "[ipv6-addr:value='2001:DB8:0:0::1']", malware: 'M' },
        { pattern: "[email-addr:value='Foo@Example.ORG']", malware: 'M' },
        { pattern: "[app:cert.sha256='AB:CD:EF']", malware: 'M' },
      ],
    });
    expect(c!.indicators.map((i) => [i.kind, i.value, i.original])).toEqual([
      ['domain', 'xn--e1afmkfd.xn--p1ai', 'пример.рф'],
      ['domain', 'wild.org', '*.wild.org'],
      ['ip', '2001:db8::1', '2001:DB8:0:0::1'],
      ['email', 'foo@example.org', 'Foo@Example.ORG'],
      ['cert_hash', 'abcdef', 'AB:CD:EF'],
    ]);
  });
});

describe('patterns MVT cannot load', () => {
  it('a value containing "=" loads as written (MVT aborts the whole run)', async () => {
    const t = tree({
      'q.stix2': stixBundle({ malware: ['M'], indicators: [{ pattern: "[url:value = 'https://evil.example/landing?id=42&x=a=b']", malware: 'M' }] }),
    });
    const r = await load(t.path('q.stix2'));
    expect(r.collections[0]!.indicators).toEqual([expect.objectContaining({ kind: 'url', value: 'https://evil.example/landing?id=42&x=a=b' })]);
  });

  it('unsupported patterns are counted with a reason and the rest of the file loads', async () => {
    const t = tree({
      'mixed.stix2': stixBundle({
        malware: ['M'],
        indicators: [
          { pattern: "[domain-name:value='ok.com']", malware: 'M' },
          { pattern: "[file:name = 'a' AND file:size = 10]", malware: 'M' },
          { pattern: "[network-traffic:dst_port = '443']", malware: 'M' },
          { pattern: "[domain-name:value MATCHES '^evil']", malware: 'M' },
          { pattern: "[domain-name:value='one.com' OR domain-name:value='two.com']", malware: 'M' },
          { pattern: "[domain-name:value = 'broken", malware: 'M' },
          { pattern: "[file:hashes.sha256='1234']", malware: 'M' },
          { pattern: "[ipv4-addr:value='10.0.0.0/8']", malware: 'M' },
        ],
      }),
    });
    const r = await load(t.path('mixed.stix2'));
    expect(r.collections[0]!.indicators.map((i) => i.value)).toEqual(['ok.com', 'one.com', 'two.com']);
    expect(r.files[0]!.skipped).toBe(6);
    expect(r.files[0]!.skippedPatterns).toEqual([
      { pattern: "[file:name = 'a' AND file:size = 10]", reason: 'AND is not supported (every part must hold at once; Tracehound matches single values)' },
      { pattern: "[network-traffic:dst_port = '443']", reason: 'key network-traffic:dst_port is not supported' },
      { pattern: "[domain-name:value MATCHES '^evil']", reason: 'operator MATCHES is not supported (only = and IN)' },
      { pattern: "[domain-name:value = 'broken", reason: 'cannot parse pattern: unterminated string starting at offset 21' },
      { pattern: "[file:hashes.sha256='1234']", reason: '"1234" is not a SHA256 hash (64 hex digits)' },
      { pattern: "[ipv4-addr:value='10.0.0.0/8']", reason: '"10.0.0.0/8" is a CIDR range (only single addresses are supported)' },
    ]);
  });

  it('revoked indicators and non-STIX pattern languages are skipped', async () => {
    const bundle = stixBundle({ indicators: [{ pattern: "[domain-name:value='a.com']" }, { pattern: 'rule x { condition: true }' }] }) as {
      objects: Record<string, unknown>[];
    };
    bundle.objects[0]!.revoked = true;
    bundle.objects[1]!.pattern_type = 'yara';
    const r = await load(tree({ 'r.stix2': bundle }).path('r.stix2'));
    expect(r.total).toBe(0);
    expect(r.files[0]!.skippedPatterns.map((s) => s.reason)).toEqual(['the indicator is revoked', 'pattern type yara is not supported (only stix)']);
  });
});

describe('bad files are rejected with one line, and never stop the others', () => {
  it.each([
    ['truncated.stix2', '{"type": "bundle", "objects": [{"type": "indicator", "pattern": "[domain', /truncated\.stix2: truncated or invalid JSON: .+ \(expected a STIX 2 JSON bundle\)$/],
    ['package.json', '{"name": "x", "version": "1.0.0"}', /package\.json: not a STIX 2 bundle \(expected a JSON object with type "bundle" and an "objects" array\)$/],
    ['empty.stix2', '', /empty\.stix2: empty file \(expected a STIX 2 JSON bundle\)$/],
    ['list.txt', 'evil.com\nbad.org\n', /list\.txt: a plain-text list, not STIX \(plain-text indicator lists are not supported\) \(expected a STIX 2 JSON bundle\)$/],
    ['iocs.csv', 'type,value\ndomain,evil.com\n', /iocs\.csv: CSV is not supported \(expected a STIX 2 JSON bundle\)$/],
    ['ioc.yaml', '- name: x\n', /ioc\.yaml: YAML is not supported \(expected a STIX 2 JSON bundle\)$/],
    ['other.xml', '<?xml version="1.0"?><feed/>', /other\.xml: XML, not a STIX 2 JSON bundle$/],
  ])('%s passed explicitly', async (name, content, reason) => {
    const t = tree({ [name]: content, 'good.stix2': stixBundle({ indicators: [{ pattern: "[domain-name:value='a.com']" }] }) });
    const r = await load(t.path(name), t.path('good.stix2'));
    expect(r.rejected).toHaveLength(1);
    expect(r.rejected[0]!.path).toBe(t.path(name));
    expect(r.rejected[0]!.reason).toMatch(reason);
    expect(r.rejected[0]!.reason.startsWith(t.path(name))).toBe(true);
    expect(r.rejected[0]!.reason).not.toContain('\n');
    expect(r.total).toBe(1);
  });

  it('the real citizenlab STIX 1.x file passed explicitly is rejected, the Pegasus feed beside it loads', async () => {
    const xml = iocs('citizenlab-malware-indicators/201608_NSO_Group/stix.xml');
    const r = await load(xml, iocs('amnesty-investigations/2021-07-18_nso/pegasus.stix2'));
    expect(r.rejected).toEqual([{ path: xml, reason: `${xml}: STIX 1.x XML is not supported (expected a STIX 2 JSON bundle)` }]);
    expect(r.total).toBe(1549);
  });

  it('a real plain-text list and the stalkerware YAML passed explicitly are rejected', async () => {
    const r = await load(iocs('amnesty-investigations/2021-07-18_nso/domains.txt'), iocs('assoechap-stalkerware-indicators/ioc.yaml'));
    expect(r.rejected.map((x) => x.reason)).toEqual([
      `${iocs('amnesty-investigations/2021-07-18_nso/domains.txt')}: a plain-text list, not STIX (plain-text indicator lists are not supported) (expected a STIX 2 JSON bundle)`,
      `${iocs('assoechap-stalkerware-indicators/ioc.yaml')}: YAML is not supported (expected a STIX 2 JSON bundle)`,
    ]);
  });

  it('in a folder, a truncated .stix2 is rejected but a non-STIX .json, text and Markdown are silently ignored', async () => {
    const t = tree({
      'a/good.stix2': stixBundle({ indicators: [{ pattern: "[domain-name:value='a.com']" }] }),
      'a/bad.stix2': '{"type": "bundle", "objects": [',
      'a/package.json': { name: 'x' },
      'a/notes.md': '# notes',
      'a/domains.txt': 'evil.com',
      'b/feed.json': stixBundle({ indicators: [{ pattern: "[domain-name:value='b.com']" }] }),
    });
    const r = await load(t.dir);
    expect(r.files.map((f) => f.path)).toEqual([t.path('a/good.stix2'), t.path('b/feed.json')]);
    expect(r.rejected.map((x) => x.path)).toEqual([t.path('a/bad.stix2')]);
    expect(r.total).toBe(2);
  });

  it('a path that does not exist is rejected in one line', async () => {
    const r = await load('/nonexistent/feeds.stix2');
    expect(r).toEqual({
      collections: [],
      files: [],
      rejected: [{ path: '/nonexistent/feeds.stix2', reason: '/nonexistent/feeds.stix2: no such file or folder (expected a STIX 2 file or a folder of them)' }],
      total: 0,
    });
  });

  it('a folder with no indicator files is reported', async () => {
    const t = tree({ 'readme.md': '# nothing here' });
    const r = await load(t.dir);
    expect(r.rejected).toEqual([
      { path: t.dir, reason: `${t.dir}: no STIX 2 indicator files in this folder (expected *.stix2 files or STIX 2 *.json bundles)` },
    ]);
  });
});

describe('an indicator file over the size limit is rejected alone', () => {
  const small = stixBundle({ indicators: [{ pattern: "[domain-name:value='small.example']" }] });
  const big = stixBundle({ indicators: Array.from({ length: 40 }, (_, i) => ({ pattern: `[domain-name:value='host${i}.big.example']` })) });

  it('the limit is 128 MB, fifty times the largest real feed', () => {
    expect(MAX_INDICATOR_FILE_BYTES).toBe(128_000_000);
  });

  it('a file one byte over the limit is rejected unread, with one line; the others load', async () => {
    const t = tree({ 'big.stix2': big, 'small.stix2': small });
    const size = JSON.stringify(big, null, 1).length;
    const r = await loadIndicators({ paths: [t.path('big.stix2'), t.path('small.stix2')], userDir: null, maxFileBytes: size - 1 });
    expect(r.rejected).toEqual([{ path: t.path('big.stix2'), reason: `${t.path('big.stix2')}: ${(size / 1000).toFixed(1)} KB, over the ${((size - 1) / 1000).toFixed(1)} KB limit for an indicator file (not read)` }]);
    expect(r.files.map((f) => [f.path, f.indicators])).toEqual([[t.path('small.stix2'), 1]]);
    expect(r.total).toBe(1);
  });

  it('a file exactly at the limit loads', async () => {
    const t = tree({ 'big.stix2': big });
    const size = JSON.stringify(big, null, 1).length;
    const r = await loadIndicators({ paths: [t.path('big.stix2')], userDir: null, maxFileBytes: size });
    expect(r.rejected).toEqual([]);
    expect(r.total).toBe(40);
  });

  it('in a folder, a file over the limit is rejected and the rest of the folder loads', async () => {
    const t = tree({ 'feeds/a.stix2': big, 'feeds/b.stix2': small });
    const r = await loadIndicators({ paths: [t.path('feeds')], userDir: null, maxFileBytes: 1000 });
    expect(r.rejected.map((x) => x.path)).toEqual([t.path('feeds/a.stix2')]);
    expect(r.total).toBe(1);
  });

  it('a 600 MB file (sparse: no disk used) with the default limit is rejected unread; the Pegasus feed loads (it aborted the whole check)', async () => {
    const t = tree({});
    const huge = t.path('huge.stix2');
    writeFileSync(huge, '{"type": "bundle", "objects": [');
    truncateSync(huge, 600_000_000);
    const started = Date.now();
    const r = await load(huge, iocs('amnesty-investigations/2021-07-18_nso/pegasus.stix2'));
    expect(Date.now() - started).toBeLessThan(5000);
    expect(r.rejected).toEqual([{ path: huge, reason: `${huge}: 600 MB, over the 128 MB limit for an indicator file (not read)` }]);
    expect(r.total).toBe(1549);
  });

  it('a device named explicitly is rejected as not a regular file, without reading it', async () => {
    const r = await load('/dev/zero', mvtTestStix());
    expect(r.rejected).toEqual([{ path: '/dev/zero', reason: '/dev/zero: not a regular file (expected a STIX 2 file or a folder of them)' }]);
    expect(r.total).toBe(9);
  });
});

describe('where indicators come from', () => {
  it('TRACEHOUND_IOCS lists files and folders separated by the platform delimiter; it alone loads MVT\'s test file', async () => {
    const r = await loadIndicators({ paths: [], env: mvtTestStix(), userDir: null });
    expect(r.total).toBe(9);
    const both = await loadIndicators({ paths: [], env: [mvtTestStix(), iocs('mvt-indicators/cellebrite'), ''].join(delimiter), userDir: null });
    expect(both.files.map((f) => f.path)).toEqual([mvtTestStix(), iocs('mvt-indicators/cellebrite/cellebrite.stix2')]);
    expect(both.total).toBe(10);
  });

  it('loads --iocs paths, then the user folder, then the environment (MVT\'s order)', async () => {
    const user = tree({ 'downloaded.stix2': stixBundle({ malware: ['FromUserDir'], indicators: [{ pattern: "[domain-name:value='u.com']", malware: 'FromUserDir' }] }) });
    const r = await loadIndicators({ paths: [iocs('mvt-indicators/cellebrite/cellebrite.stix2')], env: mvtTestStix(), userDir: user.dir });
    expect(r.collections.map((c) => c.name)).toEqual(['Cellebrite', 'FromUserDir', 'TestMalware']);
  });

  it('a missing user folder is not an error', async () => {
    const r = await loadIndicators({ paths: [mvtTestStix()], userDir: '/nonexistent/tracehound/indicators' });
    expect(r.rejected).toEqual([]);
    expect(r.total).toBe(9);
  });

  it('the same content reached twice is loaded once (the second path is recorded as a duplicate)', async () => {
    const a = iocs('amnesty-investigations/2021-12-16_cytrox/cytrox.stix2');
    const b = shared('mvt-test-artifacts', 'stix2', 'cytrox.stix2');
    const r = await load(a, b, a);
    expect(r.total).toBe(343);
    expect(r.collections).toHaveLength(1);
    expect(r.files.map((f) => [f.path, f.indicators, f.duplicateOf])).toEqual([
      [a, 343, undefined],
      [b, 0, a],
    ]);
  });

  it('the default user folder follows XDG on Linux and Application Support on macOS', () => {
    expect(defaultIndicatorsDir({ XDG_DATA_HOME: '/data' }, 'linux')).toBe('/data/tracehound/indicators');
    expect(defaultIndicatorsDir({}, 'linux')).toMatch(/\/\.local\/share\/tracehound\/indicators$/);
    expect(defaultIndicatorsDir({}, 'darwin')).toMatch(/\/Library\/Application Support\/tracehound\/indicators$/);
  });
});
