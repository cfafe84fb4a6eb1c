// Regenerates docs/artifacts.md from the registries (`npm run docs`).
import { writeFileSync } from 'node:fs';
import { allArtifacts, allRules } from '../src/app/check.js';
import { renderCatalog } from '../src/report/catalog.js';

writeFileSync(new URL('../docs/artifacts.md', import.meta.url), renderCatalog(allArtifacts, allRules));
