/**
 * `tracehound check` on a generated androidqf acquisition whose dumpsys.txt is as large as a real dumpstate
 * (npx tsx bench/dumpstate.bench.ts). The dump is src/synth/android-dumpsys.ts's ordinary phone with the spyware
 * plants, its package list grown to `--packages` apps (each with its permissions, as a real one), and filler
 * services (activity, window, meminfo-like text) up to the size asked. The check runs in a child process
 * against the public feeds: wall and CPU time and peak RSS. The file is streamed once and split once, whatever the
 * number of dumpsys artifacts, keeping only the sections the text decoders read; never one string of the whole file.
 *
 *   npx tsx bench/dumpstate.bench.ts                        100 MB, 2,000 packages
 *   npx tsx bench/dumpstate.bench.ts -- --sizes 25,100      these sizes in MB
 *   npx tsx bench/dumpstate.bench.ts -- --before ../main    also that checkout's build, side by side
 */
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { androidDumpsys, HELPLINE_ADB_KEY, SEPARATOR, SPYWARE_PLANTS } from '../src/synth/android-dumpsys.js';
import { builtCli, cli, measure, projectRoot, rssMethod } from './_child.js';

const ACQUIRED = new Date('2024-05-01T10:20:00Z');
const { values } = parseArgs({ options: { sizes: { type: 'string', default: '100' }, packages: { type: 'string', default: '2000' }, iocs: { type: 'string', multiple: true }, before: { type: 'string' } } });
const builds = [...(values.before ? [{ label: 'before', root: resolve(values.before) }] : []), { label: values.before ? 'after' : 'this', root: projectRoot }];
const iocs = values.iocs ?? [resolve(projectRoot, '..', 'shared', 'data', 'iocs')];
const work = mkdtempSync(join(tmpdir(), 'th-bench-dumpstate-'));

/** `count` more packages in the package section, inserted after its `Packages:` line. */
function withPackages(dump: string, count: number): string {
  const lines: string[] = [];
  for (let i = 0; i < count; i++) {
    lines.push(`  Package [com.example.app${i}] (${(0x100000 + i).toString(16)}):`, `    userId=${11000 + i}`, '    versionName=1.0.' + i, `    versionCode=${1000 + i} minSdk=26 targetSdk=34`, '    timeStamp=2024-03-02 18:40:11', '    lastUpdateTime=2024-04-28 02:15:40', '    installerPackageName=com.android.vending', '    pkgFlags=[ HAS_CODE ALLOW_CLEAR_USER_DATA ]', '    install permissions:');
    for (const p of ['INTERNET', 'ACCESS_NETWORK_STATE', 'WAKE_LOCK', 'RECEIVE_BOOT_COMPLETED', 'FOREGROUND_SERVICE', 'VIBRATE']) lines.push(`      android.permission.${p}: granted=true`);
    lines.push('    User 0: ceDataInode=5120 installed=true hidden=false', '      firstInstallTime=2024-03-02 18:40:11', '      runtime permissions:', '        android.permission.POST_NOTIFICATIONS: granted=true, flags=[ USER_SET ]');
  }
  return dump.replace('\nPackages:\n', `\nPackages:\n${lines.join('\n')}\n`);
}

function filler(bytes: number): string {
  const line = '    ProcessRecord{4f2a1b0 4321:com.example.app/u0a231} pid=4321 lastActivity=-1m12s adj=900 procState=19 oom_score=998\n';
  const per = 50_000;
  const services: string[] = [];
  let written = 0;
  for (let i = 0; written < bytes; i++) {
    const body = `${SEPARATOR}\nDUMP OF SERVICE filler${i}:\n${line.repeat(per)}`;
    services.push(body);
    written += body.length;
  }
  return services.join('');
}

const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;
console.log(`tracehound check on generated androidqf acquisitions with a large dumpsys.txt (${builtCli() ? 'built CLI' : 'sources through tsx'}; peak RSS by ${rssMethod()})`);
console.log('| build | size asked | dumpsys.txt | packages | check wall | check cpu | peak RSS | findings (exit) |');
console.log('|---|---|---|---|---|---|---|---|');
try {
  for (const label of values.sizes.split(',')) {
    const dir = join(work, `aqf-${label}`);
    mkdirSync(dir);
    const base = withPackages(androidDumpsys({ hostKey: HELPLINE_ADB_KEY, acquiredAt: ACQUIRED, plants: SPYWARE_PLANTS }), Number(values.packages));
    const text = base + filler(Math.max(0, Number(label) * 1e6 - base.length));
    writeFileSync(join(dir, 'dumpsys.txt'), text);
    writeFileSync(join(dir, 'getprop.txt'), '[ro.build.version.release]: [14]\n');
    writeFileSync(join(dir, 'acquisition.json'), JSON.stringify({ started: ACQUIRED.toISOString(), adb_host_public_key: `${HELPLINE_ADB_KEY} helpline@laptop` }));
    for (const build of builds) {
      const run = await measure(cli(['check', dir, ...iocs.flatMap((i) => ['--iocs', i]), '--no-default-iocs', '--quiet'], build.root));
      console.log(`| ${build.label} | ${label} MB | ${mb(statSync(join(dir, 'dumpsys.txt')).size)} | ${values.packages} | ${(run.wallMs / 1000).toFixed(1)} s | ${run.cpuMs === null ? 'n/a' : `${(run.cpuMs / 1000).toFixed(1)} s`} | ${run.peakRssMb === null ? 'n/a' : `${run.peakRssMb.toFixed(0)} MB`} | exit ${run.exitCode}${run.exitCode > 1 ? `: ${run.stderrTail}` : ''} |`);
    }
    rmSync(dir, { recursive: true, force: true });
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
