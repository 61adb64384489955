import type { CaseState } from '../events/read-model-event';
import type { BlocklistEntryKind, CaseBlocklistEntry } from '../projections/blocklist.projection';
import type { CaseSummaryRow } from '../projections/case-summary.projection';
import type { CaseTimelineRow } from '../projections/case-timeline.projection';
import type { FineRow, FineStatus } from '../projections/fines.projection';
import type { RegistryRow, RegistryStatus } from '../projections/registry.projection';
import type { WarningToRegistrationRow } from '../projections/warning-to-registration.projection';
import type { SqlRecord } from './sql-client';

// Drivers return what the column holds: these read one column, typed, and nothing else.
const str = (r: SqlRecord, k: string): string => String(r[k]);
const nstr = (r: SqlRecord, k: string): string | null =>
  r[k] === null || r[k] === undefined ? null : String(r[k]);
const num = (r: SqlRecord, k: string): number => Number(r[k]);
const nnum = (r: SqlRecord, k: string): number | null =>
  r[k] === null || r[k] === undefined ? null : Number(r[k]);
const bool = (r: SqlRecord, k: string): boolean => Number(r[k]) === 1 || r[k] === true;
const list = (r: SqlRecord, k: string): string[] => {
  const v: unknown = JSON.parse(String(r[k] ?? '[]'));
  return Array.isArray(v) ? v.map(String) : [];
};

/** A table the store writes whole rows of: columns in order, the key, and both mappings. */
export interface TableMapping<Row> {
  table: string;
  columns: readonly string[];
  key: readonly string[];
  toParams(row: Row): unknown[];
  fromRecord(record: SqlRecord): Row;
}

/**
 * The mapping's columns as a select list, each after `prefix` (`s.`) where given: a query that names its
 * columns rather than `*` is read as arrays on SQLite, half the cost of row objects (`SqliteSqlClient`).
 */
export function selectList(m: { columns: readonly string[] }, prefix = ''): string {
  return m.columns.map((c) => `${prefix}${c}`).join(', ');
}

/** `ON CONFLICT (key) DO UPDATE SET` every other column: last write wins. */
export function upsertClause(m: { columns: readonly string[]; key: readonly string[] }): string {
  const set = m.columns.filter((c) => !m.key.includes(c)).map((c) => `${c} = excluded.${c}`);
  return `ON CONFLICT (${m.key.join(', ')}) DO UPDATE SET ${set.join(', ')}`;
}

/** `ON CONFLICT (key) DO UPDATE SET` each counter to its sum: aggregate tables take deltas. */
export function incrementClause(table: string, key: readonly string[], counters: readonly string[]): string {
  return `ON CONFLICT (${key.join(', ')}) DO UPDATE SET ${counters.map((c) => `${c} = ${table}.${c} + excluded.${c}`).join(', ')}`;
}

export const caseSummaryTable: TableMapping<CaseSummaryRow> = {
  table: 'case_summary',
  key: ['pse_id'],
  columns: [
    'pse_id',
    'name',
    'origin',
    'company',
    'sector',
    'domains',
    'state',
    'substate',
    'state_since',
    'on_blocklist',
    'registration_number',
    'warnings',
    'blocks',
    'fines_imposed_idr',
    'fines_paid_idr',
    'fines_annulled_idr',
    'fines_outstanding_idr',
    'next_deadline_kind',
    'next_deadline_at',
    'next_deadline_fine_id',
    'escalation_pending',
    'escalation_allowed',
    'escalation_since',
    'policy_version',
    'version',
    'last_position',
    'last_event_type',
    'opened_at',
    'updated_at',
    'recorded_at',
    'app_ids',
    'ip_addresses',
  ],
  toParams: (r) => [
    r.pseId,
    r.name,
    r.origin,
    r.company,
    r.sector,
    JSON.stringify(r.domains),
    r.state,
    r.substate,
    r.stateSince,
    r.onBlocklist ? 1 : 0,
    r.registrationNumber,
    r.warnings,
    r.blocks,
    r.finesImposedIdr,
    r.finesPaidIdr,
    r.finesAnnulledIdr,
    r.finesOutstandingIdr,
    r.nextDeadlineKind,
    r.nextDeadlineAt,
    r.nextDeadlineFineId,
    r.escalationPending ? 1 : 0,
    JSON.stringify(r.escalationAllowed),
    r.escalationSince,
    r.policyVersion,
    r.version,
    r.lastPosition,
    r.lastEventType,
    r.openedAt,
    r.updatedAt,
    r.recordedAt,
    JSON.stringify(r.appIds),
    JSON.stringify(r.ipAddresses),
  ],
  fromRecord: (r) => ({
    pseId: str(r, 'pse_id'),
    name: str(r, 'name'),
    origin: str(r, 'origin') as CaseSummaryRow['origin'],
    company: nstr(r, 'company'),
    sector: nstr(r, 'sector'),
    domains: list(r, 'domains'),
    appIds: list(r, 'app_ids'),
    ipAddresses: list(r, 'ip_addresses'),
    state: str(r, 'state') as CaseState,
    substate: nstr(r, 'substate'),
    stateSince: str(r, 'state_since'),
    onBlocklist: bool(r, 'on_blocklist'),
    registrationNumber: nstr(r, 'registration_number'),
    warnings: num(r, 'warnings'),
    blocks: num(r, 'blocks'),
    finesImposedIdr: num(r, 'fines_imposed_idr'),
    finesPaidIdr: num(r, 'fines_paid_idr'),
    finesAnnulledIdr: num(r, 'fines_annulled_idr'),
    finesOutstandingIdr: num(r, 'fines_outstanding_idr'),
    nextDeadlineKind: nstr(r, 'next_deadline_kind'),
    nextDeadlineAt: nstr(r, 'next_deadline_at'),
    nextDeadlineFineId: nstr(r, 'next_deadline_fine_id'),
    escalationPending: bool(r, 'escalation_pending'),
    escalationAllowed: list(r, 'escalation_allowed'),
    escalationSince: nstr(r, 'escalation_since'),
    policyVersion: str(r, 'policy_version'),
    version: num(r, 'version'),
    lastPosition: num(r, 'last_position'),
    lastEventType: str(r, 'last_event_type'),
    openedAt: str(r, 'opened_at'),
    updatedAt: str(r, 'updated_at'),
    recordedAt: str(r, 'recorded_at'),
  }),
};

export const timelineTable: TableMapping<CaseTimelineRow> = {
  table: 'case_timeline',
  key: ['pse_id', 'revision'],
  columns: [
    'pse_id',
    'revision',
    'position',
    'event_id',
    'event_type',
    'occurred_at',
    'recorded_at',
    'actor_id',
    'actor_role',
    'state_after',
    'substate_after',
    'line',
  ],
  toParams: (r) => [
    r.pseId,
    r.revision,
    r.position,
    r.eventId,
    r.eventType,
    r.occurredAt,
    r.recordedAt,
    r.actorId,
    r.actorRole,
    r.stateAfter,
    r.substateAfter,
    r.line,
  ],
  fromRecord: (r) => ({
    pseId: str(r, 'pse_id'),
    revision: num(r, 'revision'),
    position: num(r, 'position'),
    eventId: str(r, 'event_id'),
    eventType: str(r, 'event_type'),
    occurredAt: str(r, 'occurred_at'),
    recordedAt: str(r, 'recorded_at'),
    actorId: str(r, 'actor_id'),
    actorRole: str(r, 'actor_role'),
    stateAfter: str(r, 'state_after'),
    substateAfter: nstr(r, 'substate_after'),
    line: str(r, 'line'),
  }),
};

export const fineTable: TableMapping<FineRow> = {
  table: 'fines',
  key: ['pse_id', 'fine_id'],
  columns: [
    'pse_id',
    'fine_id',
    'decision_number',
    'amount_idr',
    'imposed_at',
    'payment_deadline',
    'paid_idr',
    'last_paid_at',
    'annulled_at',
    'annulment_reason',
    'status',
  ],
  toParams: (r) => [
    r.pseId,
    r.fineId,
    r.decisionNumber,
    r.amountIdr,
    r.imposedAt,
    r.paymentDeadline,
    r.paidIdr,
    r.lastPaidAt,
    r.annulledAt,
    r.annulmentReason,
    r.status,
  ],
  fromRecord: (r) => ({
    pseId: str(r, 'pse_id'),
    fineId: str(r, 'fine_id'),
    decisionNumber: nstr(r, 'decision_number'),
    amountIdr: num(r, 'amount_idr'),
    imposedAt: str(r, 'imposed_at'),
    paymentDeadline: nstr(r, 'payment_deadline'),
    paidIdr: num(r, 'paid_idr'),
    lastPaidAt: nstr(r, 'last_paid_at'),
    annulledAt: nstr(r, 'annulled_at'),
    annulmentReason: nstr(r, 'annulment_reason'),
    status: str(r, 'status') as FineStatus,
  }),
};

export const warningToRegistrationTable: TableMapping<WarningToRegistrationRow> = {
  table: 'warning_to_registration',
  key: ['pse_id'],
  columns: ['pse_id', 'warned_at', 'letter_number', 'submitted_at', 'registered_at', 'seconds', 'days'],
  toParams: (r) => [
    r.pseId,
    r.warnedAt,
    r.letterNumber,
    r.submittedAt,
    r.registeredAt,
    r.seconds,
    r.seconds === null ? null : r.seconds / 86400,
  ],
  fromRecord: (r) => ({
    pseId: str(r, 'pse_id'),
    warnedAt: str(r, 'warned_at'),
    letterNumber: nstr(r, 'letter_number'),
    submittedAt: nstr(r, 'submitted_at'),
    registeredAt: nstr(r, 'registered_at'),
    seconds: nnum(r, 'seconds'),
  }),
};

export const registryTable: TableMapping<RegistryRow> = {
  table: 'registry',
  key: ['pse_id'],
  columns: [
    'pse_id',
    'registration_number',
    'name',
    'company',
    'sector',
    'origin',
    'domains',
    'status',
    'registered_at',
    'updated_at',
  ],
  toParams: (r) => [
    r.pseId,
    r.registrationNumber,
    r.name,
    r.company,
    r.sector,
    r.origin,
    JSON.stringify(r.domains),
    r.status,
    r.registeredAt,
    r.updatedAt,
  ],
  fromRecord: (r) => ({
    pseId: str(r, 'pse_id'),
    registrationNumber: str(r, 'registration_number'),
    name: str(r, 'name'),
    company: nstr(r, 'company'),
    sector: nstr(r, 'sector'),
    origin: str(r, 'origin') as RegistryRow['origin'],
    domains: list(r, 'domains'),
    status: str(r, 'status') as RegistryStatus,
    registeredAt: str(r, 'registered_at'),
    updatedAt: str(r, 'updated_at'),
  }),
};

/** Groups `blocklist` rows into per-case entries. */
export function blocklistEntries(records: readonly SqlRecord[]): Map<string, CaseBlocklistEntry> {
  const entries = new Map<string, CaseBlocklistEntry>();
  for (const r of records) {
    const pseId = str(r, 'pse_id');
    const entry = entries.get(pseId) ?? { pseId, domains: [] };
    entry.domains.push({
      domain: str(r, 'domain'),
      kind: str(r, 'kind') === 'ip' ? 'ip' : ('domain' satisfies BlocklistEntryKind),
      since: str(r, 'since'),
      position: num(r, 'position'),
    });
    entries.set(pseId, entry);
  }
  return entries;
}

export const readers = { str, nstr, num, nnum, bool, list };
