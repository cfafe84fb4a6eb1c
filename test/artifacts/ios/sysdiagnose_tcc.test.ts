/**
 * TCC.db inside a sysdiagnose (logs/Accessibility/TCC.db), read by the existing ios.tcc artifact. Until its
 * `'ios-sysdiagnose'` input line lands in src/artifacts/ios/tcc.ts (requested in issue #9), the test gives it
 * that line itself, so it pins what the line must be.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { AnyArtifact } from '../../../src/artifacts/artifact.js';
import tcc, { type TccRecord } from '../../../src/artifacts/ios/tcc.js';
import { sysdiagnoseContent, sysdiagnoseFolderName } from '../../../src/synth/sysdiagnose-content.js';
import { parseSource } from '../../helpers/artifacts.js';
import { shared } from '../../helpers/data.js';
import { snapshotTree } from '../../helpers/tree.js';
import { writeSysdiagnoseTree } from './_sysdiagnose-tree.js';

const sysdiagnoseTccInput = { by: 'path-glob', pattern: 'logs/Accessibility/TCC.db' } as const;

const tccOnSysdiagnose: AnyArtifact = tcc.inputs['ios-sysdiagnose'] ? tcc : { ...tcc, inputs: { ...tcc.inputs, 'ios-sysdiagnose': [sysdiagnoseTccInput] } };

async function parseTcc(data: Buffer) {
  const tree = writeSysdiagnoseTree(sysdiagnoseFolderName(), [{ path: 'logs/Accessibility/TCC.db', data }]);
  try {
    const before = snapshotTree(tree.root);
    const source = tree.open();
    const result = await parseSource<TccRecord>(tccOnSysdiagnose, source);
    await source.close();
    // SQLite is opened from a private copy: no -wal or -shm appears beside the evidence.
    expect(snapshotTree(tree.root)).toEqual(before);
    return result;
  } finally {
    tree.remove();
  }
}

describe('ios.tcc on a sysdiagnose', () => {
  it('reads the generated TCC.db with a planted microphone grant to a bare binary path', async () => {
    const files = sysdiagnoseContent(4, { plants: [{ kind: 'tcc-client', client: '/private/var/db/com.apple.xpc.roleaccountd.staging/bh', clientType: 1, at: new Date(Date.UTC(2024, 5, 2, 10, 0, 0)) }] });
    const { records, coverage, observables } = await parseTcc(files.find((f) => f.path === 'logs/Accessibility/TCC.db')!.data as Buffer);
    expect(coverage.state).toBe('parsed');
    expect(coverage.issues).toEqual([]);
    expect(records.length).toBeGreaterThan(10);
    const planted = records.find((r) => r.client.endsWith('/bh'))!;
    expect(planted).toMatchObject({ service: 'kTCCServiceMicrophone', client_type: 'absolute_path', auth_value: 'allowed', auth_reason_desc: 'system_set' });
    expect(planted.last_modified?.iso()).toBe('2024-06-02T10:00:00.000000Z');
    expect(observables).toContainEqual({ kind: 'process', value: '/private/var/db/com.apple.xpc.roleaccountd.staging/bh', field: 'client' });
  });

  it('reads a real TCC.db of the older schema (plaso\'s macOS TCC-test.db, 21 rows with allowed and prompt_count)', async () => {
    const { records, coverage } = await parseTcc(readFileSync(shared('samples', 'plaso', 'test_data', 'macos', 'TCC-test.db')));
    expect(coverage.issues).toEqual([]);
    expect(records).toHaveLength(21);
    expect(records[0]).toMatchObject({ service: 'kTCCServiceUbiquity', client: 'com.apple.weather', client_type: 'bundle_id', allowed_value: 'allowed', prompt_count: 1 });
    expect(records[0]!.last_modified?.iso()).toBe('2020-05-29T12:09:51.000000Z');
  });

  it('names a TCC.db that is not a database and goes on', async () => {
    const { records, coverage } = await parseTcc(Buffer.from('SQLite format 3\u0000 but then nothing'));
    expect(records).toEqual([]);
    expect(coverage.issues).toHaveLength(1);
    expect(coverage.issues[0]!.message).toMatch(/TCC\.db/);
  });
});
