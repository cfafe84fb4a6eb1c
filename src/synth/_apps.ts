/**
 * App Store apps an ordinary phone has, with their real bundle ids, store item ids, publishers and genres (as
 * the App Store lists them; versions are plausible mid-2024 ones). Benign and public: none of these may be in any
 * indicator feed. The icon colour only makes each placeholder icon differ.
 */

export interface StoreApp {
  readonly bundleId: string;
  readonly name: string;
  readonly artist: string;
  readonly artistId: number;
  readonly itemId: number;
  readonly genre: string;
  readonly genreId: number;
  /** CFBundleShortVersionString. */
  readonly version: string;
  /** CFBundleVersion. */
  readonly build: string;
  /** First release on the App Store (UTC). */
  readonly released: string;
  readonly color: readonly [number, number, number];
}

const app = (
  bundleId: string,
  name: string,
  artist: string,
  artistId: number,
  itemId: number,
  genre: keyof typeof GENRES,
  version: string,
  build: string,
  released: string,
  color: readonly [number, number, number],
): StoreApp => ({ bundleId, name, artist, artistId, itemId, genre, genreId: GENRES[genre], version, build, released, color });

/** App Store genre ids. */
const GENRES = {
  Business: 6000,
  Utilities: 6002,
  Travel: 6003,
  Finance: 6015,
  'Social Networking': 6005,
  Productivity: 6007,
  'Photo & Video': 6008,
  News: 6009,
  Navigation: 6010,
  Music: 6011,
  Entertainment: 6016,
  Education: 6017,
  Shopping: 6024,
} as const;

export const STORE_APPS: readonly StoreApp[] = [
  app('net.whatsapp.WhatsApp', 'WhatsApp Messenger', 'WhatsApp Inc.', 310633997, 310633997, 'Social Networking', '24.12.78', '24.12.78.75', '2009-05-04T03:54:34Z', [37, 211, 102]),
  app('org.whispersystems.signal', 'Signal - Private Messenger', 'Signal Messenger, LLC', 1143891575, 874139669, 'Social Networking', '7.14', '7.14.0.24', '2014-07-29T17:29:45Z', [58, 118, 240]),
  app('ph.telegra.Telegraph', 'Telegram Messenger', 'Telegram FZ-LLC', 686449810, 686449807, 'Social Networking', '10.13.2', '28542', '2013-08-14T00:51:55Z', [42, 171, 238]),
  app('com.google.Gmail', 'Gmail - Email by Google', 'Google LLC', 281956209, 422689480, 'Productivity', '6.0.240527', '6.0.240527.0', '2011-11-02T18:17:05Z', [234, 67, 53]),
  app('com.google.Maps', 'Google Maps', 'Google LLC', 281956209, 585027354, 'Navigation', '6.118.1', '6.118.1.0', '2012-12-12T23:06:39Z', [52, 168, 83]),
  app('com.google.ios.youtube', 'YouTube: Watch, Listen, Stream', 'Google LLC', 281956209, 544007664, 'Photo & Video', '19.22.3', '19.22.3', '2012-09-11T04:09:06Z', [255, 0, 0]),
  app('com.google.chrome.ios', 'Google Chrome', 'Google LLC', 281956209, 535886823, 'Utilities', '125.0.6422.80', '6422.80', '2012-06-28T07:00:00Z', [66, 133, 244]),
  app('com.burbn.instagram', 'Instagram', 'Instagram, Inc.', 389801255, 389801252, 'Photo & Video', '333.0', '614371386', '2010-10-06T07:00:00Z', [193, 53, 132]),
  app('com.facebook.Facebook', 'Facebook', 'Meta Platforms, Inc.', 284882218, 284882215, 'Social Networking', '469.0', '597125414', '2019-02-05T08:00:00Z', [24, 119, 242]),
  app('com.facebook.Messenger', 'Messenger', 'Meta Platforms, Inc.', 284882218, 454638411, 'Social Networking', '461.0', '596811823', '2011-08-09T07:00:00Z', [0, 132, 255]),
  app('com.spotify.client', 'Spotify - Music and Podcasts', 'Spotify', 324684583, 324684580, 'Music', '8.9.44', '8.9.44.578', '2009-07-15T07:00:00Z', [30, 215, 96]),
  app('com.netflix.Netflix', 'Netflix', 'Netflix, Inc.', 363590054, 363590051, 'Entertainment', '16.27.0', '3948', '2010-04-01T07:00:00Z', [229, 9, 20]),
  app('com.ubercab.UberClient', 'Uber - Request a ride', 'Uber Technologies, Inc.', 368677371, 368677368, 'Travel', '3.613.10004', '3.613.10004', '2010-05-21T07:00:00Z', [0, 0, 0]),
  app('com.booking.BookingApp', 'Booking.com: Hotels & Travel', 'Booking.com', 367003842, 367003839, 'Travel', '45.1', '45.1.0.1', '2010-07-15T07:00:00Z', [0, 53, 128]),
  app('com.airbnb.app', 'Airbnb', 'Airbnb, Inc.', 401626266, 401626263, 'Travel', '24.23', '24.23.1', '2010-11-10T08:00:00Z', [255, 90, 95]),
  app('com.duolingo.DuolingoMobile', 'Duolingo - Language Lessons', 'Duolingo', 570060131, 570060128, 'Education', '7.40.0', '7.40.0.1', '2012-11-13T08:00:00Z', [88, 204, 2]),
  app('us.zoom.videomeetings', 'Zoom Workplace', 'Zoom Video Communications, Inc.', 546505310, 546505307, 'Business', '6.0.12', '21021', '2012-08-15T07:00:00Z', [11, 92, 255]),
  app('com.microsoft.Office.Outlook', 'Microsoft Outlook', 'Microsoft Corporation', 298856275, 951937596, 'Productivity', '4.2421.0', '4.2421.0', '2015-01-29T08:00:00Z', [0, 120, 212]),
  app('com.microsoft.skype.teams', 'Microsoft Teams', 'Microsoft Corporation', 298856275, 1113153706, 'Business', '6.11.1', '6.11.1.2', '2016-11-02T07:00:00Z', [80, 89, 201]),
  app('org.mozilla.ios.Firefox', 'Firefox: Private, Safe Browser', 'Mozilla', 989804929, 989804926, 'Productivity', '126.1', '44181', '2015-11-12T08:00:00Z', [255, 113, 57]),
  app('com.duckduckgo.mobile.ios', 'DuckDuckGo Private Browser', 'Duck Duck Go, Inc.', 663592364, 663592361, 'Utilities', '7.121.0', '7.121.0.2', '2013-06-24T07:00:00Z', [222, 88, 51]),
  app('ch.protonmail.protonmail', 'Proton Mail: Encrypted Email', 'Proton AG', 979659908, 979659905, 'Productivity', '4.14.1', '4.14.1.3', '2015-05-13T07:00:00Z', [109, 74, 255]),
  app('com.viber', 'Rakuten Viber Messenger', 'Viber Media SARL.', 382617923, 382617920, 'Social Networking', '23.1.0', '23.1.0.12', '2010-12-02T08:00:00Z', [115, 96, 242]),
  app('com.waze.iphone', 'Waze Navigation & Live Traffic', 'Waze Inc.', 323229109, 323229106, 'Navigation', '4.104.1', '4.104.1.2', '2009-07-07T07:00:00Z', [51, 204, 255]),
  app('com.zhiliaoapp.musically', 'TikTok', 'TikTok Ltd.', 835599323, 835599320, 'Entertainment', '35.0.0', '350008', '2014-04-02T07:00:00Z', [1, 1, 1]),
  app('com.yourcompany.PPClient', 'PayPal - Send, Shop, Manage', 'PayPal, Inc.', 283646712, 283646709, 'Finance', '8.62.0', '8.62.0.1', '2008-07-10T07:00:00Z', [0, 48, 135]),
  app('com.revolut.revolut', 'Revolut', 'Revolut Ltd', 932493385, 932493382, 'Finance', '10.45', '10.45.1', '2014-11-20T08:00:00Z', [25, 28, 31]),
  app('com.chase', 'Chase Mobile®: Bank & Invest', 'JPMorgan Chase & Co.', 298867250, 298867247, 'Finance', '5.7.0', '5.7.0.1', '2008-12-17T08:00:00Z', [17, 122, 202]),
  app('com.united.UnitedCustomerFacingIPhoneApp', 'United Airlines', 'United Airlines', 449945217, 449945214, 'Travel', '4.1.104', '4.1.104.2', '2011-06-16T07:00:00Z', [0, 40, 120]),
  app('com.delta.iphone.ver1', 'Fly Delta', 'Delta Air Lines, Inc.', 388491659, 388491656, 'Travel', '6.9', '6.9.1', '2010-09-22T07:00:00Z', [196, 18, 48]),
  app('com.amazon.Amazon', 'Amazon Shopping', 'AMZN Mobile LLC', 297606954, 297606951, 'Shopping', '24.11.2', '24.11.2.100', '2008-12-03T08:00:00Z', [255, 153, 0]),
  app('com.atebits.Tweetie2', 'X', 'X Corp.', 333903274, 333903271, 'News', '10.44', '10.44.1', '2009-10-12T07:00:00Z', [0, 0, 0]),
  app('com.google.Authenticator', 'Google Authenticator', 'Google LLC', 281956209, 388497605, 'Utilities', '4.2.1', '4.2.1.0', '2010-09-20T07:00:00Z', [26, 115, 232]),
];
