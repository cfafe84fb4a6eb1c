import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { list } from 'tar';
import { describe, expect, it } from 'vitest';
import { decodeShutdownLog } from '../../src/artifacts/ios/shutdown_log.js';
import { detectInput } from '../../src/evidence/detect.js';
import { sysdiagnoseNameInfo } from '../../src/evidence/ios-sysdiagnose.js';
import { PEGASUS_STAGING } from '../../src/synth/shutdown-log.js';
import { ROTATED_SHUTDOWN_LOG, SHUTDOWN_LOG, generateSysdiagnose, sysdiagnoseName } from '../../src/synth/sysdiagnose.js';
import { tempDir } from '../fixtures/ios-backup.js';

const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

async function members(path: string): Promise<{ path: string; size: number }[]> {
  const out: { path: string; size: number }[] = [];
  await list({ file: path, onReadEntry: (e) => out.push({ path: e.path, size: e.size }) });
  return out;
}

describe('generateSysdiagnose', () => {
  it('names the folder as Apple does, in the phone\'s local time, and the name reads back', () => {
    const at = new Date('2024-01-02T01:04:05Z');
    expect(sysdiagnoseName(at, 120, '21C66')).toBe('sysdiagnose_2024.01.02_03-04-05+0200_iPhone-OS_iPhone_21C66');
    expect(sysdiagnoseName(at, -300, '21C66')).toBe('sysdiagnose_2024.01.01_20-04-05-0500_iPhone-OS_iPhone_21C66');
    const info = sysdiagnoseNameInfo(sysdiagnoseName(at, -300, '21C66'));
    expect(info.acquiredAt?.toISOString()).toBe('2024-01-02T01:04:05.000Z');
    expect(info.device).toEqual({ productType: 'iPhone', buildVersion: '21C66' });
  });

  it('writes a folder the detector takes for a sysdiagnose, with the planted reboot in shutdown.log at its time', async () => {
    const at = new Date('2024-04-20T21:30:00Z');
    const g = await generateSysdiagnose(tempDir('sysdiag'), { seed: 1, format: 'folder', reboots: 5, suspicious: [{ at, clients: [{ path: `${PEGASUS_STAGING}/bh`, notices: 4 }] }] });
    expect(basename(g.path)).toBe(g.name);
    expect((await detectInput(g.path)).detection).toMatchObject({ answer: 'match', kind: 'ios-sysdiagnose' });
    expect(g.reboots).toHaveLength(6);
    expect(g.reboots.map((d) => d.getTime())).toEqual([...g.reboots].map((d) => d.getTime()).sort((a, b) => a - b));
    const records = [...decodeShutdownLog(readFileSync(join(g.path, SHUTDOWN_LOG)))].map((l) => l.record);
    expect(new Set(records.map((r) => r.reboot)).size).toBe(6);
    const bh = records.filter((r) => r.client === `${PEGASUS_STAGING}/bh`);
    expect(bh.map((r) => [r.isodate?.iso(), r.times_delayed])).toEqual([['2024-04-20T21:30:00.000000Z', 4]]);
    expect(statSync(join(g.path, SHUTDOWN_LOG)).mtime.toISOString()).toBe(g.reboots.at(-1)!.toISOString());
    expect(readdirSync(g.path).sort()).toEqual(['sysdiagnose.log', 'system_logs.logarchive']);
  });

  it('splits rotated logs (older half in shutdown.0.log) and lets other generators add or replace files', async () => {
    const g = await generateSysdiagnose(tempDir('sysdiag'), {
      seed: 2,
      format: 'folder',
      reboots: 8,
      rotated: true,
      extra: [
        { path: 'ps.txt', data: 'USER PID\n' },
        { path: 'sysdiagnose.log', data: 'replaced\n' },
      ],
    });
    const count = (rel: string) => new Set([...decodeShutdownLog(readFileSync(join(g.path, rel)))].map((l) => l.record.reboot)).size;
    expect([count(ROTATED_SHUTDOWN_LOG), count(SHUTDOWN_LOG)]).toEqual([4, 4]);
    expect(readFileSync(join(g.path, 'ps.txt'), 'utf8')).toBe('USER PID\n');
    expect(readFileSync(join(g.path, 'sysdiagnose.log'), 'utf8')).toBe('replaced\n');
  });

  it('packs one top-level folder into a .tar.gz, folders before their files, byte-identical for the same seed', async () => {
    const options = { seed: 3, format: 'tar.gz', reboots: 4, uuidSuffix: true, padBytes: 300_000 } as const;
    const a = await generateSysdiagnose(tempDir('sysdiag'), options);
    const b = await generateSysdiagnose(tempDir('sysdiag'), options);
    expect(basename(a.path)).toBe(`${a.name}.tar.gz`);
    expect(sha(a.path)).toBe(sha(b.path));
    const m = await members(a.path);
    expect(new Set(m.map((e) => e.path.split('/')[0]))).toEqual(new Set([a.name]));
    expect(m[0]!.path).toBe(`${a.name}/`);
    expect(m.map((e) => e.path)).toContain(`${a.name}/${SHUTDOWN_LOG}`);
    expect(m.filter((e) => e.path.endsWith('.tracev3')).reduce((s, e) => s + e.size, 0)).toBe(300_000);
    expect(m.filter((e) => e.path.includes('/uuidtext/') && !e.path.endsWith('/'))).toHaveLength(3);
    expect(a.files).toBe(m.filter((e) => !e.path.endsWith('/')).length);
    // The bulk is as incompressible as real tracev3 chunks.
    expect(statSync(a.path).size).toBeGreaterThan(300_000);
    expect((await detectInput(a.path)).detection).toMatchObject({ kind: 'ios-sysdiagnose' });
  });
});
