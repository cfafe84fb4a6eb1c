/**
 * The sinks' record renderers by name: what a worker thread runs for each results-folder sink of the check
 * (a sink names its renderer in `rendering`).
 */
import { mvtRenderer } from './mvt/writer.js';
import { nativeRenderer } from './native.js';
import type { RecordRenderer, RendererKind } from './output.js';

export const recordRenderers: Readonly<Record<RendererKind, RecordRenderer>> = { native: nativeRenderer, mvt: mvtRenderer };
