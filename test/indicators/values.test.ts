import { afterEach, describe, expect, it } from 'vitest';
import { keyedValue } from '../../src/indicators/keys.js';
import { loadIndicators } from '../../src/indicators/load.js';
import { hostNameProblem } from '../../src/indicators/values.js';
import { stixBundle, tempTree } from './bundle.js';

/** What the loader makes of one value under one key: [kind, value] when loaded, the reason when skipped. */
function loaded(key: string, value: string): [string, string] | string {
  const r = keyedValue(key, value);
  return r.ok ? [r.indicator.kind, r.indicator.value] : r.reason;
}

describe('a domain indicator must be a host name', () => {
  it.each([
    ['x\\y.com', '"x\\\\y.com" is not a valid host name: it contains a backslash'],
    ["'", '"\'" is not a valid host name: it contains a quote'],
    ['"evil.com"', '"\\"evil.com\\"" is not a valid host name: it contains a quote'],
    ['*', '"*" is not a valid host name: a lone wildcard would match every host'],
    ['*.', '"*." is not a valid host name: a lone wildcard would match every host'],
    ['a.*.com', '"a.*.com" is not a valid host name: it contains a wildcard'],
    ['evil .com', '"evil .com" is not a valid host name: it contains a space'],
    ['evil.com\u0000', '"evil.com\\u0000" is not a valid host name: it contains a NUL character'],
    ['evil\u0007.com', '"evil\\u0007.com" is not a valid host name: it contains a control character'],
    ['evil..com', '"evil..com" is not a valid host name: an empty label (two dots in a row, or a leading dot)'],
    ['.evil.com', '".evil.com" is not a valid host name: an empty label (two dots in a row, or a leading dot)'],
    ['user@evil.com', '"user@evil.com" is not a valid host name: the label "user@evil" has characters a host name cannot hold'],
    ['evil%2ecom', '"evil%2ecom" is not a valid host name: the label "evil%2ecom" has characters a host name cannot hold'],
    [`${'a'.repeat(64)}.com`, `"${'a'.repeat(64)}.com" is not a valid host name: a label longer than 63 characters`],
    ['xn--zz.com', '"xn--zz.com" is not a valid host name: not a valid internationalised name'],
    ['evil.com/x\\y', '"evil.com/x\\\\y" is not a valid host name: it contains a backslash'],
    ['[1.2.3.4]', '"[1.2.3.4]" is not a valid host name: not an IPv6 address in brackets'],
    ['42', '"42" is not a valid host name: it ends in a number, so it reads as an IPv4 address, and is not a valid one'],
    ['1.2.3', '"1.2.3" is not a valid host name: it ends in a number, so it reads as an IPv4 address, and is not a valid one'],
    ['evil.123', '"evil.123" is not a valid host name: it ends in a number, so it reads as an IPv4 address, and is not a valid one'],
  ])('%j is skipped', (value, reason) => {
    expect(loaded('domain-name:value', value)).toBe(reason);
  });

  it('a name longer than 253 characters is skipped, and the reason shows only its start', () => {
    const long = `${`${'a'.repeat(60)}.`.repeat(5)}com`;
    const reason = loaded('domain-name:value', long) as string;
    expect(reason).toBe(`"${long.slice(0, 120)}…" is not a valid host name: longer than 253 characters`);
  });

  it.each([
    ['Evil.COM', ['domain', 'evil.com']],
    ['evil.com.', ['domain', 'evil.com']],
    ['evil.com:8080', ['domain', 'evil.com']],
    ['*.wild.org', ['domain', 'wild.org']],
    ['fgr1w2gnsdvsb.xyz/x', ['domain', 'fgr1w2gnsdvsb.xyz']],
    ['fgr1w2gnsdvsb.xyz/*', ['domain', 'fgr1w2gnsdvsb.xyz']],
    ['пример.рф', ['domain', 'xn--e1afmkfd.xn--p1ai']],
    ['xn--e1afmkfd.com', ['domain', 'xn--e1afmkfd.com']],
    ['_dmarc.evil.com', ['domain', '_dmarc.evil.com']],
    ['despachosnegocios', ['domain', 'despachosnegocios']],
    ['176.223.111.131', ['ip', '176.223.111.131']],
    ['[2001:db8::1]:443', ['ip', '2001:db8::1']],
  ])('%j is loaded as %j', (value, expected) => {
    expect(loaded('domain-name:value', value)).toEqual(expected);
  });

  it('hostNameProblem accepts a name with one trailing root dot and refuses a bare dot', () => {
    expect(hostNameProblem('evil.com.')).toBeNull();
    expect(hostNameProblem('.')).toBe('no label');
    expect(hostNameProblem('')).toBe('empty');
  });
});

describe('an e-mail indicator must have a local part and a valid domain', () => {
  it.each([
    ['@evil.com', '"@evil.com" is not a valid e-mail address: no local part before the @'],
    ['evil.com', '"evil.com" is not a valid e-mail address: no @'],
    ['someone@', '"someone@" is not a valid e-mail address: no domain after the @'],
    ['a@x\\y.com', '"a@x\\\\y.com" is not a valid e-mail address: the domain "x\\\\y.com": it contains a backslash'],
    ["a@'", '"a@\'" is not a valid e-mail address: the domain "\'": it contains a quote'],
    ['a b@evil.com', '"a b@evil.com" is not a valid e-mail address: it contains a space'],
    ['a@[1.2.3.4]', '"a@[1.2.3.4]" is not a valid e-mail address: an IP address instead of a domain'],
    ['<a@evil.com>', '"<a@evil.com>" is not a valid e-mail address: the local part "<a" has characters an address cannot hold unquoted'],
    ['a..b@evil.com', '"a..b@evil.com" is not a valid e-mail address: a dot at the start or end of the local part, or two in a row'],
    ['a@evil.com/x', '"a@evil.com/x" is not a valid e-mail address: the domain "evil.com/x": the label "com/x" has characters a host name cannot hold'],
    [`${'a'.repeat(65)}@evil.com`, `"${'a'.repeat(65)}@evil.com" is not a valid e-mail address: a local part longer than 64 characters`],
  ])('%j is skipped', (value, reason) => {
    expect(loaded('email-addr:value', value)).toBe(reason);
  });

  it.each([
    ['mailto:Foo@Example.ORG', ['email', 'foo@example.org']],
    ["o'brien+spy@evil.com", ['email', "o'brien+spy@evil.com"]],
    ['bogaardlisa803@gmail.com', ['email', 'bogaardlisa803@gmail.com']],
    ['k.williams.enny74@gmail.com', ['email', 'k.williams.enny74@gmail.com']],
    ['ivan@пример.рф', ['email', 'ivan@пример.рф']],
  ])('%j is loaded as %j', (value, expected) => {
    expect(loaded('email-addr:value', value)).toEqual(expected);
  });
});

describe('a URL indicator must parse and name a valid host', () => {
  it.each([
    ['http://', '"http://" is not a valid URL: it does not parse as a URL'],
    ['http://exa mple.com/', '"http://exa mple.com/" is not a valid URL: it contains a space'],
    ['http://x\\y.com/', '"http://x\\\\y.com/" is not a valid URL: it contains a backslash'],
    ["http://'/", '"http://\'/" is not a valid URL: its host "\'": it contains a quote'],
    ['http://a.123/', '"http://a.123/" is not a valid URL: it does not parse as a URL'],
    ['mailto:a@evil.com', '"mailto:a@evil.com" is not a valid URL: it names no host'],
    ['about:blank', '"about:blank" is not a valid URL: it names no host'],
  ])('%j is skipped', (value, reason) => {
    expect(loaded('url:value', value)).toBe(reason);
  });

  it.each([
    ['http://statsads.co/2dL8ARH'],
    ["https://evil.com/a*b?q='x'"],
    ['evil.com/path'],
    ['http://[2001:db8::1]/x'],
    ['https://пример.рф/login'],
  ])('%j is loaded as written', (value) => {
    expect(loaded('url:value', value)).toEqual(['url', value]);
  });
});

describe('paths, names and ids: non-empty, no NUL', () => {
  it.each([
    ['file:path', '/tmp/a\u0000b', '"/tmp/a\\u0000b" is not a valid file path: it contains a NUL character'],
    ['file:path', '/', 'file path "/" names the root folder'],
    ['file:path', '///', 'file path "///" names the root folder'],
    ['process:name', 'bh\u0000', '"bh\\u0000" is not a valid process name: it contains a NUL character'],
    ['file:name', 'a\u0000', '"a\\u0000" is not a valid file name: it contains a NUL character'],
    ['app:id', 'com.x\u0000', '"com.x\\u0000" is not a valid app id: it contains a NUL character'],
    ['configuration-profile:id', '76DAB334\u0000', '"76DAB334\\u0000" is not a valid configuration profile id: it contains a NUL character'],
    ['android-property:name', 'sys.x\u0000', '"sys.x\\u0000" is not a valid Android property name: it contains a NUL character'],
    ['process:name', '   ', 'empty value'],
  ])('%s %j is skipped', (key, value, reason) => {
    expect(loaded(key, value)).toBe(reason);
  });

  it.each([
    ['process:name', 'bh', ['process', 'bh']],
    ['file:name', '/var/foobar/txt', ['file_name', '/var/foobar/txt']],
    ['file:path', 'C:\\Windows\\evil.dll', ['file_path', 'C:\\Windows\\evil.dll']],
    ['file:path', '/private/var/db/com.apple.xpc.roleaccountd.staging/PlugIns/fud.appex/', ['file_path', '/private/var/db/com.apple.xpc.roleaccountd.staging/PlugIns/fud.appex']],
    ['configuration-profile:id', '76DAB334-7E17-475D-A5D6-0794EB5818A5', ['profile_id', '76DAB334-7E17-475D-A5D6-0794EB5818A5']],
  ])('%s %j is loaded', (key, value, expected) => {
    expect(loaded(key, value)).toEqual(expected);
  });
});

describe('skipped values in a file report', () => {
  const cleanups: (() => void)[] = [];
  afterEach(() => {
    while (cleanups.length > 0) cleanups.pop()!();
  });

  it('each bad value is one skipped indicator with a one-line reason; the good ones beside it load', async () => {
    const t = tempTree({
      'bad-values.stix2': stixBundle({
        malware: ['M'],
        indicators: [
          { pattern: "[domain-name:value = 'x\\\\y.com']", malware: 'M' },
          { pattern: "[domain-name:value = '\\'']", malware: 'M' },
          { pattern: "[domain-name:value = '*']", malware: 'M' },
          { pattern: "[email-addr:value = '@evil.com']", malware: 'M' },
          { pattern: "[url:value = 'http://exa mple.com/']", malware: 'M' },
          { pattern: "[process:name = 'a\nb\u0000']", malware: 'M' },
          { pattern: "[domain-name:value = 'good.example']", malware: 'M' },
          { pattern: "[email-addr:value = 'spy@good.example']", malware: 'M' },
        ],
      }),
    });
    cleanups.push(t.remove);
    const r = await loadIndicators({ paths: [t.path('bad-values.stix2')], userDir: null });
    expect(r.collections[0]!.indicators.map((i) => [i.kind, i.value])).toEqual([
      ['domain', 'good.example'],
      ['email', 'spy@good.example'],
    ]);
    expect(r.files[0]!.skipped).toBe(6);
    expect(r.files[0]!.skippedPatterns.map((s) => s.reason)).toEqual([
      '"x\\\\y.com" is not a valid host name: it contains a backslash',
      '"\'" is not a valid host name: it contains a quote',
      '"*" is not a valid host name: a lone wildcard would match every host',
      '"@evil.com" is not a valid e-mail address: no local part before the @',
      '"http://exa mple.com/" is not a valid URL: it contains a space',
      '"a\\nb\\u0000" is not a valid process name: it contains a NUL character',
    ]);
    for (const s of r.files[0]!.skippedPatterns) expect(s.reason).not.toContain('\n');
  });
});
