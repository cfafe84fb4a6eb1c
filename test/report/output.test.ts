import { describe, expect, it } from 'vitest';
import { OutputError } from '../../src/errors.js';
import { fanOut, guardWrites, type RunInfo, type Sink } from '../../src/report/output.js';

const info = {} as RunInfo;

describe('fanOut', () => {
  it('feeds every sink in order and returns the files all of them wrote', async () => {
    const seen: string[] = [];
    const sink = (name: string, files: string[]): Sink => ({ timeline: (_a, e) => seen.push(`${name} ${e.event}`), finish: async () => files });
    const both = fanOut([sink('native', ['/out/a.json']), sink('store', ['/case.db']), {}]);
    both.timeline({} as never, { time: null, event: 'visit', description: '' });
    expect(seen).toEqual(['native visit', 'store visit']);
    expect(await both.finish(info)).toEqual(['/out/a.json', '/case.db']);
  });

  it('disposes every sink even when one fails, then reports the first failure', () => {
    const disposed: string[] = [];
    const all = fanOut([
      {
        dispose: () => {
          throw new Error('disk gone');
        },
      },
      { dispose: () => disposed.push('second') },
    ]);
    expect(() => all.dispose()).toThrow('disk gone');
    expect(disposed).toEqual(['second']);
  });
});

describe('guardWrites', () => {
  it('turns a failing write into an OutputError that names the folder', async () => {
    const guarded = guardWrites(
      {
        finding: () => {
          throw new Error('ENOSPC');
        },
        finish: () => Promise.reject(new Error('EACCES')),
      },
      '/results',
    );
    expect(() => guarded.finding!({} as never)).toThrow(OutputError);
    expect(() => guarded.finding!({} as never)).toThrow('cannot write results to /results: ENOSPC; the check was stopped');
    await expect(guarded.finish!(info)).rejects.toThrow('cannot write results to /results: EACCES');
  });
});
