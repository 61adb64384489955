import { CommandIdInUse, InvalidAppendRequest, WrongExpectedRevision } from './event-store.errors';
import type { AppendOptions, AppendResult, EventToAppend, ExpectedRevision } from './event-store.port';

/** One event, validated and serialised once, ready for any SQL adapter. */
export interface PreparedEvent {
  eventId: string;
  type: string;
  schemaVersion: number;
  dataJson: string;
  metadataJson: string;
}

/** One append call, validated: what the group committer queues. */
export interface PreparedAppend {
  streamId: string;
  category: string;
  expectedRevision: ExpectedRevision;
  commandId: string | null;
  /** The command id names one command in the whole store, not only on its stream. */
  storeScoped: boolean;
  events: PreparedEvent[];
}

/** What to do with one append of a batch, decided before anything is written. */
export type AppendDecision =
  | { kind: 'write'; firstRevision: number }
  | { kind: 'duplicate'; result: AppendResult }
  | { kind: 'duplicate-in-batch'; of: number }
  | { kind: 'refused'; error: WrongExpectedRevision | CommandIdInUse };

/** The category of a stream: the part before its first `-` (the whole id when there is none). */
export function categoryOf(streamId: string): string {
  const dash = streamId.indexOf('-');
  return dash < 0 ? streamId : streamId.slice(0, dash);
}

/** Key of an idempotency record: command ids are scoped to their stream. */
export function commandKey(streamId: string, commandId: string): string {
  return `${streamId}\u0000${commandId}`;
}

/** Validates and serialises an append; throws InvalidAppendRequest so nothing malformed reaches a transaction. */
export function prepareAppend(
  streamId: string,
  events: EventToAppend[],
  options: AppendOptions,
): PreparedAppend {
  const fail = (reason: string): never => {
    throw new InvalidAppendRequest({ streamId: String(streamId), reason });
  };
  if (typeof streamId !== 'string' || streamId.length === 0) fail('stream id must be a non-empty string');
  if (!Array.isArray(events) || events.length === 0) fail('an append needs at least one event');
  const expected = options?.expectedRevision;
  if (
    !(expected === 'no_stream' || expected === 'stream_exists' || expected === 'any') &&
    !(typeof expected === 'number' && Number.isSafeInteger(expected) && expected >= 0)
  ) {
    fail(
      `expected revision must be 'no_stream', 'stream_exists', 'any' or an integer >= 0, got ${String(expected)}`,
    );
  }
  const commandId = options.commandId ?? null;
  if (commandId !== null && (typeof commandId !== 'string' || commandId.length === 0)) {
    fail('command id must be a non-empty string when given');
  }
  const scope = options.commandIdScope ?? 'stream';
  if (scope !== 'stream' && scope !== 'store') {
    fail(`command id scope must be 'stream' or 'store', got ${String(scope)}`);
  }
  if (scope === 'store' && commandId === null) fail("command id scope 'store' needs a command id");
  // The events of one append usually share one metadata object (a batch's actor and time): its JSON
  // once, not once per event (a traffic file's batches are 5,000 events).
  const metadataJsons = new Map<unknown, string>();
  const metadataJsonOf = (metadata: unknown, index: number): string => {
    let json = metadataJsons.get(metadata);
    if (json === undefined) {
      json = serialise(metadata, () => fail(`event ${index}: metadata is not JSON-serialisable`));
      metadataJsons.set(metadata, json);
    }
    return json;
  };
  const prepared = events.map((event, index): PreparedEvent => {
    if (typeof event?.eventId !== 'string' || event.eventId.length === 0)
      fail(`event ${index}: eventId is required`);
    if (typeof event.type !== 'string' || event.type.length === 0) fail(`event ${index}: type is required`);
    const schemaVersion = event.schemaVersion ?? 1;
    if (!Number.isSafeInteger(schemaVersion) || schemaVersion < 1) {
      fail(`event ${index}: schemaVersion must be an integer >= 1`);
    }
    if (event.metadata === null || typeof event.metadata !== 'object' || Array.isArray(event.metadata)) {
      fail(`event ${index}: metadata must be an object`);
    }
    return {
      eventId: event.eventId,
      type: event.type,
      schemaVersion,
      dataJson: serialise(event.data, () => fail(`event ${index}: data is not JSON-serialisable`)),
      metadataJson: metadataJsonOf(event.metadata, index),
    };
  });
  return {
    streamId,
    category: categoryOf(streamId),
    expectedRevision: expected,
    commandId,
    storeScoped: scope === 'store',
    events: prepared,
  };
}

function serialise(value: unknown, onError: () => never): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch {
    return onError();
  }
  return json === undefined ? onError() : json;
}

/** Returns the refusal for `expected` against a stream whose last revision is `current` (-1: no stream). */
export function checkExpectedRevision(
  streamId: string,
  expected: ExpectedRevision,
  current: number,
): WrongExpectedRevision | undefined {
  const ok =
    expected === 'any' ||
    (expected === 'no_stream' && current < 0) ||
    (expected === 'stream_exists' && current >= 0) ||
    expected === current;
  return ok
    ? undefined
    : new WrongExpectedRevision({ streamId, expected, actual: current < 0 ? 'no_stream' : current });
}

/**
 * Decides each append of a group-commit batch in arrival order: appends to the same stream see the
 * revisions of the earlier ones, and a command id repeated inside the batch resolves to the first.
 * `currentRevisions` holds the last revision of every stream of the batch (-1 or absent: none);
 * `knownCommands` the stored results of the batch's command ids; `recordedElsewhere` (command id → a
 * stream other than the append's own) where another stream recorded a store-scoped append's id with
 * that scope (an id recorded for its stream only is not in it: docs/decisions/0016).
 */
export function decideBatch(
  appends: readonly PreparedAppend[],
  currentRevisions: ReadonlyMap<string, number>,
  knownCommands: ReadonlyMap<string, AppendResult>,
  recordedElsewhere: ReadonlyMap<string, string> = new Map(),
): AppendDecision[] {
  const revisions = new Map(currentRevisions);
  const commandsInBatch = new Map<string, number>();
  // Command id → the stream an earlier store-scoped append of this batch recorded it on.
  const streamsInBatch = new Map<string, string>();
  return appends.map((append, index): AppendDecision => {
    if (append.commandId !== null) {
      const key = commandKey(append.streamId, append.commandId);
      const stored = knownCommands.get(key);
      if (stored) return { kind: 'duplicate', result: { ...stored, duplicate: true } };
      const earlier = commandsInBatch.get(key);
      if (earlier !== undefined) return { kind: 'duplicate-in-batch', of: earlier };
      if (append.storeScoped) {
        const inBatch = streamsInBatch.get(append.commandId);
        const recordedOn =
          recordedElsewhere.get(append.commandId) ?? (inBatch !== append.streamId ? inBatch : undefined);
        if (recordedOn !== undefined) {
          const { streamId, commandId } = append;
          return { kind: 'refused', error: new CommandIdInUse({ streamId, commandId, recordedOn }) };
        }
      }
    }
    const current = revisions.get(append.streamId) ?? -1;
    const error = checkExpectedRevision(append.streamId, append.expectedRevision, current);
    if (error) return { kind: 'refused', error };
    revisions.set(append.streamId, current + append.events.length);
    if (append.commandId !== null) {
      commandsInBatch.set(commandKey(append.streamId, append.commandId), index);
      if (append.storeScoped && !streamsInBatch.has(append.commandId))
        streamsInBatch.set(append.commandId, append.streamId);
    }
    return { kind: 'write', firstRevision: current + 1 };
  });
}
