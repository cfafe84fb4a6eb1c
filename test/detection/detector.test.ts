import { describe, expect, it } from 'vitest';
import type { Observable } from '../../src/artifacts/artifact.js';
import { createDetector } from '../../src/detection/detector.js';
import type { RecordFacts } from '../../src/detection/facts.js';
import { compileIndicators } from '../../src/indicators/match.js';
import webkitRules from '../../src/rules/ios/webkit_session_resource_log.js';
import { defineRule, type AnyRule } from '../../src/rules/rule.js';
import { collectionsOf } from '../indicators/bundle.js';

// Detection is tested over plain data: no evidence is opened, as a re-check of stored observables would run it.
const matcher = compileIndicators(
  collectionsOf({ malware: ['Predator'], indicators: [{ pattern: "[domain-name:value='bad.example']", malware: 'Predator' }, { pattern: "[url:value='https://bad.example/x']", malware: 'Predator' }] }),
);
const noIndicators = compileIndicators([]);
const evidence: RecordFacts['evidence'] = { ref: { root: '/case/backup', storedPath: '3d/3d0d7e5fb2ce288813306e4d4636395e047a3d28' }, at: { table: 'message', rowid: 7 } };
const facts = <R>(record: R, observables: Observable[] = [], artifact = 'ios.sms'): RecordFacts<R> => ({ artifact, record, observables, evidence });
const url = (value: string, role?: Observable['role']): Observable => ({ kind: 'url', value, field: 'links', ...(role ? { role } : {}) });

const meta = { version: 1, artifact: 'ios.sms', level: 'medium' as const, title: 't', why: 'Why it matters.', innocent: 'A test.', source: 'unit test' };
const recordRule = defineRule<{ text: string }>({ ...meta, id: 'ios.sms.shouting', scope: 'record', check: (r) => (r.text === r.text.toUpperCase() ? [{ message: `shouting: ${r.text}` }] : []) });
const artifactRule = defineRule<{ text: string }>({
  ...meta,
  id: 'ios.sms.repeated',
  scope: 'artifact',
  check: (records) => records.filter((r, i) => records.findIndex((o) => o.text === r.text) !== i).map((record) => ({ record, hit: { message: `repeated: ${record.text}`, level: 'low' } })),
});
const matchedRule = defineRule<{ text: string }>({ ...meta, id: 'ios.sms.listed_link', scope: 'matched', check: (_r, matched) => [{ message: `matched ${matched.map((m) => `${m.field}=${m.indicator}`).join(',')}` }] });
const rules: AnyRule[] = [recordRule, artifactRule, matchedRule];

describe('detection over a record\'s facts', () => {
  it('turns an observable that matches an indicator into an explained finding carrying the record and its evidence', () => {
    const record = { text: 'see https://bad.example/x' };
    const [finding, ...rest] = createDetector(matcher, []).record(facts(record, [url('https://bad.example/x')]));
    expect(rest.map((f) => f.match?.kind)).toEqual(['domain']);
    expect(finding).toMatchObject({
      level: 'critical',
      artifact: 'ios.sms',
      eventTime: null,
      record,
      evidence,
      match: { kind: 'exact-url', observed: 'https://bad.example/x', field: 'links' },
      indicator: { value: 'https://bad.example/x', key: 'url:value', collection: { name: 'Predator' }, file: { name: 'fixture.stix2' } },
    });
    expect(finding!.explanation).toContain('listed in the "Predator" indicators');
  });

  it('rates a mention HIGH, not CRITICAL (the level policy of findings/explain.ts)', () => {
    expect(createDetector(matcher, []).record(facts({ text: '' }, [url('bad.example', 'mention')])).map((f) => f.level)).toEqual(['high']);
  });

  it('reports a value seen in two fields once per indicator', () => {
    const twice = [url('https://bad.example/x'), { ...url('https://bad.example/x'), field: 'text' }];
    expect(createDetector(matcher, []).record(facts({ text: '' }, twice))).toHaveLength(2);
  });

  it('finds nothing without indicators, and skips empty observables', () => {
    expect(createDetector(noIndicators, []).record(facts({ text: 'x' }, [url('https://bad.example/x')]))).toEqual([]);
    expect(createDetector(matcher, []).record(facts({ text: 'x' }, [url('')]))).toEqual([]);
  });

  it('orders a record\'s findings: indicator matches, then the rules that see those matches, then the record rules', () => {
    const found = createDetector(matcher, rules).record(facts({ text: 'HI' }, [url('https://bad.example/x')]));
    expect(found.map((f) => f.rule?.id ?? f.match?.kind)).toEqual(['exact-url', 'domain', 'ios.sms.listed_link', 'ios.sms.shouting']);
    expect(found[2]!.message).toBe('matched links=https://bad.example/x,links=bad.example');
  });

  it('runs a matched rule only when something matched', () => {
    expect(createDetector(matcher, rules).record(facts({ text: 'quiet' }, [url('https://fine.example/')]))).toEqual([]);
  });

  it('writes a rule finding from the rule\'s metadata: its level unless the hit sets one, why and innocent explanations', () => {
    const [finding] = createDetector(noIndicators, rules).record(facts({ text: 'HI' }));
    expect(finding).toEqual({
      level: 'medium',
      artifact: 'ios.sms',
      message: 'shouting: HI',
      explanation: 'Why it matters. Innocent explanations: A test.',
      eventTime: null,
      record: { text: 'HI' },
      evidence,
      rule: { id: 'ios.sms.shouting', version: 1, source: 'unit test' },
    });
  });

  it('applies only the rules of the record\'s artifact', () => {
    expect(createDetector(noIndicators, rules).record(facts({ text: 'HI' }, [], 'ios.calls'))).toEqual([]);
  });

  it('runs artifact-scope rules over all records, each finding carrying the evidence of the record it names', () => {
    const detector = createDetector(noIndicators, rules);
    expect(detector.needsAllRecords('ios.sms')).toBe(true);
    expect(detector.needsAllRecords('ios.calls')).toBe(false);
    const second = { ...facts({ text: 'a' }), evidence: { ...evidence, at: { table: 'message', rowid: 9 } } };
    const found = detector.artifact('ios.sms', [facts({ text: 'a' }), second, facts({ text: 'b' })]);
    expect(found.map((f) => [f.message, f.level, f.evidence.at])).toEqual([['repeated: a', 'low', { table: 'message', rowid: 9 }]]);
    expect(detector.artifact('ios.calls', [facts({ text: 'a' }), facts({ text: 'a' })])).toEqual([]);
  });

  it('correlates a WebKit redirect chain with the indicator that matched it (a real matched rule)', () => {
    const record = { origin: 'bad.example', redirect_source: [{ origin: 'shortener.example' }], redirect_destination: [], last_seen: null };
    const found = createDetector(matcher, webkitRules).record(facts(record, [{ kind: 'domain', value: 'bad.example', field: 'origin' }], 'ios.webkit_session_resource_log'));
    expect(found.map((f) => f.message)).toEqual(['Found a known suspicious domain bad.example matching indicator "bad.example" from "Predator"', 'Found HTTP redirect between suspicious domains: SOURCE: "shortener.example" -> ORIGIN: "bad.example"']);
  });
});

describe('a process indicator matched by name and in the path of the same record', () => {
  const processes = compileIndicators(collectionsOf({ malware: ['Pegasus'], indicators: [{ pattern: "[process:name='roleaccountd']", malware: 'Pegasus' }] }));
  const client = '/private/var/db/com.apple.xpc.roleaccountd.staging/roleaccountd';
  const observables: Observable[] = [
    { kind: 'file_path', value: client, field: 'client' },
    { kind: 'process', value: 'roleaccountd', field: 'binary' },
  ];

  it('is reported once, as the process that ran, not again as "only a mention" in its path', () => {
    const found = createDetector(processes, []).record(facts({ client }, observables, 'ios.shutdown_log'));
    expect(found.map((f) => [f.match?.kind, f.level])).toEqual([['process', 'critical']]);
  });

  it('must not match away: the path alone still gives its own finding', () => {
    const found = createDetector(processes, []).record(facts({ client }, observables.slice(0, 1), 'ios.shutdown_log'));
    expect(found.map((f) => f.match?.kind)).toEqual(['process-in-path']);
  });
});
