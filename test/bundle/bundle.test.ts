/**
 * Result bundles end to end on the MVT test backup checked with MVT's test indicators (5 findings, 3 of them
 * indicator matches): export signed, verify with OpenSSH alone and with `tracehound verify`, tamper with every
 * member in turn, and reproduce the findings from the acquisition (issue #12, parts 1 and 2).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { check } from '../../src/app/check.js';
import { bundleContentFromNativeOutput } from '../../src/bundle/content.js';
import { writeBundle } from '../../src/bundle/write.js';
import { createKeyFiles, readPrivateKeyFile } from '../../src/signing/key-files.js';
import { tempDir } from '../fixtures/ios-backup.js';
import { rawZip } from '../fixtures/archives.js';
import { mvtIosBackup, mvtTestStix } from '../helpers/data.js';
import { OPENSSH_RECIPE, flipped, membersOf, writeZip } from './_bundle.js';
import { capturedOutput, run } from '../helpers/cli.js';

const MEMBERS = [
  'provenance.json',
  'findings.json',
  'coverage.json',
  'observables.json',
  'indicators/0f787d161ced161d9b36778423558c902b0105a7bd3c8490a58d4a0e5ed576d2.json',
  'manifest.json',
  'manifest.json.sig',
];

let outDir: string;
let key: string;
let bundle: string;

beforeAll(async () => {
  const dir = tempDir('bundle');
  outDir = join(dir, 'results');
  await check({ target: mvtIosBackup(), iocs: [mvtTestStix()], userIocDir: null, output: outDir });
  key = join(dir, 'lab-key');
  createKeyFiles(key, 'lab-a@example');
  bundle = join(dir, 'bundle.zip');
  await writeBundle(bundleContentFromNativeOutput(outDir), bundle, readPrivateKeyFile(key));
});


const out = capturedOutput();

function opensshVerify(path: string, pubFile = `${key}.pub`) {
  const dir = tempDir('review');
  writeFileSync(join(dir, 'allowed_signers'), `reviewer namespaces="tracehound" ${readFileSync(pubFile, 'utf8')}`);
  const r = spawnSync('bash', ['-c', OPENSSH_RECIPE], { encoding: 'utf8', env: { ...process.env, BUNDLE: path, WORK: join(dir, 'x'), ALLOWED: join(dir, 'allowed_signers') } });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

async function variant(label: string, change: (m: Map<string, Buffer>) => void): Promise<string> {
  const members = await membersOf(bundle);
  change(members);
  const path = join(tempDir('variant'), `${label.replace(/[^a-z0-9]/gi, '_')}.zip`);
  await writeZip(path, members);
  return path;
}

describe('tracehound export', () => {
  it('writes the documented members, mode 0600, and nothing of the phone beyond the findings', async () => {
    expect(statSync(bundle).mode & 0o777).toBe(0o600);
    const m = await membersOf(bundle);
    expect([...m.keys()]).toEqual(MEMBERS);
    const findings = JSON.parse(m.get('findings.json')!.toString()) as { level: string; artifact: string }[];
    expect(findings.map((f) => `${f.level} ${f.artifact}`)).toEqual(['low ios.datausage', 'critical ios.tcc', 'critical ios.sms', 'critical ios.whatsapp', 'informational ios.global_preferences']);
    expect(m.get('findings.json')!.equals(readFileSync(join(outDir, 'alerts.json')))).toBe(true);
    expect(m.get('coverage.json')!.equals(readFileSync(join(outDir, 'coverage.json')))).toBe(true);
    expect(m.get(MEMBERS[4]!)!.equals(readFileSync(mvtTestStix()))).toBe(true);
    // Phone content that no finding is about stays out: a Mail extension's domain is in the backup's file list
    // (ios.manifest records), not in any member.
    expect(readFileSync(join(outDir, 'ios.manifest.json'), 'utf8')).toContain('AppDomainPlugin-com.apple.mobilemail.MailQuickLookExtension');
    for (const [name, data] of m) expect(data.includes('MailQuickLookExtension'), name).toBe(false);
  });

  it('lists the observables that matched an indicator, with the indicator and where they were seen', async () => {
    type Seen = { artifact: string; kind: string; observed: string; field: string; indicator: { value: string; key: string; collection: string; stix_id: string; file_sha256: string }; evidence: { file: string; table: string; rowid: number } };
    const observables = JSON.parse((await membersOf(bundle)).get('observables.json')!.toString()) as Seen[];
    expect(observables.map((o) => [o.artifact, o.kind, o.observed, o.field, o.indicator.key, o.indicator.value, o.indicator.collection, o.evidence.file, o.evidence.table, o.evidence.rowid])).toEqual([
      ['ios.tcc', 'process', 'Launch', 'client', 'process:name', 'Launch', 'TestMalware', 'HomeDomain/Library/TCC/TCC.db', 'access', 52],
      ['ios.sms', 'subdomain', 'https://badbadbad.example.org/', 'links', 'domain-name:value', 'example.org', 'TestMalware', 'HomeDomain/Library/SMS/sms.db', 'message', 3],
      ['ios.whatsapp', 'domain', 'https://example.org/news', 'links', 'domain-name:value', 'example.org', 'TestMalware', 'AppDomainGroup-group.net.whatsapp.WhatsApp.shared/ChatStorage.sqlite', 'ZWAMESSAGE', 2],
    ]);
    expect(observables[2]?.indicator).toMatchObject({ stix_id: 'indicator--642a0029-a0e6-48b1-9a30-113c377ceb76', file_sha256: '0f787d161ced161d9b36778423558c902b0105a7bd3c8490a58d4a0e5ed576d2' });
  });

  it('records provenance: every input with its SHA-256, tool, indicator files, artifact and rule versions, options, times', async () => {
    const p = JSON.parse((await membersOf(bundle)).get('provenance.json')!.toString()) as {
      bundle_format: number; tool: { version: string }; inputs: { label: string; sha256: string }[]; indicator_files: { sha256: string; indicators: number }[];
      artifacts: { id: string; version: number }[]; rules: unknown[]; options: { type: string }; started_at: string; finished_at: string;
    };
    expect(p.bundle_format).toBe(1);
    expect(p.tool.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(p.inputs.find((i) => i.label === 'Manifest.db')?.sha256).toBe('7876f1034a5082d2aaef9f6df2f90ca72168616bb724efd8bd856e0c9d7ecd96');
    expect(p.inputs.find((i) => i.label === 'HomeDomain/Library/SMS/sms.db')?.sha256).toBe('2d7c6e9a504cd54ea8a389ebf27285d06d4a3043c35ec06e458c5a571eaf48d0');
    expect(p.inputs.length).toBeGreaterThan(10);
    expect(p.indicator_files).toEqual([expect.objectContaining({ sha256: '0f787d161ced161d9b36778423558c902b0105a7bd3c8490a58d4a0e5ed576d2', indicators: 9 })]);
    expect(p.artifacts).toContainEqual({ id: 'ios.sms', version: 1 });
    expect(p.rules.length).toBeGreaterThan(5);
    expect(p.options.type).toBe('ios-backup');
    expect(Date.parse(p.finished_at)).toBeGreaterThanOrEqual(Date.parse(p.started_at));
  });

  it('adds the records and the timeline only with --include-records, and refuses to overwrite a bundle', async () => {
    const path = join(tempDir('export'), 'with-records.zip');
    expect(await run('export', '--from-output', outDir, '--output', path, '--include-records', '--sign', key)).toBe(0);
    const m = await membersOf(path);
    expect(m.get('records/ios.sms.json')!.equals(readFileSync(join(outDir, 'ios.sms.json')))).toBe(true);
    expect(m.has('records/timeline.csv')).toBe(true);
    // The 12 per-artifact record files the check wrote, and timeline.csv.
    expect([...m.keys()].filter((n) => n.startsWith('records/'))).toHaveLength(13);
    expect(await run('export', '--from-output', outDir, '--output', path)).toBe(2);
    expect(out.stderr).toMatch(/^tracehound: .*with-records\.zip: cannot create \(already exists; refusing to overwrite\)\n$/);
  });

  it('refuses a folder that is not a check output, with one line naming the file', async () => {
    expect(await run('export', '--from-output', tempDir('empty'), '--output', join(tempDir('x'), 'b.zip'))).toBe(2);
    expect(out.stderr).toMatch(/^tracehound: .*info\.json: cannot read \(.*\); expected the info\.json of a `tracehound check --output` folder\n$/);
  });
});

describe('verifying a bundle', () => {
  it('passes with OpenSSH alone (unzip, ssh-keygen -Y verify, sha256sum) and with tracehound verify', async () => {
    const r = opensshVerify(bundle);
    expect(r.out).toContain('Good "tracehound" signature for reviewer with ED25519 key');
    expect(r.status).toBe(0);
    expect(await run('verify', bundle, '--key', `${key}.pub`)).toBe(0);
    expect(out.stdout).toBe(`${bundle}: signature good (lab-a@example), 5 files unchanged\n`);
  });

  it.each(MEMBERS)('fails under both when one byte of %s changes', async (member) => {
    const path = await variant(`flip ${member}`, (m) => m.set(member, flipped(m.get(member)!)));
    expect(opensshVerify(path).status).not.toBe(0);
    expect(await run('verify', path, '--key', `${key}.pub`)).toBe(1);
    expect(out.stderr.split('\n')).toHaveLength(2);
    const named = member === 'manifest.json' ? /manifest\.json\.sig: the signature does not match/ : member === 'manifest.json.sig' ? /manifest\.json\.sig: / : new RegExp(`member "${member.replace(/\./g, '\\.')}" was changed`);
    expect(out.stderr).toMatch(named);
  });

  it.each([
    ['a member is missing', (m: Map<string, Buffer>) => m.delete('coverage.json'), /member "coverage\.json" listed in the manifest is missing/],
    ['a member was added', (m: Map<string, Buffer>) => m.set('extra.json', Buffer.from('{}')), /member "extra\.json" is not in the manifest \(added after signing\)/],
    ['the signature is missing', (m: Map<string, Buffer>) => m.delete('manifest.json.sig'), /not signed \(no manifest\.json\.sig\)/],
  ])('fails under both when %s', async (label, change, message) => {
    const path = await variant(label, change);
    expect(opensshVerify(path).status).not.toBe(0);
    expect(await run('verify', path, '--key', `${key}.pub`)).toBe(1);
    expect(out.stderr).toMatch(message);
    expect(out.stderr.split('\n')).toHaveLength(2);
  });

  it('fails under both with another key', async () => {
    const other = join(tempDir('keys'), 'other');
    createKeyFiles(other, 'someone-else');
    expect(opensshVerify(bundle, `${other}.pub`).status).not.toBe(0);
    expect(await run('verify', bundle, '--key', `${other}.pub`)).toBe(1);
    expect(out.stderr).toMatch(/^tracehound: verification failed: .*manifest\.json\.sig: signed by another key than the one given\n$/);
  });

  it('fails with one line on a hostile zip (a member named ../x) and on a file that is not a zip', async () => {
    const hostile = join(tempDir('hostile'), 'b.zip');
    const m = await membersOf(bundle);
    writeFileSync(hostile, await rawZip([...[...m].map(([name, data]) => ({ name, data })), { name: '../escape.json', data: '{}' }]));
    expect(await run('verify', hostile, '--key', `${key}.pub`)).toBe(1);
    expect(out.stderr).toMatch(/^tracehound: verification failed: .*b\.zip: member "\.\.\/escape\.json" refused \(parent-folder component \(\.\.\) in the name\)\n$/);
    out.stderr = '';
    const junk = join(tempDir('junk'), 'b.zip');
    writeFileSync(junk, 'not a zip at all');
    expect(await run('verify', junk, '--key', `${key}.pub`)).toBe(1);
    expect(out.stderr).toMatch(/^tracehound: verification failed: .*b\.zip: not a readable bundle \(.*\)\n$/);
    expect(existsSync(join(tempDir('junk'), '..', 'escape.json'))).toBe(false);
  });
});

describe('tracehound verify --acquisition', () => {
  it('reports no difference on the original acquisition', async () => {
    expect(await run('verify', bundle, '--key', `${key}.pub`, '--acquisition', mvtIosBackup())).toBe(0);
    expect(out.stdout).toContain(`${mvtIosBackup()}: re-check gives the same 5 findings\n`);
  });

  it('lists the finding that differs on a copy whose SMS link was changed', async () => {
    const copy = join(tempDir('changed'), 'backup');
    cpSync(mvtIosBackup(), copy, { recursive: true });
    const sms = join(copy, '3d', '3d0d7e5fb2ce288813306e4d4636395e047a3d28');
    const bytes = readFileSync(sms);
    const at = bytes.indexOf('badbadbad.example.org');
    expect(at).toBeGreaterThan(0);
    // Same length, so the database stays valid: the link now points at a domain no indicator names.
    bytes.write('badbadbad.example.net', at, 'latin1');
    writeFileSync(sms, bytes);
    expect(await run('verify', bundle, '--key', `${key}.pub`, '--acquisition', copy)).toBe(1);
    expect(out.stdout).toContain('note: input HomeDomain/Library/SMS/sms.db differs from the one the bundle was made from\n');
    expect(out.stdout).toContain(`${copy}: re-check differs from the bundle (5 findings in the bundle, 4 now):\n`);
    expect(out.stdout).toMatch(/ {2}only in the bundle: critical ios\.sms: .*badbadbad\.example\.org.* \(HomeDomain\/Library\/SMS\/sms\.db row 3\)\n/);
    expect(out.stdout.match(/only in/g)).toHaveLength(1);
  });
});

describe('command-line errors', () => {
  it('keys new writes a pair and prints the allowed-signers line; a second run exits 2 with one line', async () => {
    const path = join(tempDir('cli-keys'), 'k');
    expect(await run('keys', 'new', '--output', path, '--comment', 'lab-b')).toBe(0);
    expect(out.stdout).toContain(`  you@lab namespaces="tracehound" ${readFileSync(`${path}.pub`, 'utf8')}`);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(await run('keys', 'new', '--output', path)).toBe(2);
    expect(out.stderr).toMatch(/^tracehound: .*\/k: already exists \(refusing to overwrite a key; choose another --output\)\n$/);
  });

  it('keys new --passphrase and export --sign take the passphrase from TRACEHOUND_KEY_PASSPHRASE; a wrong one exits 2, writing nothing', async () => {
    const dir = tempDir('cli-locked');
    const path = join(dir, 'locked');
    vi.stubEnv('TRACEHOUND_KEY_PASSPHRASE', 'lab passphrase');
    try {
      expect(await run('keys', 'new', '--output', path, '--passphrase')).toBe(0);
      expect(out.stdout).toContain('(mode 0600, passphrase-protected)');
      expect(execFileSync('/usr/bin/ssh-keygen', ['-y', '-P', 'lab passphrase', '-f', path], { encoding: 'utf8' })).toBe(readFileSync(`${path}.pub`, 'utf8'));
      expect(await run('export', '--from-output', outDir, '--output', join(dir, 'b.zip'), '--sign', path)).toBe(0);
      expect(await run('verify', join(dir, 'b.zip'), '--key', `${path}.pub`)).toBe(0);
      vi.stubEnv('TRACEHOUND_KEY_PASSPHRASE', 'not it');
      expect(await run('export', '--from-output', outDir, '--output', join(dir, 'c.zip'), '--sign', path)).toBe(2);
      expect(out.stderr).toMatch(/^tracehound: .*locked: wrong passphrase \(the decrypted check words differ\)\n$/);
      expect(existsSync(join(dir, 'c.zip'))).toBe(false);
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it.each([
    ['a private key given as --key', () => ['verify', bundle, '--key', key], /lab-key: not an Ed25519 OpenSSH public key/],
    ['a missing bundle', () => ['verify', '/nonexistent/b.zip', '--key', `${key}.pub`], /^tracehound: \/nonexistent\/b\.zip: no such bundle\n$/],
    ['a missing acquisition', () => ['verify', bundle, '--key', `${key}.pub`, '--acquisition', '/nonexistent/backup'], /^tracehound: \/nonexistent\/backup: no such acquisition\n$/],
    ['export of neither a case nor an output folder', () => ['export', '--output', '/tmp/never.zip'], /give a case folder with --device NAME, or --from-output DIR/],
  ])('exits 2 with one line for %s', async (_, args, message) => {
    expect(await run(...args())).toBe(2);
    expect(out.stderr).toMatch(message);
    expect(out.stderr.split('\n')).toHaveLength(2);
  });
});
