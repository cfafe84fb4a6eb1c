/**
 * What detection sees of one record: plain data, no Source and no parser. The live check builds it from a
 * parsed record; a re-check builds it from stored observables, without reading the evidence again.
 */
import type { Observable } from '../artifacts/artifact.js';
import type { Finding } from '../findings/finding.js';

export interface RecordFacts<R = unknown> {
  /** The id of the artifact the record came from (`ios.sms`). */
  readonly artifact: string;
  readonly record: R;
  /** What the artifact's `observables` declared for this record. */
  readonly observables: readonly Observable[];
  /** Where the record was read: copied onto every finding about it. */
  readonly evidence: Finding['evidence'];
}
