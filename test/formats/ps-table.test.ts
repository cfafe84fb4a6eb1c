import { describe, expect, it } from 'vitest';
import { decodePsTable, executableOf, processNameOf, PsTableError } from '../../src/formats/ps-table.js';

// Header and rows as iOS 16+ writes ps.txt (PRSNA and F columns), and as iOS 15 and older wrote it.
const PS_IOS17 = `USER               UID PRSNA   PID  PPID        F  %CPU %MEM PRI NI      VSZ    RSS WCHAN    TT  STAT STARTED      TIME COMMAND
root                 0     -     1     0     4004   0.0  0.0   0  0        0      0 -        ??  ?s    7:47AM   0:00.00 /sbin/launchd
root                 0   200    29     1  4004004   0.0  0.0   0  0        0      0 -        ??  ?s    7:47AM   0:00.00 /usr/libexec/UserEventAgent (System)
_logd              272   199    30     1  4004004   0.0  0.0   0  0        0      0 -        ??  ?s    7:47AM   0:00.00 /usr/libexec/logd
mobile             501   501   412     1  4004004   0.0  0.3  31  0 408123456  21344 -        ??  Ss   Tue09PM   0:03.10 /private/var/containers/Bundle/Application/0F3C/My App.app/MyApp -launchedBy springboard
`;
const PS_IOS12 = `USER             UID   PID  PPID  %CPU %MEM PRI NI      VSZ    RSS WCHAN    TT  STAT STARTED      TIME COMMAND
root               0     1     0   0.0  0.4  37  0  4226848   8912 -        ??  Ss   14Jan19   7:27.40 /sbin/launchd
mobile           501   238     1   0.0  1.1  31  0  4395872  23504 -        ??  Ss   14Jan19   0:41.77 /System/Library/CoreServices/SpringBoard.app/SpringBoard
`;
// ps_thread.txt: the default -M columns (COMMAND cut to 7 characters) then the requested ones, full COMMAND last.
const PS_THREAD = `USER             PID   TT   %CPU STAT PRI     STIME     UTIME COMMAND  PPID        F %MEM PRI NI      VSZ    RSS WCHAN  STARTED      TIME COMMAND
root               1   ??    0.0 S    31T   0:00.00   0:00.00 /sbin/l     0   104004  0.7 31T  0 407931472  13728 -       1:25PM   0:02.37 /sbin/launchd
                   1         0.0 S    37T   0:00.00   0:00.08             0   104004  0.7 37T  0 407931472  13728 -       1:25PM   0:02.37
                   1         0.0 S    37T   0:00.00   0:00.01             0   104004  0.7 37T  0 407931472  13728 -       1:25PM   0:02.37
root              30   ??    0.0 S    31T   0:00.00   0:00.17 /usr/li     1  4004004  0.9 31T  0 407965120  18224 -       1:25PM   0:02.38 /usr/libexec/UserEventAgent (System)
mobile           301   ??    0.0 S    31T   0:00.00   0:00.08 Cursor      1  4004006  0.1 31T  0 407919648   2640 -       1:27PM   0:00.08 Cursor Helper (Renderer)
`;

describe('decodePsTable on ps.txt', () => {
  it('reads every process of an iOS 17 table, the command keeping its spaces', () => {
    const t = decodePsTable(PS_IOS17);
    expect(t.skipped).toEqual([]);
    expect(t.processes.map((p) => p.pid)).toEqual([1, 29, 30, 412]);
    expect(t.processes[1]).toEqual({ line: 3, user: 'root', uid: 0, pid: 29, ppid: 1, started: '7:47AM', cpu_time: '0:00.00', stat: '?s', command: '/usr/libexec/UserEventAgent (System)', threads: null });
    expect(t.processes[3]).toMatchObject({ user: 'mobile', uid: 501, ppid: 1, started: 'Tue09PM', command: '/private/var/containers/Bundle/Application/0F3C/My App.app/MyApp -launchedBy springboard' });
  });

  it('reads the older header without PRSNA and F', () => {
    const t = decodePsTable(PS_IOS12);
    expect(t.processes).toHaveLength(2);
    expect(t.processes[1]).toMatchObject({ user: 'mobile', uid: 501, pid: 238, ppid: 1, started: '14Jan19', command: '/System/Library/CoreServices/SpringBoard.app/SpringBoard' });
  });

  it('skips a line whose PID is not a number, names it, and keeps the rest', () => {
    const t = decodePsTable(`${PS_IOS12}root               0     x     0   0.0  0.4  37  0  4226848   8912 -        ??  Ss   14Jan19   7:27.40 /bin/bad\n`);
    expect(t.processes).toHaveLength(2);
    expect(t.skipped).toEqual([{ line: 4, reason: 'PID is "x", expected a number' }]);
  });

  it('refuses text that is not a ps table with one line saying what was expected', () => {
    expect(() => decodePsTable('')).toThrow(PsTableError);
    expect(() => decodePsTable('hello world\nfoo')).toThrow(/line 1: not a ps header/);
    expect(() => decodePsTable('\u0000\u0001binary')).toThrow(PsTableError);
  });

  it('bounds lines and line length', () => {
    const many = PS_IOS12 + Array.from({ length: 50 }, (_, i) => `root 0 ${1000 + i} 1 0.0 0.0 31 0 1 1 - ?? Ss 14Jan19 0:00.00 /usr/libexec/d${i}`).join('\n');
    const t = decodePsTable(many, { maxLines: 10, maxLineChars: 16_384 });
    expect(t.processes).toHaveLength(10);
    expect(t.truncated).toBe(true);
    const huge = decodePsTable(`${PS_IOS12}root 0 5 1 0.0 0.0 31 0 1 1 - ?? Ss 14Jan19 0:00.00 /x${'a'.repeat(100_000)}\n`, { maxLines: 100, maxLineChars: 200 });
    expect(huge.processes[2]!.command.length).toBeLessThan(200);
  });
});

describe('decodePsTable on ps_thread.txt', () => {
  it('counts thread lines per process and takes the full command after the abbreviated one', () => {
    const t = decodePsTable(PS_THREAD);
    expect(t.skipped).toEqual([]);
    expect(t.processes.map((p) => [p.pid, p.ppid, p.threads, p.command])).toEqual([
      [1, 0, 2, '/sbin/launchd'],
      [30, 1, null, '/usr/libexec/UserEventAgent (System)'],
      [301, 1, null, 'Cursor Helper (Renderer)'],
    ]);
    expect(t.processes[0]).toMatchObject({ started: '1:25PM', cpu_time: '0:02.37' });
  });

  it('stays linear on a hostile line of thousands of words', () => {
    const header = PS_THREAD.split('\n')[0]!;
    const hostile = `root 5 ?? 0.0 S 31T 0:00.00 0:00.00 ${Array.from({ length: 4_000 }, (_, i) => `w${i}z`).join(' ')}\n`;
    const started = performance.now();
    const t = decodePsTable(`${header}\n${hostile.repeat(200)}`);
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(t.processes).toEqual([]);
    expect(t.skipped[0]!.reason).toMatch(/^no full command matching the abbreviated one in "w0z w1z w2z/);
  });

  it('reports a thread line whose pid is not the process above it', () => {
    const t = decodePsTable(`${PS_THREAD}                 999         0.0 S    37T   0:00.00   0:00.08             0   104004  0.7 37T  0 407931472  13728 -       1:25PM   0:02.37\n`);
    expect(t.skipped).toEqual([{ line: 7, reason: 'thread line for pid "999" outside its process' }]);
  });
});

describe('executableOf and processNameOf', () => {
  it.each([
    ['/usr/libexec/UserEventAgent (System)', '/usr/libexec/UserEventAgent'],
    ['/sbin/launchd', '/sbin/launchd'],
    ['/bin/ps axwwo user,pid', '/bin/ps'],
    ['/usr/sbin/mDNSResponder -launchd', '/usr/sbin/mDNSResponder'],
    ['/private/var/db/com.apple.xpc.roleaccountd.staging/bh', '/private/var/db/com.apple.xpc.roleaccountd.staging/bh'],
    ['kernel_task', 'kernel_task'],
  ])('%s → %s', (command, executable) => {
    expect(executableOf(command)).toBe(executable);
  });

  it('names the file', () => {
    expect(processNameOf('/usr/sbin/wifid')).toBe('wifid');
    expect(processNameOf('launchd')).toBe('launchd');
  });
});
