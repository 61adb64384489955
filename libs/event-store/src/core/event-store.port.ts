/** Expected state of a stream before an append: a number is the 0-based revision of its last event. */
export type ExpectedRevision = 'no_stream' | 'stream_exists' | 'any' | number;

/** An event as handed to the store; the store adds stream, revision, position and time. */
export interface EventToAppend {
  eventId: string;
  type: string;
  data: unknown;
  metadata: Record<string, unknown>;
  schemaVersion?: number;
}

/** An event as read back, after upcasting to the current schema version of its type. */
export interface RecordedEvent {
  eventId: string;
  type: string;
  data: unknown;
  metadata: Record<string, unknown>;
  schemaVersion: number;
  streamId: string;
  revision: number;
  /** Global order: strictly increasing, gaps allowed. */
  position: number;
  createdAt: string;
}

/** What an append did: the stream's new last revision and the position of its last event. */
export interface AppendResult {
  nextExpectedRevision: number;
  position: number;
  duplicate: boolean;
}

export interface AppendOptions {
  expectedRevision: ExpectedRevision;
  /** Idempotency key: the same command id on the same stream returns the original result. */
  commandId?: string;
  /**
   * Where the command id must be unique. `stream` (the default): on its stream only — the same id on
   * another stream is another command. `store`: among the store-scoped ids of the whole store — an append
   * whose id another stream recorded with this scope, or an earlier append of the same commit took with it,
   * is refused with `CommandIdInUse`, checked inside the append's own transaction so two first uses racing
   * on two streams cannot both be written. An id recorded with the scope `stream` is not seen by that check
   * (docs/decisions/0016): only store-scoped ids are indexed across streams. Adapters without an index of
   * command ids (EventStoreDB) check the stream only.
   */
  commandIdScope?: 'stream' | 'store';
}

export interface ReadStreamOptions {
  from?: number;
  direction?: 'forwards' | 'backwards';
  limit?: number;
}

export interface ReadAllOptions {
  after?: number;
  limit?: number;
  types?: string[];
  category?: string;
}

/** Which stream starts to list: positions in `(after, upTo]`, at most `limit`, of one category if given. */
export interface ReadStreamStartsOptions {
  after?: number;
  upTo?: number;
  limit?: number;
  category?: string;
}

/** Where a stream begins: the global position of its first event (revision 0). */
export interface StreamStart {
  streamId: string;
  position: number;
}

export interface SubscribeOptions {
  after?: number;
  types?: string[];
  category?: string;
  signal?: AbortSignal;
  batchSize?: number;
}

/** The most streams one `readStreams` call reads. */
export const MAX_STREAMS_PER_READ = 1000;

/** The event store port: generic over event types, shared by every adapter. */
export interface EventStore {
  appendToStream(streamId: string, events: EventToAppend[], options: AppendOptions): Promise<AppendResult>;
  readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;
  streamExists(streamId: string): Promise<boolean>;
  /**
   * The streams that recorded this command id with the scope `store` (an idempotency key reused across
   * streams shows as another stream). Optional: an adapter without a command index leaves it out.
   */
  streamsOfCommand?(commandId: string): Promise<string[]>;
  readAll(options?: ReadAllOptions): Promise<RecordedEvent[]>;
  /**
   * The streams whose first event lies in a range of the log, in position order, without reading any
   * event (a whole-population replay hands out slices of the log and each reader lists its own cases).
   * Optional: an adapter without an index of stream starts leaves it out, and callers scan `readAll`.
   */
  readStreamStarts?(options?: ReadStreamStartsOptions): Promise<StreamStart[]>;
  /**
   * Several whole streams at once, each in revision order, in the order asked (an empty array for a stream
   * with no event): what `readStream` gives for each, in one round trip (PostgreSQL) or one read transaction
   * (SQLite). At most `MAX_STREAMS_PER_READ` streams a call. Optional: without it (EventStoreDB) callers read
   * stream by stream.
   */
  readStreams?(streamIds: readonly string[]): Promise<RecordedEvent[][]>;
  subscribe(options: SubscribeOptions): AsyncIterable<RecordedEvent>;
  /**
   * Calls `listener` after every commit of appends through this store (and the stores of this thread on
   * the same file) with the categories written, so that a subscriber in another thread of the process —
   * which polls otherwise — can be woken (`notifyCommitted` on its own store). Returns what stops the
   * calls. Optional: PostgreSQL's NOTIFY already reaches every connection, so its adapter leaves it out.
   */
  onCommitted?(listener: (categories: readonly string[] | undefined) => void): () => void;
  /** Wakes this store's subscribers as its own commit in these categories would (undefined: any). */
  notifyCommitted?(categories?: readonly string[]): void;
  headPosition(): Promise<number>;
  close(): Promise<void>;
}

/** Minimal pino-compatible logger; the store is quiet unless given one. */
export interface EventStoreLogger {
  debug(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}
