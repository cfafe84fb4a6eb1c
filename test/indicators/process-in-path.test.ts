/**
 * How a process indicator matches a path (docs/dev/matching.md), on the real feeds: only as the name of a
 * file where a process binary can be, and a short name is never HIGH on its own.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Observable } from '../../src/artifacts/artifact.js';
import { explainMatch, levelForMatch } from '../../src/findings/explain.js';
import type { Level } from '../../src/findings/finding.js';
import { loadIndicators } from '../../src/indicators/load.js';
import { compileIndicators, processFileCanBe, type Matcher } from '../../src/indicators/match.js';
import { shared } from '../helpers/data.js';

const file = (value: string, role?: Observable['role']): Observable => ({ kind: 'file_path', value, field: 'path', ...(role ? { role } : {}) });

describe('a process indicator against a file path, with every public feed', () => {
  let m: Matcher;
  beforeAll(async () => {
    m = compileIndicators((await loadIndicators({ paths: [shared('iocs')], userDir: null })).collections);
  });

  /** [process indicator, level] of each process-in-path match. */
  const processHits = (o: Observable): [string, Level][] =>
    m
      .match(o)
      .filter((x) => x.kind === 'process-in-path')
      .map((x) => [x.indicator.value, levelForMatch(o, { kind: x.kind, indicator: x.indicator.value })]);

  it.each<[string, string, [string, Level][]]>([
    // Clean phones (the iOS 15.3.1 listing and others): MVT raises HIGH for each.
    ['a folder of TikTok\'s bundle named like Pegasus\'s bh', '/private/var/containers/Bundle/Application/B372DAF0-0213-4CB5-8C2A-2E79675BFD48/TikTok.app/BDPlatformSDKLocalizableResource.bundle/bh/Passport.strings', []],
    ['an app\'s data folder named bh', '/private/var/mobile/Containers/Data/Application/68643171-6EDB-4901-B1CB-F7ADC02CDFB9/Documents/primary/bh/bHfZb_100', []],
    ['an app\'s data file named payload', '/private/var/mobile/Containers/Data/Application/0A2B3C4D-0000-4000-8000-000000000001/Library/Caches/payload', []],
    ['an app-group file named payload', '/private/var/mobile/Containers/Shared/AppGroup/0A2B3C4D-0000-4000-8000-000000000002/payload', []],
    ['a resource file in an app bundle named payload', '/private/var/containers/Bundle/Application/0A2B3C4D-0000-4000-8000-000000000003/Some.app/payload', []],
    ['Apple\'s own /usr/libexec/BackupAgent (Triangulation lists the process BackupAgent)', '/usr/libexec/BackupAgent', []],
    ['a folder named like a process, written with a trailing /', '/private/var/db/roleaccountd/', []],
    // Where spyware put its binaries (Amnesty's Pegasus methodology, Kaspersky's Triangulation report).
    ['Pegasus\'s roleaccountd in the xpc staging folder', '/private/var/db/com.apple.xpc.roleaccountd.staging/roleaccountd', [['roleaccountd', 'high']]],
    ['Pegasus\'s bh in the xpc staging folder: short, so MEDIUM', '/private/var/db/com.apple.xpc.roleaccountd.staging/bh', [['bh', 'medium']]],
    ['BackupAgent anywhere but Apple\'s path', '/private/var/tmp/BackupAgent', [['BackupAgent', 'high']]],
    ['an app whose executable is named like a process', '/private/var/containers/Bundle/Application/0A2B3C4D-0000-4000-8000-000000000004/gatekeeperd.app/gatekeeperd', [['gatekeeperd', 'high']]],
    ['the same path through the /var symlink', '/var/db/com.apple.xpc.roleaccountd.staging/roleaccountd', [['roleaccountd', 'high']]],
  ])('%s', (_what, path, expected) => {
    expect(processHits(file(path))).toEqual(expected);
  });

  it('a path merely written down (a backup\'s Manifest row, free text) is not placed, so no process matches it', () => {
    expect(processHits(file('/private/var/db/com.apple.xpc.roleaccountd.staging/roleaccountd', 'mention'))).toEqual([]);
  });

  it('path and file-name indicators still match everywhere, folders included', () => {
    const kinds = (value: string) => m.match(file(value)).map((x) => [x.kind, x.indicator.value]);
    expect(kinds('/private/var/tmp/l/')).toEqual(expect.arrayContaining([['file-path', '/private/var/tmp/l']]));
    expect(kinds('/private/var/db/com.apple.xpc.roleaccountd.staging/subridged')).toEqual(
      expect.arrayContaining([['file-path', '/private/var/db/com.apple.xpc.roleaccountd.staging/subridged']]),
    );
  });
});

describe('levels of process matches', () => {
  const proc: Observable = { kind: 'process', value: 'bh', field: 'proc_name' };
  it.each<[string, Observable, Parameters<typeof levelForMatch>[1], Level]>([
    ['a running process with a short listed name (DataUsage bh)', proc, { kind: 'process', indicator: 'bh' }, 'medium'],
    ['a running process with a longer listed name', { ...proc, value: 'roleaccountd' }, { kind: 'process', indicator: 'roleaccountd' }, 'critical'],
    ['a truncated process name', { ...proc, value: 'contextstoremgr' }, { kind: 'process-truncated', indicator: 'contextstoremgrd' }, 'critical'],
    ['a file named like a process', file('/private/var/tmp/roleaccountd'), { kind: 'process-in-path', indicator: 'roleaccountd' }, 'high'],
    ['a file named like a short process name', file('/private/var/tmp/bh'), { kind: 'process-in-path', indicator: 'bh' }, 'medium'],
    ['a file path indicator on a file present on the device', file('/private/var/tmp/l/x'), { kind: 'file-path', indicator: '/private/var/tmp/l' }, 'critical'],
  ])('%s is %s', (_what, o, by, level) => {
    expect(levelForMatch(o, by)).toBe(level);
  });

  it('the explanation of a short name says it is not enough on its own', () => {
    expect(explainMatch('process', proc, 'Pegasus', 'bh')).toContain('on its own it is not enough');
    expect(explainMatch('process', proc, 'Pegasus', 'roleaccountd')).not.toContain('on its own it is not enough');
  });

  it('processFileCanBe keeps an app\'s or extension\'s executable and drops its resources', () => {
    expect(processFileCanBe('/var/containers/Bundle/Application/U/X.app/X', 'X')).toBe(true);
    expect(processFileCanBe('/var/containers/Bundle/Application/U/X.app/PlugIns/Y.appex/Y', 'Y')).toBe(true);
    expect(processFileCanBe('/var/containers/Bundle/Application/U/X.app/Y', 'Y')).toBe(false);
    expect(processFileCanBe('/var/mobile/Containers/Data/Application/U/X', 'X')).toBe(false);
    expect(processFileCanBe('/var/tmp/X', 'X')).toBe(true);
  });
});
