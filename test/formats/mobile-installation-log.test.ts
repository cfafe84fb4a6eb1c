import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeInstallLog, InstallLogError } from '../../src/formats/mobile-installation-log.js';
import { shared } from '../helpers/data.js';

const line = (method: string, text: string, level = 'notice') => `Mon Apr  7 07:40:47 2025 [446] <${level}> (0x16fc9b000) ${method}: ${text}`;
const UNINSTALLER = '-[MIUninstaller _uninstallBundleWithIdentity:linkedToChildren:waitForDeletion:uninstallReason:temporaryReference:wasLastReference:error:]';

describe('decodeInstallLog on plaso\'s real mobile_installation.log', () => {
  it('finds the 14 containers made live among 28 entries, continuation lines kept out', () => {
    const log = decodeInstallLog(readFileSync(shared('samples', 'plaso', 'test_data', 'ios_sysdiag.log'), 'utf8'));
    expect(log.unreadable).toEqual([]);
    expect(log.events).toHaveLength(14);
    expect(log.other).toBe(14);
    expect(log.events.every((e) => e.event === 'container_live')).toBe(true);
    expect(log.events[0]).toEqual({
      line: 1,
      event: 'container_live',
      local_time: 'Wed Aug 11 05:51:02 2021',
      local: { year: 2021, month: 8, day: 11, hour: 5, minute: 51, second: 2 },
      pid: 176,
      level: 'notice',
      bundle_id: 'com.apple.CoreCDPUI.localSecretPrompt',
      version: null,
      install_type: null,
      requested_by: null,
      container_path: '/private/var/mobile/Containers/Data/PluginKitPlugin/B327BDD9-BD0D-490A-9A31-D07E95DB23E1',
      text: 'Made container live for com.apple.CoreCDPUI.localSecretPrompt at /private/var/mobile/Containers/Data/PluginKitPlugin/B327BDD9-BD0D-490A-9A31-D07E95DB23E1',
    });
    expect(log.events.at(-1)).toMatchObject({ line: 20, bundle_id: 'com.apple.WorkflowKit.ShortcutsIntents', local_time: 'Wed Aug 11 05:51:04 2021' });
  });
});

describe('decodeInstallLog event by event', () => {
  it.each([
    [line('-[MIInstaller performInstallationWithError:]', 'Installing <MIInstallableBundle ID=org.whispersystems.signal; Version=7.14.0.24, ShortVersion=7.14>'), { event: 'installing', bundle_id: 'org.whispersystems.signal', version: '7.14' }],
    [
      line('-[MIInstaller performInstallationWithError:]', 'Install Successful for (Customer:org.whispersystems.signal); Staging: 0.03s; Waiting: 0.00s; Overall: 1.27s'),
      { event: 'install_succeeded', bundle_id: 'org.whispersystems.signal', install_type: 'Customer' },
    ],
    [line('-[MIInstaller performInstallationWithError:]', 'Install Successful for (com.example.app); timing info'), { event: 'install_succeeded', bundle_id: 'com.example.app', install_type: null }],
    [line('-[MIInstaller performInstallationWithError:]', 'Attempting Delta patch update of com.google.Maps from 6.118.1 to 6.118.2'), { event: 'update', bundle_id: 'com.google.Maps', install_type: 'Delta', version: '6.118.1' }],
    [
      line('-[MIClientConnection _uninstallIdentities:withOptions:completion:]', 'Uninstall requested by installcoordinationd (pid 140 (501/501)) for identity [org.whispersystems.signal] with options: {'),
      { event: 'uninstall_requested', bundle_id: 'org.whispersystems.signal', requested_by: 'installcoordinationd' },
    ],
    [line(UNINSTALLER, 'Uninstalling identifier com.fiore.trolldecrypt'), { event: 'uninstall', bundle_id: 'com.fiore.trolldecrypt' }],
    [
      line(UNINSTALLER, 'Destroying container org.whispersystems.signal with persona (null) at /private/var/containers/Bundle/Application/1EC20F02-263B-4299-AE05-3F5D7A7744E9', 'err'),
      { event: 'container_destroyed', bundle_id: 'org.whispersystems.signal', container_path: '/private/var/containers/Bundle/Application/1EC20F02-263B-4299-AE05-3F5D7A7744E9', level: 'err' },
    ],
    [line('main', 'Reboot detected'), { event: 'reboot', bundle_id: null }],
  ])('%s', (text, expected) => {
    const log = decodeInstallLog(text);
    expect(log.events).toHaveLength(1);
    expect(log.events[0]).toMatchObject(expected);
  });

  it('counts other entries without keeping them, and keeps a multi-line entry as one', () => {
    const log = decodeInstallLog(
      [line('-[MIClientConnection _uninstallIdentities:withOptions:completion:]', 'Uninstall requested by SpringBoard (pid 34 (501/501)) for identity [com.x.y] with options: {'), '    KillApp = 1;', '}', line('-[MIBundle _validateWithError:]', 'Failed to load Info.plist')].join('\n'),
    );
    expect(log.events.map((e) => [e.line, e.event, e.requested_by])).toEqual([[1, 'uninstall_requested', 'SpringBoard']]);
    expect(log.other).toBe(1);
    expect(log.unreadable).toEqual([]);
  });

  it('refuses a file with no dated entry, naming the first line', () => {
    expect(() => decodeInstallLog('{"json": true}\nmore')).toThrow(InstallLogError);
    expect(() => decodeInstallLog('{"json": true}\nmore')).toThrow(/^line 1: no dated entry/);
  });

  it('is empty for an empty file, and bounds lines and kept text', () => {
    expect(decodeInstallLog('').events).toEqual([]);
    const long = line(UNINSTALLER, `Uninstalling identifier com.x ${'y'.repeat(50_000)}`);
    const log = decodeInstallLog(`${long}\n${long}\n${long}`, { maxLines: 2, maxLineChars: 2_000, maxTextChars: 100 });
    expect(log.events).toHaveLength(2);
    expect(log.events[0]!.text).toHaveLength(100);
    expect(log.truncated).toBe(true);
  });
});

describe('decodeInstallLog on hostile lines', () => {
  it('stays fast on 16 KB lines built to make its patterns backtrack', () => {
    const prefix = 'Mon Apr  7 07:40:47 2025 [446] <notice> (0x16fc9b000) -[MIClientConnection x]: ';
    const lines = [
      `${prefix}Uninstall requested by ${' (pid 1'.repeat(2_300)}`,
      `${prefix}Destroying container ${'x with persona '.repeat(1_000)}`,
    ];
    const started = performance.now();
    const log = decodeInstallLog(Array.from({ length: 100 }, () => lines).flat().join('\n'));
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(log.events).toEqual([]);
    expect(log.other).toBe(200);
  });
});
