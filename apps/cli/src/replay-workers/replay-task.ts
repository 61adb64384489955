import type { CaseEvents } from '@sanksi/application';
import {
  countWhatIf,
  emptyWhatIfCounts,
  getPolicy,
  type PolicyId,
  type PseCaseEventEnvelope,
  verifyChain,
  verifyRecordedStates,
  whatIf,
  type WhatIfCounts,
  type WhatIfReport,
} from '@sanksi/domain';

/** One case that failed verification, and how. */
export interface CaseDivergence {
  pseId: string;
  problem: 'chain' | 'state';
  index: number;
  eventId: string;
  detail: string;
}

/**
 * What to do with each case: check it, or re-decide it under another policy with that policy's own
 * deadlines and escalations simulated up to business time `until`.
 */
export type ReplayTask = { kind: 'verify' } | { kind: 'what-if'; policy: PolicyId; until: string };

/** What a task found for each case, by kind: only the cases worth reporting are sent back. */
export type ReplayFinding = CaseDivergence | WhatIfReport;

/**
 * A slice of the population: `first` is the population index of its first case; a case's own `order`
 * (the position of its first event in the log), where given, orders its finding instead.
 */
export interface ReplayChunk {
  first: number;
  cases: Array<CaseEvents & { order?: number }>;
}

/**
 * What one chunk produced: its event count, its findings keyed by population index and, for a what-if,
 * the final state of every case of the chunk on each side (not only of the differing ones).
 */
export interface ChunkResult {
  cases: number;
  events: number;
  findings: Array<{ order: number; finding: ReplayFinding }>;
  counts?: WhatIfCounts;
}

function verifyCase(pseId: string, envelopes: readonly PseCaseEventEnvelope[]): CaseDivergence | null {
  const chain = verifyChain(envelopes);
  if (!chain.ok) {
    return { pseId, problem: 'chain', index: chain.index, eventId: chain.eventId, detail: chain.reason };
  }
  const states = verifyRecordedStates(envelopes);
  if (!states.ok) {
    return {
      pseId,
      problem: 'state',
      index: states.index,
      eventId: states.eventId,
      detail: `recorded ${states.recorded.state}, current machine derives ${states.replayed.state}`,
    };
  }
  return null;
}

/** Runs a task over one chunk; pure, so the same in a worker thread and in process. */
export function runReplayChunk(task: ReplayTask, chunk: ReplayChunk): ChunkResult {
  const result: ChunkResult = { cases: chunk.cases.length, events: 0, findings: [] };
  const whatIfTask = task.kind === 'what-if' ? { policy: getPolicy(task.policy), until: task.until } : null;
  const counts = emptyWhatIfCounts();
  if (whatIfTask) result.counts = counts;
  chunk.cases.forEach(({ pseId, envelopes, order }, i) => {
    result.events += envelopes.length;
    const at = order ?? chunk.first + i;
    if (whatIfTask) {
      const report = whatIf(envelopes, whatIfTask.policy, { until: whatIfTask.until });
      countWhatIf(counts, report);
      if (report.differs) result.findings.push({ order: at, finding: report });
    } else {
      const divergence = verifyCase(pseId, envelopes);
      if (divergence) result.findings.push({ order: at, finding: divergence });
    }
  });
  return result;
}
