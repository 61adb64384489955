// The API calls of the analyst pages, typed as docs/openapi.json answers them (the stats routes).
import { queryString, requestJson } from '../api/http';
import { CASE_STATES, POLICIES, type CaseState } from '../api/sanksi-api';

export { CASE_STATES, POLICIES, type CaseState };
export type Policy = (typeof POLICIES)[number];

/** `GET /v1/stats/states/daily`: cases per state at the end of each business date. */
export interface StatesDaily {
  from: string;
  to: string;
  knownAt: string | null;
  days: Array<{ date: string; counts: Record<CaseState, number>; total: number }>;
}

/** `GET /v1/stats/states`: cases per state on one date. */
export interface StateCounts {
  asOf: string;
  knownAt: string | null;
  counts: Record<CaseState, number>;
  total: number;
}

/** `GET /v1/stats/transitions`: transitions per business date. */
export interface TransitionsPerDay {
  from: string;
  to: string;
  days: Array<{ date: string; fromState: string; toState: string; count: number }>;
}

/** One month of `GET /v1/stats/fines`. */
export interface FinesMonth {
  month: string;
  imposedCount: number;
  imposedIdr: number;
  paidCount: number;
  paidIdr: number;
  annulledCount: number;
  annulledIdr: number;
}

/** `GET /v1/stats/warning-to-registration/days`. */
export interface WarningToRegistrationDays {
  registered: number;
  pending: number;
  medianDays: number | null;
  averageDays: number | null;
  buckets: Array<{ days: number; cases: number }>;
}

/** `GET /v1/stats/blocklist/daily`. */
export interface BlocklistDaily {
  from: string;
  to: string;
  knownAt: string | null;
  days: Array<{ date: string; size: number; added: number; removed: number }>;
}

/** One line of `GET /v1/stats/blocklist/latest-changes`. */
export interface BlocklistChange {
  position: number;
  domain: string;
  pseId: string;
  action: 'add' | 'remove';
  at: string;
}

/** A case's final state one way in a what-if report. */
export interface WhatIfFinal {
  state: string;
  substate?: string | null;
  onBlocklist?: boolean;
  fines?: { outstandingIdr: number };
}

/** `GET /v1/what-if`: final states both ways and the first differing cases. */
export interface WhatIfAnswer {
  policy: Policy;
  until: string;
  cases: number;
  differing: number;
  counts: { recorded: Record<string, number>; alternative: Record<string, number> };
  reports: Array<{
    pseId: string;
    differs: boolean;
    final: { recorded: WhatIfFinal | null; alternative: WhatIfFinal | null };
  }>;
}

/** The stats routes the analyst pages read, with the signed-in key. */
export class AnalystApi {
  constructor(private readonly key: string | null) {}

  /** Cases per state at the end of every date from `from` to `to`. */
  statesDaily(from: string, to: string, knownAt?: string) {
    return this.get<StatesDaily>(`/v1/stats/states/daily${queryString({ from, to, knownAt })}`);
  }

  /** Cases per state on one date, as known at `knownAt`. */
  states(asOf: string, knownAt?: string) {
    return this.get<StateCounts>(`/v1/stats/states${queryString({ asOf, knownAt })}`);
  }

  /** State transitions per date. */
  transitions(from: string, to: string) {
    return this.get<TransitionsPerDay>(`/v1/stats/transitions${queryString({ from, to })}`);
  }

  /** Fines imposed, paid and annulled per month. */
  fines() {
    return this.get<{ months: FinesMonth[] }>('/v1/stats/fines');
  }

  /** Registered cases per whole day from warning to registration. */
  warningToRegistrationDays() {
    return this.get<WarningToRegistrationDays>('/v1/stats/warning-to-registration/days');
  }

  /** The blocklist's size per date. */
  blocklistDaily(from: string, to: string, knownAt?: string) {
    return this.get<BlocklistDaily>(`/v1/stats/blocklist/daily${queryString({ from, to, knownAt })}`);
  }

  /** The newest blocklist changes. */
  latestBlocklistChanges(limit: number) {
    return this.get<{ changes: BlocklistChange[] }>(
      `/v1/stats/blocklist/latest-changes${queryString({ limit })}`,
    );
  }

  /** The population under another policy until a date. */
  whatIf(policy: Policy, until: string, limit: number) {
    return this.get<WhatIfAnswer>(`/v1/what-if${queryString({ policy, until, limit })}`);
  }

  private async get<T>(path: string): Promise<T> {
    return (await requestJson<T>(this.key, path)).body;
  }
}
