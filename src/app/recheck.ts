/**
 * The recheck use case: load today's indicators once (as a check loads them), then re-match every case's stored
 * observables against them (case/recheck.ts), reading no evidence. Cases are done one after the other, each in
 * its own transaction: a case that cannot be opened is reported and the others are still rechecked.
 */
import { recheckCase, type CaseRecheck } from '../case/recheck.js';
import type { CaseSeal } from '../case/sealed.js';
import { openCase } from '../case/store.js';
import { errorMessage, UserError } from '../errors.js';
import { loadIndicators, type LoadedIndicators } from '../indicators/load.js';
import { compileIndicators } from '../indicators/match.js';

export interface RecheckOptions {
  readonly cases: readonly string[];
  readonly iocs?: readonly string[];
  readonly envIocs?: string;
  /** Folder of indicator files loaded by default; null to disable. */
  readonly userIocDir?: string | null;
  /** The key of each encrypted case (asked for when it is opened); undefined for a plain one. */
  readonly unlock?: (dir: string) => Promise<CaseSeal | undefined>;
}

export interface RecheckResult {
  readonly indicators: LoadedIndicators;
  readonly cases: readonly CaseRecheck[];
  /** Cases that could not be rechecked, one line each naming the case. */
  readonly failed: readonly { readonly case: string; readonly reason: string }[];
}

export async function recheck(options: RecheckOptions): Promise<RecheckResult> {
  if (options.cases.length === 0) throw new UserError('usage', 'recheck: name at least one case folder');
  const indicators = await loadIndicators({ paths: [...(options.iocs ?? [])], env: options.envIocs, userDir: options.userIocDir });
  const matcher = compileIndicators(indicators.collections);
  const cases: CaseRecheck[] = [];
  const failed: { case: string; reason: string }[] = [];
  for (const dir of options.cases) {
    let store;
    try {
      const seal = options.unlock ? await options.unlock(dir) : undefined;
      store = openCase(dir, seal ? { seal } : {});
    } catch (err) {
      failed.push({ case: dir, reason: errorMessage(err) });
      continue;
    }
    try {
      cases.push(recheckCase({ db: store.db, caseDir: store.dir, indicators, matcher }));
    } catch (err) {
      failed.push({ case: dir, reason: `${store.dbPath}: recheck failed (${errorMessage(err)}); the case is unchanged` });
    } finally {
      store.close();
    }
  }
  return { indicators, cases, failed };
}
