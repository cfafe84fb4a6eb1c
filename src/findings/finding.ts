import type { Locator } from '../artifacts/artifact.js';
import type { EvidenceRef } from '../evidence/source.js';
import type { Moment } from '../formats/time.js';

export const levels = ['informational', 'low', 'medium', 'high', 'critical'] as const;
export type Level = (typeof levels)[number];

export function levelRank(level: Level): number {
  return levels.indexOf(level);
}

export function parseLevel(text: string): Level | null {
  const t = text.toLowerCase();
  if (t === 'info') return 'informational';
  return (levels as readonly string[]).includes(t) ? (t as Level) : null;
}

/** The indicator a finding matched, with enough provenance for a second lab to find it. */
export interface IndicatorRef {
  readonly value: string;
  /** The indicator's pattern key: `domain-name:value`, `process:name`, … */
  readonly key: string;
  /** MVT's bucket name for the same kind (`domains`, `processes`, …), for compatible output. */
  readonly bucket: string;
  readonly collection: { readonly id: string; readonly name: string };
  readonly file: { readonly path: string; readonly name: string; readonly sha256: string };
  readonly stixId?: string;
}

/** Why the observable matched: equality, a parent domain, a truncated process name, … */
export type MatchKind =
  | 'exact-url'
  | 'domain'
  | 'subdomain'
  | 'ip'
  | 'process'
  | 'process-truncated'
  /** A file (not a folder) named like a process, where a process binary can be (indicators/match.ts). */
  | 'process-in-path'
  | 'email'
  | 'file-name'
  | 'file-path'
  | 'hash'
  | 'app-id'
  | 'cert-hash'
  | 'profile-id'
  /** The start of a listed profile id, at least 8 characters: MCProfileEvents can cut identifiers short. */
  | 'profile-id-truncated'
  | 'android-property';

export interface RuleRef {
  readonly id: string;
  readonly version: number;
  readonly source: string;
}

export interface Finding {
  readonly level: Level;
  /** The artifact whose record this is about. */
  readonly artifact: string;
  /** One line, in MVT's wording where MVT has the same detection. */
  readonly message: string;
  /** Plain language for a non-expert: what it means, how sure we are, what innocent explanation exists. */
  readonly explanation: string;
  readonly eventTime: Moment | null;
  readonly record: unknown;
  readonly evidence: { readonly ref: EvidenceRef; readonly at: Locator };
  readonly indicator?: IndicatorRef;
  readonly match?: { readonly kind: MatchKind; readonly observed: string; readonly field: string };
  readonly rule?: RuleRef;
  /** Set when the record came from a damaged or recovered file. */
  readonly recovered?: boolean;
}
