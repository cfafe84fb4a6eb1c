/**
 * `verify --acquisition`: re-runs the check on the reviewer's copy of the acquisition with the indicator files
 * the bundle carries (the exact bytes the first lab used, named by SHA-256 in provenance.json), and lists every
 * finding present on one side only. Call it after `verifyBundle`: it trusts the members it reads.
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { check } from './check.js';
import type { InputRecord } from '../evidence/input-log.js';
import type { CredentialProvider } from '../evidence/ios-backup-keys.js';
import { sourceKinds } from '../evidence/kinds.js';
import type { SourceKind } from '../evidence/source.js';
import { holdPrivateTemp, privateTempDir } from '../evidence/temp.js';
import { findingJson } from '../report/native.js';
import { asRecord, type FindingJson } from '../bundle/content.js';
import { MEMBER, indicatorMember } from '../bundle/layout.js';
import { BundleProblem, parseJsonMember, type OpenedBundle } from '../bundle/read.js';

export interface FindingDifference {
  readonly side: 'only-in-bundle' | 'only-in-rerun';
  /** "critical ios.sms: <message>" */
  readonly summary: string;
}

export interface Reproduction {
  readonly differences: readonly FindingDifference[];
  readonly bundleFindings: number;
  readonly rerunFindings: number;
  /** Input files whose SHA-256 differs from the one in the bundle's provenance, by label (for context: the exit status follows the findings). */
  readonly changedInputs: readonly string[];
}

export async function reproduce(bundle: OpenedBundle, acquisition: string, options: { credentials?: CredentialProvider; signal?: AbortSignal } = {}): Promise<Reproduction> {
  const provenance = asRecord(parseJsonMember(bundle, MEMBER.provenance, await bundle.read(MEMBER.provenance)));
  const findings = parseJsonMember(bundle, MEMBER.findings, await bundle.read(MEMBER.findings));
  if (!provenance || !Array.isArray(provenance.indicator_files) || !Array.isArray(findings)) throw new BundleProblem(`${bundle.path}: ${MEMBER.provenance} or ${MEMBER.findings} is not what a Tracehound bundle holds`);
  const opts = asRecord(provenance.options) ?? {};
  const type = typeof opts.type === 'string' && (sourceKinds as readonly string[]).includes(opts.type) ? (opts.type as SourceKind) : undefined;
  const only = Array.isArray(opts.only) ? opts.only.map(String) : undefined;
  // The examiner's zone of the check, so a second lab reads device-local times in the same zone.
  const deviceTimeZone = typeof opts.deviceTimeZone === 'string' ? opts.deviceTimeZone : undefined;

  const release = holdPrivateTemp();
  try {
    // Indicator files are not phone content: written to the private temp area so check() loads them as files.
    const dir = privateTempDir('bundle-iocs');
    const iocs: string[] = [];
    for (const [i, ref] of (provenance.indicator_files as unknown[]).entries()) {
      const sha256 = asRecord(ref)?.sha256;
      if (typeof sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(sha256)) throw new BundleProblem(`${bundle.path}: ${MEMBER.provenance}: indicator_files[${i}] has no SHA-256`);
      const member = indicatorMember(sha256);
      if (!bundle.digests.has(member)) throw new BundleProblem(`${bundle.path}: the check used the indicator file with SHA-256 ${sha256}, looked for as member "${member}": not in the bundle`);
      const got = bundle.digests.get(member)?.sha256;
      if (got !== sha256) throw new BundleProblem(`${bundle.path}: member "${member}" has SHA-256 ${String(got)}, not the one its name says`);
      const path = join(dir, sha256, 'indicators.json');
      if (iocs.includes(path)) continue;
      mkdirSync(join(dir, sha256), { mode: 0o700 });
      writeFileSync(path, await bundle.read(member), { mode: 0o600 });
      iocs.push(path);
    }
    // The inputs' SHA-256 reach sinks only (not CheckResult): a small sink keeps them.
    let inputsRead: readonly InputRecord[] = [];
    const result = await check({
      target: acquisition,
      ...(type ? { type } : {}),
      iocs,
      userIocDir: null,
      ...(only ? { only } : {}),
      ...(deviceTimeZone !== undefined ? { deviceTimeZone } : {}),
      ...(options.credentials ? { credentials: options.credentials } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      sinks: [
        {
          finish: (info) => {
            inputsRead = info.inputs;
            return Promise.resolve([]);
          },
        },
      ],
    });
    const rerun = result.findings.map((f) => JSON.parse(JSON.stringify(findingJson(f))) as FindingJson);
    const inputs = Array.isArray(provenance.inputs) ? provenance.inputs.map(asRecord) : [];
    const before = new Map(inputs.flatMap((r) => (r && typeof r.label === 'string' ? [[r.label, r.sha256] as const] : [])));
    const changedInputs = inputsRead.filter((i) => before.has(i.label) && before.get(i.label) !== i.sha256).map((i) => i.label);
    return { differences: diffFindings(findings.map((f) => asRecord(f) ?? {}), rerun), bundleFindings: findings.length, rerunFindings: rerun.length, changedInputs };
  } finally {
    release();
  }
}

/** Findings present on one side only, as multisets (two identical findings on one side count twice). */
export function diffFindings(bundle: readonly FindingJson[], rerun: readonly FindingJson[]): FindingDifference[] {
  const counts = new Map<string, { n: number; f: FindingJson }>();
  for (const f of bundle) {
    const k = comparable(f);
    counts.set(k, { n: (counts.get(k)?.n ?? 0) + 1, f });
  }
  const out: FindingDifference[] = [];
  for (const f of rerun) {
    const k = comparable(f);
    const c = counts.get(k);
    if (c && c.n > 0) c.n--;
    else out.push({ side: 'only-in-rerun', summary: summary(f) });
  }
  for (const { n, f } of counts.values()) for (let i = 0; i < n; i++) out.push({ side: 'only-in-bundle', summary: summary(f) });
  return out;
}

/**
 * A finding as compared: everything but where the indicator file lay on disk (the bundle's copy is loaded
 * from a temp folder; its SHA-256 is compared). Keys sorted, so the writer's key order does not matter.
 */
function comparable(f: FindingJson): string {
  const ind = asRecord(f.indicator);
  const file = asRecord(ind?.file);
  const normal = ind && file ? { ...f, indicator: { ...ind, file: { sha256: file.sha256 } } } : f;
  return canonical(normal);
}

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  const r = asRecord(v);
  if (r) return `{${Object.keys(r).sort().filter((k) => r[k] !== undefined).map((k) => `${JSON.stringify(k)}:${canonical(r[k])}`).join(',')}}`;
  return JSON.stringify(v) ?? 'null';
}

function summary(f: FindingJson): string {
  const ev = asRecord(f.evidence);
  const at = ev ? ` (${String(ev.file)}${typeof ev.rowid === 'number' ? ` row ${ev.rowid}` : ''})` : '';
  return `${String(f.level)} ${String(f.artifact)}: ${String(f.message).replace(/[\r\n]+/g, ' ').slice(0, 300)}${at}`;
}
