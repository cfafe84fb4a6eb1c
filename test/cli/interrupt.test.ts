/**
 * The CLI's signal handling as a unit (the real-process runs are in signals.test.ts): disposing it after a
 * normal run removes its listeners; after an interruption they stay, so a further Ctrl-C between the unwinding
 * and the exit still ends the process with 130, cleaned up, instead of by the signal's default action.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { InterruptedError } from '../../src/errors.js';
import { handleInterrupts } from '../../src/cli/interrupt.js';

const before = new Set(process.listeners('SIGINT'));
const added = () => process.listeners('SIGINT').filter((l) => !before.has(l));
afterEach(() => {
  for (const l of added()) process.removeListener('SIGINT', l);
});

describe('handleInterrupts', () => {
  it('after a run that was not interrupted, dispose removes its listeners', () => {
    const h = handleInterrupts(() => {});
    expect(added()).toHaveLength(1);
    h.dispose();
    expect(added()).toHaveLength(0);
    expect(h.signal.aborted).toBe(false);
  });

  it('after an interruption, the run is aborted and dispose keeps the listener for a second Ctrl-C', () => {
    const h = handleInterrupts(() => {});
    process.emit('SIGINT', 'SIGINT');
    expect(h.signal.aborted).toBe(true);
    expect(h.signal.reason).toBeInstanceOf(InterruptedError);
    h.dispose();
    expect(added()).toHaveLength(1);
  });
});
