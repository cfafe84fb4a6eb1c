/** What a run could and could not read, per artifact: the part of a report that keeps findings honest. */
import type { ParseIssue } from '../artifacts/artifact.js';

export type CoverageState = 'parsed' | 'partial' | 'empty' | 'missing' | 'failed' | 'skipped';

export interface Coverage {
  readonly artifact: string;
  readonly title: string;
  readonly state: CoverageState;
  readonly records: number;
  readonly files: string[];
  readonly issues: ParseIssue[];
  /** One line for a human when the state is not `parsed`. */
  readonly reason?: string;
}

