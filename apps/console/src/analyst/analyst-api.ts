// The API calls of the analyst pages (the stats routes), through the typed client of libs/client. The answer
// types below are the parts of docs/openapi.json's schemas the pages read.
import { createSanksiClient, type SanksiClient } from '@sanksi/client';
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

/** The stats routes the analyst pages read, with the signed-in key, through the typed client. */
export class AnalystApi {
  private readonly client: SanksiClient;

  constructor(key: string | null) {
    const origin = typeof location === 'undefined' ? 'http://localhost' : location.origin;
    this.client = createSanksiClient({ baseUrl: origin, ...(key ? { apiKey: key } : {}) });
  }

  /** Cases per state at the end of every date from `from` to `to`. */
  async statesDaily(from: string, to: string, knownAt?: string): Promise<StatesDaily> {
    const query = { from, to, ...(knownAt ? { knownAt } : {}) };
    return (await this.client.call('getStateCountsDaily', { query })).data as StatesDaily;
  }

  /** Cases per state on one date, as known at `knownAt`. */
  async states(asOf: string, knownAt?: string): Promise<StateCounts> {
    const query = { asOf, ...(knownAt ? { knownAt } : {}) };
    return (await this.client.call('getStateCounts', { query })).data as StateCounts;
  }

  /** State transitions per date. */
  async transitions(from: string, to: string): Promise<TransitionsPerDay> {
    return (await this.client.call('getTransitionsPerDay', { query: { from, to } }))
      .data as TransitionsPerDay;
  }

  /** Fines imposed, paid and annulled per month. */
  async fines(): Promise<{ months: FinesMonth[] }> {
    return (await this.client.call('getFinesPerMonth')).data as { months: FinesMonth[] };
  }

  /** Registered cases per whole day from warning to registration. */
  async warningToRegistrationDays(): Promise<WarningToRegistrationDays> {
    return (await this.client.call('getWarningToRegistrationDays')).data as WarningToRegistrationDays;
  }

  /** The blocklist's size per date. */
  async blocklistDaily(from: string, to: string, knownAt?: string): Promise<BlocklistDaily> {
    const query = { from, to, ...(knownAt ? { knownAt } : {}) };
    return (await this.client.call('getBlocklistDaily', { query })).data as BlocklistDaily;
  }

  /** The newest blocklist changes. */
  async latestBlocklistChanges(limit: number): Promise<{ changes: BlocklistChange[] }> {
    const answer = await this.client.call('getLatestBlocklistChanges', { query: { limit } });
    return answer.data as { changes: BlocklistChange[] };
  }

  /** The population under another policy until a date. */
  async whatIf(policy: Policy, until: string, limit: number): Promise<WhatIfAnswer> {
    return (await this.client.call('whatIf', { query: { policy, until, limit } })).data as WhatIfAnswer;
  }
}
