import { describe, expect, it } from 'vitest';
import iosVersionHistory, { decodeJournalHeader, journalTime, maxHeaderBytes, type IosVersionHistoryRecord } from '../../../src/artifacts/ios/ios_version_history.js';
import { pythonDescription } from '../../../src/report/mvt/compat.js';
import { buildDump, parseDump } from '../../fixtures/ios-dump.js';

const DIR = 'private/var/db/analyticsd';
const journal = (timestamp: string, os: string) =>
  `${JSON.stringify({ timestamp, os_version: os, bug_type: '211', name: 'Analytics-Journal' })}\n{"message":{"body":"the rest of the journal"}}\n`;

describe('ios.ios_version_history on a filesystem dump', () => {
  it('reads the header of every journal, local time made UTC, oldest first', async () => {
    const root = buildDump({
      [`${DIR}/Analytics-Journal-2022-04-20-010203.0001.ips`]: journal('2022-04-20 01:02:03.50 -0700', 'iPhone OS 15.4.1 (19E258)'),
      [`${DIR}/Analytics-Journal-2022-02-10-230000.0001.ips`]: journal('2022-02-10 23:00:00.00 +0100', 'iPhone OS 15.3.1 (19D52)'),
      [`${DIR}/Analytics-2022-02-10-230000.ips.ca.synced`]: 'not a journal: not matched',
    });
    const { records, coverage, timeline, items } = await parseDump<IosVersionHistoryRecord>(iosVersionHistory, root);
    expect(coverage.state).toBe('parsed');
    expect(records.map((r) => [r.isodate.mvt(), r.os_version])).toEqual([
      ['2022-02-10 22:00:00.000000', 'iPhone OS 15.3.1 (19D52)'],
      ['2022-04-20 08:02:03.500000', 'iPhone OS 15.4.1 (19E258)'],
    ]);
    expect(items[0]!.source.at).toEqual({ line: 1 });
    expect(timeline.map((e) => [e.event, pythonDescription(e.description)])).toEqual([
      ['ios_version', 'Recorded iOS version iPhone OS 15.3.1 (19D52)'],
      ['ios_version', 'Recorded iOS version iPhone OS 15.4.1 (19E258)'],
    ]);
  });

  it('reads Python\'s %z offsets with and without a colon, and nothing else', () => {
    expect(journalTime('2022-02-10 23:00:00.123456 +05:30')?.mvt()).toBe('2022-02-10 17:30:00.123456');
    expect(journalTime('2022-02-10 23:00:00 +0000')?.mvt()).toBe('2022-02-10 23:00:00.000000');
    expect(journalTime('2022-02-10T23:00:00Z')).toBeNull();
  });
});

describe('ios.ios_version_history on bad input', () => {
  it('gives one issue per unreadable journal, naming it, and keeps the good ones', async () => {
    const root = buildDump({
      [`${DIR}/Analytics-Journal-a.ips`]: journal('2022-02-10 23:00:00.00 +0100', 'iPhone OS 15.3.1 (19D52)'),
      [`${DIR}/Analytics-Journal-b.ips`]: '{"timestamp": "2022-02-1',
      [`${DIR}/Analytics-Journal-c.ips`]: `${JSON.stringify({ timestamp: 'yesterday', os_version: 'x' })}\n`,
      [`${DIR}/Analytics-Journal-d.ips`]: '',
    });
    const { records, coverage } = await parseDump<IosVersionHistoryRecord>(iosVersionHistory, root);
    expect(records).toHaveLength(1);
    expect(coverage.state).toBe('partial');
    expect(coverage.issues.map((i) => i.message)).toEqual([
      `${'/' + DIR}/Analytics-Journal-b.ips: first line is not JSON (expected an analytics journal header)`,
      `${'/' + DIR}/Analytics-Journal-c.ips: no readable "timestamp" in the first line (expected an analytics journal header)`,
      `${'/' + DIR}/Analytics-Journal-d.ips: first line is not JSON (expected an analytics journal header)`,
    ]);
  });

  it('refuses a first line past its bound without reading on', () => {
    expect(decodeJournalHeader(Buffer.alloc(maxHeaderBytes + 10, 0x20))).toEqual({ problem: `first line longer than ${maxHeaderBytes} bytes` });
    expect(decodeJournalHeader(Buffer.from('[1,2]\n'))).toEqual({ problem: 'first line is not a JSON object' });
  });
});
