import pc from 'picocolors';
import type { Level } from '../findings/finding.js';
import { noPaint, type Paint } from '../report/terminal.js';

/** Colour only on a terminal that wants it (picocolors honours NO_COLOR and FORCE_COLOR). */
export function paintFor(stream: NodeJS.WriteStream): Paint {
  if (!stream.isTTY || !pc.isColorSupported) return noPaint;
  const colour: Record<Level, (s: string) => string> = {
    critical: (s) => pc.bold(pc.red(s)),
    high: pc.red,
    medium: pc.yellow,
    low: pc.cyan,
    informational: pc.blue,
  };
  return { level: (l, t) => colour[l](t), dim: pc.dim, bold: pc.bold };
}
