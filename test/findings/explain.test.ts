import { describe, expect, it } from 'vitest';
import type { Observable } from '../../src/artifacts/artifact.js';
import { explainMatch, levelForMatch } from '../../src/findings/explain.js';

const direct = (kind: Observable['kind'], value: string, field: string): Observable => ({ kind, value, field });
const mention = (kind: Observable['kind'], value: string, field: string): Observable => ({ kind, value, field, role: 'mention' });

describe('levelForMatch: the one level policy for indicator matches', () => {
  it.each([
    ['a link received in a message', direct('url', 'https://evil-domain.com/x', 'links'), 'critical'],
    ['the e-mail address of a FaceTime call', direct('email', 'op@evil-domain.com', 'number'), 'critical'],
    ['the sender of an interaction', direct('email', 'op@evil-domain.com', 'sender_identifier'), 'critical'],
    ["a calendar invitation's attendee", direct('email', 'op@evil-domain.com', 'attendees.email'), 'critical'],
    ['an address-book value', mention('email', 'op@evil-domain.com', 'value'), 'high'],
    ['a host written without a scheme in a message', mention('domain', 'evil-domain.com', 'text'), 'high'],
    ["a link in a preview's title", mention('url', 'https://evil-domain.com/x', 'ZTITLE'), 'high'],
    ['a host in a backup file path', mention('domain', 'evil-domain.com', 'relative_path'), 'high'],
  ])('%s is %s', (_what, observable, level) => {
    expect(levelForMatch(observable)).toBe(level);
  });
});

describe('explainMatch: what was seen, and the innocent explanations', () => {
  it('an e-mail exchanged with the device says so, and names the field', () => {
    const text = explainMatch('email', direct('email', 'op@evil-domain.com', 'attendees.email'), 'Operation X');
    expect(text).toContain('listed in the "Operation X" indicators');
    expect(text).toContain('The device exchanged something with it');
    expect(text).toContain('"attendees.email" field');
  });

  it('an e-mail stored in the address book says it is only stored, and that a journalist may keep it', () => {
    const text = explainMatch('email', mention('email', 'op@evil-domain.com', 'value'), 'Operation X');
    expect(text).toContain('is stored on this device');
    expect(text).toContain('storing an address is not exchanging anything with it');
    expect(text).toContain('a journalist or researcher investigating the operator');
  });

  it('a host mentioned in free text says it is weaker than a visit, and that it may be an ordinary word or an article', () => {
    const text = explainMatch('domain', mention('domain', 'evil-domain.com', 'text'), 'Operation X');
    expect(text).toContain('without "https://"');
    expect(text).toContain('weaker than a visit');
    expect(text).toContain('an ordinary word that happens to be a registered name');
    expect(text).toContain('"text" field');
  });

  it('a URL only in a link preview is a mention, not a received link', () => {
    const text = explainMatch('exact-url', mention('url', 'https://evil-domain.com/x', 'ZTITLE'), 'Operation X');
    expect(text).toContain('is written on this device');
    expect(text).toContain('"ZTITLE" field');
  });

  it('a link received in a message keeps its direct wording', () => {
    expect(explainMatch('subdomain', direct('url', 'https://a.evil-domain.com/', 'links'), 'Operation X')).toContain('a sub-domain of a domain listed in the "Operation X" indicators');
  });

  it('a profile identifier cut short says only its start was compared, and what to check', () => {
    const text = explainMatch('profile-id-truncated', direct('profile_id', '8A1F3C2E-77', 'profile_id'), 'Operation X');
    expect(text).toContain('the start of one listed in the "Operation X" indicators');
    expect(text).toContain("check the installed profiles' names and payloads");
  });
});
