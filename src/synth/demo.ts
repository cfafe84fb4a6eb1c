/**
 * `tracehound demo`: a small synthetic iPhone backup with the traces of a made-up spyware, "DemoSpy", and a
 * STIX 2.1 bundle describing it, so anyone can see a full check (findings, evidence, timeline) in seconds
 * without real evidence. Everything DemoSpy is fictional, under the reserved `.example` TLD: a demo must never
 * carry a real spyware's indicators (they would be mistaken for a real detection, and they age).
 */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../errors.js';
import { generateIosBackup, type Plant } from './ios-backup.js';
import { forkRandom } from './random.js';

export const DEMO_SEED = 1337;
export const DEMO_DOMAIN = 'demo-exploit.example';
export const DEMO_PROCESS = 'demospyd';
export const DEMO_EMAIL = `operator@${DEMO_DOMAIN}`;
export const DEMO_SMS_LINK = `https://track.${DEMO_DOMAIN}/x?id=1`;
export const DEMO_LANDING = `https://cdn.${DEMO_DOMAIN}/landing`;
/** The plain-http page whose load was silently redirected to the landing page (a network injection). */
export const DEMO_INJECTED_FROM = 'http://weather-today.example/';
/** Where the landing page sent the browser on at once, to look harmless. */
export const DEMO_REDIRECT_TO = 'https://www.apple.com/';

/** The attack's story, one minute after another on 16 April 2024 (UTC). */
const at = (hhmmss: string): Date => new Date(`2024-04-16T${hhmmss}Z`);

export const DEMO_PLANTS: readonly Plant[] = [
  { kind: 'sms-link', url: DEMO_SMS_LINK, sender: '+15550100666', text: 'Your parcel is held at customs. Pay the fee to release it: {url}', at: at('09:12:05') },
  { kind: 'safari-visit', url: DEMO_LANDING, redirectFrom: DEMO_INJECTED_FROM, redirectTo: DEMO_REDIRECT_TO, redirectDelayMs: 140, at: at('09:13:41') },
  { kind: 'datausage-process', name: DEMO_PROCESS, bundleId: null, at: at('09:13:52') },
  { kind: 'tcc-client', client: DEMO_PROCESS, service: 'kTCCServiceMicrophone', clientType: 0, at: at('09:14:30') },
];

export const DEMO_SIZES = { manifestEntries: 400, messages: 50, visits: 100, processes: 30 } as const;

/**
 * App Store apps listed in the demo's Info.plist (XML, as iTunes writes it), so the demo shows a phone with apps
 * whose store metadata raises nothing: only the planted traces are findings.
 */
export const DEMO_APPS = 6;

export interface DemoFiles {
  /** The backup folder (`<dir>/backup`). */
  readonly backup: string;
  /** The indicator bundle, next to the backup, not inside it (`<dir>/demospy.stix2`). */
  readonly iocs: string;
}

export function writeDemo(dir: string): DemoFiles {
  const backup = join(dir, 'backup');
  const iocs = join(dir, 'demospy.stix2');
  if (existsSync(backup) && readdirSync(backup).length > 0) {
    throw new UserError('usage', `${backup} already exists and is not empty; choose another folder for the demo`);
  }
  mkdirSync(dir, { recursive: true });
  generateIosBackup(backup, { seed: DEMO_SEED, ...DEMO_SIZES, apps: DEMO_APPS, plant: DEMO_PLANTS, device: { deviceName: 'Demo iPhone' } });
  writeFileSync(iocs, `${JSON.stringify(demoStixBundle(), null, 2)}\n`);
  return { backup, iocs };
}

interface StixObject {
  readonly type: string;
  readonly id: string;
  readonly [key: string]: unknown;
}

/** One malware object, DemoSpy, and its indicators, each tied to it by an `indicates` relationship. Deterministic. */
export function demoStixBundle(): { type: 'bundle'; id: string; objects: StixObject[] } {
  const rng = forkRandom(DEMO_SEED, 'stix');
  const id = (type: string): string => `${type}--${rng.uuid().toLowerCase()}`;
  const created = '2024-05-01T00:00:00.000Z';
  const common = { spec_version: '2.1', created, modified: created };
  const malware: StixObject = {
    type: 'malware',
    id: id('malware'),
    ...common,
    name: 'DemoSpy',
    description: 'Fictional spyware for the Tracehound demo. Its indicators are made up (reserved .example names) and match nothing real.',
    is_family: false,
  };
  const objects: StixObject[] = [malware];
  const patterns = [`[domain-name:value='${DEMO_DOMAIN}']`, `[process:name='${DEMO_PROCESS}']`, `[email-addr:value='${DEMO_EMAIL}']`];
  for (const pattern of patterns) {
    const indicator: StixObject = {
      type: 'indicator',
      id: id('indicator'),
      ...common,
      indicator_types: ['malicious-activity'],
      pattern,
      pattern_type: 'stix',
      pattern_version: '2.1',
      valid_from: created,
    };
    objects.push(indicator, { type: 'relationship', id: id('relationship'), ...common, relationship_type: 'indicates', source_ref: indicator.id, target_ref: malware.id });
  }
  return { type: 'bundle', id: id('bundle'), objects };
}
