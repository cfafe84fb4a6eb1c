import { describe, expect, it } from 'vitest';
import { canonicalUrl, hostOf, isPublicSuffix } from '../../src/indicators/hostname.js';

describe('hostOf reads the host a URL points at, as a browser would', () => {
  it.each([
    ['https://www.example.org/foobar', 'www.example.org', false],
    ['http://example.org:8080/toto', 'example.org', false],
    ['https://user:secret@EVIL.com./path', 'evil.com', false],
    ['evil.com', 'evil.com', false],
    ['evil.com:8080/x?y=z', 'evil.com', false],
    ['//evil.com/x', 'evil.com', false],
    ['https://пример.рф/x', 'xn--e1afmkfd.xn--p1ai', false],
    ['intent://Evil.COM/x#Intent;scheme=https;end', 'evil.com', false],
    ['http://evil.com\\@good.com/', 'evil.com', false],
    ['https://198.51.100.1:8080/', '198.51.100.1', true],
    ['198.51.100.1', '198.51.100.1', true],
    ['http://0x7f.1/', '127.0.0.1', true],
    ['http://[2001:DB8::1]:443/', '2001:db8::1', true],
    ['2001:DB8:0:0::1', '2001:db8::1', true],
  ])('%s → %s', (input, host, isIp) => {
    expect(hostOf(input)).toEqual({ host, isIp });
  });

  it.each([['42'], [''], ['   '], ['about:blank'], ['mailto:someone@evil.com'], ['http://exa mple.com/'], ['http://']])('%j has no host', (input) => {
    expect(hostOf(input)).toBeNull();
  });

  it('canonicalUrl folds case in scheme and host and keeps the path as written', () => {
    expect(canonicalUrl('HTTPS://Evil.Example.NET/Path?Q=1')).toBe('https://evil.example.net/Path?Q=1');
    expect(canonicalUrl('evil.com/x')).toBe('http://evil.com/x');
    expect(canonicalUrl('http://exa mple.com/')).toBeNull();
  });

  it.each([
    ['com', true],
    ['co.uk', true],
    ['github.io', true],
    ['despachosnegocios', true],
    ['evil.com', false],
    ['evil.github.io', false],
  ])('isPublicSuffix(%s) = %s', (host, expected) => {
    expect(isPublicSuffix(host)).toBe(expected);
  });
});
