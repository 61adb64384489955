// Every API call the console makes, through the typed client of libs/client (openapi-fetch over the types
// generated from docs/openapi.json). Pages import only from here; answers are the generated schemas, except
// the event envelope, which the console reads field by field whatever its type (see CaseEvent below).
import {
  createSanksiClient,
  OPERATIONS,
  type components,
  type OperationId,
  type QueryParams,
  type SanksiClient,
} from '@sanksi/client';
import { readEventStream, type SseMessage } from './sse';

type Schemas = components['schemas'];

export type Role = Schemas['WhoAmI']['role'];

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
] as const satisfies readonly Schemas['Case']['state'][];
export type CaseState = (typeof CASE_STATES)[number];

export const POLICIES = ['mr5-literal', 'kominfo-2022', 'pp43-2023'] as const satisfies readonly NonNullable<
  CaseQuery['policy']
>[];

/** A case as the list and `GET /v1/cases/{pseId}` show it. */
export type CaseView = Schemas['Case'];
export type Deadline = NonNullable<CaseView['nextDeadline']>;
export type CaseStateAfter = Schemas['CaseStateAfter'];
export type CaseAsOf = Schemas['CaseAsOf'];
export type Statechart = Schemas['Statechart'];
export type EscalationEntry = Schemas['EscalationQueue']['entries'][number];
export type BusinessCalendar = Schemas['BusinessCalendar'];
export type CaseTrafficPoint = Schemas['CaseTraffic']['points'][number];

/**
 * A stored event as the console reads it: the envelope's fields and the payload as a record. The generated
 * `CaseEvent` is a union of every event type; the timeline and the evidence check read any event's fields by
 * name, so they take this wider view of the same JSON.
 */
export type CaseEvent = Omit<Schemas['CaseEvent'], 'type' | 'data'> & {
  type: string;
  data: Record<string, unknown>;
};

/** One replay step, its event read as `CaseEvent`. */
export type ReplayStep = Omit<Schemas['CaseReplay']['steps'][number], 'event'> & { event: CaseEvent };

/** The evidence pack, its events read as `CaseEvent`. */
export type EvidencePack = Omit<Schemas['EvidencePack'], 'events'> & { events: CaseEvent[] };

/** The filters and order of the case search (`GET /v1/cases`). */
export type CaseQuery = QueryParams<'listCases'>;
/** The orders of the case list the server offers. */
export type CaseSort = NonNullable<CaseQuery['sort']>;
/** The orders of the escalation queue. */
export type QueueOrder = NonNullable<QueryParams<'getEscalationQueue'>['order']>;

/** The command routes of a case (all POST /v1/cases/{pseId}/…): the console's forms send these. */
export type CommandOperation = {
  [Id in OperationId]: (typeof OPERATIONS)[Id] extends { method: 'post'; path: `/v1/cases/{pseId}/${string}` }
    ? Id
    : never;
}[OperationId];

/** What a command answers (the case after it and the events it appended). */
export type CommandAnswer = Schemas['CommandAnswer'];

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

/** The client for this page's origin: the console is served by the API it talks to. */
function clientFor(key: string | null): SanksiClient {
  const origin = typeof location === 'undefined' ? 'http://localhost' : location.origin;
  return createSanksiClient({ baseUrl: origin, ...(key ? { apiKey: key } : {}) });
}

/** The API as the console uses it, bound to one API key. */
export class SanksiApi {
  private readonly client: SanksiClient;

  constructor(private readonly key: string | null) {
    this.client = clientFor(key);
  }

  /** The key's role and actor id (401 for an unknown key). */
  async whoami() {
    return (await this.client.call('whoAmI')).data;
  }

  /** One page of the case summaries matching a query, in the order asked. */
  async cases(query: CaseQuery) {
    return (await this.client.call('listCases', { query })).data;
  }

  /** How many cases are in each state now. */
  async stateCounts() {
    return (await this.client.call('getStateCounts')).data;
  }

  /** The case summary (its version is what If-Match sends back). */
  async caseView(pseId: string) {
    return (await this.client.call('getCase', { path: { pseId } })).data;
  }

  /** Every step of the case with the transition it took. */
  async replay(pseId: string): Promise<{ pseId: string; steps: ReplayStep[] }> {
    const { data } = await this.client.call('replayCase', { path: { pseId } });
    return data as { pseId: string; steps: ReplayStep[] };
  }

  /** The case as it stood at business time `asOf`, as known at `knownAt`. */
  async stateAsOf(pseId: string, asOf: string, knownAt?: string) {
    const query = knownAt ? { asOf, knownAt } : { asOf };
    return (await this.client.call('getCaseAsOf', { path: { pseId }, query })).data;
  }

  /** The case's traffic per period, oldest first (empty when none was observed). */
  async caseTraffic(pseId: string) {
    return (await this.client.call('getCaseTraffic', { path: { pseId } })).data;
  }

  /** The signed evidence pack of a case. */
  async evidence(pseId: string): Promise<EvidencePack> {
    return (await this.client.call('getEvidencePack', { path: { pseId } })).data as EvidencePack;
  }

  /** The key the server signs evidence packs with (base64 DER SPKI). */
  async evidencePublicKey() {
    return (await this.client.call('getEvidencePublicKey')).data;
  }

  /** The machine's states and transitions. */
  async statechart() {
    return (await this.client.call('getStatechart')).data;
  }

  /** The holidays working-day deadlines skip, and the server's clock. */
  async calendar() {
    return (await this.client.call('getBusinessCalendar')).data;
  }

  /** Cases waiting for an operator after an elapsed deadline, in the order asked. */
  async escalationQueue(order: QueueOrder, cursor?: string) {
    const query = { order, limit: 50, ...(cursor ? { cursor } : {}) };
    return (await this.client.call('getEscalationQueue', { query })).data;
  }

  /** Sends a command of a case, with If-Match when a version is known; `fineId` for the fine routes. */
  async command(
    operation: CommandOperation,
    params: { pseId: string; fineId?: string },
    body: Record<string, unknown>,
    ifMatchVersion: number | null,
  ): Promise<CommandAnswer> {
    // One call for every command route: the form decides which, so the operation's own body type cannot be
    // checked here; the server validates the body (zod) and answers 400 naming the field.
    const call = this.client.call.bind(this.client) as (
      id: CommandOperation,
      options: { path: typeof params; body: unknown; ifMatch?: number },
    ) => Promise<{ data: CommandAnswer }>;
    const answer = await call(operation, {
      path: params,
      body,
      ...(ifMatchVersion !== null ? { ifMatch: ifMatchVersion } : {}),
    });
    return answer.data;
  }

  /** Follows the live event feed (from now on, by default) until `signal` aborts. */
  streamEvents(
    onEvent: (event: FeedEvent) => void,
    onStatus: (status: 'connecting' | 'connected' | 'disconnected') => void,
    signal: AbortSignal,
    after: number | 'now' = 'now',
  ) {
    if (!this.key) return Promise.resolve();
    // Not through the client: the stream is read with fetch's body stream so the key stays in a header.
    return readEventStream(
      this.key,
      `${OPERATIONS.streamEvents.path}?after=${encodeURIComponent(String(after))}`,
      {
        onStatus,
        onMessage: (message: SseMessage) => onEvent(JSON.parse(message.data) as FeedEvent),
      },
      signal,
    );
  }
}
