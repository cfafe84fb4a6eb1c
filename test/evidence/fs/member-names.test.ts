/** The path normalisation rules every container shares, as a table. */
import { describe, expect, it } from 'vitest';
import { normaliseMemberName, normaliseQueryPath, printableName, resolveLinkInside } from '../../../src/evidence/fs/member-names.js';

describe('normaliseMemberName', () => {
  it.each([
    // accepted, normalised
    ['private/var/mobile/sms.db', 'tar', { ok: true, path: 'private/var/mobile/sms.db', isDirectory: false }],
    ['./private//var/./x', 'tar', { ok: true, path: 'private/var/x', isDirectory: false }],
    ['folder/', 'zip', { ok: true, path: 'folder', isDirectory: true }],
    ['win\\dir\\file.txt', 'zip', { ok: true, path: 'win/dir/file.txt', isDirectory: false }],
    ['back\\slash.txt', 'tar', { ok: true, path: 'back\\slash.txt', isDirectory: false }],
    ['naïve café/日本語.txt', 'tar', { ok: true, path: 'naïve café/日本語.txt', isDirectory: false }],
    ['a..b/..c', 'tar', { ok: true, path: 'a..b/..c', isDirectory: false }],
    // the root itself
    ['./', 'tar', { ok: 'root' }],
    // refused
    ['', 'tar', { ok: false, reason: 'empty name' }],
    // absolute names are read from the archive's root (nothing is extracted): iLEAPP zips store /private/var/…
    ['/private/var/mobile/x.db', 'tar', { ok: true, path: 'private/var/mobile/x.db', isDirectory: false }],
    ['/private/var/', 'zip', { ok: true, path: 'private/var', isDirectory: true }],
    ['/', 'tar', { ok: false, reason: 'absolute name' }],
    ['/../etc/passwd', 'tar', { ok: false, reason: 'parent-folder component (..) in the name' }],
    ['//server/share/x', 'zip', { ok: false, reason: 'absolute name' }],
    ['\\abs.txt', 'tar', { ok: false, reason: 'absolute name' }],
    ['C:\\Windows\\x', 'zip', { ok: false, reason: 'drive letter in the name (an absolute Windows path)' }],
    ['c:rel', 'tar', { ok: false, reason: 'drive letter in the name (an absolute Windows path)' }],
    ['a/../../x', 'tar', { ok: false, reason: 'parent-folder component (..) in the name' }],
    ['..', 'zip', { ok: false, reason: 'parent-folder component (..) in the name' }],
    ['a\\..\\x', 'tar', { ok: false, reason: 'parent-folder component (..) in the name' }],
    ['nul\u0000x', 'tar', { ok: false, reason: 'control character in the name' }],
    ['line\nbreak', 'zip', { ok: false, reason: 'control character in the name' }],
    ['c1\u0085control', 'zip', { ok: false, reason: 'control character in the name' }],
  ] as const)('%j (%s)', (raw, flavour, verdict) => {
    expect(normaliseMemberName(raw, flavour)).toEqual(verdict);
  });
});

describe('normaliseQueryPath', () => {
  it('accepts device paths and normal forms, nothing that could climb out', () => {
    expect(normaliseQueryPath('/private/var/mobile/Library/SMS/sms.db')).toBe('private/var/mobile/Library/SMS/sms.db');
    expect(normaliseQueryPath('docs/x.txt')).toBe('docs/x.txt');
    expect(normaliseQueryPath('/')).toBeNull();
    expect(normaliseQueryPath('docs/../x')).toBeNull();
    expect(normaliseQueryPath('C:/x')).toBeNull();
  });
});

describe('printableName', () => {
  it('escapes control characters and backslashes so a name prints on one line and reads back unambiguously', () => {
    expect(printableName('a\u0000b\nc\u001b[0m\\d')).toBe('a\\x00b\\x0ac\\x1b[0m\\\\d');
    expect(printableName('x'.repeat(600))).toBe(`${'x'.repeat(512)}…`);
  });
});

describe('resolveLinkInside', () => {
  it.each([
    ['var', 'private/var', 'private/var'],
    ['links/inside', '../docs/readme.txt', 'docs/readme.txt'],
    ['a/b/link', './c', 'a/b/c'],
    ['links/outside', '../../outside.txt', null],
    ['link', '/etc/passwd', null],
    ['link', '', null],
    ['a/link', '..', null],
  ])('%s -> %s', (linkPath, target, resolved) => {
    expect(resolveLinkInside(linkPath, target)).toBe(resolved);
  });
});
