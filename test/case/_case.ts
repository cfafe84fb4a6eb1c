/** Checking acquisitions into a case from tests, the way `check --case` does. */
import { check, type CheckResult } from '../../src/app/check.js';
import { openCaseForCheck, type CaseTarget } from '../../src/app/case-check.js';

export async function checkIntoCase(target: string, into: CaseTarget, iocs: readonly string[] = []): Promise<CheckResult & { acquisitionId: number }> {
  const c = openCaseForCheck(into, target);
  try {
    const result = await check({ target, iocs, userIocDir: null, sinks: [c.sink] });
    return { ...result, acquisitionId: c.acquisitionId() };
  } finally {
    c.close();
  }
}

/** What identifies an indicator finding across a check and a recheck. */
export const findingKey = (f: { artifact: string; level: string; message: string; indicator: { value: string; file: string } | undefined }) =>
  `${f.artifact}|${f.level}|${f.indicator?.value ?? ''}|${f.indicator?.file ?? ''}|${f.message}`;
