/**
 * A check into a case: the case folder opened (created when new) and checked against the evidence before any
 * work, then a sink that adds the acquisition to it. Never inside the evidence, nor holding it.
 */
import type { CaseSeal } from '../case/sealed.js';
import { CaseSink } from '../case/sink.js';
import { openCase, type OpenCase } from '../case/store.js';
import type { DeviceLabels } from '../case/write.js';
import { guardWrites, type Sink } from '../report/output.js';
import { refuseEvidenceOverlap } from './output-target.js';

export interface CaseTarget extends DeviceLabels {
  readonly dir: string;
  /** The key of an encrypted case, or of the new encrypted case this check creates. */
  readonly seal?: CaseSeal;
}

export interface CaseCheckSink {
  readonly sink: Sink;
  readonly store: OpenCase;
  /** The acquisition's id in the case once the check finished (0 before). */
  acquisitionId(): number;
  close(): void;
}

export function openCaseForCheck(target: CaseTarget, evidence: string): CaseCheckSink {
  refuseEvidenceOverlap(target.dir, { flag: '--case', evidence: [evidence] });
  const store = openCase(target.dir, { create: true, ...(target.seal ? { seal: target.seal } : {}) });
  const sink = new CaseSink(store, {
    ...(target.device !== undefined ? { device: target.device } : {}),
    ...(target.person !== undefined ? { person: target.person } : {}),
    ...(target.organisation !== undefined ? { organisation: target.organisation } : {}),
  });
  return {
    // A case that cannot be written stops the check (exit 2), as a results folder does.
    sink: guardWrites(sink, store.dir),
    store,
    acquisitionId: () => sink.ids.acquisition,
    close: () => store.close(),
  };
}
