import { UserError } from '../errors.js';

export type CaseProblem = 'not-a-case' | 'newer-schema' | 'bad-case-folder' | 'unknown-device' | 'damaged' | 'encrypted' | 'wrong-state';

/** A case that cannot be opened or used as asked: one line for the user (exit 2), naming the case. */
export class CaseError extends UserError {
  constructor(
    readonly problem: CaseProblem,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(problem === 'unknown-device' ? 'usage' : 'bad-format', message, options);
  }
}
