import type { CaseSummaryRow } from '@sanksi/read-models';

/** A case as the API shows it (issue 4): the summary row, grouped for people and services. */
export interface CaseView {
  pseId: string;
  name: string;
  origin: 'domestic' | 'foreign';
  company: string | null;
  sector: string | null;
  domains: string[];
  state: string;
  substate: string | null;
  since: string;
  onBlocklist: boolean;
  registrationNumber: string | null;
  warnings: number;
  blocks: number;
  fines: { imposedIdr: number; paidIdr: number; annulledIdr: number; outstandingIdr: number };
  nextDeadline: { kind: string; dueAt: string; fineId: string | null } | null;
  escalation: { pending: boolean; allowed: string[]; since: string | null };
  policy: string;
  version: number;
  openedAt: string;
  updatedAt: string;
}

/** Shapes a `case_summary` row for the API. */
export function toCaseView(row: CaseSummaryRow): CaseView {
  return {
    pseId: row.pseId,
    name: row.name,
    origin: row.origin,
    company: row.company,
    sector: row.sector,
    domains: row.domains,
    state: row.state,
    substate: row.substate,
    since: row.stateSince,
    onBlocklist: row.onBlocklist,
    registrationNumber: row.registrationNumber,
    warnings: row.warnings,
    blocks: row.blocks,
    fines: {
      imposedIdr: row.finesImposedIdr,
      paidIdr: row.finesPaidIdr,
      annulledIdr: row.finesAnnulledIdr,
      outstandingIdr: row.finesOutstandingIdr,
    },
    nextDeadline:
      row.nextDeadlineKind && row.nextDeadlineAt
        ? { kind: row.nextDeadlineKind, dueAt: row.nextDeadlineAt, fineId: row.nextDeadlineFineId }
        : null,
    escalation: {
      pending: row.escalationPending,
      allowed: row.escalationAllowed,
      since: row.escalationSince,
    },
    policy: row.policyVersion,
    version: row.version,
    openedAt: row.openedAt,
    updatedAt: row.updatedAt,
  };
}
