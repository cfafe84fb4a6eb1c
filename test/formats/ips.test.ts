import { describe, expect, it } from 'vitest';
import { decodeIps, ipsTimestamp, IpsError } from '../../src/formats/ips.js';

// Shaped like a real iOS 17 crash (bug_type 309): every header key iOS writes, the body keys the parser reads.
const CRASH_309 = `{"app_name":"ShareExtension","timestamp":"2024-01-25 19:25:26.00 -0500","app_version":"23.08.20","slice_uuid":"c0f91e04-6738-3a4c-b067-56f0d0b9b0d0","adam_id":"618783545","build_version":"434399","platform":2,"bundleID":"com.tinyspeck.chatlyio.share","share_with_app_devs":0,"is_first_party":0,"bug_type":"309","os_version":"iPhone OS 17.1.2 (21B101)","roots_installed":0,"name":"ShareExtension","incident_id":"F71CCC53-3A83-4BA7-88A4-09303932E28A"}
{
  "uptime" : 3600,
  "procRole" : "unknown",
  "pid" : 748,
  "procName" : "ShareExtension",
  "procPath" : "\\/private\\/var\\/containers\\/Bundle\\/Application\\/3227EEF3-1F31-43C9-B436-36630DF855D2\\/Slack.app\\/PlugIns\\/ShareExtension.appex\\/ShareExtension",
  "parentProc" : "launchd",
  "coalitionName" : "com.tinyspeck.chatlyio.share"
}
`;

describe('decodeIps', () => {
  it('reads the header line and the JSON body of an iOS 15+ crash', () => {
    const r = decodeIps(CRASH_309);
    expect(r.header).toMatchObject({ bug_type: '309', name: 'ShareExtension', bundleID: 'com.tinyspeck.chatlyio.share' });
    expect(r.body.kind).toBe('json');
    expect(r.body.kind === 'json' && r.body.value.procPath).toBe('/private/var/containers/Bundle/Application/3227EEF3-1F31-43C9-B436-36630DF855D2/Slack.app/PlugIns/ShareExtension.appex/ShareExtension');
  });

  it('reads the Key: value fields of an older text crash', () => {
    const r = decodeIps('{"bug_type":"109","name":"MobileSafari"}\nIncident Identifier: 1234\nProcess:             MobileSafari [512]\nPath:                /Applications/MobileSafari.app/MobileSafari\nParent Process:      launchd [1]\n\nThread 0 Crashed:\n0   libsystem_kernel.dylib  0x1 0x2 + 3\n');
    expect(r.body).toEqual({ kind: 'text', fields: { 'Incident Identifier': '1234', Process: 'MobileSafari [512]', Path: '/Applications/MobileSafari.app/MobileSafari', 'Parent Process': 'launchd [1]' } });
  });

  it('counts the lines of an analytics journal (JSON lines)', () => {
    expect(decodeIps('{"bug_type":"211"}\n{"a":1}\n{"b":2}\n').body).toEqual({ kind: 'json-lines', lines: 2 });
  });

  it('keeps the header when the body is damaged, and says why', () => {
    const r = decodeIps('{"bug_type":"309","name":"x"}\n{"procPath": "/usr/libexec/x", "threads": [');
    expect(r.header.name).toBe('x');
    expect(r.body.kind).toBe('unreadable');
    expect(r.body.kind === 'unreadable' && r.body.reason).toMatch(/^the body is not valid JSON/);
  });

  it('survives hostile nesting', () => {
    const deep = `{"bug_type":"309"}\n${'{"a":'.repeat(200_000)}1${'}'.repeat(200_000)}`;
    expect(['json', 'unreadable']).toContain(decodeIps(deep).body.kind);
  });

  it('refuses a file whose first line is not a JSON object', () => {
    expect(() => decodeIps('not json\n{}')).toThrow(IpsError);
    expect(() => decodeIps('[1,2]\n{}')).toThrow('line 1: the header is JSON but not an object');
    expect(() => decodeIps(`{"a":"${'x'.repeat(70_000)}"}`)).toThrow(/line 1: a header of 70008 characters/);
    expect(() => decodeIps('')).toThrow(/line 1: the header is not JSON/);
  });
});

describe('ipsTimestamp', () => {
  it('converts the local time and offset to UTC seconds', () => {
    expect(ipsTimestamp('2024-01-25 19:25:26.00 -0500')).toBe(Date.UTC(2024, 0, 26, 0, 25, 26) / 1000);
    expect(ipsTimestamp('2022-07-10 01:18:15.51 +0800')).toBeCloseTo(Date.UTC(2022, 6, 9, 17, 18, 15) / 1000 + 0.51, 6);
  });
  it('gives null for anything else', () => {
    expect(ipsTimestamp('2024-13-25 19:25:26.00 -0500')).toBeNull();
    expect(ipsTimestamp('yesterday')).toBeNull();
    expect(ipsTimestamp(12)).toBeNull();
  });
});
