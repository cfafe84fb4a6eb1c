/** Every platform's artifact registry, in one list: a new platform adds its registry here, and nothing else changes. */
import type { AnyArtifact } from './artifact.js';
import { androidArtifacts } from './android/index.js';
import { iosArtifacts } from './ios/index.js';

export const allArtifacts: readonly AnyArtifact[] = [...iosArtifacts, ...androidArtifacts];
