import Database from 'better-sqlite3';
import { parseBuffer } from 'bplist-parser';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { build as buildXml, buildBinary, parse as parseXmlReference } from 'plist';
import { describe, expect, it } from 'vitest';
import { FormatError } from '../../src/errors.js';
import { isDict, parsePlist, plistLimits, UID, type PlistValue } from '../../src/formats/plist.js';
import { mvtIosBackup, shared } from '../helpers/data.js';
import { bplistDag, rawBplist } from './_bplist.js';

const DOCTYPE = '<?xml version="1.0" encoding="UTF-8"?><!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">';
const xmlPlist = (body: string): Buffer => Buffer.from(`${DOCTYPE}\n<plist version="1.0">\n${body}\n</plist>\n`);
const xml = `${DOCTYPE}<plist version="1.0"><dict><key>LDMGlobalEnabled</key><true/><key>n</key><integer>42</integer></dict></plist>`;

function formatErrorOf(run: () => unknown): FormatError {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(FormatError);
    expect((err as Error).message).not.toContain('\n');
    return err as FormatError;
  }
  throw new Error('expected a FormatError, nothing was thrown');
}

/** A comparable form: typed arrays as hex, dates as milliseconds, UIDs as plain objects. */
function comparable(v: unknown): unknown {
  if (v instanceof Uint8Array) return `hex:${Buffer.from(v).toString('hex')}`;
  if (v instanceof Date) return `date:${v.getTime()}`;
  if (Array.isArray(v)) return v.map(comparable);
  if (typeof v === 'object' && v !== null) {
    if ('UID' in v && Object.keys(v).length === 1) return { UID: (v as { UID: number }).UID };
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, comparable(x)]));
  }
  return v;
}

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
    expect(formatErrorOf(() => parsePlist(data, 'prefs.plist')).message.startsWith(message)).toBe(true);
  });
});

describe('XML <data> is a Buffer (issue 6: every App Store app looked side-loaded)', () => {
  const metadata = Buffer.from(buildBinary({ softwareVersionBundleId: 'com.apple.Pages', itemName: 'Pages', artistName: 'Apple' }));
  const icon = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
  // The shape of an iTunes/Finder backup's Info.plist: Applications → bundle id → iTunesMetadata / PlaceholderIcon.
  const infoPlist = xmlPlist(`<dict>
  <key>Applications</key>
  <dict>
    <key>com.apple.Pages</key>
    <dict>
      <key>iTunesMetadata</key>
      <data>
      ${metadata.toString('base64').replace(/(.{68})/g, '$1\n      ')}
      </data>
      <key>PlaceholderIcon</key>
      <data>${icon.toString('base64')}</data>
    </dict>
  </dict>
  <key>Device Name</key>
  <string>iPhone</string>
</dict>`);

  it('gives iTunesMetadata as a Buffer holding the binary plist, and PlaceholderIcon as the icon bytes', () => {
    const info = parsePlist(infoPlist, 'Info.plist');
    if (!isDict(info) || !isDict(info.Applications) || !isDict(info.Applications['com.apple.Pages'])) throw new Error('expected nested dicts');
    const app = info.Applications['com.apple.Pages'];
    expect(Buffer.isBuffer(app.iTunesMetadata)).toBe(true);
    expect(Buffer.isBuffer(app.PlaceholderIcon)).toBe(true);
    expect(app.PlaceholderIcon).toEqual(icon);
    expect(parsePlist(app.iTunesMetadata as Buffer, 'iTunesMetadata')).toEqual({ softwareVersionBundleId: 'com.apple.Pages', itemName: 'Pages', artistName: 'Apple' });
  });

  it('gives binary <data> as a Buffer too', () => {
    const value = parsePlist(Buffer.from(buildBinary({ blob: icon })), 'x') as { blob: PlistValue };
    expect(Buffer.isBuffer(value.blob)).toBe(true);
    expect(value.blob).toEqual(icon);
  });

  it('reads empty and whitespace-only <data> as an empty Buffer', () => {
    expect(parsePlist(xmlPlist('<array><data/><data>\n  \n</data></array>'), 'x')).toEqual([Buffer.alloc(0), Buffer.alloc(0)]);
  });

  it('rejects <data> that is not base64', () => {
    expect(formatErrorOf(() => parsePlist(xmlPlist('<data>not*base64</data>'), 'Info.plist')).message).toMatch(/^Info\.plist: malformed XML plist \(<data> that is not base64 at offset \d+\)$/);
  });
});

describe('isDict', () => {
  it.each([
    ['a Buffer', Buffer.from('x')],
    ['a Uint8Array', new Uint8Array([1, 2])],
    ['a DataView', new DataView(new ArrayBuffer(2))],
    ['a Date', new Date(0)],
    ['a UID', new UID(3)],
    ['an array', []],
    ['null', null],
    ['a string', 'dict'],
  ])('says no to %s', (_name, value) => {
    expect(isDict(value as PlistValue)).toBe(false);
  });

  it('says yes to a decoded dictionary, empty or not', () => {
    expect(isDict(parsePlist(xmlPlist('<dict/>'), 'x'))).toBe(true);
    expect(isDict(parsePlist(xmlPlist('<dict><key>a</key><string>b</string></dict>'), 'x'))).toBe(true);
  });
});

describe('integers are exact in both encodings', () => {
  it.each([
    ['2^53 + 1', '9007199254740993', 9007199254740993n],
    ['2^63 − 1', '9223372036854775807', 9223372036854775807n],
    ['2^64 − 1', '18446744073709551615', 18446744073709551615n],
    ['−2^63', '-9223372036854775808', -9223372036854775808n],
    ['hexadecimal 0x20000000000001', '0x20000000000001', 9007199254740993n],
  ])('XML <integer> %s is a bigint', (_name, text, expected) => {
    expect(parsePlist(xmlPlist(`<integer>${text}</integer>`), 'x')).toBe(expected);
  });

  it('keeps integers within ±2^53 as numbers', () => {
    expect(parsePlist(xmlPlist('<array><integer>9007199254740991</integer><integer> -42 </integer><integer>0</integer></array>'), 'x')).toEqual([9007199254740991, -42, 0]);
  });

  it.each([
    ['2^64', '18446744073709551616'],
    ['−2^63 − 1', '-9223372036854775809'],
    ['a decimal', '1.5'],
    ['nothing', ''],
  ])('rejects XML <integer> %s', (_name, text) => {
    expect(formatErrorOf(() => parsePlist(xmlPlist(`<integer>${text}</integer>`), 'prefs.plist')).message).toMatch(/^prefs\.plist: malformed XML plist \(<integer>/);
  });

  it.each([
    ['an 8-byte 2^63 − 1', 9223372036854775807n, 8 as const, 9223372036854775807n],
    ['an 8-byte −1 (signed)', -1n, 8 as const, -1],
    ['a 16-byte 2^64 − 1 (how CoreFoundation writes unsigned values above 2^63)', 18446744073709551615n, 16 as const, 18446744073709551615n],
    ['a 4-byte 2^32 − 1 (unsigned)', 4294967295n, 4 as const, 4294967295],
  ])('binary %s', (_name, int, bytes, expected) => {
    expect(parsePlist(rawBplist([{ int, bytes }]), 'x')).toBe(expected);
  });
});

describe('XML plists are read by a bounded reader', () => {
  it('decodes predefined entities, character references and CDATA in strings and keys', () => {
    const value = parsePlist(xmlPlist('<dict><key>a&amp;b</key><string>&lt;x&gt; &quot;&apos; &#233;&#x1F600; <![CDATA[<raw & kept>]]></string></dict>'), 'x');
    expect(value).toEqual({ 'a&b': '<x> "\' é😀 <raw & kept>' });
  });

  it('reads reals, dates, booleans, null, comments and empty containers', () => {
    const value = parsePlist(
      xmlPlist('<!-- c --><array><real>1.5</real><real>-2e3</real><date>2021-03-04T05:06:07Z</date><false/><true></true><null/><array/><dict></dict><string/></array>'),
      'x',
    );
    expect(value).toEqual([1.5, -2000, new Date('2021-03-04T05:06:07Z'), false, true, null, [], {}, '']);
  });

  it('reads line ends as XML does: CR LF and CR as LF, &#13; as CR', () => {
    expect(parsePlist(xmlPlist('<string>a\r\nb\rc&#13;</string>'), 'x')).toBe('a\nb\nc\r');
  });

  it('reads a UTF-16 XML plist with a byte-order mark', () => {
    const text = `<?xml version="1.0" encoding="UTF-16"?><plist version="1.0"><string>ünïcode</string></plist>`;
    expect(parsePlist(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]), 'x')).toBe('ünïcode');
  });

  it('keeps a "__proto__" key as data without touching the prototype', () => {
    const value = parsePlist(xmlPlist('<dict><key>__proto__</key><dict><key>polluted</key><true/></dict></dict>'), 'x') as Record<string, unknown>;
    expect(Object.keys(value)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
  });

  it.each([
    ['a DOCTYPE with entity declarations (billion laughs)', `<?xml version="1.0"?><!DOCTYPE plist [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><plist><string>&b;</string></plist>`, 'a DOCTYPE with an internal subset (entity declarations are refused)'],
    ['an undefined entity', `<plist><string>&ext;</string></plist>`, 'an undefined entity &ext; (DTD entities are not expanded)'],
    ['a root that is not <plist>', `<?xml version="1.0"?><dict/>`, 'root element <dict> (expected <plist>)'],
    ['a key without a value', `<plist><dict><key>a</key></dict></plist>`, 'key "a" has no value'],
    ['a value without a key', `<plist><dict><string>a</string></dict></plist>`, '<string> where a <key> was expected in a <dict>'],
    ['an unknown element', `<plist><blob/></plist>`, 'an unexpected <blob> element (expected a plist value)'],
    ['content after </plist>', `<plist><true/></plist><plist/>`, 'content after </plist>'],
    ['mismatched end tags', `<plist><array><string>a</array></string></plist>`, 'no </string> where expected'],
    ['a bad date', `<plist><date>yesterday</date></plist>`, '<date> "yesterday" is not an ISO 8601 UTC date'],
    ['a bad integer quoted with its line break escaped', `<plist><integer>1\n2</integer></plist>`, '<integer> "1\\u000a2" is not an integer'],
  ])('refuses %s', (_name, text, detail) => {
    const err = formatErrorOf(() => parsePlist(Buffer.from(text), 'prefs.plist'));
    expect(err.message).toMatch(new RegExp(`^prefs\\.plist: malformed XML plist \\(${detail.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} at offset \\d+\\)$`));
  });
});

describe('plistLimits: values counted as decoded, and nesting', () => {
  it('has the documented defaults', () => {
    expect(plistLimits).toEqual({ maxValues: 2_000_000, maxDepth: 256 });
  });

  it('stops the 300-byte, 40-level DAG of issue 7 (2^41 values) at maxValues within seconds (about one on an idle core)', () => {
    const bomb = bplistDag(40);
    expect(bomb.length).toBeLessThan(300);
    const started = performance.now();
    expect(formatErrorOf(() => parsePlist(bomb, 'Info.plist')).message).toBe('Info.plist: binary plist expands to more than 2000000 values (plistLimits.maxValues)');
    expect(performance.now() - started).toBeLessThan(10_000); // generous: test machines are shared
  });

  it('decodes a DAG that expands to exactly maxValues, and refuses one value more', () => {
    // 10 levels of two references over one integer: 2^11 − 1 = 2047 values as decoded.
    const dag = bplistDag(10);
    const value = parsePlist(dag, 'x', { ...plistLimits, maxValues: 2047 });
    expect(JSON.stringify(value).match(/1/g)).toHaveLength(1024);
    expect(formatErrorOf(() => parsePlist(dag, 'x', { ...plistLimits, maxValues: 2046 })).message).toBe('x: binary plist expands to more than 2046 values (plistLimits.maxValues)');
  });

  it('counts XML values the same way', () => {
    const list = xmlPlist(`<array>${'<true/>'.repeat(99)}</array>`);
    expect(parsePlist(list, 'x', { ...plistLimits, maxValues: 100 })).toHaveLength(99);
    expect(formatErrorOf(() => parsePlist(list, 'x', { ...plistLimits, maxValues: 99 })).message).toBe('x: XML plist expands to more than 99 values (plistLimits.maxValues)');
  });

  it('decodes nesting exactly maxDepth deep and refuses one level more, binary and XML', () => {
    const nestedBinary = (levels: number) => rawBplist([...Array.from({ length: levels }, (_v, i) => ({ array: i + 1 < levels ? [i + 1] : [] }))]);
    const nestedXml = (levels: number) => xmlPlist(`${'<array>'.repeat(levels)}${'</array>'.repeat(levels)}`);
    const limits = { ...plistLimits, maxDepth: 20 };
    expect(JSON.stringify(parsePlist(nestedBinary(20), 'x', limits))).toBe(`${'['.repeat(20)}${']'.repeat(20)}`);
    expect(JSON.stringify(parsePlist(nestedXml(20), 'x', limits))).toBe(`${'['.repeat(20)}${']'.repeat(20)}`);
    expect(formatErrorOf(() => parsePlist(nestedBinary(21), 'x', limits)).message).toBe('x: binary plist nested deeper than 20 levels (plistLimits.maxDepth)');
    expect(formatErrorOf(() => parsePlist(nestedXml(21), 'x', limits)).message).toBe('x: XML plist nested deeper than 20 levels (plistLimits.maxDepth)');
  });

  it('refuses 100,000 nested XML arrays at the default depth without overflowing the stack', () => {
    expect(formatErrorOf(() => parsePlist(xmlPlist('<array>'.repeat(100_000)), 'x')).message).toBe('x: XML plist nested deeper than 256 levels (plistLimits.maxDepth)');
  });
});

describe('binary plists: every structural fault is a one-line FormatError', () => {
  const str = { ascii: 'k' };
  it.each([
    ['an array that contains itself', rawBplist([{ array: [1] }, { array: [0] }]), 'object 0 at offset 8 contains itself (a reference cycle)'],
    ['a reference past the object table', rawBplist([{ array: [7] }]), 'object 0 at offset 8 references object 7 (only 1 exist)'],
    ['a dict key that is not a string', rawBplist([{ dict: [[1, 1]] }, { int: 1n, bytes: 1 }]), 'dict object 0 at offset 8 has a key that is not a string (entry 0)'],
    ['an array longer than the file', rawBplist([{ raw: Buffer.from([0xaf, 0x12, 0x7f, 0xff, 0xff, 0xff]) }]), 'container object 0 at offset 8 lists 2147483647 entries, past the object area (it ends at 14)'],
    ['a string longer than the file', rawBplist([{ raw: Buffer.from([0x5f, 0x10, 0xff, 0x41]) }]), 'string object 0 needs 255 bytes at offset 11, past the object area (it ends at 12)'],
    ['an unknown object type', rawBplist([{ raw: Buffer.from([0x90]) }]), 'object 0 at offset 8 has an unknown type 0x9'],
    ['a 32-byte integer', rawBplist([{ raw: Buffer.from([0x15]) }]), 'integer object 0 at offset 8 claims 32 bytes (at most 16)'],
    ['a length that is not an integer', rawBplist([{ raw: Buffer.from([0x5f, 0x50]) }]), 'object 0 at offset 8 has a length marker 0x50 (expected an integer of 1 to 8 bytes)'],
    ['a top object outside the table', rawBplist([str], { top: 3 }), 'top object 3 is not among the 1 objects'],
  ])('%s', (_name, data, detail) => {
    expect(formatErrorOf(() => parsePlist(data, 'Manifest.db file')).message).toBe(`Manifest.db file: truncated or corrupted binary plist (${detail})`);
  });

  it('refuses a trailer whose offset table lies outside the file, and an object offset outside the object area', () => {
    const good = rawBplist([str]);
    const badTable = Buffer.from(good);
    badTable.writeBigUInt64BE(5000n, badTable.length - 8);
    expect(formatErrorOf(() => parsePlist(badTable, 'x')).message).toBe('x: truncated or corrupted binary plist (offset table offset 5000 at offset 35 exceeds the file size)');
    const badOffset = Buffer.from(good);
    badOffset[good.length - 33] = 200; // the one entry of the offset table
    expect(formatErrorOf(() => parsePlist(badOffset, 'x')).message).toBe('x: truncated or corrupted binary plist (object 0 at offset 200 lies outside the object area (8 to 10))');
  });

  it('reads a set as an array and a UID as UID', () => {
    const value = parsePlist(rawBplist([{ set: [1, 2] }, { uid: 7 }, str]), 'x') as PlistValue[];
    expect(value).toHaveLength(2);
    expect(value[0]).toBeInstanceOf(UID);
    expect((value[0] as UID).UID).toBe(7);
    expect(value[1]).toBe('k');
  });
});

describe('real samples decode to the same values as before', () => {
  const manifestBlobs = (): Buffer[] => {
    // From a memory image, never in place: a read-only open of a WAL-mode file still creates -wal and -shm
    // beside it (stack-notes §1). Bytes 18-19 switch the image to rollback mode, which an image needs.
    const image = readFileSync(join(mvtIosBackup(), 'Manifest.db')).fill(1, 18, 20);
    const db = new Database(image, { readonly: true });
    try {
      return (db.prepare('SELECT file FROM Files WHERE file IS NOT NULL').pluck().all() as Buffer[]).filter((b) => Buffer.isBuffer(b));
    } finally {
      db.close();
    }
  };

  it('every Manifest.db metadata archive of the MVT test backup, as bplist-parser read it', () => {
    const blobs = manifestBlobs();
    expect(blobs).toHaveLength(3721);
    const differing = blobs.filter((b) => !isDeepStrictEqual(comparable(parsePlist(b, 'x')), comparable(parseBuffer(b)[0])));
    expect(differing).toHaveLength(0);
  });

  it.each([
    ['the MVT backup Info.plist', () => join(mvtIosBackup(), 'Info.plist')],
    ['plaso idstatuscache.plist', () => shared('samples', 'plaso', 'test_data', 'ios', 'com.apple.identityservices.idstatuscache.plist')],
  ])('%s, binary and converted to XML', (_name, path) => {
    const binary = readFileSync(path());
    const fromBinary = parsePlist(binary, 'x');
    expect(comparable(fromBinary)).toEqual(comparable(parseBuffer(binary)[0]));
    // The same values written as XML (dates to the second, as XML plists store them) read back alike, and as
    // the plist package reads them.
    const asXml = Buffer.from(buildXml(fromBinary as never));
    const fromXml = parsePlist(asXml, 'x');
    expect(comparable(fromXml)).toEqual(comparable(parseXmlReference(asXml.toString('utf8'))));
    const toSeconds = (v: unknown): unknown => JSON.parse(JSON.stringify(comparable(v)).replace(/"date:(\d+)"/g, (_m, ms: string) => `"date:${Math.floor(Number(ms) / 1000)}"`));
    expect(toSeconds(fromXml)).toEqual(toSeconds(fromBinary));
  });
});
