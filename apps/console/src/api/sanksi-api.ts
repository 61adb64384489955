// Every API call the console makes, typed. Pages import only from here: when the typed client of
// libs/client (openapi-fetch over docs/openapi.json) lands, this file is the one to rewrite over it.
import { queryString, requestJson, type JsonAnswer } from './http';
import { readEventStream, type SseMessage } from './sse';

export type Role = 'operator' | 'analyst' | 'service' | 'admin';

export const CASE_STATES = [
  'unregistered',
  'registrationPending',
  'registered',
  'warned',
  'fined',
  'blocked',
  'reRegistered',
  'suspended',
  'revoked',
  'exempted',
] as const;
export type CaseState = (typeof CASE_STATES)[number];

export const POLICIES = ['mr5-literal', 'kominfo-2022', 'pp43-2023'] as const;

export interface Deadline {
  kind: string;
  dueAt: string;
  fineId: string | null;
}

export interface CaseView {
  pseId: string;
  name: string;
  origin: 'domestic' | 'foreign';
  company: string | null;
  sector: string | null;
  domains: string[];
  state: CaseState;
  substate: string | null;
  since: string;
  onBlocklist: boolean;
  registrationNumber: string | null;
  warnings: number;
  blocks: number;
  fines: { imposedIdr: number; paidIdr: number; annulledIdr: number; outstandingIdr: number };
  nextDeadline: Deadline | null;
  escalation: { pending: boolean; allowed: string[]; since: string | null };
  policy: string;
  version: number;
  openedAt: string;
  updatedAt: string;
}

export interface CaseStateAfter {
  state: CaseState;
  substate: string | null;
  since: string;
  onBlocklist: boolean;
  nextDeadline: Deadline | null;
  deadlines?: Deadline[];
  fines?: { imposedIdr: number; paidIdr: number; annulledIdr: number; outstandingIdr: number };
}

export interface CaseEvent {
  eventId: string;
  pseId: string;
  type: string;
  occurredAt: string;
  recordedAt: string;
  actor: { id: string; role: string };
  commandId: string;
  causationId: string | null;
  policyVersion: string;
  revision: number;
  state: CaseStateAfter;
  prevHash: string | null;
  hash: string;
  data: Record<string, unknown>;
}

export interface ReplayStep {
  index: number;
  event: CaseEvent;
  stateBefore: CaseStateAfter | null;
  stateAfter: CaseStateAfter;
  transition: {
    from: string;
    to: string;
    eventType: string;
    guards: string[];
    reason: string;
    accepted: boolean;
  };
  matchesRecorded: boolean;
}

export interface CaseAsOf {
  pseId: string;
  asOf: string;
  knownAt: string;
  version: number;
  state: CaseState | null;
  substate: string | null;
  context: Record<string, unknown>;
}

export interface Statechart {
  initial: string;
  states: Array<{ id: string; key: string; parent: string | null; initial: string | null }>;
  transitions: Array<{ source: string; target: string; event: string; guards: string[] }>;
  shared: Array<{ event: string; guards: string[] }>;
  guards: Record<string, string>;
}

export interface EvidencePack {
  format: string;
  pseId: string;
  exportedAt: string;
  eventCount: number;
  headHash: string | null;
  events: CaseEvent[];
  signature: { algorithm: 'Ed25519'; publicKey: string; value: string };
}

export interface EscalationEntry {
  pseId: string;
  name: string;
  state: string;
  substate: string | null;
  since: string | null;
  allowed: string[];
  visits: number | null;
  rank: number | null;
}

export interface BusinessCalendar {
  now: string;
  zone: 'WIB';
  years: Array<{
    year: number;
    source: string;
    holidays: Array<{ date: string; name: string; kind: string }>;
  }>;
}

export interface CaseQuery {
  state?: string;
  policy?: string;
  origin?: string;
  q?: string;
  deadlineBefore?: string;
  limit?: number;
  cursor?: string;
}

export interface CommandAnswer {
  pseId: string;
  version: number;
  state: CaseState;
  substate: string | null;
  events: CaseEvent[];
}

/** A feed event as the SSE stream carries it (the event envelope and its global position). */
export interface FeedEvent {
  position: number;
  pseId: string;
  type: string;
  occurredAt: string;
  recordedAt?: string;
  actor?: { id: string; role: string };
  [field: string]: unknown;
}

const enc = encodeURIComponent;

/** The API as the console uses it, bound to one API key. */
export class SanksiApi {
  constructor(private readonly key: string | null) {}

  /** The key's role and actor id (401 for an unknown key). */
  whoami() {
    return this.get<{ role: Role; id: string }>('/v1/auth/whoami');
  }

  /** One page of the case summaries matching a query. */
  cases(query: CaseQuery) {
    return this.get<{ items: CaseView[]; nextCursor: string | null }>(
      `/v1/cases${queryString({ ...query })}`,
    );
  }

  /** How many cases are in each state now. */
  stateCounts() {
    return this.get<{ asOf: string; counts: Record<CaseState, number>; total: number }>('/v1/stats/states');
  }

  /** The case summary (its ETag is the version If-Match sends back). */
  caseView(pseId: string) {
    return this.answer<CaseView>(`/v1/cases/${enc(pseId)}`);
  }

  /** The stored events of a case, oldest first. */
  caseEvents(pseId: string) {
    return this.answer<{ pseId: string; version: number; events: CaseEvent[] }>(
      `/v1/cases/${enc(pseId)}/events`,
    );
  }

  /** Every step of the case with the transition it took. */
  replay(pseId: string) {
    return this.get<{ pseId: string; steps: ReplayStep[] }>(`/v1/cases/${enc(pseId)}/replay`);
  }

  /** The case as it stood at business time `asOf`, as known at `knownAt`. */
  stateAsOf(pseId: string, asOf: string, knownAt?: string) {
    return this.get<CaseAsOf>(`/v1/cases/${enc(pseId)}/state${queryString({ asOf, knownAt })}`);
  }

  /** The signed evidence pack of a case. */
  evidence(pseId: string) {
    return this.get<EvidencePack>(`/v1/cases/${enc(pseId)}/evidence`);
  }

  /** The key the server signs evidence packs with (base64 DER SPKI). */
  evidencePublicKey() {
    return this.get<{ algorithm: string; publicKey: string }>('/v1/evidence/public-key');
  }

  /** The machine's states and transitions. */
  statechart() {
    return this.get<Statechart>('/v1/statechart');
  }

  /** The holidays working-day deadlines skip, and the server's clock. */
  calendar() {
    return this.get<BusinessCalendar>('/v1/calendar');
  }

  /** Cases waiting for an operator after an elapsed deadline. */
  escalationQueue(cursor?: string) {
    return this.get<{ entries: EscalationEntry[]; nextCursor: string | null }>(
      `/v1/stats/escalation-queue${queryString({ cursor, limit: 50 })}`,
    );
  }

  /** Sends a command to a case route (`warnings`, `blocks`...), with If-Match when a version is known. */
  async command(path: string, body: Record<string, unknown>, ifMatchVersion: number | null) {
    const headers: Record<string, string> = {};
    if (ifMatchVersion !== null) headers['if-match'] = `"${ifMatchVersion}"`;
    return (await requestJson<CommandAnswer>(this.key, path, { method: 'POST', body, headers })).body;
  }

  /** Follows the live event feed (from now on, by default) until `signal` aborts. */
  streamEvents(
    onEvent: (event: FeedEvent) => void,
    onStatus: (status: 'connecting' | 'connected' | 'disconnected') => void,
    signal: AbortSignal,
    after: number | 'now' = 'now',
  ) {
    if (!this.key) return Promise.resolve();
    return readEventStream(
      this.key,
      `/v1/events/stream${queryString({ after })}`,
      {
        onStatus,
        onMessage: (message: SseMessage) => onEvent(JSON.parse(message.data) as FeedEvent),
      },
      signal,
    );
  }

  private async get<T>(path: string): Promise<T> {
    return (await requestJson<T>(this.key, path)).body;
  }

  private answer<T>(path: string): Promise<JsonAnswer<T>> {
    return requestJson<T>(this.key, path);
  }
}
