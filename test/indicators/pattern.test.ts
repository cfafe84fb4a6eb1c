import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parsePattern } from '../../src/indicators/pattern.js';
import { shared } from '../helpers/data.js';

describe('STIX patterns that become indicators', () => {
  it.each([
    ["[domain-name:value='example.org']", [['domain-name:value', 'example.org']]],
    ["[ url:value = 'http://statsads.co/2dL8ARH' ]", [['url:value', 'http://statsads.co/2dL8ARH']]],
    ["[url:value = 'https://x.example/?a=b&c=d=e']", [['url:value', 'https://x.example/?a=b&c=d=e']]],
    ["[file:name = 'it\\'s a \\\\ name]']", [['file:name', "it's a \\ name]"]]],
    ["[file:name = 'C:\\Windows\\evil.dll']", [['file:name', 'C:\\Windows\\evil.dll']]],
    ["[file:hashes.'SHA-256'='ABC']", [['file:hashes.sha256', 'ABC']]],
    ['[file:hashes.SHA-1 = \'abc\']', [['file:hashes.sha1', 'abc']]],
    ["[app:cert.'SHA-256' = 'abc']", [['app:cert.sha256', 'abc']]],
    ["[Domain-Name:Value = 'x.com']", [['domain-name:value', 'x.com']]],
    ["[domain-name:value = 'a.com' OR domain-name:value = 'b.com']", [['domain-name:value', 'a.com'], ['domain-name:value', 'b.com']]],
    ["[domain-name:value = 'a.com'] OR [ipv4-addr:value = '1.2.3.4']", [['domain-name:value', 'a.com'], ['ipv4-addr:value', '1.2.3.4']]],
    ["([process:name = 'a'] OR ([process:name = 'b']))", [['process:name', 'a'], ['process:name', 'b']]],
    ["[domain-name:value IN ('a.com', 'b.com')]", [['domain-name:value', 'a.com'], ['domain-name:value', 'b.com']]],
    ["[network-traffic:dst_ref.value = '1.2.3.4']", [['network-traffic:dst_ref.value', '1.2.3.4']]],
  ])('%s', (pattern, expected) => {
    const r = parsePattern(pattern);
    expect(r.skipped).toEqual([]);
    expect(r.comparisons.map((c) => [c.key, c.value])).toEqual(expected);
  });
});

describe('STIX patterns that are skipped, with the reason', () => {
  it.each([
    ["[file:name = 'a' AND file:size = 10]", 'AND is not supported (every part must hold at once; Tracehound matches single values)'],
    ["[file:name = 'a'] AND [process:name = 'b']", 'AND is not supported (every part must hold at once; Tracehound matches single values)'],
    ["[process:name = 'a'] FOLLOWEDBY [process:name = 'b']", 'FOLLOWEDBY is not supported (it describes a sequence of observations)'],
    ["[domain-name:value MATCHES '^evil']", 'operator MATCHES is not supported (only = and IN)'],
    ["[domain-name:value LIKE 'evil%']", 'operator LIKE is not supported (only = and IN)'],
    ["[process:name != 'launchd']", 'operator != is not supported (only = and IN)'],
    ["[process:name NOT = 'launchd']", 'NOT is not supported (a negated comparison matches almost everything)'],
    ["[file:name = 'x'] WITHIN 10 SECONDS", 'the WITHIN qualifier is not supported'],
    ["[file:name = 'x'] REPEATS 5 TIMES", 'the REPEATS qualifier is not supported'],
    ["[file:name = 'x'] START t'2020-01-01T00:00:00Z' STOP t'2021-01-01T00:00:00Z'", 'the START qualifier is not supported'],
    ['[file:size = 5]', 'number values are not supported (only quoted strings)'],
    ["[domain-name:value = 'x", 'cannot parse pattern: unterminated string starting at offset 21'],
    ["domain-name:value = 'x'", 'cannot parse pattern: expected "[" at offset 0, found "domain-name:value"'],
    ["[domain-name:value = 'x'", 'cannot parse pattern: expected "]" at offset 24, found the end of the pattern'],
    ["[domain-name:value 'x']", 'cannot parse pattern: expected a comparison operator at offset 19, found a string value'],
    ['', 'cannot parse pattern: expected "[" at offset 0, found the end of the pattern'],
  ])('%s', (pattern, reason) => {
    expect(parsePattern(pattern)).toEqual({ comparisons: [], skipped: [{ pattern, reason }] });
  });

  it('an OR keeps its supported branches and skips the others, each with its own text', () => {
    expect(parsePattern("[domain-name:value = 'a.com' OR domain-name:value != 'b.com' OR (file:name = 'c' AND file:size = 1)]")).toEqual({
      comparisons: [{ key: 'domain-name:value', value: 'a.com' }],
      skipped: [
        { pattern: "domain-name:value != 'b.com'", reason: 'operator != is not supported (only = and IN)' },
        { pattern: "(file:name = 'c' AND file:size = 1)", reason: 'AND is not supported (every part must hold at once; Tracehound matches single values)' },
      ],
    });
  });
});

describe('the fast path for `[key = \'value\']`', () => {
  it('agrees with the full grammar on every pattern of every real feed', () => {
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const p = join(dir, name);
        if (statSync(p).isDirectory()) walk(p);
        else if (name.endsWith('.stix2') || name.endsWith('.json')) files.push(p);
      }
    };
    walk(shared('iocs'));
    walk(shared('mvt-test-artifacts', 'stix2'));
    const patterns = files.flatMap((f) =>
      (JSON.parse(readFileSync(f, 'utf8')) as { objects: { type: string; pattern?: string }[] }).objects.flatMap((o) => (o.type === 'indicator' && o.pattern !== undefined ? [o.pattern] : [])),
    );
    expect(patterns.length).toBe(5713 + 343 + 69 + 9);
    for (const p of patterns) expect(parsePattern(p)).toEqual(parsePattern(p, true));
  });
});
