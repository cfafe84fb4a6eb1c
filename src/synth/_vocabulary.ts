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

/** Given names for the address book, from many languages. */
export const FIRST_NAMES_FULL: readonly string[] = [
  'Alex', 'Sam', 'Maria', 'Li', 'Fatima', 'Omar', 'Sofia', 'Lucas', 'Amina', 'Noah', 'Yara', 'David', 'Lea', 'Chen', 'Ana',
  'James', 'Emma', 'Olivia', 'Mateo', 'Ines', 'Kofi', 'Priya', 'Arjun', 'Hana', 'Yuki', 'Jonas', 'Elif', 'Mehmet', 'Zainab',
  'Tomás', 'Chloé', 'Lars', 'Anika', 'Diego', 'Nadia', 'Pavel', 'Olga', 'Kwame', 'Aisha', 'Rosa', 'Felix', 'Marta',
];

export const LAST_NAMES: readonly string[] = [
  'Smith', 'Garcia', 'Müller', 'Rossi', 'Dubois', 'Silva', 'Kowalski', 'Novak', 'Jensen', 'Nakamura', 'Kim', 'Nguyen',
  'Okafor', 'Haddad', 'Cohen', 'Patel', 'Singh', 'Yilmaz', 'Ivanova', 'Andersson', 'Fernández', 'Moreau', 'Bianchi',
  'Schmidt', 'Wang', 'Mensah', 'Costa', 'Lopez', "O'Brien", 'Van Dijk', 'Hoffmann', 'Takahashi', 'Ali', 'Brown',
];

/** Where ordinary people have their mail. */
export const MAIL_PROVIDERS: readonly string[] = ['gmail.com', 'icloud.com', 'outlook.com', 'yahoo.com', 'hotmail.com', 'proton.me', 'gmx.de', 'orange.fr', 'btinternet.com'];

/** Home pages and profiles in contact cards; `{name}` is replaced. Some typed without a scheme, as people do. */
export const PROFILE_LINKS: readonly string[] = [
  'https://www.linkedin.com/in/{name}',
  'linkedin.com/in/{name}',
  'https://instagram.com/{name}',
  'www.facebook.com/{name}',
  'https://github.com/{name}',
  '{name}.wordpress.com',
];

/** Video-call links in invitations; `{digits}` and `{code}` are replaced. */
export const MEETING_LINKS: readonly string[] = [
  'https://us02web.zoom.us/j/{digits}',
  'https://meet.google.com/{code}',
  'https://teams.microsoft.com/l/meetup-join/19%3ameeting_{code}%40thread.v2/0',
  'https://facetime.apple.com/join#v=1&p={code}',
];

/** Calendar event titles (never "Meeting" with the note "Notes": that is the QuaDream trace). */
export const EVENT_TITLES: readonly string[] = [
  'Dentist', 'Team stand-up', 'Lunch with Maria', 'Flight to Lisbon', 'Yoga', 'Parents’ evening', 'Quarterly review', 'Haircut',
  'Coffee w/ Jonas', 'Book club', 'Doctor appt.', 'Car service', 'Project kick-off', '1:1', 'Football practice', 'Rent due',
  'Birthday dinner', 'Call with the bank', 'Sprint planning', 'Piano lesson', 'Pick up kids', 'Gym', 'Interview', 'Vet',
];

/**
 * Everyday message texts full of dots that are not domains ("e.g.", "file.txt", "v1.2", "3.14", "5 p.m.",
 * initials, decimal prices, ellipses), and links the way people paste them: bare domains, domains with a path,
 * `www.` without a scheme, shortlinks, country-code domains. None of these hosts is in any indicator feed.
 */
export const EVERYDAY_TEXTS: readonly string[] = [
  'See you at 5 p.m. at the usual place.',
  'Bring snacks, e.g. crisps or fruit.',
  'I sent you the file.txt, can you check it?',
  'Update to v1.2 fixed it, finally.',
  'Pi is 3.14, not 3.41 😂',
  'The meeting is at 10 a.m., not 11.',
  'It costs $4.99 a month... worth it?',
  'Mr. and Mrs. Smith are coming too.',
  'Dr. Patel said it is nothing serious, i.e. just a cold.',
  'Check apple.com for the new models',
  'Look it up on wikipedia.org',
  'Found it on google.com/maps, 10 min walk',
  'Watch this youtube.com/watch?v=dQw4w9WgXcQ',
  'bbc.co.uk/news has the whole story',
  'Tickets at www.eventbrite.com, go go go',
  'Here: bit.ly/3xKq9Lm',
  'Short link: bit.ly/summer-bbq-2024',
  'Recipe: www.bbcgoodfood.com/recipes/lasagne',
  'Flight details on booking.com, ref. ABC.123',
  'Read the report (report_final.v3.pdf) before Monday.',
  'My new number is in the e-mail. Cheers.',
  'Score was 2.1 after the first half lol',
  'Version 17.5.1 broke my Wi-Fi again',
  'Photos are on icloud.com/photos, shared album "Lisbon".',
  'Her site: anna-fotografie.de',
  'The shop is www.etsy.com/shop/handmadebyrosa',
  'Try duckduckgo.com instead',
  'News from lemonde.fr this morning... wow.',
  'Password hint is in notes.txt (don’t laugh).',
  'It’s at St. Mary’s, 3rd floor, room 3.12',
  'Meet at 7.30? U.S. game starts at 8.',
  'docs.google.com/document/d/1aBcD-eFgH/edit for the agenda',
  'Download the app from apps.apple.com',
  'Can you send it to my work mail? thx.',
  'See en.wikipedia.org/wiki/Lisbon for ideas',
];

/**
 * Link previews as WhatsApp stores them for a pasted link: the link, the page's title and its description,
 * which mention other sites, dotted abbreviations and version numbers. Every host here is an ordinary site.
 */
export const LINK_PREVIEWS: readonly { url: string; title: string; summary: string }[] = [
  { url: 'https://www.bbc.co.uk/news/world-europe-68123456', title: 'Europe heatwave: temperatures pass 40C - BBC News', summary: 'Forecasters say the heat will last until Sun. More on bbc.co.uk/weather.' },
  { url: 'https://youtu.be/dQw4w9WgXcQ', title: 'Rick Astley - Never Gonna Give You Up (Official Music Video)', summary: 'The official video for “Never Gonna Give You Up” by Rick Astley. Listen on spotify.com and music.apple.com.' },
  { url: 'https://en.wikipedia.org/wiki/Lisbon', title: 'Lisbon - Wikipedia', summary: 'Lisbon is the capital and largest city of Portugal, with approx. 550,000 inhabitants (2.9 million in the metro area).' },
  { url: 'https://www.apple.com/iphone/', title: 'iPhone - Apple', summary: 'Designed to be loved. Compare models, e.g. iPhone 15 vs. iPhone 15 Pro, at apple.com/iphone/compare.' },
  { url: 'https://maps.app.goo.gl/Xq3Lw8VbNk2', title: 'Café Central · Rua da Prata 12, Lisboa', summary: '4.6 ★ (1.2k) · Coffee shop · Open until 7 p.m.' },
  { url: 'https://www.theguardian.com/world/2024/may/14/election-results-live', title: 'Election results – live updates | The Guardian', summary: 'Follow live: turnout up 3.5 pts vs. 2019. Full results at theguardian.com/politics.' },
  { url: 'https://github.com/nodejs/node/releases/tag/v20.14.0', title: 'Release v20.14.0 · nodejs/node', summary: 'Node.js v20.14.0 (LTS). Notable changes: npm 10.7.0, see nodejs.org/en/blog for details.' },
  { url: 'https://www.booking.com/hotel/pt/casa-do-rio.html', title: 'Casa do Rio, Lisbon – Updated 2024 Prices', summary: 'Rated 9.1 by guests. Free Wi-Fi, 0.5 km from the centre.' },
  { url: 'https://open.spotify.com/playlist/37i9dQZF1DXcBWIGoYBM5M', title: 'Today’s Top Hits | Spotify Playlist', summary: 'Listen on Spotify. 50 songs, approx. 2 hr 45 min.' },
  { url: 'https://www.nytimes.com/2024/06/01/science/solar-eclipse.html', title: 'What to Know About the Next Solar Eclipse - The New York Times', summary: 'Dr. J. Smith of N.A.S.A. explains; maps at nasa.gov.' },
];
