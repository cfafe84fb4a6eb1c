/**
 * The catalogue of what Tracehound reads and detects, rendered from the registries' metadata
 * (docs/artifacts.md). A test fails when the committed page is stale; `npm run docs` rewrites it.
 */
import type { AnyArtifact, ArtifactInputs } from '../artifacts/artifact.js';
import type { FileSpec } from '../evidence/source.js';
import type { AnyRule } from '../rules/rule.js';

export function renderCatalog(artifacts: readonly AnyArtifact[], rules: readonly AnyRule[]): string {
  const lines = [
    '# What Tracehound reads and detects',
    '',
    '<!-- Generated from the artifact and rule registries by `npm run docs`; do not edit by hand. -->',
    '',
    `${artifacts.length} artifacts, ${rules.length} heuristic rules. Indicator matching applies to every observable an artifact declares.`,
    '',
  ];
  for (const a of artifacts) {
    lines.push(`## ${a.title} (\`${a.id}\`, v${a.version})`, '', a.doc, '');
    lines.push(...describeInputs(a.inputs));
    if (a.requires) lines.push(`- Reads: ${Object.entries(a.requires).map(([t, cols]) => `\`${t}\` (${cols.join(', ')})`).join('; ')}`);
    if (a.needs?.length) lines.push(`- Runs after: ${a.needs.map((n) => `\`${n}\``).join(', ')}`);
    for (const ref of a.references ?? []) lines.push(`- Reference: ${ref}`);
    const own = rules.filter((r) => r.artifact === a.id);
    if (own.length > 0) {
      lines.push('', '| rule | level | why | innocent explanations | source |', '|---|---|---|---|---|');
      for (const r of own) lines.push(`| \`${r.id}\` v${r.version}: ${r.title} | ${r.level} | ${cell(r.why)} | ${cell(r.innocent)} | ${cell(r.source)} |`);
    }
    lines.push('');
  }
  return `${lines.join('\n').trimEnd()}\n`;
}

function describeInputs(inputs: ArtifactInputs): string[] {
  const out: string[] = [];
  for (const [kind, specs] of Object.entries(inputs)) {
    out.push(`- ${kind}: ${specs.map((spec) => describeSpec(spec, kind)).join(', or ')}`);
  }
  return out;
}

function describeSpec(spec: FileSpec, kind: string): string {
  switch (spec.by) {
    case 'backup':
      return `\`${spec.domain}/${spec.relativePath}\``;
    case 'backup-any-domain':
      return `\`*/${spec.relativePath}\` (any domain)`;
    case 'backup-domain-glob':
      return `\`${spec.domain}/${spec.relativePath}\``;
    case 'backup-file-id':
      return `file ID \`${spec.fileId}\``;
    case 'container':
      return `\`${spec.name}\` (backup folder)`;
    case 'device-glob':
      return `\`/${spec.pattern}\``;
    case 'path-glob':
      return `\`${spec.pattern}\``;
    case 'dumpstate':
      // androidqf has no dumpstate of its own: it is the one of the bugreport.zip it took.
      return kind === 'android-androidqf' ? 'the dumpstate text of `bugreport.zip`' : 'the dumpstate text (`main_entry.txt`)';
  }
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}
