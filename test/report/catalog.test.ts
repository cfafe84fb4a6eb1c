import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { allArtifacts, allRules } from '../../src/app/check.js';
import { renderCatalog } from '../../src/report/catalog.js';
import { projectRoot } from '../helpers/data.js';

describe('docs/artifacts.md', () => {
  it('is up to date with the registries (run `npm run docs` after changing an artifact or rule)', () => {
    expect(readFileSync(join(projectRoot, 'docs', 'artifacts.md'), 'utf8')).toBe(renderCatalog(allArtifacts, allRules));
  });

  it('documents every artifact and every rule', () => {
    const page = renderCatalog(allArtifacts, allRules);
    for (const a of allArtifacts) expect(page).toContain(`(\`${a.id}\`, v${a.version})`);
    for (const r of allRules) expect(page).toContain(`\`${r.id}\` v${r.version}`);
  });
});
