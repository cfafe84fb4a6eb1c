/**
 * The apps of a synthetic phone as iTunes/Finder records them in a backup's Info.plist: `Applications` maps each
 * bundle id to its `iTunesMetadata` (the app's iTunesMetadata.plist, a binary plist, stored as `<data>`), its
 * `PlaceholderIcon` (a PNG) and its `ApplicationSINF` (the store's DRM envelope), and `Installed Applications`
 * lists the bundle ids. The metadata has the key set the App Store writes (softwareVersionBundleId, itemId,
 * artistName, bundleShortVersionString, genre, `com.apple.iTunesStore.downloadInfo` with the purchase date and
 * account, sourceApp, …).
 *
 * Two installs that did not come from the App Store can be added:
 * - a side-loaded app. By default it models an app from an EU alternative marketplace (iOS 17.4+): its metadata
 *   names the marketplace app as `sourceApp`. With `sourceApp: null` it models an Xcode, Apple Configurator or
 *   in-house (enterprise) install instead, which carries no iTunesMetadata at all, only its icon.
 * - a TestFlight beta: the metadata says `sourceApp` = com.apple.TestFlight and carries the beta's build ids.
 */
import { buildBinary } from 'plist';
import { iconPng } from './_png.js';
import { STORE_APPS, type StoreApp } from './_apps.js';
import type { Period } from './ios-content.js';
import type { Random } from './random.js';

type PlistInput = Parameters<typeof buildBinary>[0];

export interface SideloadedApp {
  readonly bundleId: string;
  readonly name: string;
  readonly artist: string;
  /** The installer named in the metadata; null for an install that leaves no iTunesMetadata (Xcode, enterprise). */
  readonly sourceApp: string | null;
}

export interface TestFlightApp {
  readonly bundleId: string;
  readonly name: string;
  readonly artist: string;
}

/** Delta, the game emulator, as installed from AltStore PAL, an EU alternative marketplace. */
export const DEFAULT_SIDELOADED_APP: SideloadedApp = { bundleId: 'com.rileytestut.Delta', name: 'Delta - Game Emulator', artist: 'Riley Testut', sourceApp: 'com.rileytestut.AltStore' };

/** A public beta of the Mastodon client, installed through TestFlight. */
export const DEFAULT_TESTFLIGHT_APP: TestFlightApp = { bundleId: 'org.joinmastodon.app', name: 'Mastodon', artist: 'Mastodon gGmbH' };

export interface AppsOptions {
  /** App Store apps, the first `count` of the catalogue (at most its 33). */
  readonly count: number;
  readonly sideloaded?: SideloadedApp;
  readonly testFlight?: TestFlightApp;
  readonly period: Period;
}

export interface InstalledApps {
  /** Info.plist `Applications`. */
  readonly applications: Record<string, { iTunesMetadata?: Buffer; PlaceholderIcon: Buffer; ApplicationSINF?: Buffer }>;
  /** Info.plist `Installed Applications`. */
  readonly installed: string[];
  readonly stats: AppsStats;
}

export interface AppsStats {
  /** Every app listed under `Applications`. */
  readonly apps: number;
  readonly fromAppStore: number;
  /** Bundle ids of the apps that did not come from the App Store (side-loaded, TestFlight). */
  readonly notFromAppStore: readonly string[];
}

/** The phone owner's Apple Account, as the store's download info records it. */
const ACCOUNT = { AppleID: 'owner@icloud.com', DSPersonID: 16_813_981_945, FirstName: 'Sam', LastName: 'Owner', AccountStoreFront: '143441-1,29' } as const;
const STOREFRONT = 143_441; // United States

/** Apps in catalogue order, then the side-loaded and TestFlight ones; purchase dates fall in the period's first weeks. */
export function installedApps(rng: Random, options: AppsOptions): InstalledApps {
  const count = Math.min(STORE_APPS.length, Math.max(0, Math.floor(options.count)));
  const applications: InstalledApps['applications'] = {};
  const start = options.period.start.getTime();
  const span = options.period.end.getTime() - start;
  const purchased = (): Date => new Date(Math.floor((start + rng.next() * span * 0.3) / 1000) * 1000);
  for (const app of STORE_APPS.slice(0, count)) {
    applications[app.bundleId] = {
      ApplicationSINF: sinf(rng),
      iTunesMetadata: plistBytes(storeMetadata(app, purchased(), rng)),
      PlaceholderIcon: iconPng(60, app.color),
    };
  }
  const notFromAppStore: string[] = [];
  const sideloaded = options.sideloaded;
  if (sideloaded) {
    const icon = iconPng(60, [90, 90, 90]);
    applications[sideloaded.bundleId] = sideloaded.sourceApp === null ? { PlaceholderIcon: icon } : { iTunesMetadata: plistBytes(marketplaceMetadata(sideloaded, sideloaded.sourceApp, purchased())), PlaceholderIcon: icon };
    notFromAppStore.push(sideloaded.bundleId);
  }
  const beta = options.testFlight;
  if (beta) {
    applications[beta.bundleId] = { iTunesMetadata: plistBytes(testFlightMetadata(beta, purchased(), rng)), PlaceholderIcon: iconPng(60, [99, 100, 255]) };
    notFromAppStore.push(beta.bundleId);
  }
  const installed = Object.keys(applications);
  return { applications, installed, stats: { apps: installed.length, fromAppStore: count, notFromAppStore } };
}

function plistBytes(value: Record<string, unknown>): Buffer {
  return Buffer.from(buildBinary(value as PlistInput));
}

/** `2024-01-12T09:14:03Z`: how the store writes dates in download info. */
function storeDate(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function downloadInfo(purchased: Date, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    accountInfo: { ...ACCOUNT, DownloaderID: 0, FamilyID: 0, PurchaserID: ACCOUNT.DSPersonID, AltDSID: '000123-08-5f6b0e8a-0c3d-4a1b-9e2f-7c6d5a4b3c2d' },
    purchaseDate: storeDate(purchased),
    ...extra,
  };
}

/** iTunesMetadata.plist of an App Store install, with the keys the store writes. */
function storeMetadata(app: StoreApp, purchased: Date, rng: Random): Record<string, unknown> {
  const externalVersion = rng.int(860_000_000, 868_000_000);
  return {
    'com.apple.iTunesStore.downloadInfo': downloadInfo(purchased),
    'is-purchased-redownload': rng.chance(0.4),
    artistId: app.artistId,
    artistName: app.artist,
    bundleShortVersionString: app.version,
    bundleVersion: app.build,
    copyright: `© ${app.released.slice(0, 4)}-2024 ${app.artist}`,
    drmVersionNumber: 0,
    fileExtension: '.app',
    gameCenterEnabled: false,
    gameCenterEverEnabled: false,
    genre: app.genre,
    genreId: app.genreId,
    hasMessagesExtension: app.genre === 'Social Networking',
    isAutoDownload: false,
    isB2BCustomApp: false,
    isFactoryInstall: false,
    itemId: app.itemId,
    itemName: app.name,
    kind: 'software',
    playlistName: app.artist,
    rating: { content: '', label: '12+', rank: 300, system: 'itunes-games' },
    releaseDate: app.released,
    s: STOREFRONT,
    softwareIcon57x57URL: `https://is1-ssl.mzstatic.com/image/thumb/Purple211/v4/${rng.hex(2)}/${rng.hex(2)}/${rng.hex(2)}/${rng.uuid().toLowerCase()}/AppIcon.png/57x57bb.png`,
    softwareSupportedDeviceIds: [2, 9],
    softwareVersionBundleId: app.bundleId,
    softwareVersionExternalIdentifier: externalVersion,
    softwareVersionExternalIdentifiers: [externalVersion - 3_000_000, externalVersion - 1_500_000, externalVersion],
    sourceApp: 'com.apple.AppStore',
    storeCohort: `10|date=${purchased.getTime()}&sf=${STOREFRONT}&pgtp=Search&prpg=Search&ctxt=Search&issrch=1`,
    subgenres: [],
    variantID: rng.hex(24),
    vendorId: app.artistId,
    versionRestrictions: 16_843_008,
  };
}

/** An alternative marketplace writes the same core keys, but names itself as the source and has no store ids. */
function marketplaceMetadata(app: SideloadedApp, sourceApp: string, purchased: Date): Record<string, unknown> {
  return {
    'com.apple.iTunesStore.downloadInfo': downloadInfo(purchased),
    artistName: app.artist,
    bundleShortVersionString: '1.6.1',
    bundleVersion: '118',
    fileExtension: '.app',
    itemName: app.name,
    kind: 'software',
    softwareVersionBundleId: app.bundleId,
    sourceApp,
  };
}

/** A TestFlight beta: TestFlight as the source, the beta's build ids, no store rating or storefront. */
function testFlightMetadata(app: TestFlightApp, purchased: Date, rng: Random): Record<string, unknown> {
  return {
    'com.apple.iTunesStore.downloadInfo': downloadInfo(purchased, { releaseDate: storeDate(purchased) }),
    artistName: app.artist,
    betaBuildGroupId: rng.int(10_000_000, 99_999_999),
    betaExternalVersionIdentifier: rng.int(100_000_000, 199_999_999),
    bundleShortVersionString: '2024.6',
    bundleVersion: '842',
    fileExtension: '.app',
    genre: 'Social Networking',
    genreId: 6005,
    itemId: 1_571_998_974,
    itemName: app.name,
    kind: 'software',
    softwareVersionBundleId: app.bundleId,
    sourceApp: 'com.apple.TestFlight',
  };
}

/** An opaque `sinf` box, the FairPlay envelope the store attaches to each purchase (its content is never read). */
function sinf(rng: Random): Buffer {
  const body = Buffer.alloc(1_024);
  for (let i = 0; i < body.length; i += 4) body.writeUInt32LE(rng.int(0, 0xffffffff), i);
  body.writeUInt32BE(body.length, 0);
  body.write('sinf', 4, 'latin1');
  return body;
}
