import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { iosArtifacts } from '../../src/artifacts/ios/index.js';
import { mvtModules } from '../../src/report/mvt/compat.js';
import { iosRules } from '../../src/rules/ios/index.js';
import { projectRoot } from '../helpers/data.js';

const artifactFiles = readdirSync(join(projectRoot, 'src', 'artifacts', 'ios')).filter((f) => f.endsWith('.ts') && !f.startsWith('_') && f !== 'index.ts');

describe('the iOS artifact registry', () => {
  it('registers every artifact file, once, under an id that mirrors its path', () => {
    expect(iosArtifacts.map((a) => `${a.id.replace(/^ios\./, '')}.ts`).sort()).toEqual([...artifactFiles].sort());
    expect(new Set(iosArtifacts.map((a) => a.id)).size).toBe(iosArtifacts.length);
    for (const a of iosArtifacts) expect(a.id).toMatch(/^ios\.[a-z0-9]+(_[a-z0-9]+)*$/);
  });

  it('gives every artifact a title, a doc line, inputs, a test file and its MVT name', () => {
    for (const a of iosArtifacts) {
      expect(a.title.length, a.id).toBeGreaterThan(3);
      expect(a.doc.length, a.id).toBeGreaterThan(20);
      expect(Object.keys(a.inputs).length, a.id).toBeGreaterThan(0);
      expect(existsSync(join(projectRoot, 'test', 'artifacts', 'ios', `${a.id.slice(4)}.test.ts`)), `${a.id} test`).toBe(true);
      expect(mvtModules[a.id], `${a.id} MVT name`).toBeDefined();
    }
  });

  it('covers every module MVT runs in check-backup (reference-spec §7.1, §7.3)', () => {
    expect(iosArtifacts.map((a) => a.id).sort()).toEqual(Object.keys(mvtModules).sort());
  });

  it('names only known artifacts as dependencies', () => {
    const ids = new Set(iosArtifacts.map((a) => a.id));
    for (const a of iosArtifacts) for (const dep of a.needs ?? []) expect(ids.has(dep), `${a.id} needs ${dep}`).toBe(true);
  });
});

describe('the iOS rule registry', () => {
  it('has unique ids, each on a registered artifact, each explained and sourced', () => {
    const ids = new Set(iosArtifacts.map((a) => a.id));
    expect(new Set(iosRules.map((r) => r.id)).size).toBe(iosRules.length);
    for (const r of iosRules) {
      expect(ids.has(r.artifact), r.id).toBe(true);
      expect(r.id.startsWith(`${r.artifact}.`), r.id).toBe(true);
      expect(r.why.length, r.id).toBeGreaterThan(20);
      expect(r.source.length, r.id).toBeGreaterThan(5);
    }
  });
});
