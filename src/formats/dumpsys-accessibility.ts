/**
 * `dumpsys accessibility` (reference-spec §10.3): the accessibility services of the phone. Two syntaxes exist:
 * up to Android 13 an `installed services: {` block with one `N : package/service` per line; from Android 14 a
 * `Enabled services:{{package/service}, …}` line per user. Both are read; a service named by both is one record
 * (MVT lists it twice), and the record says in which list(s) it was seen.
 */

export type AccessibilityList = 'installed' | 'enabled';

export interface AccessibilityService {
  readonly package_name: string;
  /** `package/service`, as dumpsys prints it. */
  readonly service: string;
  /** The list(s) naming it: `installed` (old syntax) and/or `enabled` (Android 14+). */
  readonly lists: readonly AccessibilityList[];
}

/** A phone has tens of accessibility services at most. */
export const MAX_ACCESSIBILITY_SERVICES = 10_000;

const ENABLED_ITEM = /\{([^{}]+?)\}/g;

export function decodeAccessibility(text: string): AccessibilityService[] {
  const byService = new Map<string, { service: string; lists: AccessibilityList[] }>();
  const add = (service: string, list: AccessibilityList) => {
    if (service === '' || byService.size >= MAX_ACCESSIBILITY_SERVICES) return;
    const known = byService.get(service);
    if (known) {
      if (!known.lists.includes(list)) known.lists.push(list);
      return;
    }
    byService.set(service, { service, lists: [list] });
  };
  let inInstalled = false;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('installed services:')) {
      inInstalled = true;
      continue;
    }
    if (inInstalled) {
      if (line === '}') {
        inInstalled = false;
        continue;
      }
      const colon = line.indexOf(':');
      if (colon !== -1) add(line.slice(colon + 1).trim(), 'installed');
      continue;
    }
    if (line.startsWith('Enabled services:')) {
      for (const m of line.slice('Enabled services:'.length).matchAll(ENABLED_ITEM)) add(m[1]!.trim(), 'enabled');
    }
  }
  return [...byService.values()].map(({ service, lists }) => ({ package_name: packageOf(service), service, lists }));
}

/** `com.x/.Svc` → `com.x`: the text before the first `/`. */
export function packageOf(component: string): string {
  const slash = component.indexOf('/');
  return slash === -1 ? component : component.slice(0, slash);
}
