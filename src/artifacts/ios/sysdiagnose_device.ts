import { basename } from 'node:path';
import type { EvidenceFile } from '../../evidence/source.js';
import { iosVersionOfBuild } from '../../formats/ios-builds.js';
import { isDict, parsePlist } from '../../formats/plist.js';
import type { Moment } from '../../formats/time.js';
import { FormatError } from '../../errors.js';
import { defineArtifact } from '../artifact.js';
import { at } from '../_read.js';
import { clockOf, fileName, readBoundedText } from './_sysdiagnose.js';

/**
 * The phone a sysdiagnose comes from and its iOS, from every place that says it: the folder name Apple gives
 * the archive (collection time, UTC offset, build), logs/SystemVersion/SystemVersion.plist (version and build)
 * and remotectl_dumpstate.txt (the local device's product type and properties). Which iOS ran decides which
 * exploits and indicators apply.
 */
export interface SysdiagnoseDeviceRecord {
  readonly folder_name: string;
  readonly collected_at: Moment | null;
  readonly utc_offset_min: number | null;
  /** The build in the folder name (`21F90`). */
  readonly name_build: string | null;
  /** SystemVersion.plist ProductName, ProductVersion and ProductBuildVersion. */
  readonly product_name: string | null;
  readonly product_version: string | null;
  readonly build_version: string | null;
  /** The iOS version the build is (SystemVersion's build, else the folder name's), from the release table. */
  readonly version_from_build: string | null;
  /** remotectl's `Product Type` (`iPhone14,2`). */
  readonly product_type: string | null;
  /** Other `Local device` properties remotectl prints (`UniqueDeviceID`, `SerialNumber`, `ChipID`, …) when present. */
  readonly device_properties: Record<string, string>;
  /** The files the record was read from, besides the folder name. */
  readonly files: string[];
}

const NAME_BUILD = /^sysdiagnose_[\d.]+_[\d-]+[+-]\d{4}_.+_([0-9]{2}[A-Z][0-9]{1,5}[a-z]?)(?:\.tar\.gz|\.tgz)?$/;

/** `Local device` block of remotectl_dumpstate.txt: tab-indented `Key: value` lines and `Key => value` properties. */
export function decodeRemotectlLocalDevice(text: string): { product_type: string | null; properties: Record<string, string> } | null {
  const lines = text.split(/\r?\n/, 20_000);
  const start = lines.findIndex((l) => l.trim() === 'Local device');
  if (start < 0) return null;
  let product_type: string | null = null;
  const properties: Record<string, string> = {};
  for (let i = start + 1; i < lines.length; i++) {
    const line = lines[i]!.slice(0, 4_096);
    if (line.trim() !== '' && !/^\s/.test(line)) break;
    const pt = /^\s+Product Type:\s*"?([^"\s]{1,64})"?\s*$/.exec(line);
    if (pt) product_type = pt[1]!;
    const prop = /^\s+([A-Za-z][A-Za-z0-9]*) => (.+)$/.exec(line);
    if (prop && Object.keys(properties).length < 200) properties[prop[1]!] = prop[2]!.trim();
  }
  return { product_type, properties };
}

export default defineArtifact<SysdiagnoseDeviceRecord>({
  id: 'ios.sysdiagnose_device',
  version: 1,
  title: 'Device and iOS version (sysdiagnose)',
  doc: 'Which phone and which iOS build the sysdiagnose comes from and when it was taken, from the archive name, SystemVersion.plist and remotectl; the iOS version decides which exploits and indicators apply.',
  references: ['https://github.com/EC-DIGIT-CSIRC/sysdiagnose'],
  inputs: {
    'ios-sysdiagnose': [
      { by: 'path-glob', pattern: 'logs/SystemVersion/SystemVersion.plist' },
      { by: 'path-glob', pattern: 'remotectl_dumpstate.txt' },
    ],
  },
  inputMode: 'all',
  async *parse(ctx) {
    const info = ctx.source.describe();
    const folder = basename(info.root);
    const clock = clockOf(ctx);
    const nameBuild = NAME_BUILD.exec(folder)?.[1] ?? info.device?.buildVersion ?? null;
    let version: { name: string | null; version: string | null; build: string | null } = { name: null, version: null, build: null };
    let remote: ReturnType<typeof decodeRemotectlLocalDevice> = null;
    const used: EvidenceFile[] = [];
    for (const file of await ctx.findInputs()) {
      const name = fileName(file);
      if (name === 'SystemVersion.plist') {
        try {
          const plist = parsePlist(await ctx.source.read(file), name);
          if (!isDict(plist)) {
            ctx.warn({ code: 'bad-plist', file, message: `${name}: expected a dictionary at the top level` });
            continue;
          }
          const str = (k: string) => (typeof plist[k] === 'string' ? (plist[k]) : null);
          version = { name: str('ProductName'), version: str('ProductVersion'), build: str('ProductBuildVersion') };
          used.push(file);
        } catch (err) {
          if (!(err instanceof FormatError)) throw err;
          ctx.warn({ code: 'bad-plist', file, message: err.message });
        }
      } else {
        const text = await readBoundedText(ctx, file, 16 * 1024 * 1024, name);
        if (text === null) continue;
        remote = decodeRemotectlLocalDevice(text);
        if (remote) used.push(file);
        else ctx.warn({ code: 'corrupted', file, message: `${name}: no "Local device" block` });
      }
    }
    // A record needs a file to point at; the folder name alone is the acquisition's own description.
    const file = used[0];
    if (!file) return;
    const build = version.build ?? nameBuild;
    const record: SysdiagnoseDeviceRecord = {
      folder_name: folder,
      collected_at: clock?.collectedAt ?? null,
      utc_offset_min: clock?.offsetMinutes ?? null,
      name_build: nameBuild,
      product_name: version.name,
      product_version: version.version,
      build_version: version.build,
      version_from_build: build ? iosVersionOfBuild(build) : null,
      product_type: remote?.product_type ?? null,
      device_properties: remote?.properties ?? {},
      files: used.map(fileName),
    };
    yield { record, source: at(file, { whole: true }) };
  },
  timeline: (r) => (r.collected_at ? [{ time: r.collected_at, event: 'sysdiagnose_collected', description: `Sysdiagnose taken on ${r.product_type ?? 'an iPhone'} running ${r.product_name ?? 'iOS'} ${r.product_version ?? r.version_from_build ?? 'unknown'} (${r.build_version ?? r.name_build ?? 'unknown build'})` }] : []),
});
