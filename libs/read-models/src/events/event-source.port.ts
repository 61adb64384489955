/**
 * The slice of `@sanksi/event-store`'s `EventStore` the projector reads (docs/internal-contracts.md),
 * declared structurally so this lib compiles and tests without depending on an adapter.
 */
export interface SourceEvent {
  eventId: string;
  type: string;
  data: unknown;
  metadata: Record<string, unknown>;
  schemaVersion: number;
  streamId: string;
  revision: number;
  position: number;
  createdAt: string;
}

/** Filter and paging options of `readAll`, as the event store defines them. */
export interface ReadAllOptions {
  after?: number;
  limit?: number;
  types?: string[];
  category?: string;
}

/** Options of a catch-up subscription, as the event store defines them. */
export interface SubscribeOptions {
  after?: number;
  types?: string[];
  category?: string;
  signal?: AbortSignal;
  batchSize?: number;
}

/** What the projector needs of an event store: global reads, a catch-up subscription, the head. */
export interface ProjectorEventSource {
  readAll(options?: ReadAllOptions): Promise<SourceEvent[]>;
  subscribe(options: SubscribeOptions): AsyncIterable<SourceEvent>;
  headPosition(): Promise<number>;
}
