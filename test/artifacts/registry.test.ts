import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { iosArtifacts } from '../../src/artifacts/ios/index.js';
import { iosRules } from '../../src/rules/ios/index.js';
import { projectRoot } from '../helpers/data.js';

/**
 * The modules MVT runs in check-backup (reference-spec §7.1, §7.3), by the names its output uses. Our artifacts
 * must cover each of them; an artifact of ours may have no MVT counterpart.
 */
const MVT_CHECK_BACKUP_MODULES = [
  'applications', 'backup_info', 'calendar', 'calls', 'chrome_favicon', 'chrome_history', 'configuration_profiles', 'contacts',
  'datausage', 'firefox_favicon', 'firefox_history', 'global_preferences', 'id_status_cache', 'interaction_c', 'locationd_clients',
  'manifest', 'os_analytics_ad_daily', 'profile_events', 'safari_browser_state', 'safari_history', 'shortcuts', 'sms',
  'sms_attachments', 'tcc', 'webkit_resource_load_statistics', 'webkit_session_resource_log', 'whatsapp', 'whatsapp_contacts',
];

/** The modules MVT runs only in check-fs (reference-spec §7.2); the mixed ones above run there too. */
const MVT_CHECK_FS_MODULES = [
  'analytics', 'analytics_ios_versions', 'cache_files', 'filesystem', 'ios_version_history', 'netusage', 'safari_favicon',
  'shutdown_log', 'webkit_indexeddb', 'webkit_local_storage', 'webkit_safari_view_service',
];
const MVT_MODULES = [...MVT_CHECK_BACKUP_MODULES, ...MVT_CHECK_FS_MODULES];

const artifactFiles = readdirSync(join(projectRoot, 'src', 'artifacts', 'ios')).filter((f) => f.endsWith('.ts') && !f.startsWith('_') && f !== 'index.ts');

describe('the iOS artifact registry', () => {
  it('registers every artifact file, once, under an id that mirrors its path', () => {
    expect(iosArtifacts.map((a) => `${a.id.replace(/^ios\./, '')}.ts`).sort()).toEqual([...artifactFiles].sort());
    expect(new Set(iosArtifacts.map((a) => a.id)).size).toBe(iosArtifacts.length);
    for (const a of iosArtifacts) expect(a.id).toMatch(/^ios\.[a-z0-9]+(_[a-z0-9]+)*$/);
  });

  it('gives every artifact a title, a doc line, inputs and a test file', () => {
    for (const a of iosArtifacts) {
      expect(a.title.length, a.id).toBeGreaterThan(3);
      expect(a.doc.length, a.id).toBeGreaterThan(20);
      expect(Object.keys(a.inputs).length, a.id).toBeGreaterThan(0);
      expect(existsSync(join(projectRoot, 'test', 'artifacts', 'ios', `${a.id.slice(4)}.test.ts`)), `${a.id} test`).toBe(true);
    }
  });

  it('covers every module MVT runs in check-backup and check-fs (reference-spec §7.1-§7.3): MVT\'s modules are a subset of ours', () => {
    const counterparts = iosArtifacts.flatMap((a) => (a.mvt ? [a.mvt.module] : []));
    expect(MVT_MODULES.filter((m) => !counterparts.includes(m))).toEqual([]);
  });

  it('reads every check-fs module on a filesystem dump, and every check-backup module on a backup', () => {
    const reads = (kind: 'ios-fs' | 'ios-backup') => new Set(iosArtifacts.filter((a) => a.mvt && a.inputs[kind]).map((a) => a.mvt!.module));
    expect(MVT_CHECK_FS_MODULES.filter((m) => !reads('ios-fs').has(m))).toEqual([]);
    expect(MVT_CHECK_BACKUP_MODULES.filter((m) => !reads('ios-backup').has(m))).toEqual([]);
  });

  it('names each MVT module at most once, with a class name, and only modules MVT has', () => {
    const counterparts = iosArtifacts.flatMap((a) => (a.mvt ? [a.mvt] : []));
    expect(new Set(counterparts.map((m) => m.module)).size).toBe(counterparts.length);
    for (const m of counterparts) {
      expect(MVT_MODULES, m.module).toContain(m.module);
      expect(m.className, m.module).toMatch(/^[A-Z][A-Za-z]+$/);
    }
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
