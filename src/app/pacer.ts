/**
 * Lets the event loop turn during long runs of async work that never waits on I/O. A `for await` over records
 * that are already at hand is a chain of microtasks: signal handlers and timers only run once it ends, so
 * without a turn now and then, Ctrl-C would wait for the whole artifact (or forever, on hostile input).
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import { interruption } from '../errors.js';

/** Longest stretch of work between two turns of the event loop (a signal is noticed within about this). */
export const TURN_EVERY_MS = 25;

export interface Pacer {
  /** True when the slice is used up: then `await turn()`. Cheap enough to call per record. */
  due(): boolean;
  /** Gives the event loop a turn, then throws InterruptedError if the run was aborted meanwhile. */
  turn(): Promise<void>;
}

export function createPacer(signal: AbortSignal, everyMs = TURN_EVERY_MS): Pacer {
  let next = performance.now() + everyMs;
  return {
    due: () => performance.now() >= next,
    async turn() {
      await nextTurn();
      if (signal.aborted) throw interruption(signal);
      next = performance.now() + everyMs;
    },
  };
}
