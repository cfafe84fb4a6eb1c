/**
 * Fixed word lists for synthetic evidence: popular web sites, real iOS daemons and app bundle ids, message
 * texts. Everything here is benign and public; none of it may appear in any indicator feed, so a generated
 * backup checked against real indicators gives findings only for what was planted on purpose.
 */

/** Hosts as users visit them (with `www.` where the site uses it) and a page title. */
export const SITES: readonly { host: string; title: string }[] = [
  { host: 'www.google.com', title: 'Google' },
  { host: 'www.youtube.com', title: 'YouTube' },
  { host: 'en.wikipedia.org', title: 'Wikipedia, the free encyclopedia' },
  { host: 'www.reddit.com', title: 'Reddit - Dive into anything' },
  { host: 'www.amazon.com', title: 'Amazon.com. Spend less. Smile more.' },
  { host: 'www.nytimes.com', title: 'The New York Times - Breaking News' },
  { host: 'www.bbc.com', title: 'BBC - Home' },
  { host: 'www.theguardian.com', title: 'News, sport and opinion from the Guardian' },
  { host: 'www.apple.com', title: 'Apple' },
  { host: 'support.apple.com', title: 'Official Apple Support' },
  { host: 'github.com', title: 'GitHub: Let’s build from here' },
  { host: 'stackoverflow.com', title: 'Stack Overflow - Where Developers Learn, Share, & Build Careers' },
  { host: 'www.instagram.com', title: 'Instagram' },
  { host: 'www.facebook.com', title: 'Facebook - log in or sign up' },
  { host: 'x.com', title: 'X' },
  { host: 'www.linkedin.com', title: 'LinkedIn: Log In or Sign Up' },
  { host: 'www.netflix.com', title: 'Netflix' },
  { host: 'open.spotify.com', title: 'Spotify - Web Player' },
  { host: 'www.booking.com', title: 'Booking.com | Official site' },
  { host: 'www.airbnb.com', title: 'Airbnb | Vacation rentals, cabins, beach houses' },
  { host: 'maps.google.com', title: 'Google Maps' },
  { host: 'www.weather.com', title: 'National and Local Weather Radar' },
  { host: 'www.reuters.com', title: 'Reuters | Breaking International News & Views' },
  { host: 'apnews.com', title: 'Associated Press News' },
  { host: 'www.lemonde.fr', title: 'Le Monde.fr - Actualités et Infos en France et dans le monde' },
  { host: 'www.spiegel.de', title: 'DER SPIEGEL - Nachrichten' },
  { host: 'www.aljazeera.com', title: 'Breaking News, World News and Video from Al Jazeera' },
  { host: 'www.imdb.com', title: 'IMDb: Ratings, Reviews, and Where to Watch' },
  { host: 'duckduckgo.com', title: 'DuckDuckGo — Privacy, simplified.' },
  { host: 'www.paypal.com', title: 'PayPal: Pay, Send Money & Accept Payments' },
  { host: 'mail.google.com', title: 'Gmail' },
  { host: 'outlook.live.com', title: 'Outlook' },
  { host: 'www.ebay.com', title: 'Electronics, Cars, Fashion, Collectibles & More | eBay' },
  { host: 'signal.org', title: 'Signal >> Home' },
  { host: 'www.eff.org', title: 'Electronic Frontier Foundation' },
  { host: 'www.amnesty.org', title: 'Amnesty International' },
  { host: 'www.hrw.org', title: 'Human Rights Watch' },
  { host: 'news.ycombinator.com', title: 'Hacker News' },
  { host: 'medium.com', title: 'Medium – Where good ideas find you.' },
  { host: 'www.washingtonpost.com', title: 'The Washington Post' },
];

export const PATH_WORDS: readonly string[] = [
  'news', 'world', 'europe', 'africa', 'americas', 'asia', 'politics', 'technology', 'science', 'health',
  'climate', 'business', 'sport', 'culture', 'travel', 'opinion', 'video', 'live', 'analysis', 'interview',
  'election', 'markets', 'football', 'music', 'film', 'books', 'recipes', 'housing', 'education', 'security',
];

/** Real iOS daemon names as DataUsage records them (ZPROCNAME before the `/`). */
export const DAEMONS: readonly string[] = [
  'mDNSResponder', 'nsurlsessiond', 'trustd', 'apsd', 'identityservicesd', 'itunesstored', 'appstored', 'cloudd',
  'geod', 'parsecd', 'dataaccessd', 'routined', 'mapspushd', 'gamed', 'bird', 'searchd', 'sharingd', 'remindd',
  'mediaserverd', 'kbd', 'fmfd', 'maild', 'assistantd', 'healthd', 'locationd', 'rapportd', 'akd', 'coreduetd',
  'promotedcontentd', 'cloudpaird', 'willowd', 'mediasetupd', 'online-auth-agent', 'SafariViewService',
  'NotificationServiceExtension', 'CommCenter', 'symptomsd', 'wifid', 'backboardd', 'SpringBoard',
];

/** Processes DataUsage lists without a bundle (ZBUNDLENAME NULL), as on real devices. */
export const BARE_PROCESSES: readonly string[] = [
  'CumulativeUsageTracker', 'mDNSResponder', 'networkserviceproxy', 'nsurlsessiond', 'timed', 'CommCenter',
  'IMTransferAgent', 'softwareupdateservicesd', 'mobileassetd', 'WirelessRadioManagerd', 'absd', 'nesessionmanager',
];

/** App and system bundle ids of a typical phone. */
export const BUNDLES: readonly string[] = [
  'com.apple.mobilesafari', 'com.apple.MobileSMS', 'com.apple.mobilemail', 'com.apple.Maps', 'com.apple.mobileslideshow',
  'com.apple.Music', 'com.apple.news', 'com.apple.Health', 'com.apple.Fitness', 'com.apple.weather', 'com.apple.stocks',
  'com.apple.mobilecal', 'com.apple.mobilenotes', 'com.apple.reminders', 'com.apple.Preferences', 'com.apple.AppStore',
  'com.apple.iBooks', 'com.apple.podcasts', 'com.apple.facetime', 'com.apple.camera', 'com.apple.findmy', 'com.apple.Home',
  'com.apple.datausage.icloud', 'com.apple.datausage.security', 'com.apple.datausage.maps', 'com.apple.datausage.siri',
  'com.apple.datausage.appleid', 'com.apple.datausage.docsandsync', 'com.apple.datausage.diagnostics',
  'net.whatsapp.WhatsApp', 'org.whispersystems.signal', 'ph.telegra.Telegraph', 'com.google.chrome.ios', 'com.google.Gmail',
  'com.google.Maps', 'com.spotify.client', 'com.burbn.instagram', 'com.facebook.Messenger', 'com.atebits.Tweetie2',
  'com.zhiliaoapp.musically', 'us.zoom.videomeetings', 'com.microsoft.skype.teams', 'ch.protonmail.protonmail',
  'org.mozilla.ios.Firefox', 'com.duckduckgo.mobile.ios', 'com.viber', 'jp.naver.line', 'com.waze.iphone',
];

/** Third-party apps (AppDomain-… in backups). */
export const APPS: readonly string[] = BUNDLES.filter((b) => !b.startsWith('com.apple.datausage.'));

/** TCC services iOS 17 knows. */
export const TCC_SERVICES: readonly string[] = [
  'kTCCServiceCamera', 'kTCCServiceMicrophone', 'kTCCServicePhotos', 'kTCCServicePhotosAdd', 'kTCCServiceAddressBook',
  'kTCCServiceCalendar', 'kTCCServiceReminders', 'kTCCServiceMotion', 'kTCCServiceMediaLibrary', 'kTCCServiceBluetoothAlways',
  'kTCCServiceUbiquity', 'kTCCServiceLiverpool', 'kTCCServiceWebKitIntelligentTrackingPrevention', 'kTCCServiceUserTracking',
  'kTCCServiceSpeechRecognition', 'kTCCServiceFaceID', 'kTCCServiceWillow',
];

export const FIRST_NAMES: readonly string[] = [
  'alex', 'sam', 'maria', 'li', 'fatima', 'omar', 'sofia', 'lucas', 'amina', 'noah', 'yara', 'david', 'lea', 'chen', 'ana',
];

export const MESSAGE_TEXTS: readonly string[] = [
  'Are we still on for tonight?',
  'On my way, 10 minutes.',
  'Can you call me when you get this?',
  'Thanks! See you tomorrow.',
  'Did you see the news this morning?',
  'Happy birthday!! 🎉',
  'The meeting moved to 3pm.',
  'ok',
  'Running late, sorry.',
  'Where should we meet?',
  'Love you ❤️',
  'Sent you the documents by email.',
  'Your verification code is 482913. Do not share it with anyone.',
  'Your appointment is confirmed for Monday at 9:30.',
  'Can you pick up bread on the way home?',
  'Call me back please, it is important.',
];

/** Texts that carry a link to one of SITES; `{url}` is replaced. */
export const LINK_TEXTS: readonly string[] = [
  'Look at this {url}',
  'Here is the article I mentioned: {url}',
  '{url}',
  'Tickets: {url} see you there',
];
