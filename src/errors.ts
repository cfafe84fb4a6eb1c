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
  | 'output'
  | 'usage';

/**
 * Results could not be written (a full disk, a folder where a file should be). The run stops: a write error is
 * never counted against an artifact, so it cannot make a finding disappear as if the evidence were at fault.
 */
export class OutputError extends UserError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('output', message, options);
  }
}

/** The run was stopped by a signal (Ctrl-C, SIGTERM); the CLI exits 128 + the signal number. */
export class InterruptedError extends Error {
  override readonly name = 'InterruptedError';
  constructor(readonly signal: InterruptSignal) {
    super(`interrupted (${signal})`);
  }
}

export type InterruptSignal = 'SIGINT' | 'SIGTERM' | 'SIGHUP';

/** The reason an AbortSignal carries, as an InterruptedError (an abort without one counts as SIGINT). */
export function interruption(signal: AbortSignal): InterruptedError {
  return signal.reason instanceof InterruptedError ? signal.reason : new InterruptedError('SIGINT');
}

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
