import { toZone } from '@sanksi/domain';
import type { CaseSummaryRow, RegistryRow } from '@sanksi/read-models';

/** Read models keep instants in UTC; the API shows them in WIB, the time the regulation runs on. */
export const wib = (instant: string): string => toZone(instant, 'WIB');
const wibOrNull = (instant: string | null): string | null => (instant === null ? null : wib(instant));

/** A case as the API shows it (issue 4): the summary row, grouped for people and services. */
export interface CaseView {
  pseId: string;
  name: string;
  origin: 'domestic' | 'foreign';
  company: string | null;
  sector: string | null;
  domains: string[];
  /** The case's app-store ids (`id.dana`), as case_summary keeps them. */
  appIds: string[];
  /** The case's IP addresses. */
  ipAddresses: string[];
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
    appIds: row.appIds,
    ipAddresses: row.ipAddresses,
    state: row.state,
    substate: row.substate,
    since: wib(row.stateSince),
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
        ? { kind: row.nextDeadlineKind, dueAt: wib(row.nextDeadlineAt), fineId: row.nextDeadlineFineId }
        : null,
    escalation: {
      pending: row.escalationPending,
      allowed: row.escalationAllowed,
      since: wibOrNull(row.escalationSince),
    },
    policy: row.policyVersion,
    version: row.version,
    openedAt: wib(row.openedAt),
    updatedAt: wib(row.updatedAt),
  };
}

/** Shapes a `registry` row for the API (times in WIB). */
export function toRegistryView(row: RegistryRow): RegistryRow {
  return { ...row, registeredAt: wib(row.registeredAt), updatedAt: wib(row.updatedAt) };
}
