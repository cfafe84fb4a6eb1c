/**
 * Fuzzing of the match keys (docs/dev/fuzzing.md): observable values come from hostile evidence (any text a
 * message, a path or a plist holds). For any value of any kind, `observableKeys` returns within the time bound,
 * never throws, and its keys are bounded by the value (a path gives one key per folder level, a host one per
 * label).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Observable, ObservableKind } from '../../src/artifacts/artifact.js';
import { observableKeys } from '../../src/indicators/match-keys.js';
import { anyText, checkBounded, fuzz, fuzzRuns, must, timeoutFor } from '../fuzz/_fuzz.js';

const KINDS: ObservableKind[] = ['url', 'domain', 'process', 'email', 'file_path', 'file_name', 'md5', 'sha1', 'sha256', 'app_id', 'cert_hash', 'profile_id', 'android_property'];
const RUNS = fuzzRuns(2000);
const never = () => false;

const text = fc.oneof(anyText(300), fc.webUrl(), fc.domain(), fc.emailAddress(), fc.array(fc.constantFrom('a', '/', '.', 'www', '..', ':', '@', '[', ']', '%', ' '), { maxLength: 60 }).map((p) => p.join('')));
const observable = fc.record({ kind: fc.constantFrom(...KINDS), value: text, role: fc.constantFrom(undefined, 'mention' as const) });

describe('observableKeys on hostile values', () => {
  it(
    'returns bounded keys for any value, never throwing',
    () => {
      const stats = fuzz(
        'observableKeys',
        observable,
        ({ kind, value, role }) =>
          checkBounded(() => {
            const obs: Observable = { kind, value, field: 'f', ...(role ? { role } : {}) };
            const keys = observableKeys(obs);
            // One key per character at most, plus the few fixed lookups (URL spellings, host, www-bare).
            must(keys.length <= value.length + 8, `${keys.length} keys for a value of ${value.length} characters`);
            for (const k of keys) must(typeof k.key === 'string', 'a key that is not text');
          }, never),
        RUNS,
      );
      expect(stats.inputs).toBe(RUNS);
      expect(stats.refused).toBe(0);
    },
    timeoutFor(RUNS, 5),
  );
});
