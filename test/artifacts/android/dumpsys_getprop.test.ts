import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { collectArtifact } from '../../../src/app/parse-artifact.js';
import { detectInput } from '../../../src/evidence/detect.js';
import { InputLog } from '../../../src/evidence/input-log.js';
import dumpsysGetprop, { type DumpsysPropertyRecord } from '../../../src/artifacts/android/dumpsys_getprop.js';
import rules from '../../../src/rules/android/dumpsys_getprop.js';
import type { RecordRule } from '../../../src/rules/rule.js';
import { mvtBugreport, oldBugreport, parseBugreport, parseBugreportFiles, writeBugreport } from './_bugreport.js';

const rule = rules[0] as RecordRule<DumpsysPropertyRecord>;

const dumpstate = (props: string[]) =>
  ['== dumpstate: 2024-05-01 10:11:12', '------ SYSTEM PROPERTIES (getprop) ------', ...props, "------ 0.045s was the duration of 'SYSTEM PROPERTIES' ------", 'DUMP OF SERVICE package:', '[not.a.prop]: [after the section]', ''].join('\n');

describe('system properties of a bugreport', () => {
  it('MVT\'s bugreport has no SYSTEM PROPERTIES section: 0 results (as MVT), and the coverage says why', async () => {
    const { records, coverage } = await parseBugreport<DumpsysPropertyRecord>(dumpsysGetprop, mvtBugreport());
    expect(records).toEqual([]);
    expect(coverage.issues.map((i) => i.message)).toEqual(['dumpstate.txt: no "------ SYSTEM PROPERTIES" section in 268 lines']);
  });

  it('the old-format bugreport: 137 properties of its section, located by line in the file', async () => {
    const { records, items, coverage, observables } = await parseBugreport<DumpsysPropertyRecord>(dumpsysGetprop, oldBugreport());
    expect(coverage).toMatchObject({ state: 'parsed', records: 137, issues: [] });
    expect(records[0]).toEqual({ name: 'dalvik.vm.dexopt-flags', value: 'm=y' });
    expect(items[0]!.source.at).toEqual({ line: 5775 });
    expect(records.find((r) => r.name === 'persist.sys.timezone')?.value).toBe('Europe/Stockholm');
    // Empty values are kept (MVT drops them, difference A3).
    expect(records.find((r) => r.name === 'gsm.operator.alpha')?.value).toBe('');
    expect(observables[0]).toEqual({ kind: 'android_property', value: 'dalvik.vm.dexopt-flags', field: 'name' });
    expect(records.flatMap((r) => rule.check(r))).toEqual([]);
  });

  it('the section ends at its duration line; garbage inside it is one issue', async () => {
    const { records, coverage } = await parseBugreportFiles<DumpsysPropertyRecord>(dumpsysGetprop, {
      'dumpstate.txt': dumpstate(['[ro.product.model]: [SM-A105F]', 'garbage', '[ro.build.version.security_patch]: [2019-01-01]']),
    });
    expect(records).toEqual([
      { name: 'ro.product.model', value: 'SM-A105F' },
      { name: 'ro.build.version.security_patch', value: '2019-01-01' },
    ]);
    expect(coverage.issues.map((i) => [i.code, i.message])).toEqual([['row-skipped', 'dumpstate.txt: 1 line(s) of the SYSTEM PROPERTIES section that are not "[name]: [value]", the first at line 4']]);
    expect(records.flatMap((r) => rule.check(r)).map((h) => h.message)).toEqual(['This phone has not received security updates for more than six months (last update: 2019-01-01)']);
    expect(rule.level).toBe('medium');
  });

  it('a recent security patch raises nothing', () => {
    const recent = new Date(Date.now() - 30 * 86_400_000).toISOString().slice(0, 10);
    expect(rule.check({ name: 'ro.build.version.security_patch', value: recent })).toEqual([]);
  });
});

describe('the dumpstate in the input log', () => {
  it('is logged with the whole file\'s hash, although only the section is split into lines', async () => {
    const text = dumpstate(['[ro.product.model]: [SM-A105F]']) + 'x'.repeat(100_000) + '\n';
    const tree = writeBugreport({ 'dumpstate.txt': text });
    try {
      const inputs = new InputLog();
      const source = await (await detectInput(tree.root)).open(inputs);
      const { items } = await collectArtifact(dumpsysGetprop, source, new Map());
      await source.close();
      expect(items).toHaveLength(1);
      const logged = inputs.all().find((e) => e.label === 'dumpstate.txt');
      expect(logged).toEqual({ path: join(tree.root, 'dumpstate.txt'), label: 'dumpstate.txt', sha256: createHash('sha256').update(readFileSync(join(tree.root, 'dumpstate.txt'))).digest('hex'), bytes: Buffer.byteLength(text) });
    } finally {
      tree.remove();
    }
  });
});
