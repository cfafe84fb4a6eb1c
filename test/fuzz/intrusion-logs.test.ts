/**
 * Fuzzing the intrusion-log decoder and the record builders (docs/dev/fuzzing.md): random text, the
 * generator's files mutated byte by byte, and any JSON value as an event. None has an error to throw: each
 * returns within the time bound, what it cannot read counted.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { connectRecord } from '../../src/artifacts/android/intrusion_connect.js';
import { dnsRecord } from '../../src/artifacts/android/intrusion_dns.js';
import { securityRecord, securityText } from '../../src/artifacts/android/intrusion_security.js';
import { decodeIntrusionLog, IntrusionDedup, isObject, newFileStats } from '../../src/formats/intrusion-logs.js';
import { intrusionLogText } from '../../src/synth/intrusion-logs.js';
import { checkBounded, fuzz, fuzzRuns, timeoutFor, fuzzOnAnyText, fuzzOnMutatedSample } from './_fuzz.js';

const RUNS = fuzzRuns(300, 3);
const TIMEOUT = timeoutFor(RUNS, 40);
const never = () => false;
const sample = Buffer.from(intrusionLogText({ seed: 9, events: 60, planted: true, duplicates: 5, unknownTypes: 2 }));

/** Decodes every event and builds every record, in Paris time, as the artifacts do. */
function decodeAll(text: string): number {
  const stats = newFileStats();
  let n = 0;
  for (const e of decodeIntrusionLog(text, new IntrusionDedup(), stats)) {
    dnsRecord(e.event, 'Europe/Paris');
    connectRecord(e.event, 'Europe/Paris');
    const s = securityRecord(e.event, 'Europe/Paris');
    securityText(s);
    n++;
  }
  return n + stats.badLines;
}

const intrusion = { name: 'intrusion', sample, decode: decodeAll };

describe('intrusion-log decoder under fuzzing', () => {
  it('returns on any text', () => {
    expect(fuzzOnAnyText(intrusion, RUNS, 3_000).returned).toBe(RUNS);
  }, TIMEOUT);

  it('returns on the generator\'s file mutated byte by byte', () => {
    expect(fuzzOnMutatedSample(intrusion, RUNS).returned).toBe(RUNS);
  }, TIMEOUT);

  it('a payload nested 200,000 levels deep is kept as a note, and its record renders', () => {
    const deep = `{"security_event":{"event_time":1,"x":${'['.repeat(200_000)}${']'.repeat(200_000)}}}`;
    const [event] = [...decodeIntrusionLog(deep, new IntrusionDedup(), newFileStats())];
    const record = securityRecord(event!.event, null);
    expect(record.payload).toBe('(a value nested deeper than 16 levels: not kept)');
    expect(JSON.stringify(record).length).toBeLessThan(1000);
    expect(securityText(record)).toBe('x: (a value nested deeper than 16 levels: not kept)');
  });

  it('builds a record and a text from any JSON value as an event', () => {
    const stats = fuzz(
      'intrusion json',
      fc.jsonValue({ maxDepth: 5 }),
      (v) =>
        checkBounded(() => {
          const e = isObject(v) ? v : { value: v };
          return [dnsRecord(e, null), connectRecord(e, 'Mars/Olympus'), securityText(securityRecord(e, 'UTC'))];
        }, never),
      RUNS,
    );
    expect(stats.returned).toBe(RUNS);
  }, TIMEOUT);
});
