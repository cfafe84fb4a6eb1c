/**
 * A clean phone stays quiet (issue #6, item 4). An ordinary iPhone, generated the way iTunes/Finder writes its
 * backup (XML Info.plist with ~30 App Store apps and their icons, an address book, calls including FaceTime by
 * e-mail, a calendar with invitations and attendees, interactions with tel:/mailto: identifiers, WhatsApp chats
 * with link previews, thousands of messages full of ordinary links and dotted words), is checked against every indicator feed the project has.
 * Nothing at MEDIUM or above may come out; the same phone with one app from outside the App Store gives exactly
 * that app's MEDIUM, with its explanation.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { check, type CheckResult } from '../../src/app/check.js';
import applications, { type ApplicationRecord } from '../../src/artifacts/ios/applications.js';
import { levelRank, type Finding } from '../../src/findings/finding.js';
import appRules from '../../src/rules/ios/applications.js';
import { DEFAULT_SIDELOADED_APP, DEFAULT_TESTFLIGHT_APP } from '../../src/synth/ios-apps.js';
import { generateIosBackup, ORDINARY_PHONE, type GeneratedBackup, type GenerateOptions } from '../../src/synth/ios-backup.js';
import { tempDir } from '../fixtures/ios-backup.js';
import { parseBackup } from '../helpers/artifacts.js';
import { shared } from '../helpers/data.js';

const SEED = 2024;
/** Every feed under ../shared/data/iocs; the loader takes the folder (and rejects its two STIX 1.x XML files). */
const ALL_FEEDS = () => shared('iocs');

interface Checked {
  readonly backup: GeneratedBackup;
  readonly result: CheckResult;
}

async function buildAndCheck(name: string, extra: Partial<GenerateOptions> = {}): Promise<Checked> {
  const root = tempDir(`clean-phone-${name}`); // removed after the file's tests
  const backup = generateIosBackup(join(root, 'backup'), { seed: SEED, ...ORDINARY_PHONE, ...extra });
  const result = await check({ target: backup.dir, iocs: [ALL_FEEDS()], userIocDir: null });
  return { backup, result };
}

/** One line per finding, enough to see at once which artifact, rule or indicator, and what value, raised it. */
function describeFindings(findings: readonly Finding[]): string {
  if (findings.length === 0) return '(none)';
  return findings
    .map((f) => {
      const what = f.rule ? `rule ${f.rule.id}` : f.indicator ? `indicator ${f.indicator.key}=${f.indicator.value} (${f.indicator.collection.name}, ${f.indicator.file.name})` : 'no rule or indicator';
      const observed = f.match ? ` observed ${f.match.kind} "${f.match.observed}" in ${f.match.field}` : '';
      return `${f.level.toUpperCase()} ${f.artifact}: ${f.message} [${what}]${observed} at ${JSON.stringify(f.evidence.at)}`;
    })
    .join('\n');
}

const atLeastMedium = (r: CheckResult): Finding[] => r.findings.filter((f) => levelRank(f.level) >= levelRank('medium'));
const notFromAppStore = appRules.find((r) => r.id === 'ios.applications.not_from_app_store')!;

describe('an ordinary phone checked against every indicator feed', () => {
  let clean: Checked;
  beforeAll(async () => {
    clean = await buildAndCheck('ordinary');
  }, 120_000);

  it('loads every STIX 2 feed of the iocs folder (16 files, 5,713 indicators); only the two STIX 1.x XML files are rejected', () => {
    const { indicators } = clean.result;
    expect(indicators.files).toHaveLength(16);
    expect(indicators.total).toBe(5_713);
    expect(indicators.rejected.map((r) => r.path.split('/').slice(-2).join('/'))).toEqual(['201608_NSO_Group/stix.xml', '201706_RecklessExploit/stix.xml']);
  });

  it('raises no finding at MEDIUM or above', () => {
    const loud = atLeastMedium(clean.result);
    expect(loud, `findings at MEDIUM or above on a clean phone:\n${describeFindings(loud)}`).toEqual([]);
  });

  it('reads every generated artifact, with one record per generated row', () => {
    const { backup, result } = clean;
    const coverage = Object.fromEntries(result.coverage.map((c) => [c.artifact, c]));
    const read = (id: string) => ({ state: coverage[id]?.state, records: coverage[id]?.records, issues: coverage[id]?.issues });
    const parsed = (records: number | undefined) => ({ state: 'parsed', records, issues: [] });
    expect(backup.apps).toEqual({ apps: 30, fromAppStore: 30, notFromAppStore: [] });
    expect(read('ios.applications')).toEqual(parsed(30));
    expect(read('ios.backup_info')).toEqual(parsed(1));
    // Every ABMultiValue row: phones, e-mail addresses, URLs, postal addresses.
    expect(backup.contacts!.people).toBe(1_200);
    expect(backup.contacts!.values).toBeGreaterThan(2_000);
    expect(read('ios.contacts')).toEqual(parsed(backup.contacts!.values));
    expect(read('ios.calls')).toEqual(parsed(2_500));
    expect(backup.calls!.faceTimeByEmail).toBeGreaterThan(50);
    expect(read('ios.calendar')).toEqual(parsed(400));
    expect(backup.calendar!.invitations).toBeGreaterThan(100);
    expect(backup.calendar!.attendees).toBeGreaterThan(backup.calendar!.invitations);
    expect(read('ios.interaction_c')).toEqual(parsed(backup.interactions!.rows));
    expect(backup.interactions!.interactions).toBe(3_000);
    expect(read('ios.sms')).toEqual(parsed(5_000));
    // Messages (some with link previews, some photos) and their chats.
    expect(backup.whatsapp!.linkPreviews).toBeGreaterThan(50);
    expect(read('ios.whatsapp')).toEqual(parsed(backup.whatsapp!.messages + backup.whatsapp!.chats));
    expect(read('ios.safari_history')).toEqual(parsed(3_000));
    expect(read('ios.manifest')).toEqual(parsed(ORDINARY_PHONE.manifestEntries));
  });

  it('reads each app\'s App Store metadata from the XML Info.plist: bundle id, name, publisher, source, purchase date and icon', async () => {
    const { result } = clean;
    // The records are not kept by check(); the applications coverage says 30 were read, and no rule fired on
    // any of them, which needs softwareVersionBundleId and sourceApp from each binary iTunesMetadata.
    expect(result.findings.filter((f) => f.artifact === 'ios.applications')).toEqual([]);
    const { records } = await parseBackup<ApplicationRecord>(applications, clean.backup.dir);
    const whatsapp = records.find((r) => r.name === 'net.whatsapp.WhatsApp')!;
    expect(whatsapp).toMatchObject({
      softwareVersionBundleId: 'net.whatsapp.WhatsApp',
      itemName: 'WhatsApp Messenger',
      itemId: 310633997,
      artistName: 'WhatsApp Inc.',
      genre: 'Social Networking',
      sourceApp: 'com.apple.AppStore',
      kind: 'software',
    });
    expect(whatsapp.icon_sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(whatsapp.isodate).not.toBeNull();
    expect(records.every((r) => r.sourceApp === 'com.apple.AppStore' && r.softwareVersionBundleId === r.name)).toBe(true);
  });
});

describe('the same phone with one app from outside the App Store', () => {
  it('side-loaded (an alternative marketplace install): exactly one MEDIUM, naming the app, with its explanation', async () => {
    const { backup, result } = await buildAndCheck('sideloaded', { sideloadedApp: true });
    expect(backup.apps!.notFromAppStore).toEqual([DEFAULT_SIDELOADED_APP.bundleId]);
    const loud = atLeastMedium(result);
    expect(loud.length, describeFindings(loud)).toBe(1);
    const [finding] = loud;
    expect(finding).toMatchObject({
      level: 'medium',
      artifact: 'ios.applications',
      message: 'Suspicious app not installed from the App Store or MDM: com.rileytestut.Delta',
      rule: { id: 'ios.applications.not_from_app_store' },
      evidence: { at: { key: 'Applications/com.rileytestut.Delta' } },
    });
    expect(finding!.explanation).toContain(notFromAppStore.why);
    expect(finding!.explanation).toContain(notFromAppStore.innocent);
    expect(finding!.eventTime).not.toBeNull(); // the purchase date from the marketplace's download info
  }, 120_000);

  it('from TestFlight: exactly one MEDIUM for the beta (TestFlight is one of the rule\'s innocent explanations, named in it)', async () => {
    const { backup, result } = await buildAndCheck('testflight', { testFlightApp: true });
    expect(backup.apps!.notFromAppStore).toEqual([DEFAULT_TESTFLIGHT_APP.bundleId]);
    const loud = atLeastMedium(result);
    expect(loud.length, describeFindings(loud)).toBe(1);
    expect(loud[0]).toMatchObject({
      level: 'medium',
      artifact: 'ios.applications',
      message: 'Suspicious app not installed from the App Store or MDM: org.joinmastodon.app',
      rule: { id: 'ios.applications.not_from_app_store' },
    });
    expect(loud[0]!.explanation).toContain('TestFlight');
  }, 120_000);
});

describe('the same phone with a real operation\'s link planted: the quiet is not blindness', () => {
  it('a Pegasus domain from the feed, in one SMS among 5,000, is exactly one CRITICAL finding', async () => {
    const feed = JSON.parse(readFileSync(shared('iocs', 'amnesty-investigations', '2021-07-18_nso', 'pegasus.stix2'), 'utf8')) as { objects: { type: string; pattern?: string }[] };
    const domain = feed.objects.map((o) => /^\[domain-name:value\s*=\s*'([a-z0-9.-]+)'\]$/.exec(o.pattern ?? '')?.[1]).find((d) => d !== undefined)!;
    const url = `https://${domain}/x/1234`;
    const { result } = await buildAndCheck('planted', { plant: [{ kind: 'sms-link', url }] });
    const loud = atLeastMedium(result);
    expect(loud.map((f) => [f.level, f.artifact, f.indicator?.collection.name, f.match?.observed]), describeFindings(loud)).toEqual([['critical', 'ios.sms', 'Pegasus', url]]);
  }, 120_000);
});
