import type { CaseState, ReadModelEvent } from '../events/read-model-event';

/** One row of `case_summary`: the case as it stands after its latest event. */
export interface CaseSummaryRow {
  pseId: string;
  name: string;
  origin: 'domestic' | 'foreign';
  company: string | null;
  sector: string | null;
  domains: string[];
  /** App-store ids and public IP addresses the case names (empty when none: docs/decisions/0007). */
  appIds: string[];
  ipAddresses: string[];
  state: CaseState;
  substate: string | null;
  stateSince: string;
  onBlocklist: boolean;
  registrationNumber: string | null;
  warnings: number;
  blocks: number;
  finesImposedIdr: number;
  finesPaidIdr: number;
  finesAnnulledIdr: number;
  finesOutstandingIdr: number;
  nextDeadlineKind: string | null;
  nextDeadlineAt: string | null;
  nextDeadlineFineId: string | null;
  escalationPending: boolean;
  escalationAllowed: string[];
  escalationSince: string | null;
  policyVersion: string;
  /** Events in the case stream so far (last revision + 1): the API's ETag / If-Match version. */
  version: number;
  lastPosition: number;
  lastEventType: string;
  openedAt: string;
  updatedAt: string;
  recordedAt: string;
}

/** Folds one event into a case's summary row; reads only the recorded state, never the machine. */
export function projectCaseSummary(row: CaseSummaryRow | undefined, event: ReadModelEvent): CaseSummaryRow {
  const s = event.state;
  const escalationSince = s.escalation.pending
    ? row?.escalationPending
      ? row.escalationSince
      : event.occurredAt
    : null;
  return {
    pseId: event.pseId,
    name: s.name,
    origin: s.origin,
    company: s.company,
    sector: s.sector,
    domains: [...s.domains],
    appIds: [...(s.appIds ?? [])],
    ipAddresses: [...(s.ipAddresses ?? [])],
    state: s.state,
    substate: s.substate,
    stateSince: s.since,
    onBlocklist: s.onBlocklist,
    registrationNumber: s.registrationNumber,
    warnings: s.warnings,
    blocks: s.blocks,
    finesImposedIdr: s.fines.imposedIdr,
    finesPaidIdr: s.fines.paidIdr,
    finesAnnulledIdr: s.fines.annulledIdr,
    finesOutstandingIdr: s.fines.outstandingIdr,
    nextDeadlineKind: s.nextDeadline?.kind ?? null,
    nextDeadlineAt: s.nextDeadline?.dueAt ?? null,
    nextDeadlineFineId: s.nextDeadline?.fineId ?? null,
    escalationPending: s.escalation.pending,
    escalationAllowed: s.escalation.pending ? [...s.escalation.allowed] : [],
    escalationSince,
    policyVersion: event.policyVersion,
    // The API's version (ETag, If-Match): how many events the case has, as the command side counts.
    version: event.revision + 1,
    lastPosition: event.position,
    lastEventType: event.type,
    openedAt: row?.openedAt ?? event.occurredAt,
    updatedAt: event.occurredAt,
    recordedAt: event.recordedAt,
  };
}
