/**
 * Errors a user can act on: a bad path, a file that is not what it should be, a wrong password.
 * The CLI prints `message` on one line and exits 2; anything else is a bug and is printed in full.
 */
export class UserError extends Error {
  override readonly name = 'UserError';
  constructor(
    readonly code: UserErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export type UserErrorCode =
  | 'not-found'
  | 'not-an-acquisition'
  | 'encrypted-backup'
  | 'wrong-password'
  | 'bad-indicators'
  | 'bad-format'
  | 'usage';

/**
 * A decoder could not read its input. `what` names the structure, `file` the evidence it came from
 * (filled in by the caller that knows it), so the message reads "Info.plist: truncated binary plist (…)".
 */
export class FormatError extends Error {
  override readonly name = 'FormatError';
  constructor(
    readonly what: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${what}: ${message}`, options);
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
