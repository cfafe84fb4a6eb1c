/** What the `tracehound` process exit status means; documented in `--help` and the README. */
export const EXIT = {
  /** Every applicable artifact was read (or is absent for a stated reason) and nothing reached --fail-on. */
  ok: 0,
  /** At least one finding at or above --fail-on (whether or not the check is complete). */
  findings: 1,
  /** Usage or input error, or results that could not be written: one line on stderr. */
  error: 2,
  /** Nothing reached --fail-on, but artifacts failed, listed files are missing, the archive was damaged, or nothing was found to read. */
  incomplete: 3,
  /** Stopped by Ctrl-C (128 + SIGINT). */
  sigint: 130,
  /** Stopped by SIGTERM (128 + SIGTERM). */
  sigterm: 143,
  /** Stopped by SIGHUP (128 + SIGHUP), e.g. the terminal closed. */
  sighup: 129,
} as const;

export const exitCodesHelp = `
Exit codes:
  0    nothing at or above --fail-on, and every applicable artifact was read (or is absent for a stated reason)
  1    findings at or above --fail-on
  2    usage or input error, or results could not be written (one line on stderr)
  3    incomplete check: nothing at or above --fail-on, but artifacts failed, files listed in
       Manifest.db are missing, the archive was damaged or no artifact found its files (the summary says which)
  130  interrupted by Ctrl-C (143: SIGTERM); temporary files and partial results are removed`;
