import { describe, expect, it } from 'vitest';
import { emailAddressOf, tokensInText, trimTrailingPunctuation } from '../../src/formats/text-links.js';

describe('tokensInText: ordinary sentences give nothing', () => {
  it.each([
    'See you at 10 a.m. tomorrow, e.g. at the café.',
    'That is, i.e. the other one.',
    'I sent file.txt and index.html, also config.json.',
    'The photo.JPG is in the album',
    'Update to v1.2 or iOS 17.4.1 first',
    'pi is 3.14 and the ratio 1.5.',
    'Mr.Smith and Dr.Who met St.Louis people',
    'It was the end of the sentence.Next one starts here',
    'Hello.World is what we printed',
    'README.md, backup.zip, install.sh, main.py and movie.mov are attached',
    'Open Xcode.app, then logo.ai and main.rs',
    'U.S.A. vs. the U.K. etc.',
    'version 1.2.3.4 of the build',
    'use node.js or vue.js',
    'No.1 fan, Fig.3 and p.s. thanks',
    'call me on +1 (415) 555-0100',
    'a path /var/mobile/Library/evil.com stays a path',
    'C:\\Users\\dana\\evil.com is a file name',
    'whatsapp://send?text=hi and tel:+14155550100',
    'mention @dana.com on the forum',
    '',
  ])('%j', (text) => {
    expect(tokensInText(text)).toEqual([]);
  });

  it('does not read a WhatsApp JID as an e-mail address', () => {
    expect(tokensInText('from 14155550100@s.whatsapp.net in 120363000000000000@g.us')).toEqual([]);
  });
});

describe('tokensInText: hosts, scheme-less URLs and addresses', () => {
  it.each([
    ['visit evil-domain.com now', [{ kind: 'domain', value: 'evil-domain.com' }]],
    ['evil-domain.com/path?x', [{ kind: 'url', value: 'evil-domain.com/path?x' }]],
    ['sub.evil-domain.co.uk.', [{ kind: 'domain', value: 'sub.evil-domain.co.uk' }]],
    ['(evil-domain.com)', [{ kind: 'domain', value: 'evil-domain.com' }]],
    ['"evil-domain.com", then', [{ kind: 'domain', value: 'evil-domain.com' }]],
    ["evil-domain.com's page", [{ kind: 'domain', value: 'evil-domain.com' }]],
    ['EVIL-DOMAIN.COM!', [{ kind: 'domain', value: 'EVIL-DOMAIN.COM' }]],
    ['go to evil-domain.com:8443/x.', [{ kind: 'url', value: 'evil-domain.com:8443/x' }]],
    ['(see en.wikipedia.org/wiki/Foo_(bar)).', [{ kind: 'url', value: 'en.wikipedia.org/wiki/Foo_(bar)' }]],
    ['пример.рф', [{ kind: 'domain', value: 'пример.рф' }]],
    ['map at münchen.de/karte', [{ kind: 'url', value: 'münchen.de/karte' }]],
    ['xn--e1afmkfd.xn--p1ai', [{ kind: 'domain', value: 'xn--e1afmkfd.xn--p1ai' }]],
    // File-extension TLDs count with URL context: a www. label or a path.
    ['www.evil.zip', [{ kind: 'domain', value: 'www.evil.zip' }]],
    ['get evil.zip/payload', [{ kind: 'url', value: 'evil.zip/payload' }]],
    // An e-mail address is an address; its domain is not reported again as a host.
    ['write to op@evil-domain.com please', [{ kind: 'email', value: 'op@evil-domain.com' }]],
    ['mailto:Op@Evil-Domain.com', [{ kind: 'email', value: 'Op@Evil-Domain.com' }]],
    // Other schemes count when their host is a real host name.
    ['ftp://files.evil-domain.com/x', [{ kind: 'url', value: 'ftp://files.evil-domain.com/x' }]],
  ])('%j', (text, expected) => {
    expect(tokensInText(text)).toEqual(expected);
  });

  it('leaves http(s) links to the link finder unless asked, and never reads their host again', () => {
    const text = 'see https://x.evil-domain.com/a and evil-two.com';
    expect(tokensInText(text)).toEqual([{ kind: 'domain', value: 'evil-two.com' }]);
    expect(tokensInText(text, { httpLinks: true })).toEqual([
      { kind: 'url', value: 'https://x.evil-domain.com/a' },
      { kind: 'domain', value: 'evil-two.com' },
    ]);
  });

  it('gives each value once, in order of appearance', () => {
    expect(tokensInText('b-site.com, a-site.org and b-site.com again')).toEqual([
      { kind: 'domain', value: 'b-site.com' },
      { kind: 'domain', value: 'a-site.org' },
    ]);
  });
});

describe('emailAddressOf', () => {
  it.each([
    ['op@evil-domain.com', 'op@evil-domain.com'],
    ['mailto:op@evil-domain.com', 'op@evil-domain.com'],
    [' Op@Evil-Domain.com ', 'Op@Evil-Domain.com'],
    ['+14155550100', null],
    ['14155550100@s.whatsapp.net', null],
    ['100000000000001@lid', null],
    ['dana@localhost', null],
    ['not an address', null],
    ['', null],
    [null, null],
  ])('%j → %j', (value, expected) => {
    expect(emailAddressOf(value)).toBe(expected);
  });
});

describe('trimTrailingPunctuation', () => {
  it.each([
    ['evil.com/x).', 'evil.com/x'],
    ['evil.com/Foo_(bar)', 'evil.com/Foo_(bar)'],
    ['evil.com/x?!', 'evil.com/x'],
    ['evil.com/x”', 'evil.com/x'],
  ])('%j → %j', (value, expected) => {
    expect(trimTrailingPunctuation(value)).toBe(expected);
  });
});
