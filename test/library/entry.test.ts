/**
 * The package is importable as a library: `import('tracehound')` resolves through package.json `exports` to the
 * built entry (dist/, made by `npm ci`'s prepare step), and a check through it finds what the CLI finds.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as library from '../../src/index.js';
import { mvtIosBackup, mvtTestStix, projectRoot } from '../helpers/data.js';

describe('the library entry', () => {
  it('is where package.json says it is, with its types', () => {
    const pkg = JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')) as { exports: { '.': string }; types: string };
    expect(pkg.exports['.']).toBe('./dist/index.js');
    expect(pkg.types).toBe('dist/index.d.ts');
    expect(existsSync(join(projectRoot, 'src', 'index.ts'))).toBe(true);
  });

  it('resolves by the package name once built', async () => {
    if (!existsSync(join(projectRoot, 'dist', 'index.js'))) return expect.fail('dist/index.js missing: run `npm run build` (npm ci does)');
    // Typed loosely on purpose: dist/ is whatever the last build left, the shape is what is checked.
    const built = (await import('tracehound')) as unknown as Record<string, unknown>;
    expect(Object.keys(built).sort()).toEqual(Object.keys(library).sort());
    expect(typeof built.check).toBe('function');
  });

  it('the built package runs a check in worker threads too (its bundled worker entry is found beside the chunks)', async () => {
    if (!existsSync(join(projectRoot, 'dist', 'index.js'))) return expect.fail('dist/index.js missing: run `npm run build` (npm ci does)');
    const built = (await import('tracehound')) as unknown as typeof library;
    const pooled = await built.check({ target: mvtIosBackup(), iocs: [mvtTestStix()], userIocDir: null, jobs: 2 });
    const alone = await library.check({ target: mvtIosBackup(), iocs: [mvtTestStix()], userIocDir: null });
    expect(pooled.threads).toEqual({ workers: 1 });
    expect(pooled.findings.map((f) => [f.level, f.artifact, f.message])).toEqual(alone.findings.map((f) => [f.level, f.artifact, f.message]));
    expect(pooled.findings).toHaveLength(5);
    // A worker that cannot start fails its unit's artifacts (coverage `failed`): every artifact reads as alone.
    expect(pooled.coverage.map((c) => [c.artifact, c.state, c.records])).toEqual(alone.coverage.map((c) => [c.artifact, c.state, c.records]));
  });

  it('checks the MVT test backup: same five alerts as the CLI', async () => {
    const result = await library.check({ target: mvtIosBackup(), iocs: [mvtTestStix()], userIocDir: null });
    expect(result.acquisition.kind).toBe('ios-backup');
    expect(result.findings.map((f) => [f.level, f.artifact])).toEqual([
      ['low', 'ios.datausage'],
      ['critical', 'ios.tcc'],
      ['critical', 'ios.sms'],
      ['critical', 'ios.whatsapp'],
      ['informational', 'ios.global_preferences'],
    ]);
  });

  it('loads indicators and matches an observable without any evidence', async () => {
    const loaded = await library.loadIndicators({ paths: [mvtTestStix()], userDir: null });
    const matcher = library.compileIndicators(loaded.collections);
    expect(matcher.match({ kind: 'process', value: 'Launch', field: 'name' }).map((m) => m.indicator.value)).toEqual(['Launch']);
    expect(matcher.match({ kind: 'process', value: 'launchd', field: 'name' })).toEqual([]);
  });

  it('detects over plain data, without any evidence (what a re-check of stored observables does)', async () => {
    const loaded = await library.loadIndicators({ paths: [mvtTestStix()], userDir: null });
    const detector = library.createDetector(library.compileIndicators(loaded.collections), library.allRules);
    const evidence = { ref: { root: '/stored', storedPath: 'sms.db' }, at: { table: 'message', rowid: 3 } };
    const findings = detector.record({ artifact: 'stored.messages', record: { text: 'hi' }, observables: [{ kind: 'url', value: 'https://badbadbad.example.org/', field: 'links' }], evidence });
    expect(findings.map((f) => [f.level, f.match?.kind, f.indicator?.value])).toEqual([['critical', 'subdomain', 'example.org']]);
    expect(detector.record({ artifact: 'stored.messages', record: {}, observables: [{ kind: 'url', value: 'https://www.apple.com/', field: 'links' }], evidence })).toEqual([]);
  });
});
