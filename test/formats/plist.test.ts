import { buildBinary } from 'plist';
import { describe, expect, it } from 'vitest';
import { UID } from 'bplist-parser';
import { FormatError } from '../../src/errors.js';
import { parsePlist } from '../../src/formats/plist.js';
import { unarchive } from '../../src/formats/nskeyed.js';

const xml = `<?xml version="1.0" encoding="UTF-8"?><!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd"><plist version="1.0"><dict><key>LDMGlobalEnabled</key><true/><key>n</key><integer>42</integer></dict></plist>`;

describe('parsePlist', () => {
  it('reads XML and binary property lists alike', () => {
    expect(parsePlist(Buffer.from(xml), 'prefs.plist')).toEqual({ LDMGlobalEnabled: true, n: 42 });
    const bin = Buffer.from(buildBinary({ LDMGlobalEnabled: true, n: 42, big: 2 ** 40 + 1 }));
    expect(parsePlist(bin, 'prefs.plist')).toEqual({ LDMGlobalEnabled: true, n: 42, big: 2 ** 40 + 1 });
  });

  it.each([
    ['an empty file', Buffer.alloc(0), 'prefs.plist: empty file (expected a property list)'],
    ['a truncated binary plist', Buffer.from(buildBinary({ a: 'x'.repeat(100) })).subarray(0, 40), 'prefs.plist: truncated or corrupted binary plist'],
    ['malformed XML', Buffer.from(xml.slice(0, 200)), 'prefs.plist: malformed XML plist'],
    ['a file of another type', Buffer.from('SQLite format 3\0'), 'prefs.plist: not a property list'],
  ])('rejects %s with one line naming the file', (_name, data, message) => {
    let caught: unknown;
    try {
      parsePlist(data, 'prefs.plist');
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(FormatError);
    expect((caught as Error).message.startsWith(message)).toBe(true);
    expect((caught as Error).message).not.toContain('\n');
  });
});

describe('unarchive (NSKeyedArchiver)', () => {
  it('resolves UIDs, Foundation classes and nested objects', () => {
    const archive = Buffer.from(
      buildBinary({
        $archiver: 'NSKeyedArchiver',
        $version: 100000,
        $top: { root: new UID(1) },
        $objects: [
          '$null',
          { $class: new UID(5), 'NS.keys': [new UID(2), new UID(3)], 'NS.objects': [new UID(4), new UID(6)] },
          'name',
          'when',
          'Alice',
          { $classname: 'NSDictionary', $classes: ['NSDictionary', 'NSObject'] },
          { $class: new UID(7), 'NS.time': 0 },
          { $classname: 'NSDate', $classes: ['NSDate', 'NSObject'] },
        ],
      } as never),
    );
    expect(unarchive(archive, 'x')).toEqual({ name: 'Alice', when: new Date('2001-01-01T00:00:00Z') });
  });

  it('cuts a reference cycle instead of looping', () => {
    const archive = Buffer.from(
      buildBinary({
        $archiver: 'NSKeyedArchiver',
        $version: 100000,
        $top: { root: new UID(1) },
        $objects: ['$null', { $class: new UID(2), self: new UID(1) }, { $classname: 'Node', $classes: ['Node'] }],
      } as never),
    );
    expect(unarchive(archive, 'x')).toEqual({ $class: 'Node', self: null });
  });

  it('names the archive when it is not one', () => {
    expect(() => unarchive(Buffer.from(buildBinary({ a: 1 })), 'Manifest.db file')).toThrow('Manifest.db file: not an NSKeyedArchiver archive');
  });
});
