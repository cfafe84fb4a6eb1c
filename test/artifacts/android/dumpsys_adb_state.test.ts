import { describe, expect, it } from 'vitest';
import adbState, { type DumpsysAdbStateRecord } from '../../../src/artifacts/android/dumpsys_adb_state.js';
import { adbFingerprint, decodeAdbState, decodeAdbTree } from '../../../src/formats/dumpsys-adb.js';
import { mvtAndroidqf, parseAqf } from './_aqf.js';
import { checkDumpsys, mvtDumpsys, parseDumpsysSections } from './_dumpsys.js';

const LINUX = 'F0:A1:3D:8C:B3:F4:7B:09:9F:EE:8B:D8:38:2E:BD:C6';
const LAPTOP = 'F0:0B:27:08:E3:68:7B:FA:4C:79:A2:B4:BF:0E:CF:70';

/** An adb dump whose XML keystore holds `keys` ([base64, user, lastConnection ms]). */
function adbXml(keys: [string, string, number][]): string {
  return [
    'ADB MANAGER STATE (dumpsys adb):',
    '{',
    '  debugging_manager={',
    '    connected_to_adb=true',
    "    keystore=<?xml version='1.0' encoding='utf-8' standalone='yes' ?>",
    '    <keyStore version="1">',
    ...keys.map(([k, u, ms]) => `    <adbKey key="${k} ${u}" lastConnection="${ms}" />`),
    '    </keyStore>',
    '',
    '  }',
    '}',
  ].join('\n');
}

const acquisition = (json: object) => ({ 'acquisition.json': JSON.stringify(json) });
const checkAdb = (text: string, extra: Record<string, string>) => checkDumpsys('android.dumpsys_adb_state', { adb: text }, [], extra);

describe('android.dumpsys_adb_state', () => {
  it.each([
    ['dumpsys_adb.txt', 'abx'],
    ['dumpsys_adb_wifi.txt', 'abx'],
  ] as const)('MVT\'s %s: one trusted key, user@linux, fingerprint F0:A1:…; the binary keystore is kept undecoded', (name, format) => {
    const state = decodeAdbState(mvtDumpsys(name).toString('utf8'))!;
    expect(state.user_keys.map((k) => [k.fingerprint, k.user])).toEqual([[LINUX, 'user@linux']]);
    expect(state.values.last_key_received).toBe(LINUX);
    expect(state.keystore_format).toBe(format);
  });

  it('MVT\'s XML keystore: user@laptop, F0:0B:…, last connected 1628501829898', () => {
    const state = decodeAdbState(mvtDumpsys('dumpsys_adb_xml.txt').toString('utf8'))!;
    expect(state.keystore).toEqual([{ user: 'user@laptop', fingerprint: LAPTOP, key: 'QAAAAAcgbytJst31DsaSP7hn8QcBXKR9NPVPK9MZssFVSNIP', last_connected: 1628501829898 }]);
  });

  it('the tree: multi-line values end at a closing brace or the next name=; adb_wifi is its own dict, not part of the keystore', () => {
    const tree = decodeAdbTree(['{', '  debugging_manager={', '    keystore=ABX', '    more', '    connected_to_adb=true', '    adb_wifi={', '      enabled=false', '      tls_port=0', '    }', '  }', '  other={', '    value=true', '  }', '}'].join('\n'));
    expect(tree).toEqual({ debugging_manager: { keystore: 'ABX\nmore', connected_to_adb: 'true', adb_wifi: { enabled: 'false', tls_port: '0' } }, other: { value: 'true' } });
    expect(decodeAdbTree("Can't find service: adb")).toBeNull();
    expect(adbFingerprint('not base64!')).toBe('');
  });

  it('against the acquisition: the same key last connected over a day before is INFO, another key LOW, an invalid key LOW', async () => {
    const text = adbXml([
      ['QUJDRA==', 'acquisition@host', 1750266000000],
      ['QUJDRQ==', 'other@host', 1750438800000],
      ['%%%', 'broken@host', 1750438800000],
    ]);
    const findings = await checkAdb(text, acquisition({ started: '2025-06-20T18:00:00Z', adb_host_public_key: 'QUJDRA== acquisition@host' }));
    expect(findings.map((f) => [f.level, f.message.split(':')[0], f.eventTime?.mvt()])).toEqual([
      ['informational', 'Found a trusted ADB host key last connected at least one day before the AndroidQF acquisition', '2025-06-18 17:00:00.000000'],
      ['low', 'Found a trusted ADB host key different from the AndroidQF acquisition host', '2025-06-20 17:00:00.000000'],
      ['low', 'Found an invalid trusted ADB host key', '2025-06-20 17:00:00.000000'],
    ]);
  });

  it('the acquisition\'s own key connected within the last day: nothing', async () => {
    const findings = await checkAdb(adbXml([['QUJDRA==', 'acquisition@host', 1750438800000]]), acquisition({ started: '2025-06-20T18:00:00Z', adb_host_public_key: 'QUJDRA== acquisition@host' }));
    expect(findings).toEqual([]);
  });

  it('adb_host_key.pub stands in when acquisition.json names no key', async () => {
    const findings = await checkAdb(adbXml([['QUJDRA==', 'acquisition@host', 1750438800000]]), { ...acquisition({ started: '2025-06-20T18:00:00Z' }), 'adb_host_key.pub': 'QUJDRA== acquisition@host\n' });
    expect(findings).toEqual([]);
  });

  it('an acquisition without its host key: 1 LOW "does not include its host key"', async () => {
    const findings = await checkAdb(mvtDumpsys('dumpsys_adb.txt').toString('utf8'), {});
    expect(findings.map((f) => [f.level, f.message])).toEqual([['low', `Found a trusted ADB host key, but the AndroidQF acquisition does not include its host key: ${LINUX} (user@linux)`]]);
  });

  it('androidqf\'s dumpsys.txt: one state record, the acquisition context without start or key', async () => {
    const { records, coverage } = await parseAqf<DumpsysAdbStateRecord>(adbState, mvtAndroidqf());
    expect(coverage).toMatchObject({ state: 'parsed', records: 1, issues: [] });
    expect(records[0]!.acquisition).toEqual({ started: null, host_key: null });
    expect(records[0]!.user_keys.map((k) => k.fingerprint)).toEqual([LINUX]);
  });

  it('a dump where the service is missing gives no record', async () => {
    const { records } = await parseDumpsysSections<DumpsysAdbStateRecord>(adbState, { adb: "Can't find service: adb\n" });
    expect(records).toEqual([]);
  });
});
