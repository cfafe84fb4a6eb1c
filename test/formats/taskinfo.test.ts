import { describe, expect, it } from 'vitest';
import { decodeTaskinfo, TaskinfoError } from '../../src/formats/taskinfo.js';

// The block layout of a real iOS 15 taskinfo.txt (keys and indentation as taskinfo prints them).
const TASKINFO = `num tasks: 2

process: "launchd" [1] [unique ID: 1]
architecture: arm64
coalition (type 0) ID: 1
coalition (type 1) ID: 3
suspend count: 0
virtual bytes: 389.03 GB; phys_footprint bytes: 12.23 MB; phys_footprint lifetime maximum bytes: 12.36 MB
run time: 216 s
user/system time    (current threads): 0.145469 s / 0.000000 s
requested policy
\treq apptype: TASK_APPTYPE_NONE
threads:
\tthread ID: 0x338 / 824
\tuser/system time: 0.000353 s / 0.000000 s
\trun state: TH_STATE_WAITING
\tsleep time: 0 s

\tthread ID: 0x339 / 825
\trun time: 99 s
\trun state: TH_STATE_WAITING


process: "com.apple.WebKit.WebContent" [412] [unique ID: 530]
architecture: arm64e
coalition (type 0) ID: 77
run time: 31 s
threads:
\tthread ID: 0x1a2 / 418
`;

describe('decodeTaskinfo', () => {
  it('reads each task with its name, pid, run time, architecture, coalition and thread count', () => {
    const d = decodeTaskinfo(TASKINFO);
    expect(d.declared_tasks).toBe(2);
    expect(d.skipped).toEqual([]);
    expect(d.processes).toEqual([
      { line: 3, name: 'launchd', pid: 1, run_time_s: 216, threads: 2, architecture: 'arm64', coalition_id: 1 },
      { line: 24, name: 'com.apple.WebKit.WebContent', pid: 412, run_time_s: 31, threads: 1, architecture: 'arm64e', coalition_id: 77 },
    ]);
  });

  it('names an unreadable process line and keeps the other tasks', () => {
    const d = decodeTaskinfo(TASKINFO.replace('process: "launchd" [1]', 'process: launchd'));
    expect(d.processes.map((p) => p.pid)).toEqual([412]);
    expect(d.skipped).toEqual([{ line: 3, reason: 'unreadable process line "process: launchd [unique ID: 1]"' }]);
  });

  it('refuses text with neither a header nor a process block', () => {
    expect(() => decodeTaskinfo('hello\nworld')).toThrow(TaskinfoError);
    expect(() => decodeTaskinfo('')).toThrow(/not a taskinfo dump/);
  });

  it('stops at the line limit and says so', () => {
    const d = decodeTaskinfo(TASKINFO, { maxLines: 10, maxLineChars: 4096 });
    expect(d.truncated).toBe(true);
    expect(d.processes.map((p) => p.pid)).toEqual([1]);
  });
});
