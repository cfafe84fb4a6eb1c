/**
 * Intrusion logs on their own (MVT's check-intrusion-logs): a folder of exports, a folder holding
 * `intrusion_logs/`, and a zip of them, recognised by content; other text files are not taken for logs.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectAcquisition, detectInput } from '../../src/evidence/detect.js';
import { looksLikeIntrusionLog } from '../../src/evidence/intrusion-logs.js';
import { check } from '../../src/index.js';
import { intrusionLogText, PLANTED } from '../../src/synth/intrusion-logs.js';
import { packAcquisition } from '../fixtures/archives.js';
import { stixBundle, tempTree } from '../indicators/bundle.js';

let base: string;
let flat: string;
let holding: string;
const text = intrusionLogText({ seed: 4, events: 100, planted: true });

beforeAll(() => {
  base = mkdtempSync(join(tmpdir(), 'th-intrusion-'));
  flat = join(base, 'exports');
  mkdirSync(flat);
  writeFileSync(join(flat, '2024-05-01.txt'), text);
  holding = join(base, 'case');
  mkdirSync(join(holding, 'intrusion_logs'), { recursive: true });
  writeFileSync(join(holding, 'intrusion_logs', 'a.txt'), text);
  writeFileSync(join(holding, 'notes.txt'), 'my notes\n');
});
afterAll(() => rmSync(base, { recursive: true, force: true }));

describe('standalone intrusion logs', () => {
  it('recognises a log by its first line, and not other text', () => {
    expect(looksLikeIntrusionLog(Buffer.from(text))).toBe(true);
    expect(looksLikeIntrusionLog(Buffer.from('\n{"security_event": {"event_time": 1}}\n'))).toBe(true);
    for (const other of ['hello\n', '{"dns_event": 5}\n', '[{"dns_event": {}}]\n', '{"other": {}}\n', '']) expect(looksLikeIntrusionLog(Buffer.from(other))).toBe(false);
  });

  it('a folder of exports, and a folder holding intrusion_logs/', () => {
    expect(detectAcquisition(flat)).toEqual({ answer: 'match', kind: 'android-intrusion-logs', root: flat });
    expect(detectAcquisition(holding)).toEqual({ answer: 'match', kind: 'android-intrusion-logs', root: join(holding, 'intrusion_logs'), note: `found intrusion logs in sub-folder ${join(holding, 'intrusion_logs')}` });
    const other = join(base, 'other');
    mkdirSync(other);
    writeFileSync(join(other, 'readme.txt'), 'not logs\n');
    expect(() => detectAcquisition(other)).toThrow(/not a supported acquisition/);
  });

  it('checked as a folder and as a zip: the planted traces, times in UTC only', async () => {
    const zip = await packAcquisition(flat, 'zip', join(base, 'exports.zip'), 'intrusion_logs');
    expect((await detectInput(zip)).detection).toEqual({ answer: 'match', kind: 'android-intrusion-logs', root: zip, note: `found intrusion logs in folder intrusion_logs of ${zip}` });
    const iocs = tempTree({ 'i.stix2': stixBundle({ malware: ['S'], indicators: [{ pattern: `[domain-name:value = '${PLANTED.host}']`, malware: 'S' }] }) });
    try {
      for (const target of [flat, zip]) {
        const result = await check({ target, iocs: [iocs.path('i.stix2')], userIocDir: null });
        expect(result.acquisition.kind).toBe('android-intrusion-logs');
        expect(result.findings.map((f) => [f.artifact, f.level])).toEqual([
          ['android.intrusion_dns', 'critical'],
          ['android.intrusion_security', 'medium'],
          ['android.intrusion_security', 'medium'],
          ['android.intrusion_security', 'medium'],
          ['android.intrusion_security', 'medium'],
        ]);
        const dns = result.coverage.find((c) => c.artifact === 'android.intrusion_dns')!;
        expect(dns.issues.map((i) => i.message)).toEqual(['device time zone unknown (no getprop.txt beside the logs): intrusion-log times are given in UTC only']);
        expect(result.coverage.map((c) => c.artifact)).toEqual(['android.intrusion_dns', 'android.intrusion_connect', 'android.intrusion_security']);
      }
    } finally {
      iocs.remove();
    }
  });
});
