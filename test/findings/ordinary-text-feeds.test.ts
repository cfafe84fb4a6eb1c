/**
 * The false-positive side of the scheme-less tokenizer against the real feeds: ordinary text, tokenized as
 * every artifact does (mentions, links included), matches none of the indicators in ../shared/data/iocs.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { tokensInText } from '../../src/formats/text-links.js';
import { loadIndicators } from '../../src/indicators/load.js';
import { compileIndicators, type Matcher } from '../../src/indicators/match.js';
import { EVENT_TITLES, EVERYDAY_TEXTS, LINK_TEXTS, MEETING_LINKS, MESSAGE_TEXTS, PROFILE_LINKS, SITES } from '../../src/synth/_vocabulary.js';
import { shared } from '../helpers/data.js';

/** Sentences with dotted words, file names, versions, well-known sites and addresses, as people write them. */
const ORDINARY = [
  'See you at 10 a.m., i.e. before lunch. Bring the file.txt, e.g. on a USB stick.',
  'The photo.JPG and IMG_0042.mov are in backup.zip; README.md explains main.py and install.sh.',
  'Update to iOS 17.4.1, then v1.2 of the app. Pi is 3.14, the price 4.99.',
  'Mr.Smith and Dr.Who met at St.Louis. End of the sentence.Next one.',
  'Order at apple.com or amazon.de/gp/cart; tracking on ups.com, dhl.de and laposte.fr.',
  'Write to support@apple.com, dana@gmail.com or help@icloud.com.',
  'News on bbc.co.uk, lemonde.fr, spiegel.de, elpais.com, nytimes.com and aljazeera.net.',
  'Maps: google.com/maps, maps.apple.com; videos on youtube.com and vimeo.com.',
  'Bank: www.chase.com, www.barclays.co.uk; pay with paypal.com or revolut.com.',
  'Join us on whatsapp.com, signal.org, telegram.org or zoom.us/j/123.',
];

describe('ordinary text against every real feed', () => {
  let matcher: Matcher;

  beforeAll(async () => {
    const loaded = await loadIndicators({ paths: [shared('iocs')], userDir: null });
    matcher = compileIndicators(loaded.collections);
  });

  it('loads the feeds (thousands of indicators)', () => {
    expect(matcher.size).toBeGreaterThan(5000);
  });

  it('finds hosts and addresses in ordinary text, and none of them is an indicator', () => {
    const texts = [
      ...ORDINARY,
      ...MESSAGE_TEXTS,
      ...EVERYDAY_TEXTS,
      ...EVENT_TITLES,
      ...LINK_TEXTS.flatMap((t) => SITES.map((s) => t.replace('{url}', `${s.host}/a`))),
      ...PROFILE_LINKS.map((t) => t.replace('{name}', 'dana')),
      ...MEETING_LINKS.map((t) => t.replace('{digits}', '123').replace('{code}', 'abc')),
      ...SITES.map((s) => s.title),
    ];
    const tokens = texts.flatMap((t) => tokensInText(t, { httpLinks: true }));
    expect(tokens.length).toBeGreaterThan(100);
    const hits = tokens.filter((t) => matcher.match({ kind: t.kind, value: t.value, field: 'text', role: 'mention' }).length > 0);
    expect(hits).toEqual([]);
  });
});
