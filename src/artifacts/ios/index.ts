/**
 * Every iOS artifact, in MVT's check-backup module order (so findings come out in the same order).
 * The artifact-id union, `--only` validation and the docs index derive from this list.
 */
import type { AnyArtifact } from '../artifact.js';
import tcc from './tcc.js';

export const iosArtifacts: readonly AnyArtifact[] = [tcc];
