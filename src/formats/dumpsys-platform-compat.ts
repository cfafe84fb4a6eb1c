/**
 * `dumpsys platform_compat` (reference-spec §10.3): the `DOWNSCALED` change (168419799) keeps its raw overrides
 * after an app is uninstalled, so the packages named there include apps that were on the phone before.
 */

const DOWNSCALED = 'ChangeId(168419799; name=DOWNSCALED;';
const RAW = 'rawOverrides={';

export interface PlatformCompatOverride {
  readonly package_name: string;
}

export function decodePlatformCompat(text: string): PlatformCompatOverride[] {
  const out: PlatformCompatOverride[] = [];
  const seen = new Set<string>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line.startsWith(DOWNSCALED)) continue;
    const from = line.indexOf(RAW);
    if (from === -1) continue;
    const to = line.indexOf('};', from);
    const inner = line.slice(from + RAW.length, to === -1 ? undefined : to);
    for (const entry of inner.split(', ')) {
      const eq = entry.indexOf('=');
      const name = (eq === -1 ? entry : entry.slice(0, eq)).trim();
      if (name === '' || seen.has(name)) continue;
      seen.add(name);
      out.push({ package_name: name });
    }
  }
  return out;
}
