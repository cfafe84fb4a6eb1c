import { describe, expect, it } from 'vitest';
import processes, { type AqfProcessRecord } from '../../../src/artifacts/android/aqf_processes.js';
import { decodeAndroidPs, decodePsRow } from '../../../src/formats/android-ps.js';
import { shared } from '../../helpers/data.js';
import { mvtAndroidqf, parseAqf, parseAqfFiles } from './_aqf.js';

describe('android.aqf_processes on MVT\'s test data', () => {
  it('reads the 15 processes of androidqf/ps.txt, with no timeline', async () => {
    const { records, items, coverage, timeline, observables } = await parseAqf<AqfProcessRecord>(processes, mvtAndroidqf());
    expect(coverage.state).toBe('parsed');
    expect(coverage.issues).toEqual([]);
    expect(records).toHaveLength(15);
    expect(records[0]).toEqual({ user: 'root', pid: 1, ppid: 0, virtual_memory_size: 57912, resident_set_size: 2084, wchan: '0', address: '0', stat: 'S', proc_name: 'init', label: null });
    // Kernel threads lose their brackets, as in MVT.
    expect(records[1]!.proc_name).toBe('kthreadd');
    expect(items[0]!.source.at).toEqual({ line: 2 });
    expect(timeline).toEqual([]);
    expect(observables[0]).toEqual({ kind: 'process', value: 'init', field: 'proc_name' });
  });

  it('reads the 17 processes of android_data/ps.txt, the first init', async () => {
    const { records, coverage } = await parseAqfFiles<AqfProcessRecord>(processes, { 'ps.txt': (await import('node:fs')).readFileSync(shared('mvt-test-artifacts', 'android_data', 'ps.txt')) });
    expect(coverage.issues).toEqual([]);
    expect(records).toHaveLength(17);
    expect(records[0]!.proc_name).toBe('init');
  });
});

describe('decodePsRow', () => {
  it('reads a SELinux label column and a blank WCHAN', () => {
    expect(decodePsRow('u:r:untrusted_app:s0:c12,c257,c512,c768 u0_a12  4321  610 1500000 90000           0 S com.whatsapp:pushservice', 5)).toEqual({
      label: 'u:r:untrusted_app:s0:c12,c257,c512,c768',
      user: 'u0_a12',
      pid: 4321,
      ppid: 610,
      vsz: 1500000,
      rss: 90000,
      wchan: '',
      addr: '0',
      state: 'S',
      name: 'com.whatsapp:pushservice',
      line: 5,
    });
  });

  it('keeps a name with spaces whole, and refuses short or non-numeric rows', () => {
    expect((decodePsRow('root 10 2 0 0 0 0 S [kworker/u16:1 extra]', 1) as { name: string }).name).toBe('kworker/u16:1 extra');
    expect(decodePsRow('root 10 2', 1)).toBe('3 columns where 9 were expected');
    expect(decodePsRow('root ten 2 0 0 0 0 S init', 1)).toBe('PID, PPID, VSZ or RSS is not a number');
  });

  it('skips the header in either form and stops at the line bound', () => {
    expect(decodeAndroidPs('LABEL USER PID PPID VSZ RSS WCHAN ADDR S NAME\nu:r:init:s0 root 1 0 1 1 0 0 S init\n').processes).toHaveLength(1);
    const big = decodeAndroidPs('root 1 0 1 1 0 0 S init\n'.repeat(30), 10);
    expect(big.processes).toHaveLength(10);
    expect(big.truncated).toBe(true);
  });
});

describe('android.aqf_processes observables', () => {
  const obs = (proc_name: string) => processes.observables!({ user: 'u0_a1', pid: 9, ppid: 1, virtual_memory_size: 0, resident_set_size: 0, wchan: '', address: '0', stat: 'S', proc_name, label: null });
  it('an app process is matched as a process and as its package (without the :service suffix)', () => {
    expect(obs('com.whatsapp:pushservice')).toEqual([
      { kind: 'process', value: 'com.whatsapp:pushservice', field: 'proc_name' },
      { kind: 'app_id', value: 'com.whatsapp', field: 'proc_name' },
    ]);
    expect(obs('surfaceflinger')).toEqual([{ kind: 'process', value: 'surfaceflinger', field: 'proc_name' }]);
  });
  it('gatekeeperd is not matched, as in MVT', () => {
    expect(obs('gatekeeperd')).toEqual([]);
  });
});

describe('android.aqf_processes on bad input', () => {
  it('garbage lines are one issue naming the file; the rows around them are read', async () => {
    const { records, coverage } = await parseAqfFiles<AqfProcessRecord>(processes, { 'ps.txt': 'USER PID PPID VSZ RSS WCHAN ADDR S NAME\nroot 1 0 1 1 0 0 S init\n%%% garbage\nroot 2 0 0 0 0 0 S [kthreadd]\n' });
    expect(records.map((r) => r.proc_name)).toEqual(['init', 'kthreadd']);
    expect(coverage.issues.map((i) => i.message)).toEqual(['ps.txt: 1 line(s) not read, the first at line 3: 2 columns where 9 were expected']);
  });
});
