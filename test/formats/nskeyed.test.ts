import { buildBinary } from 'plist';
import { describe, expect, it } from 'vitest';
import { FormatError } from '../../src/errors.js';
import { keyedArchiveLimits, unarchive } from '../../src/formats/nskeyed.js';
import { plistLimits, UID } from '../../src/formats/plist.js';
import { bplistDag } from './_bplist.js';

const archive = (objects: unknown[], root = 1): Buffer =>
  Buffer.from(buildBinary({ $archiver: 'NSKeyedArchiver', $version: 100000, $top: { root: new UID(root) }, $objects: ['$null', ...objects] } as never));

const NSARRAY = { $classname: 'NSArray', $classes: ['NSArray', 'NSObject'] };

/**
 * `levels` NSArray objects, each holding two references to the next, over one string: stored in a few
 * hundred bytes, 2^(levels+1) − 1 values once expanded.
 */
function archivedDag(levels: number): Buffer {
  const classAt = levels + 2;
  const objects: unknown[] = [];
  for (let i = 1; i <= levels; i++) objects.push({ $class: new UID(classAt), 'NS.objects': [new UID(i + 1), new UID(i + 1)] });
  objects.push('leaf', NSARRAY);
  return archive(objects);
}

/** `levels` NSArray objects, each holding the next, the last holding a string. */
function archivedChain(levels: number): Buffer {
  const classAt = levels + 2;
  const objects: unknown[] = [];
  for (let i = 1; i <= levels; i++) objects.push({ $class: new UID(classAt), 'NS.objects': [new UID(i + 1)] });
  objects.push('leaf', NSARRAY);
  return archive(objects);
}

function formatErrorOf(run: () => unknown): FormatError {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(FormatError);
    return err as FormatError;
  }
  throw new Error('expected a FormatError, nothing was thrown');
}

describe('unarchive (NSKeyedArchiver)', () => {
  it('resolves UIDs, Foundation classes and nested objects', () => {
    const value = unarchive(
      archive([
        { $class: new UID(5), 'NS.keys': [new UID(2), new UID(3)], 'NS.objects': [new UID(4), new UID(6)] },
        'name',
        'when',
        'Alice',
        { $classname: 'NSDictionary', $classes: ['NSDictionary', 'NSObject'] },
        { $class: new UID(7), 'NS.time': 0 },
        { $classname: 'NSDate', $classes: ['NSDate', 'NSObject'] },
      ]),
      'x',
    );
    expect(value).toEqual({ name: 'Alice', when: new Date('2001-01-01T00:00:00Z') });
  });

  it('cuts a reference cycle instead of looping', () => {
    expect(unarchive(archive([{ $class: new UID(2), self: new UID(1) }, { $classname: 'Node', $classes: ['Node'] }]), 'x')).toEqual({ $class: 'Node', self: null });
  });

  it('names the archive when it is not one', () => {
    expect(() => unarchive(Buffer.from(buildBinary({ a: 1 })), 'Manifest.db file')).toThrow('Manifest.db file: not an NSKeyedArchiver archive');
  });

  it('reads damaged Foundation fields as empty instead of throwing a TypeError', () => {
    const NSDICT = { $classname: 'NSDictionary', $classes: ['NSDictionary'] };
    const NSURL = { $classname: 'NSURL', $classes: ['NSURL'] };
    const value = unarchive(
      archive([
        { $class: new UID(5), 'NS.keys': [new UID(2), new UID(3)], 'NS.objects': [new UID(4), new UID(6)] },
        'keys-not-a-list',
        'bad-url',
        { $class: new UID(5), 'NS.keys': 'oops', 'NS.objects': 7 },
        NSDICT,
        { $class: new UID(7), 'NS.base': new UID(8), 'NS.relative': new UID(9) },
        NSURL,
        'not a base URL',
        'http://[::1',
      ]),
      'x',
    );
    expect(value).toEqual({ 'keys-not-a-list': {}, 'bad-url': 'http://[::1' });
  });

  it('keeps a "__proto__" field as data', () => {
    const value = unarchive(archive([{ $class: new UID(2), ['__proto__']: new UID(3) }, { $classname: 'Obj', $classes: ['Obj'] }, 'x']), 'x') as Record<string, unknown>;
    expect(Object.keys(value)).toEqual(['$class', '__proto__']);
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
  });
});

describe('keyedArchiveLimits', () => {
  it('has the documented defaults', () => {
    expect(keyedArchiveLimits).toEqual({ maxDepth: 64, maxValues: 1_000_000 });
  });

  it('refuses an archived 40-level DAG (2^41 values once expanded) at once, though its objects are decoded once', () => {
    const started = performance.now();
    expect(formatErrorOf(() => unarchive(archivedDag(40), 'Manifest.db file metadata')).message).toBe(
      'Manifest.db file metadata: archive expands to more than 1000000 values (keyedArchiveLimits.maxValues)',
    );
    expect(performance.now() - started).toBeLessThan(500);
  });

  it('decodes a DAG that expands to exactly maxValues, and refuses one value more', () => {
    // 10 levels over one string: 2^11 − 1 = 2047 values.
    const dag = archivedDag(10);
    expect(JSON.stringify(unarchive(dag, 'x', { ...keyedArchiveLimits, maxValues: 2047 })).match(/leaf/g)).toHaveLength(1024);
    expect(formatErrorOf(() => unarchive(dag, 'x', { ...keyedArchiveLimits, maxValues: 2046 })).message).toBe('x: archive expands to more than 2046 values (keyedArchiveLimits.maxValues)');
  });

  it('passes plist limits to the plist under the archive: a DAG blob is refused in milliseconds with small ones', () => {
    const started = performance.now();
    expect(formatErrorOf(() => unarchive(bplistDag(40), 'Manifest.db Files row 7', keyedArchiveLimits, { ...plistLimits, maxValues: 10_000 })).message).toBe(
      'Manifest.db Files row 7: binary plist expands to more than 10000 values (plistLimits.maxValues)',
    );
    expect(performance.now() - started).toBeLessThan(500);
  });

  it('decodes objects nested exactly maxDepth levels deep, and refuses one level more', () => {
    const limits = { ...keyedArchiveLimits, maxDepth: 20 };
    expect(JSON.stringify(unarchive(archivedChain(20), 'x', limits))).toBe(`${'['.repeat(20)}"leaf"${']'.repeat(20)}`);
    expect(formatErrorOf(() => unarchive(archivedChain(21), 'x', limits)).message).toBe('x: archive nested deeper than 20 levels (keyedArchiveLimits.maxDepth)');
  });
});
