import type { CaseState, ReadModelEvent } from '../events/read-model-event';
import type { BlocklistEntryKind } from '../projections/blocklist.projection';
import type { CaseSummaryRow } from '../projections/case-summary.projection';
import type { CaseTimelineRow } from '../projections/case-timeline.projection';
import type { FineRow } from '../projections/fines.projection';
import type { RegistryRow } from '../projections/registry.projection';
import type { TrafficObservationRow } from '../projections/traffic.projection';

/** The checkpoint the projector keeps unless told otherwise. */
export const DEFAULT_CHECKPOINT = 'read-models';

/** A page of results and the opaque cursor of the next page (null on the last). */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** Which page of a list query: the opaque cursor of the previous page, and a page size (1–1000, default 50). */
export interface PageQuery {
  cursor?: string;
  limit?: number;
}

/** The columns `listCases` can order by (each also descending, as `-name`), besides `traffic`. */
export const CASE_SORT_COLUMNS = [
  'id',
  'name',
  'state',
  'policy',
  'deadline',
  'updated',
  'outstanding',
] as const;
export type CaseSortColumn = (typeof CASE_SORT_COLUMNS)[number];

/** Every order of `listCases`: a column ascending (`name`), descending (`-name`), or `traffic`. */
export const CASE_SORTS = [
  ...CASE_SORT_COLUMNS,
  ...CASE_SORT_COLUMNS.map((c) => `-${c}` as const),
  'traffic',
] as const;
export type CaseSort = (typeof CASE_SORTS)[number];

/** Filters of `listCases`. */
export interface ListCasesQuery {
  state?: CaseState;
  origin?: 'domestic' | 'foreign';
  /** Only cases under this policy version (`kominfo-2022`...). */
  policy?: string;
  /** Free text over name, company, domains, app ids, IP addresses, case id and certificate number (case-insensitive). */
  q?: string;
  /** Only cases whose next deadline is due at or before this instant. */
  deadlineBefore?: string;
  /**
   * `id` (default): by case id. `traffic`: open cases by the largest visits of their domains first, then
   * case id; cases without traffic and settled ones last. A column (`name`: lower-cased name, `state`: state
   * then substate, `policy`, `deadline`: the next deadline, none last, `updated`, `outstanding`: fines owed)
   * orders by it then by case id, ascending; `-column` reverses the whole order. The cursor of one order
   * does not fit another.
   */
  sort?: CaseSort;
  cursor?: string;
  limit?: number;
}

/**
 * A page of the escalation queue in one of its orders: `traffic` (default) the largest visits of the case's
 * domains first (unknown last), then the oldest escalation; `oldest` the oldest escalation first, whatever
 * the traffic. Either ends on the case id; the cursor of one order does not fit the other.
 */
export interface EscalationQueueQuery extends PageQuery {
  order?: 'traffic' | 'oldest';
}

/** Filters of `getRegistry`. */
export interface RegistryQuery {
  /** Free text over name, company, domains, certificate number, app ids and IP addresses (case-insensitive). */
  q?: string;
  cursor?: string;
  limit?: number;
}

/**
 * One address currently on the blocklist: a domain, or (kind `ip`) a public IP address of a case
 * blocked by IP (docs/decisions/0007). `domain` holds the address either way: the column keeps the
 * name it had when only domains were listed. The store always says the kind; absent means a domain.
 */
export interface BlocklistEntry {
  kind?: BlocklistEntryKind;
  domain: string;
  pseId: string;
  since: string;
}

/** The blocklist as of a feed position: poll `getBlocklistChanges(position)` from there. */
export interface Blocklist {
  position: number;
  /**
   * The position of the newest change-feed line, 0 when none: the list is exactly the feed replayed
   * up to it, so a rendering keyed by it stays valid until the next change (whatever the checkpoint).
   */
  lastChange: number;
  entries: BlocklistEntry[];
}

/** One line of the blocklist change feed (`domain` holds the address, an IP address for kind `ip`). */
export interface BlocklistFeedEntry {
  position: number;
  kind: BlocklistEntryKind;
  domain: string;
  pseId: string;
  action: 'add' | 'remove';
  at: string;
}

/** The record-time axis of a population count (docs/regulation.md §9.6: "on date D as known at K"). */
export interface StateCountsOptions {
  /**
   * Only events recorded at or before this bound: `YYYY-MM-DD` (the end of that day in WIB) or an
   * ISO-8601 instant with offset. Absent: everything recorded. It may lie before `asOf`.
   */
  knownAt?: string;
}

/**
 * Cases per state at a business time, as known at a record time. Every state is present, zero when
 * empty; a case none of whose events falls within both bounds is not counted.
 */
export interface StateCounts {
  /** The business-time bound as asked: a date stays `YYYY-MM-DD`, an instant is given in UTC. */
  asOf: string;
  /** The record-time bound as asked (a date, or an instant in UTC); null when everything recorded counts. */
  knownAt: string | null;
  counts: Record<CaseState, number>;
  total: number;
}

/** Cases per state at the end of one business date (WIB). */
export interface StateCountsOnDate {
  date: string;
  counts: Record<CaseState, number>;
  total: number;
}

/**
 * The population's states over a range of business dates: each date's counts are what
 * `getStateCounts(date, { knownAt })` gives for that date.
 */
export interface StateCountsDaily {
  from: string;
  to: string;
  /** The record-time bound as asked (a date, or an instant in UTC); null when everything recorded counts. */
  knownAt: string | null;
  days: StateCountsOnDate[];
}

/** The blocklist's size (listed domain–case pairs) at the end of one business date, and what that date added and removed. */
export interface BlocklistOnDate {
  date: string;
  size: number;
  added: number;
  removed: number;
}

/** The blocklist over a range of business dates, by the same bitemporal reading as the state counts. */
export interface BlocklistDaily {
  from: string;
  to: string;
  knownAt: string | null;
  days: BlocklistOnDate[];
}

/** How many registered cases took a number of whole days from their first warning to registration. */
export interface WarningToRegistrationBucket {
  days: number;
  cases: number;
}

/** Transitions between two states on one business date. */
export interface TransitionsPerDay {
  date: string;
  fromState: string;
  toState: string;
  count: number;
}

/** Fine totals of one business month (WIB). */
export interface FinesPerMonth {
  month: string;
  imposedCount: number;
  imposedIdr: number;
  paidCount: number;
  paidIdr: number;
  annulledCount: number;
  annulledIdr: number;
}

/**
 * How long cases took from their first written warning to registration: the counts, median and
 * average over every case, and one page of the cases (by warning date) with the next page's cursor.
 */
export interface WarningToRegistrationStats {
  registered: number;
  pending: number;
  medianDays: number | null;
  averageDays: number | null;
  nextCursor: string | null;
  cases: Array<{
    pseId: string;
    warnedAt: string;
    submittedAt: string | null;
    registeredAt: string | null;
    days: number | null;
  }>;
}

/** A pending deadline due before the asked instant. */
export interface DueDeadline {
  pseId: string;
  name: string;
  kind: string;
  dueAt: string;
  fineId: string | null;
  caseState: string;
}

/** A case whose deadline elapsed and awaits an operator, largest traffic first. */
export interface EscalationQueueEntry {
  pseId: string;
  name: string;
  state: string;
  substate: string | null;
  since: string | null;
  allowed: string[];
  visits: number | null;
  rank: number | null;
}

/** A high-traffic domain no case covers: a candidate for a new case. */
export interface DiscoveryCandidate {
  domain: string;
  period: string;
  visits: number | null;
  rank: number | null;
}

/** An open case ranked by the traffic of its domains. */
export interface OpenCaseByTraffic {
  pseId: string;
  name: string;
  state: string;
  visits: number | null;
  rank: number | null;
  period: string;
}

/** One traffic observation, as an importer records it. */
export interface TrafficObservation {
  domain: string;
  /** `YYYY-MM` or `YYYY-MM-DD`: periods compare as text, the latest wins. */
  period: string;
  visits?: number | null;
  rank?: number | null;
  source?: string | null;
}

/** Filters of `findDiscoveryCandidates`. */
export interface DiscoveryQuery {
  /** Only observations of this period (`YYYY-MM`, a day or a range as recorded); absent: each domain's latest. */
  period?: string;
  /** Only domains with at least this many visits (any source). */
  minVisits?: number;
  /** Only this address (as recorded: the ingest's matching key). */
  domain?: string;
  /** At most this many (1–1000, default 100). */
  limit?: number;
}

/** A high-traffic address no case covers, with how many sources saw it in its period. */
export interface RankedDiscoveryCandidate extends DiscoveryCandidate {
  rankInList: number;
  sources: string[];
}

/** One domain of a case in one period: the largest visits and best rank any source gave. */
export interface CaseTrafficPoint {
  domain: string;
  period: string;
  visits: number | null;
  rank: number | null;
  sources: string[];
}

/** What one committed batch did. */
export interface ApplyBatchResult {
  applied: number;
  position: number;
}

/** A batch planned and recorded, to be written once the batch before it has committed (`prepareBatch`). */
export interface PreparedBatch {
  /**
   * Writes the batch and moves the checkpoint, in one transaction; throws `CheckpointConflict` when the
   * checkpoint is not where the batch was planned from. Call it once the batch before has committed.
   */
  commit(): Promise<ApplyBatchResult>;
  /** Drops the batch unwritten (the batch before it failed): the store forgets the rows it assumed. */
  discard(): void;
}

/** The read-model database: projected tables, their checkpoint, and the queries the API serves. */
export interface ReadModelStore {
  readonly kind: 'sqlite' | 'postgres';
  /** Applies pending schema migrations (idempotent; safe with concurrent callers). */
  migrate(): Promise<void>;
  /** The global position the named checkpoint has reached (0 when it never ran). */
  getCheckpoint(name?: string): Promise<number>;
  /**
   * Folds `events` (in global order, after the checkpoint) through every projection and commits
   * the rows with the checkpoint moved to `toPosition`, all in one transaction; throws
   * `CheckpointConflict` when the checkpoint is not at `expectedPosition` and `ProjectionFailed`
   * when a projection throws — either way nothing of the batch is written.
   */
  applyBatch(
    events: readonly ReadModelEvent[],
    options: { expectedPosition: number; toPosition: number; checkpoint?: string },
  ): Promise<ApplyBatchResult>;
  /**
   * `applyBatch` in two steps, where the database can take a batch's writes in one round trip (PostgreSQL;
   * absent elsewhere): plans `events` — from the rows the batch before left, even while that batch is still
   * being written — and records their writes; the returned batch's `commit` sends them. So a catch-up plans
   * batch N+1 while the server writes batch N. Throws `ProjectionFailed` as `applyBatch` does, writing nothing.
   */
  prepareBatch?(
    events: readonly ReadModelEvent[],
    options: { expectedPosition: number; toPosition: number; checkpoint?: string },
  ): Promise<PreparedBatch>;
  /**
   * Empties every projected table and sets the checkpoint to 0, in one transaction (traffic stays). With
   * `deferIndexes` it also sets the tables' search and order indexes aside until `finishRebuild` builds
   * them over the replayed rows — or, should the rebuild stop first, until the store is next opened or
   * its lease next taken once `holder` (the rebuilding projector, holding the checkpoint's lease) no
   * longer holds a live lease.
   */
  reset(checkpoint?: string, options?: { deferIndexes?: boolean; holder?: string }): Promise<void>;
  /** Builds what `reset` set aside (after the replay that followed it); nothing to do otherwise. */
  finishRebuild(): Promise<void>;
  /**
   * Builds what a rebuild set aside when the projector that set it aside no longer holds a live lease (it
   * stopped before its end); true when it built anything. Opening the store does the same.
   */
  restoreAbandonedRebuild(): Promise<boolean>;
  /**
   * Takes or renews the lease of the projector that follows `checkpoint` until `now + ttlMs`; true
   * when `holder` has it (it was free, expired, or already its own), false when another live holder does.
   */
  claimProjectorLease(checkpoint: string, holder: string, ttlMs: number): Promise<boolean>;
  /** Gives the lease up if `holder` has it, so another projector can take over at once. */
  releaseProjectorLease(checkpoint: string, holder: string): Promise<void>;
  /** The live holder of the lease of `checkpoint`, or null when none holds it or it expired. */
  projectorLeaseHolder(checkpoint: string): Promise<{ holder: string; expiresAt: string } | null>;

  /** One case's summary, or null. */
  getCaseSummary(pseId: string): Promise<CaseSummaryRow | null>;
  /** Cases matching the filters, ordered by case id, with cursor pagination. */
  listCases(query: ListCasesQuery): Promise<Page<CaseSummaryRow>>;
  /** A case's timeline, oldest first. */
  getTimeline(pseId: string): Promise<CaseTimelineRow[]>;
  /** The current blocklist and the feed position it reflects. */
  getBlocklist(): Promise<Blocklist>;
  /** `Blocklist.lastChange` alone, cheaply: whether a rendering of the list is still current. */
  getBlocklistVersion(): Promise<number>;
  /** Feed lines after `after`, oldest first; never splits one position across pages. */
  getBlocklistChanges(after: number, limit?: number): Promise<BlocklistFeedEntry[]>;
  /**
   * Cases per state at business time `asOf` (`YYYY-MM-DD`: the end of that day in WIB; or an ISO
   * instant), as known at `knownAt`: each case counts in the state its last event (by revision) that
   * occurred by `asOf` and was recorded by `knownAt` led to.
   */
  getStateCounts(asOf: string, options?: StateCountsOptions): Promise<StateCounts>;
  /** State transitions per business date between `from` and `to` (inclusive, YYYY-MM-DD). */
  getTransitionsPerDay(from: string, to: string): Promise<TransitionsPerDay[]>;
  /**
   * Cases per state at the end of every business date from `from` to `to` (inclusive, YYYY-MM-DD,
   * at most 3660 dates), as known at `knownAt`: each date as `getStateCounts` reads it.
   */
  getStateCountsDaily(from: string, to: string, options?: StateCountsOptions): Promise<StateCountsDaily>;
  /** The blocklist's size at the end of every business date of a range, read like `getStateCountsDaily`. */
  getBlocklistDaily(from: string, to: string, options?: StateCountsOptions): Promise<BlocklistDaily>;
  /** The latest `limit` lines of the blocklist change feed (default 20), newest first. */
  getLatestBlocklistChanges(limit?: number): Promise<BlocklistFeedEntry[]>;
  /** Registered cases per whole days from first warning to registration, fewest days first. */
  getWarningToRegistrationDays(): Promise<WarningToRegistrationBucket[]>;
  /** Fine totals per business month, oldest first. */
  getFinesPerMonth(): Promise<FinesPerMonth[]>;
  /** Fines of one case. */
  getFines(pseId: string): Promise<FineRow[]>;
  /** Durations from first warning to registration (median and average in days over all), cases paged. */
  getWarningToRegistration(page?: PageQuery): Promise<WarningToRegistrationStats>;
  /** Pending deadlines due at or before `before`, soonest first, with cursor pagination. */
  getDueDeadlines(before: string, page?: PageQuery): Promise<Page<DueDeadline>>;
  /** Cases awaiting an operator after an elapsed deadline: largest traffic first (or `order: 'oldest'`), paged. */
  getEscalationQueue(page?: EscalationQueueQuery): Promise<Page<EscalationQueueEntry>>;
  /** The public register of certificates, by name, with cursor pagination. */
  getRegistry(query: RegistryQuery): Promise<Page<RegistryRow>>;
  /** High-traffic domains with no case and no registration, largest first. */
  getDiscoveryCandidates(limit?: number): Promise<DiscoveryCandidate[]>;
  /** Open cases ranked by their domains' latest traffic. */
  getOpenCasesByTraffic(limit?: number): Promise<OpenCaseByTraffic[]>;
  /** Records (upserts) traffic observations; returns how many. */
  recordTrafficObservations(rows: readonly TrafficObservation[]): Promise<number>;
  /**
   * Records the rows of a batch of `TrafficObserved` events (the first fact of a (domain, period, source)
   * stays) and moves `checkpoint` (default `traffic-observations`) from `expectedPosition` to `toPosition`,
   * in one transaction; throws `CheckpointConflict` when the checkpoint is elsewhere.
   */
  applyTrafficBatch(
    rows: readonly TrafficObservationRow[],
    options: { expectedPosition: number; toPosition: number; checkpoint?: string },
  ): Promise<ApplyBatchResult>;
  /** Empties `traffic_observations` and sets the traffic checkpoint to 0, in one transaction. */
  resetTraffic(checkpoint?: string): Promise<void>;
  /** Addresses observed with traffic that no case covers, largest visits first (then best rank, then name). */
  findDiscoveryCandidates(query: DiscoveryQuery): Promise<RankedDiscoveryCandidate[]>;
  /** The traffic of a case's domains per period, oldest period first (empty when none was observed). */
  getCaseTraffic(pseId: string): Promise<CaseTrafficPoint[]>;
  close(): Promise<void>;
}
