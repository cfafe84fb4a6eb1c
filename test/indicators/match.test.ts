import { beforeAll, describe, expect, it } from 'vitest';
import type { Observable, ObservableKind } from '../../src/artifacts/artifact.js';
import type { MatchKind } from '../../src/findings/finding.js';
import { loadIndicators } from '../../src/indicators/load.js';
import fc from 'fast-check';
import { canonicalPath, compileIndicators, MIN_PROFILE_ID_CHARS, MIN_TRUNCATED_PROFILE_ID_CHARS, type Matcher } from '../../src/indicators/match.js';
import { mvtTestStix, shared } from '../helpers/data.js';
import { collectionsOf } from './bundle.js';

const obs = (kind: ObservableKind, value: string): Observable => ({ kind, value, field: 'test' });
const summary = (m: Matcher, kind: ObservableKind, value: string) => m.match(obs(kind, value)).map((x) => [x.kind, x.indicator.value]);

describe('MVT\'s check_url cases on its own test STIX file (reference-spec §13.3)', () => {
  let m: Matcher;
  beforeAll(async () => {
    m = compileIndicators((await loadIndicators({ paths: [mvtTestStix()], userDir: null })).collections);
  });

  it.each<[string, [MatchKind, string][]]>([
    ['42', []],
    ['http://example.com/thisisbad', [['exact-url', 'http://example.com/thisisbad']]],
    ['http://example.com/thisisgood', []],
    ['https://www.example.org/foobar', [['domain', 'example.org']]],
    ['http://example.org:8080/toto', [['domain', 'example.org']]],
    ['https://github.com', []],
    ['https://example.com/', []],
    ['https://198.51.100.1:8080/', [['ip', '198.51.100.1']]],
    ['https://1.1.1.1/', []],
    ['https://goo.gl/maps/example', []],
  ])('%s', (url, expected) => {
    expect(summary(m, 'url', url)).toEqual(expected);
  });

  it('a URL seen again (its parse kept by the matcher) matches as the first time, and so does every URL after many others', () => {
    const first = summary(m, 'url', 'https://www.example.org/foobar');
    expect(summary(m, 'url', 'https://www.example.org/foobar')).toEqual(first);
    // More distinct URLs than the matcher keeps parsed: it starts again, with the same answers.
    for (let i = 0; i < 12_000; i++) expect(m.match(obs('url', `https://site${i}.example.net/p`))).toEqual([]);
    expect(summary(m, 'url', 'https://www.example.org/foobar')).toEqual(first);
    expect(summary(m, 'domain', 'www.example.org')).toEqual([['domain', 'example.org']]);
    expect(summary(m, 'domain', 'www.example.org')).toEqual([['domain', 'example.org']]);
  });

  it('writes MVT\'s messages, naming the observed URL, the indicator and its collection', () => {
    expect(m.match(obs('url', 'http://example.com/thisisbad')).map((x) => x.message)).toEqual([
      'Found a known suspicious URL http://example.com/thisisbad matching indicator "http://example.com/thisisbad" from "TestMalware"',
    ]);
    expect(m.match(obs('url', 'https://www.example.org/foobar'))[0]!.message).toBe(
      'Found a known suspicious domain https://www.example.org/foobar matching indicator "example.org" from "TestMalware"',
    );
    expect(m.match(obs('url', 'https://login.example.org/'))[0]!.message).toBe(
      'Found a sub-domain with a suspicious top level https://login.example.org/ matching indicator "example.org" from "TestMalware"',
    );
  });

  it('matches the other kinds of the test file', () => {
    expect(summary(m, 'process', 'Launch')).toEqual([['process', 'Launch']]);
    expect(summary(m, 'email', 'FOOBAR@example.org')).toEqual([['email', 'foobar@example.org']]);
    expect(summary(m, 'file_name', '/var/foobar/txt')).toEqual([['file-name', '/var/foobar/txt']]);
    expect(summary(m, 'android_property', 'sys.foobar')).toEqual([['android-property', 'sys.foobar']]);
    expect(summary(m, 'android_property', 'sys.soundsokay')).toEqual([]);
    expect(summary(m, 'sha256', '570cd76bf49cf52e0cb347a68bdcf0590b2eaece134e1b1eba7e8d66261bdbe6')).toEqual([
      ['hash', '570cd76bf49cf52e0cb347a68bdcf0590b2eaece134e1b1eba7e8d66261bdbe6'],
    ]);
    expect(summary(m, 'sha1', 'da0611a300a9ce9aa7a09d1212f203fca5856794')).toEqual([['hash', 'da0611a300a9ce9aa7a09d1212f203fca5856794']]);
    expect(summary(m, 'sha256', '003764fd74bf13cff9bf1ddd870cbf593b23e2b584ba4465114023870ea6fbef')).toEqual([]);
  });
});

describe('compiled matcher', () => {
  let m: Matcher;
  beforeAll(() => {
    const evil = collectionsOf({
      malware: ['Evil', 'Other'],
      indicators: [
        { pattern: "[domain-name:value='example.org']", malware: 'Evil' },
        { pattern: "[domain-name:value='evil.com']", malware: 'Evil' },
        { pattern: "[domain-name:value='a.b.deep.net']", malware: 'Evil' },
        { pattern: "[domain-name:value='www.tzsafe.com']", malware: 'Evil' },
        { pattern: "[domain-name:value='github.io']", malware: 'Evil' },
        { pattern: "[domain-name:value='despachosnegocios']", malware: 'Evil' },
        { pattern: "[domain-name:value='пример.рф']", malware: 'Evil' },
        { pattern: "[domain-name:value='xn--e1afmkfd.com']", malware: 'Evil' },
        { pattern: "[domain-name:value='fgr1w2gnsdvsb.xyz/x']", malware: 'Evil' },
        { pattern: "[ipv4-addr:value='198.51.100.1']", malware: 'Evil' },
        { pattern: "[domain-name:value='176.223.111.131']", malware: 'Evil' },
        { pattern: "[ipv6-addr:value='2001:db8::1']", malware: 'Evil' },
        { pattern: "[url:value='http://example.com/thisisbad']", malware: 'Evil' },
        { pattern: "[url:value='https://Short.Example.NET/AbC']", malware: 'Evil' },
        { pattern: "[process:name='Launch']", malware: 'Evil' },
        { pattern: "[process:name='com.apple.avcapture']", malware: 'Evil' },
        { pattern: "[process:name='contextstoremgrd']", malware: 'Evil' },
        { pattern: "[process:name='bh']", malware: 'Evil' },
        { pattern: "[file:name='com.apple.CoreBrightness.plist']", malware: 'Evil' },
        { pattern: "[file:path='/usr/sbin/foo']", malware: 'Evil' },
        { pattern: "[file:path='/usr/sbin/filecoordinationd']", malware: 'Evil' },
        { pattern: "[file:path='/private/var/tmp/l/']", malware: 'Evil' },
        { pattern: "[file:path='/data/local/tmp/wd/']", malware: 'Evil' },
        { pattern: "[email-addr:value='foobar@example.org']", malware: 'Evil' },
        { pattern: "[file:hashes.md5='d41d8cd98f00b204e9800998ecf8427e']", malware: 'Evil' },
        { pattern: "[file:hashes.sha1='da0611a300a9ce9aa7a09d1212f203fca5856794']", malware: 'Evil' },
        { pattern: "[file:hashes.sha256='570cd76bf49cf52e0cb347a68bdcf0590b2eaece134e1b1eba7e8d66261bdbe6']", malware: 'Evil' },
        { pattern: "[app:id='com.client.appA']", malware: 'Evil' },
        { pattern: "[app:cert.sha256='AB:CD:EF:01']", malware: 'Evil' },
        { pattern: "[configuration-profile:id='76DAB334-7E17-475D-A5D6-0794EB5818A5']", malware: 'Evil' },
        { pattern: "[android-property:name='sys.foobar']", malware: 'Evil' },
        { pattern: "[domain-name:value='example.org']", malware: 'Other' },
      ],
    });
    m = compileIndicators(evil);
  });

  it('counts every compiled indicator', () => {
    expect(m.size).toBe(32);
  });

  const cases: [string, ObservableKind, string, [MatchKind, string][]][] = [
    // URLs and domains
    ['a URL on an indicator domain matches it as the domain (one per collection)', 'url', 'https://example.org/x', [['domain', 'example.org'], ['domain', 'example.org']]],
    ['a bare host name is read as a URL', 'url', 'evil.com', [['domain', 'evil.com']]],
    ['a sub-domain at any depth matches its parent indicator', 'url', 'https://a.b.c.evil.com/x', [['subdomain', 'evil.com']]],
    ['a sub-domain of a deep indicator matches (MVT stops at the registrable domain)', 'url', 'http://x.a.b.deep.net/', [['subdomain', 'a.b.deep.net']]],
    ['the parent of a deep indicator does not match', 'url', 'http://b.deep.net/', []],
    ['www. in front of an indicator is the indicator itself', 'url', 'https://www.evil.com/', [['domain', 'evil.com']]],
    ['an indicator written with www. matches its bare name', 'url', 'https://tzsafe.com/', [['domain', 'www.tzsafe.com']]],
    ['an indicator written with www. matches itself and its sub-domains', 'domain', 'cdn.www.tzsafe.com', [['subdomain', 'www.tzsafe.com']]],
    ['an indicator written with www. does not match sibling sub-domains', 'url', 'https://mail.tzsafe.com/', []],
    ['a port does not turn a domain match into a sub-domain match', 'url', 'http://evil.com:8080/toto', [['domain', 'evil.com']]],
    ['userinfo is not the host', 'url', 'https://evil.com@good.org/', []],
    ['userinfo is dropped from the host', 'url', 'https://good.org@evil.com/', [['domain', 'evil.com']]],
    ['host case and a trailing dot are ignored', 'url', 'HTTPS://EVIL.COM./X', [['domain', 'evil.com']]],
    ['a domain observable is matched like a URL host', 'domain', 'login.Evil.com', [['subdomain', 'evil.com']]],
    ['a Unicode host matches a Unicode indicator (both punycode)', 'url', 'https://пример.рф/login', [['domain', 'xn--e1afmkfd.xn--p1ai']]],
    ['a punycode host matches a Unicode indicator', 'url', 'https://xn--e1afmkfd.xn--p1ai/', [['domain', 'xn--e1afmkfd.xn--p1ai']]],
    ['a Unicode host matches a punycode indicator', 'url', 'https://пример.com/', [['domain', 'xn--e1afmkfd.com']]],
    ['a domain indicator with a path matches its host', 'url', 'https://fgr1w2gnsdvsb.xyz/x/y', [['domain', 'fgr1w2gnsdvsb.xyz']]],
    ['an indicator that is a public suffix matches only itself', 'url', 'https://github.io/', [['domain', 'github.io']]],
    ['an indicator that is a public suffix does not match every site below it', 'url', 'https://someone.github.io/', []],
    ['a name without TLD matches only itself', 'url', 'http://despachosnegocios/', [['domain', 'despachosnegocios']]],
    ['a name without TLD does not match hosts below it', 'url', 'http://x.despachosnegocios/', []],
    ['`wwwexample.org` does not match `example.org`', 'url', 'https://wwwexample.org/', []],
    ['`w.wexample.org` does not match `example.org`', 'url', 'https://w.wexample.org/', []],
    ['`web.evil.com` keeps its `w` and matches `evil.com` as a sub-domain', 'url', 'https://web.evil.com/', [['subdomain', 'evil.com']]],
    ['`notevil.com` does not match `evil.com`', 'url', 'https://notevil.com/', []],
    ['`evil.com.attacker.net` does not match `evil.com`', 'url', 'https://evil.com.attacker.net/', []],
    ['a domain named in the path does not match', 'url', 'https://good.org/evil.com', []],
    ['an unparseable URL matches nothing (no substring fallback)', 'url', 'http://exa mple.org/evil.com', []],
    // IPs
    ['an IP URL matches the IP indicator', 'url', 'https://198.51.100.1:8080/', [['ip', '198.51.100.1']]],
    ['an IP typed as a domain in the feed matches as an IP', 'url', 'http://176.223.111.131/a', [['ip', '176.223.111.131']]],
    ['IP 198.51.100.1 does not match 198.51.100.10', 'url', 'http://198.51.100.10/', []],
    ['IP 198.51.100.1 does not match 198.51.100.1 named in a path', 'url', 'http://x.org/198.51.100.1', []],
    ['IP 198.51.100.1 does not match 1198.51.100.1.example', 'url', 'http://1198.51.100.1.example/', []],
    ['an IPv6 URL matches the IPv6 indicator', 'url', 'http://[2001:DB8:0::1]:80/', [['ip', '2001:db8::1']]],
    ['a bare IP observable matches', 'domain', '198.51.100.1', [['ip', '198.51.100.1']]],
    // exact URLs
    ['a URL indicator matches exactly', 'url', 'http://example.com/thisisbad', [['exact-url', 'http://example.com/thisisbad']]],
    ['a URL indicator matches with scheme and host in another case', 'url', 'https://short.example.net/AbC', [['exact-url', 'https://Short.Example.NET/AbC']]],
    ['a URL indicator path is case-sensitive', 'url', 'https://short.example.net/abc', []],
    ['a URL indicator does not match a longer URL', 'url', 'http://example.com/thisisbad/more', []],
    // processes
    ['a process name matches exactly', 'process', 'Launch', [['process', 'Launch']]],
    ['a process path matches by its base name', 'process', '/private/var/db/Launch', [['process', 'Launch']]],
    ['process names are case-sensitive', 'process', 'launch', []],
    ['a 16-character iOS name matches a longer indicator it starts', 'process', 'com.apple.avcapt', [['process-truncated', 'com.apple.avcapture']]],
    ['a 15-character Android comm name matches a longer indicator it starts', 'process', 'com.apple.avcap', [['process-truncated', 'com.apple.avcapture']]],
    ['a 15-character prefix of a 16-character indicator matches as truncated', 'process', 'contextstoremgr', [['process-truncated', 'contextstoremgrd']]],
    ['a short prefix is not a truncation', 'process', 'com.apple', []],
    ['a 16-character name that is not a prefix does not match', 'process', 'com.apple.avcapX', []],
    // files
    ['a path whose base name is a file-name indicator matches', 'file_path', '/var/mobile/Library/Preferences/com.apple.CoreBrightness.plist', [['file-name', 'com.apple.CoreBrightness.plist']]],
    ['a file path indicator matches itself', 'file_path', '/usr/sbin/foo', [['file-path', '/usr/sbin/foo']]],
    ['a file path indicator matches files below it', 'file_path', '/usr/sbin/filecoordinationd/123e4567-e89b-12d3-a456-426614174000', [['file-path', '/usr/sbin/filecoordinationd']]],
    ['/usr/sbin/foo does not match /usr/sbin/foobar', 'file_path', '/usr/sbin/foobar', []],
    ['a folder indicator written with a trailing slash matches the folder and its files', 'file_path', '/data/local/tmp/wd/payload.so', [['file-path', '/data/local/tmp/wd']]],
    ['/private/var/tmp/l matches the same folder named through the /var symlink', 'file_path', '/var/tmp/l/x', [['file-path', '/private/var/tmp/l']]],
    ['a relative path is read from the root', 'file_path', 'usr/sbin/foo', [['file-path', '/usr/sbin/foo']]],
    ['a file named like a process indicator matches', 'file_path', '/private/var/tmp/bh', [['process-in-path', 'bh']]],
    ['a folder named like a process indicator does not match (MVT: any component)', 'file_path', '/private/var/tmp/bh/log.txt', []],
    ['a process indicator inside a name does not match', 'file_path', '/private/var/tmp/bhx', []],
    ['a file name observable matches exactly', 'file_name', 'com.apple.CoreBrightness.plist', [['file-name', 'com.apple.CoreBrightness.plist']]],
    ['file names are case-sensitive', 'file_name', 'com.apple.corebrightness.plist', []],
    // the rest
    ['emails match case-insensitively, with or without mailto:', 'email', 'mailto:FooBar@Example.org', [['email', 'foobar@example.org']]],
    ['an email with a display name matches its address', 'email', 'Foo Bar <foobar@example.org>', [['email', 'foobar@example.org']]],
    ['profile ids match case-insensitively', 'profile_id', '76dab334-7e17-475d-a5d6-0794eb5818a5', [['profile-id', '76DAB334-7E17-475D-A5D6-0794EB5818A5']]],
    ['a part of a profile id that is not its start does not match (MVT: any substring)', 'profile_id', '7E17-475D-A5D6', []],
    ['hashes match case-insensitively', 'sha256', '570CD76BF49CF52E0CB347A68BDCF0590B2EAECE134E1B1EBA7E8D66261BDBE6', [['hash', '570cd76bf49cf52e0cb347a68bdcf0590b2eaece134e1b1eba7e8d66261bdbe6']]],
    ['an md5 matches as md5', 'md5', 'd41d8cd98f00b204e9800998ecf8427e', [['hash', 'd41d8cd98f00b204e9800998ecf8427e']]],
    ['a hash is only compared with hashes of its own kind', 'sha256', 'd41d8cd98f00b204e9800998ecf8427e', []],
    ['app ids match case-insensitively', 'app_id', 'com.client.appa', [['app-id', 'com.client.appA']]],
    ['certificate hashes match with or without colons', 'cert_hash', 'abcdef01', [['cert-hash', 'abcdef01']]],
    ['Android properties match case-insensitively', 'android_property', 'SYS.FOOBAR', [['android-property', 'sys.foobar']]],
    ['an empty value matches nothing', 'android_property', '', []],
  ];

  it.each(cases)('%s', (_name, kind, value, expected) => {
    expect(summary(m, kind, value)).toEqual(expected);
  });

  it('returns matches in collection load order, once per collection and value', () => {
    const matches = m.match(obs('url', 'https://www.example.org/'));
    expect(matches.map((x) => [x.indicator.collection.name, x.kind, x.indicator.value])).toEqual([
      ['Evil', 'domain', 'example.org'],
      ['Other', 'domain', 'example.org'],
    ]);
  });

  it('reports an exact URL match and a domain match of the same URL together', () => {
    const m2 = compileIndicators(
      collectionsOf({ malware: ['M'], indicators: [{ pattern: "[url:value='https://evil.com/x']", malware: 'M' }, { pattern: "[domain-name:value='evil.com']", malware: 'M' }] }),
    );
    expect(summary(m2, 'url', 'https://evil.com/x')).toEqual([
      ['exact-url', 'https://evil.com/x'],
      ['domain', 'evil.com'],
    ]);
  });

  it('a link typed without its scheme matches a URL indicator written with https:// or http://', () => {
    const m2 = compileIndicators(
      collectionsOf({ malware: ['M'], indicators: [{ pattern: "[url:value='https://landing.evil.net/x1']", malware: 'M' }, { pattern: "[url:value='http://plain.evil.net/y']", malware: 'M' }] }),
    );
    expect(summary(m2, 'url', 'landing.evil.net/x1')).toEqual([['exact-url', 'https://landing.evil.net/x1']]);
    expect(summary(m2, 'url', 'Landing.Evil.NET/x1')).toEqual([['exact-url', 'https://landing.evil.net/x1']]);
    expect(summary(m2, 'url', 'plain.evil.net/y')).toEqual([['exact-url', 'http://plain.evil.net/y']]);
  });

  it('a scheme-less link matches only the very same address: another path, or a written scheme that differs, does not', () => {
    const m2 = compileIndicators(collectionsOf({ malware: ['M'], indicators: [{ pattern: "[url:value='https://landing.evil.net/x1']", malware: 'M' }] }));
    expect(summary(m2, 'url', 'landing.evil.net/x2')).toEqual([]);
    expect(summary(m2, 'url', 'landing.evil.net/x1/more')).toEqual([]);
    expect(summary(m2, 'url', 'ftp://landing.evil.net/x1')).toEqual([]);
    expect(summary(m2, 'url', 'http://landing.evil.net/x1')).toEqual([]);
  });

  it.each<[ObservableKind, string, string]>([
    ['url', 'http://198.51.100.1/', 'Found a known suspicious IP address http://198.51.100.1/ matching indicator "198.51.100.1" from "Evil"'],
    ['process', 'Launch', 'Found a known suspicious process name "Launch" matching indicators from "Evil"'],
    ['process', 'com.apple.avcapt', 'Found a truncated known suspicious process name "com.apple.avcapt" matching indicators from "Evil"'],
    ['file_path', '/tmp/bh', 'Found known suspicious process name mentioned in file at path "/tmp/bh" matching indicators from "Evil"'],
    ['file_path', '/usr/sbin/foo/x', 'Found a known suspicious file path "/usr/sbin/foo/x" matching indicators from "Evil"'],
    ['file_name', 'com.apple.CoreBrightness.plist', 'Found a known suspicious file name "com.apple.CoreBrightness.plist" matching indicators from "Evil"'],
    ['file_path', '/var/x/com.apple.CoreBrightness.plist', 'Found a known suspicious file name "/var/x/com.apple.CoreBrightness.plist" matching indicators from "Evil"'],
    ['email', 'foobar@example.org', 'Found a known suspicious email address "foobar@example.org" matching indicators from "Evil"'],
    ['profile_id', '76DAB334-7E17-475D-A5D6-0794EB5818A5', 'Found a known suspicious profile ID "76DAB334-7E17-475D-A5D6-0794EB5818A5" matching indicators from "Evil"'],
    ['md5', 'd41d8cd98f00b204e9800998ecf8427e', 'Found a known suspicious file with hash "d41d8cd98f00b204e9800998ecf8427e" matching indicators from "Evil"'],
    ['app_id', 'com.client.appA', 'Found a known suspicious app with ID "com.client.appA" matching indicators from "Evil"'],
    ['cert_hash', 'AB:CD:EF:01', 'Found a known suspicious app certificate with hash "AB:CD:EF:01" matching indicators from "Evil"'],
    ['android_property', 'sys.foobar', 'Found a known suspicious Android property "sys.foobar" matching indicators from "Evil"'],
  ])('message for %s %s', (kind, value, message) => {
    expect(m.match(obs(kind, value)).map((x) => x.message)).toEqual([message]);
  });

  it('an empty matcher matches nothing', () => {
    const empty = compileIndicators([]);
    expect(empty.size).toBe(0);
    expect(empty.match(obs('url', 'https://evil.com/'))).toEqual([]);
  });
});

describe('configuration profile ids: equal, or a truncated start of the listed id (the real Cytrox and Predator indicator)', () => {
  // The only profile id in every real feed (cytrox twice, predator once): a 36-character UUID.
  const CYTROX_PROFILE = '76DAB334-7E17-475D-A5D6-0794EB5818A5';
  let m: Matcher;
  beforeAll(async () => {
    const loaded = await loadIndicators({
      paths: [shared('iocs', 'amnesty-investigations', '2021-12-16_cytrox', 'cytrox.stix2'), shared('iocs', 'mvt-indicators', 'intellexa_predator', 'predator.stix2')],
      userDir: null,
    });
    const profiles = loaded.collections.flatMap((c) => c.indicators.filter((i) => i.kind === 'profile_id').map((i) => [c.file.name, c.name, i.value]));
    expect(profiles).toEqual([
      ['cytrox.stix2', 'Predator', CYTROX_PROFILE],
      ['predator.stix2', 'Predator', CYTROX_PROFILE],
    ]);
    m = compileIndicators(loaded.collections);
  });
  const kinds = (value: string) => m.match(obs('profile_id', value)).map((x) => [x.kind, x.indicator.collection.file.name]);

  it('the minimum lengths are 4 characters for any match and 8 for a truncated one', () => {
    expect([MIN_PROFILE_ID_CHARS, MIN_TRUNCATED_PROFILE_ID_CHARS]).toEqual([4, 8]);
  });

  it.each([
    ['the full id', CYTROX_PROFILE],
    ['the full id in lower case', CYTROX_PROFILE.toLowerCase()],
    ['the full id with spaces around it', ` ${CYTROX_PROFILE} `],
  ])('%s is the listed profile, once per feed', (_name, value) => {
    expect(kinds(value)).toEqual([
      ['profile-id', 'cytrox.stix2'],
      ['profile-id', 'predator.stix2'],
    ]);
  });

  it.each([
    ['its first group, 8 characters', '76DAB334'],
    ['its first two groups', '76DAB334-7E17'],
    ['all but the last character', CYTROX_PROFILE.slice(0, -1)],
    ['the first 16 characters in lower case', CYTROX_PROFILE.slice(0, 16).toLowerCase()],
  ])('%s is reported as a truncated id', (_name, value) => {
    expect(kinds(value)).toEqual([
      ['profile-id-truncated', 'cytrox.stix2'],
      ['profile-id-truncated', 'predator.stix2'],
    ]);
  });

  it.each([
    ['an empty id', ''],
    ['one character', '7'],
    ['three characters', '76D'],
    ['four characters, the start of the id', '76DA'],
    ['seven characters, the start of the id', '76DAB33'],
    ['a part from the middle (MVT matches it)', '7E17-475D-A5D6'],
    ['its last group (MVT matches it)', '0794EB5818A5'],
    ['two characters found inside it (MVT matches them)', 'A5'],
    ['a dash (MVT matches it)', '-'],
    ['the id with more after it', `${CYTROX_PROFILE}-2`],
    ['another UUID sharing the first 7 characters', '76DAB33F-0000-4000-8000-000000000000'],
    ['another UUID', 'E3F2D5A0-1C4B-4E8F-9A6D-2B7C8D9E0F1A'],
  ])('%s is not a match', (_name, value) => {
    expect(kinds(value)).toEqual([]);
  });

  it('says that the id seen was cut short, and names the whole listed id', () => {
    expect(m.match(obs('profile_id', '76DAB334-7E17')).map((x) => x.message)).toEqual([
      `Found a truncated profile ID "76DAB334-7E17", the start of the known suspicious profile ID "${CYTROX_PROFILE}" from "Predator"`,
      `Found a truncated profile ID "76DAB334-7E17", the start of the known suspicious profile ID "${CYTROX_PROFILE}" from "Predator"`,
    ]);
  });

  it('a dotted identifier truncated inside a label matches; its parent namespace does not', () => {
    const dotted = compileIndicators(collectionsOf({ malware: ['M'], indicators: [{ pattern: "[configuration-profile:id='com.example.mdm.payload']", malware: 'M' }] }));
    const dottedKinds = (value: string) => dotted.match(obs('profile_id', value)).map((x) => x.kind);
    expect(dottedKinds('com.example.mdm.pay')).toEqual(['profile-id-truncated']);
    expect(dottedKinds('com.example.mdm')).toEqual([]);
    expect(dottedKinds('com.example.')).toEqual([]);
    expect(dottedKinds('com.example.mdm.payload')).toEqual(['profile-id']);
  });

  it('a listed id shorter than 8 characters matches only itself', () => {
    const short = compileIndicators(collectionsOf({ malware: ['M'], indicators: [{ pattern: "[configuration-profile:id='ABCDEF']", malware: 'M' }] }));
    expect(short.match(obs('profile_id', 'abcdef')).map((x) => x.kind)).toEqual(['profile-id']);
    expect(short.match(obs('profile_id', 'ABCD')).map((x) => x.kind)).toEqual([]);
  });
});

describe('canonicalPath', () => {
  /** The three rewrites it is defined by, applied every time (it skips them for a path already canonical). */
  const rewritten = (path: string) => {
    let p = path.replace(/\/{2,}/g, '/').replace(/\/+$/, '');
    if (p !== '' && !p.startsWith('/')) p = `/${p}`;
    return p.replace(/^\/private(?=\/(?:var|tmp|etc)(?:\/|$))/, '');
  };

  it('folds doubled and trailing slashes and iOS\'s /private links, and leaves a canonical path as it is', () => {
    expect(canonicalPath('private/var//mobile/Library/')).toBe('/var/mobile/Library');
    expect(canonicalPath('/private/etc')).toBe('/etc');
    expect(canonicalPath('/private/varnish')).toBe('/private/varnish');
    expect(canonicalPath('/Library/SMS/sms.db')).toBe('/Library/SMS/sms.db');
    expect(canonicalPath('')).toBe('');
  });

  it('gives what the rewrites give, on any path of slashes, spaces and those folder names', () => {
    const part = fc.constantFrom('/', '//', 'private', 'var', 'tmp', 'etc', 'a', ' ', '.');
    fc.assert(fc.property(fc.array(part, { maxLength: 8 }), (parts) => {
      const path = parts.join('');
      expect(canonicalPath(path)).toBe(rewritten(path));
    }), { numRuns: 2000 });
  });
});
