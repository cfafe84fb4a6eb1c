/**
 * Ctrl-C, SIGTERM and SIGHUP always win. The first signal aborts the run (the AbortSignal reaches the artifact
 * loop and `ios decrypt`'s workers), which then removes its temp folders and partial output in its own
 * `finally` blocks and exits 130/143 with one line. If it has not stopped within GRACE_MS, or at a second
 * signal, the process removes them itself (synchronously) and exits at once.
 */
import { cleanupPrivateTemp } from '../evidence/temp.js';
import { InterruptedError, type InterruptSignal } from '../errors.js';
import { EXIT } from './exit-codes.js';

/** How long an interrupted run may take to stop cleanly before it is stopped outright. */
export const GRACE_MS = 1500;

const SIGNALS: readonly InterruptSignal[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

export function exitCodeFor(signal: InterruptSignal): number {
  return signal === 'SIGINT' ? EXIT.sigint : signal === 'SIGTERM' ? EXIT.sigterm : EXIT.sighup;
}

export function interruptedLine(signal: InterruptSignal): string {
  return `tracehound: interrupted (${signal}): stopped; temporary files and partial results removed\n`;
}

export interface InterruptHandling {
  readonly signal: AbortSignal;
  dispose(): void;
}

export function handleInterrupts(write: (text: string) => void = (t) => void process.stderr.write(t)): InterruptHandling {
  const controller = new AbortController();
  let first: InterruptSignal | null = null;
  let grace: NodeJS.Timeout | null = null;
  const stopNow = (signal: InterruptSignal) => {
    cleanupPrivateTemp();
    write(interruptedLine(signal));
    process.exit(exitCodeFor(signal));
  };
  const listeners = SIGNALS.map((signal) => {
    const listener = () => {
      if (first !== null) return stopNow(first);
      first = signal;
      controller.abort(new InterruptedError(signal));
      grace = setTimeout(() => stopNow(signal), GRACE_MS);
      grace.unref(); // never keeps a finished process alive
    };
    process.on(signal, listener);
    return { signal, listener };
  });
  return {
    signal: controller.signal,
    dispose() {
      if (grace) clearTimeout(grace);
      // Once interrupted, the process is on its way out with 130/143: a further Ctrl-C between here and the exit
      // must still end it that way (cleaned up, one line), not by the signal's default action.
      if (first !== null) return;
      for (const { signal, listener } of listeners) process.removeListener(signal, listener);
    },
  };
}
