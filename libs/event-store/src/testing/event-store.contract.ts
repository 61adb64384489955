import { randomUUID } from 'node:crypto';
import {
  CommandIdInUse,
  EventStoreClosed,
  EventStoreError,
  InvalidAppendRequest,
  InvalidReadRequest,
  WrongExpectedRevision,
} from '../core/event-store.errors';
import {
  MAX_STREAMS_PER_READ,
  type AppendResult,
  type EventStore,
  type EventToAppend,
  type RecordedEvent,
} from '../core/event-store.port';
import type { Upcaster } from '../core/upcaster.registry';

/** How the contract suite reaches an adapter: every `open` is a new store over the same test database. */
export interface EventStoreContractHarness {
  /** Creates the shared test database (called once, before the suite). */
  setUp?(): Promise<void>;
  /** Drops it (called once, after the suite, after every opened store is closed). */
  tearDown?(): Promise<void>;
  /** Opens a new store instance over the shared test database. */
  open(options?: { upcasters?: readonly Upcaster[] }): Promise<EventStore>;
  /** A database that has never been opened, for the first-use tests; omit when the adapter cannot make one. */
  freshDatabase?(): Promise<{ open(): Promise<EventStore>; dispose(): Promise<void> }>;
}

/** Builds an event with a random id (tests only). */
export function testEvent(
  type: string,
  data: unknown = {},
  metadata: Record<string, unknown> = {},
): EventToAppend {
  return { eventId: randomUUID(), type, data, metadata };
}

async function collect(
  iterable: AsyncIterable<RecordedEvent>,
  count: number,
  signal: AbortController,
): Promise<RecordedEvent[]> {
  const seen: RecordedEvent[] = [];
  for await (const event of iterable) {
    seen.push(event);
    if (seen.length === count) {
      signal.abort();
      break;
    }
  }
  return seen;
}

async function settle<T>(
  promise: Promise<T>,
): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
  try {
    return { ok: true, value: await promise };
  } catch (error) {
    return { ok: false, error };
  }
}

/**
 * The contract every EventStore adapter passes (jest globals): optimistic concurrency, atomicity,
 * reads, global order, subscriptions, idempotency, upcasting, big and unicode payloads, closing.
 */
export function describeEventStoreContract(adapterName: string, harness: EventStoreContractHarness): void {
  describe(`EventStore contract: ${adapterName}`, () => {
    let store: EventStore;
    const opened: EventStore[] = [];
    const run = randomUUID().slice(0, 8);
    let streams = 0;
    const newStream = (category = `c${run}`): string => `${category}-${++streams}`;
    const newCategory = (): string => `k${run}x${++streams}`;
    const open = async (options?: { upcasters?: readonly Upcaster[] }): Promise<EventStore> => {
      const s = await harness.open(options);
      opened.push(s);
      return s;
    };

    beforeAll(async () => {
      await harness.setUp?.();
      store = await open();
    });

    afterAll(async () => {
      for (const s of opened) await s.close();
      await harness.tearDown?.();
    });

    describe('appending and reading one stream', () => {
      it('given no stream, when appending with no_stream, then events get revisions 0.. and read back intact', async () => {
        const streamId = newStream();
        const events = [
          testEvent('Opened', { n: 1 }, { hash: 'h0', prevHash: null }),
          testEvent(
            'Noted',
            { n: 2, nested: { list: [1, 'two', null, true] } },
            { hash: 'h1', prevHash: 'h0' },
          ),
        ];
        events[1].schemaVersion = 3;

        const result = await store.appendToStream(streamId, events, { expectedRevision: 'no_stream' });

        expect(result.nextExpectedRevision).toBe(1);
        expect(result.duplicate).toBe(false);
        const read = await store.readStream(streamId);
        expect(read.map((e) => e.revision)).toEqual([0, 1]);
        expect(read[1].position).toBe(result.position);
        expect(read[0].position).toBeLessThan(read[1].position);
        expect(read[0]).toMatchObject({
          eventId: events[0].eventId,
          type: 'Opened',
          data: { n: 1 },
          schemaVersion: 1,
          streamId,
        });
        expect(read[0].metadata).toEqual({ hash: 'h0', prevHash: null });
        expect(read[1]).toMatchObject({ eventId: events[1].eventId, data: events[1].data, schemaVersion: 3 });
        expect(read[1].metadata).toEqual({ hash: 'h1', prevHash: 'h0' });
        expect(Number.isNaN(Date.parse(read[0].createdAt))).toBe(false);
        expect(await store.streamExists(streamId)).toBe(true);
        expect(await store.streamExists(newStream())).toBe(false);
        expect(await store.readStream(newStream())).toEqual([]);
      });

      it('given a stream at revision 1, when appending with 1, stream_exists and any, then each succeeds in turn', async () => {
        const streamId = newStream();
        await store.appendToStream(streamId, [testEvent('A'), testEvent('B')], {
          expectedRevision: 'no_stream',
        });

        const r1 = await store.appendToStream(streamId, [testEvent('C')], { expectedRevision: 1 });
        const r2 = await store.appendToStream(streamId, [testEvent('D')], {
          expectedRevision: 'stream_exists',
        });
        const r3 = await store.appendToStream(streamId, [testEvent('E')], { expectedRevision: 'any' });

        expect([r1.nextExpectedRevision, r2.nextExpectedRevision, r3.nextExpectedRevision]).toEqual([
          2, 3, 4,
        ]);
        expect(r1.position).toBeLessThan(r2.position);
        expect(r2.position).toBeLessThan(r3.position);
        expect((await store.readStream(streamId)).map((e) => e.type)).toEqual(['A', 'B', 'C', 'D', 'E']);
      });

      it('given no stream, when appending with any, then it starts the stream at revision 0', async () => {
        const streamId = newStream();
        const result = await store.appendToStream(streamId, [testEvent('A')], { expectedRevision: 'any' });
        expect(result.nextExpectedRevision).toBe(0);
      });

      it('given ten events, when reading forwards and backwards with from and limit, then the slices are right', async () => {
        const streamId = newStream();
        await store.appendToStream(
          streamId,
          Array.from({ length: 10 }, (_, i) => testEvent(`E${i}`)),
          { expectedRevision: 'no_stream' },
        );
        const revisions = async (o: Parameters<EventStore['readStream']>[1]): Promise<number[]> =>
          (await store.readStream(streamId, o)).map((e) => e.revision);

        expect(await revisions({})).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
        expect(await revisions({ from: 7 })).toEqual([7, 8, 9]);
        expect(await revisions({ from: 2, limit: 3 })).toEqual([2, 3, 4]);
        expect(await revisions({ direction: 'backwards' })).toEqual([9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
        expect(await revisions({ direction: 'backwards', limit: 2 })).toEqual([9, 8]);
        expect(await revisions({ direction: 'backwards', from: 4, limit: 3 })).toEqual([4, 3, 2]);
        expect(await revisions({ direction: 'forwards', from: 10 })).toEqual([]);
      });
    });

    describe('optimistic concurrency', () => {
      it('given an existing stream, when appending with no_stream, then WrongExpectedRevision carries the actual revision', async () => {
        const streamId = newStream();
        await store.appendToStream(streamId, [testEvent('A'), testEvent('B'), testEvent('C')], {
          expectedRevision: 'no_stream',
        });

        const refusal = await settle(
          store.appendToStream(streamId, [testEvent('X')], { expectedRevision: 'no_stream' }),
        );

        expect(refusal.ok).toBe(false);
        const error = (refusal as { error: unknown }).error;
        expect(error).toBeInstanceOf(WrongExpectedRevision);
        expect(error).toMatchObject({
          code: 'WRONG_EXPECTED_REVISION',
          streamId,
          expected: 'no_stream',
          actual: 2,
        });
      });

      it('given no stream, when appending with stream_exists or a number, then the refusal says no_stream', async () => {
        const streamId = newStream();
        await expect(
          store.appendToStream(streamId, [testEvent('A')], { expectedRevision: 'stream_exists' }),
        ).rejects.toMatchObject({
          code: 'WRONG_EXPECTED_REVISION',
          actual: 'no_stream',
        });
        await expect(
          store.appendToStream(streamId, [testEvent('A')], { expectedRevision: 0 }),
        ).rejects.toMatchObject({
          actual: 'no_stream',
          expected: 0,
        });
        expect(await store.streamExists(streamId)).toBe(false);
      });

      it('given two writers at the same revision, when both append at once, then one wins and the loser learns the actual revision', async () => {
        const streamId = newStream();
        await store.appendToStream(streamId, [testEvent('A')], { expectedRevision: 'no_stream' });
        const other = await open();

        const [first, second] = await Promise.all([
          settle(
            store.appendToStream(streamId, [testEvent('W1'), testEvent('W1b')], { expectedRevision: 0 }),
          ),
          settle(other.appendToStream(streamId, [testEvent('W2')], { expectedRevision: 0 })),
        ]);

        const outcomes = [first, second];
        expect(outcomes.filter((o) => o.ok)).toHaveLength(1);
        const loser = outcomes.find((o) => !o.ok) as { error: unknown };
        const winnerTypes = first.ok ? ['W1', 'W1b'] : ['W2'];
        expect(loser.error).toBeInstanceOf(WrongExpectedRevision);
        expect((loser.error as WrongExpectedRevision).actual).toBe(winnerTypes.length);
        expect((await store.readStream(streamId)).map((e) => e.type)).toEqual(['A', ...winnerTypes]);
      });

      it('given a refused append, then the stream is exactly as before and the next append with the actual revision succeeds', async () => {
        const streamId = newStream();
        await store.appendToStream(streamId, [testEvent('A'), testEvent('B')], {
          expectedRevision: 'no_stream',
        });
        const before = await store.readStream(streamId);

        const refusal = await settle(
          store.appendToStream(streamId, [testEvent('X'), testEvent('Y')], { expectedRevision: 0 }),
        );
        const actual = (refusal as { error: WrongExpectedRevision }).error.actual as number;

        expect(await store.readStream(streamId)).toEqual(before);
        const next = await store.appendToStream(streamId, [testEvent('C')], { expectedRevision: actual });
        expect(next.nextExpectedRevision).toBe(2);
        expect((await store.readStream(streamId)).map((e) => e.type)).toEqual(['A', 'B', 'C']);
      });

      it('given many concurrent appends to different streams with one stale, then only the stale one fails', async () => {
        const ids = Array.from({ length: 40 }, () => newStream());
        await store.appendToStream(ids[7], [testEvent('Seed')], { expectedRevision: 'no_stream' });

        const outcomes = await Promise.all(
          ids.map((id) =>
            settle(
              store.appendToStream(id, [testEvent('New'), testEvent('Next')], {
                expectedRevision: 'no_stream',
              }),
            ),
          ),
        );

        outcomes.forEach((outcome, i) => {
          if (i === 7)
            expect((outcome as { error: unknown }).error).toMatchObject({
              code: 'WRONG_EXPECTED_REVISION',
              actual: 0,
            });
          else
            expect(outcome).toMatchObject({ ok: true, value: { nextExpectedRevision: 1, duplicate: false } });
        });
        expect((await store.readStream(ids[7])).map((e) => e.type)).toEqual(['Seed']);
        const positions = outcomes
          .filter((o) => o.ok)
          .map((o) => (o as { value: AppendResult }).value.position);
        expect(new Set(positions).size).toBe(positions.length);
      });

      it('given concurrent appends to one stream with expected revision any, then none is lost and revisions are dense', async () => {
        const streamId = newStream();
        await Promise.all(
          Array.from({ length: 25 }, (_, i) =>
            store.appendToStream(streamId, [testEvent(`E${i}`)], { expectedRevision: 'any' }),
          ),
        );
        const read = await store.readStream(streamId);
        expect(read.map((e) => e.revision)).toEqual(Array.from({ length: 25 }, (_, i) => i));
        expect(new Set(read.map((e) => e.type)).size).toBe(25);
      });
    });

    describe('atomicity', () => {
      it('given a multi-event append with a wrong revision, then none of its events is written', async () => {
        const streamId = newStream();
        await store.appendToStream(streamId, [testEvent('A')], { expectedRevision: 'no_stream' });
        await expect(
          store.appendToStream(streamId, [testEvent('X'), testEvent('Y'), testEvent('Z')], {
            expectedRevision: 5,
          }),
        ).rejects.toBeInstanceOf(WrongExpectedRevision);
        expect((await store.readStream(streamId)).map((e) => e.type)).toEqual(['A']);
      });

      it('given a multi-event append with one malformed event, then it is refused as invalid and nothing is written', async () => {
        const streamId = newStream();
        const circular: Record<string, unknown> = {};
        circular.self = circular;
        const bad = [testEvent('Good'), testEvent('Bad', circular)];

        const refusal = await settle(store.appendToStream(streamId, bad, { expectedRevision: 'no_stream' }));

        expect((refusal as { error: unknown }).error).toBeInstanceOf(InvalidAppendRequest);
        await expect(store.appendToStream(streamId, [], { expectedRevision: 'any' })).rejects.toMatchObject({
          code: 'INVALID_APPEND_REQUEST',
        });
        await expect(
          store.appendToStream(streamId, [testEvent('A')], { expectedRevision: -1 }),
        ).rejects.toMatchObject({
          code: 'INVALID_APPEND_REQUEST',
        });
        expect(await store.streamExists(streamId)).toBe(false);
      });

      it('given an append of many events racing close(), then the stream holds all of them or none', async () => {
        const doomed = await open();
        const streamId = newStream();
        const events = Array.from({ length: 300 }, (_, i) => testEvent('Bulk', { i, pad: 'x'.repeat(200) }));

        const appending = settle(doomed.appendToStream(streamId, events, { expectedRevision: 'no_stream' }));
        const closing = doomed.close();
        const outcome = await appending;
        await closing;

        const stored = await store.readStream(streamId);
        if (outcome.ok) expect(stored).toHaveLength(300);
        else {
          expect(outcome.error).toBeInstanceOf(EventStoreError);
          expect([0, 300]).toContain(stored.length);
        }
        await expect(
          doomed.appendToStream(newStream(), [testEvent('A')], { expectedRevision: 'any' }),
        ).rejects.toBeInstanceOf(EventStoreClosed);
        await expect(doomed.readAll({ limit: 1 })).rejects.toBeInstanceOf(EventStoreClosed);
      });
    });

    describe('global order', () => {
      it('given interleaved appends to several streams, then readAll returns them in append order with increasing positions', async () => {
        const category = newCategory();
        const [a, b, c] = [`${category}-a`, `${category}-b`, `${category}-c`];
        const after = await store.headPosition();
        const plan: Array<[string, string]> = [
          [a, 'A1'],
          [b, 'B1'],
          [a, 'A2'],
          [c, 'C1'],
          [b, 'B2'],
          [c, 'C2'],
          [a, 'A3'],
        ];
        for (const [streamId, type] of plan) {
          await store.appendToStream(streamId, [testEvent(type)], { expectedRevision: 'any' });
        }

        const all = await store.readAll({ after, category });

        expect(all.map((e) => e.type)).toEqual(plan.map(([, type]) => type));
        for (let i = 1; i < all.length; i++) expect(all[i].position).toBeGreaterThan(all[i - 1].position);
        expect(await store.headPosition()).toBeGreaterThanOrEqual(all[all.length - 1].position);
        expect((await store.readAll({ after, category, types: ['B1', 'C2'] })).map((e) => e.type)).toEqual([
          'B1',
          'C2',
        ]);
        expect(await store.readAll({ after, types: [`none-${run}`] })).toEqual([]);
        const fromMiddle = await store.readAll({ after: all[2].position, category, limit: 2 });
        expect(fromMiddle.map((e) => e.type)).toEqual(['C1', 'B2']);
      });

      it('given pages of readAll, when walking the log by the last position, then every event is seen exactly once', async () => {
        const category = newCategory();
        const after = await store.headPosition();
        for (let i = 0; i < 5; i++) {
          await store.appendToStream(
            `${category}-${i}`,
            Array.from({ length: 7 }, () => testEvent('P')),
            { expectedRevision: 'no_stream' },
          );
        }
        const seen: RecordedEvent[] = [];
        let cursor = after;
        for (;;) {
          const page = await store.readAll({ after: cursor, limit: 4, category });
          if (page.length === 0) break;
          seen.push(...page);
          cursor = page[page.length - 1].position;
        }
        expect(seen).toHaveLength(35);
        expect(new Set(seen.map((e) => e.eventId)).size).toBe(35);
      });

      it('given streams begun among appends to others, then readStreamStarts lists each once at its first event, in log order (where the adapter indexes stream starts)', async () => {
        if (!store.readStreamStarts) return expect(store.readStreamStarts).toBeUndefined();
        const category = newCategory();
        const other = newCategory();
        const before = await store.headPosition();
        const a = `${category}-a`;
        const b = `${category}-b`;
        const c = `${other}-c`;
        await store.appendToStream(a, [testEvent('A0'), testEvent('A1')], { expectedRevision: 'no_stream' });
        const second = await store.appendToStream(c, [testEvent('C0')], { expectedRevision: 'no_stream' });
        await store.appendToStream(a, [testEvent('A2')], { expectedRevision: 1 });
        const third = await store.appendToStream(b, [testEvent('B0')], { expectedRevision: 'no_stream' });
        await store.appendToStream(b, [testEvent('B1')], { expectedRevision: 0 });
        const startOfA = (await store.readStream(a, { limit: 1 }))[0].position;

        expect(await store.readStreamStarts({ after: before, category })).toEqual([
          { streamId: a, position: startOfA },
          { streamId: b, position: third.position },
        ]);
        expect(await store.readStreamStarts({ after: before })).toEqual([
          { streamId: a, position: startOfA },
          { streamId: c, position: second.position },
          { streamId: b, position: third.position },
        ]);
        // (after, upTo]: the start at `after` is out, the one at `upTo` is in.
        expect(await store.readStreamStarts({ after: startOfA, upTo: third.position })).toEqual([
          { streamId: c, position: second.position },
          { streamId: b, position: third.position },
        ]);
        expect(await store.readStreamStarts({ after: before, limit: 1 })).toEqual([
          { streamId: a, position: startOfA },
        ]);
        expect(await store.readStreamStarts({ after: third.position + 1, category })).toEqual([]);
      });

      it('given interleaved streams, when several are read at once, then each is what readStream gives, in the order asked, and a bad request reads nothing (where the adapter reads streams together)', async () => {
        if (!store.readStreams) return expect(store.readStreams).toBeUndefined();
        const category = newCategory();
        const [a, b, c] = ['a', 'b', 'c'].map((s) => `${category}-${s}`);
        // interleaved: a0 b0 a1 c0 b1 a2
        for (const [stream, type] of [
          [a, 'A0'],
          [b, 'B0'],
          [a, 'A1'],
          [c, 'C0'],
          [b, 'B1'],
          [a, 'A2'],
        ] as const)
          await store.appendToStream(stream, [testEvent(type, { stream })], { expectedRevision: 'any' });
        // when
        const read = await store.readStreams([b, `${category}-none`, a, b]);
        // then
        expect(read).toEqual([
          await store.readStream(b),
          [],
          await store.readStream(a),
          await store.readStream(b),
        ]);
        expect(read[2].map((e) => e.type)).toEqual(['A0', 'A1', 'A2']);
        expect(await store.readStreams([])).toEqual([]);
        const tooMany = Array.from({ length: MAX_STREAMS_PER_READ + 1 }, (_, i) => `${category}-${i}`);
        await expect(store.readStreams(tooMany)).rejects.toBeInstanceOf(InvalidReadRequest);
        await expect(store.readStreams([42 as unknown as string])).rejects.toMatchObject({
          code: 'INVALID_READ_REQUEST',
          operation: 'readStreams',
        });
      });

      it('given malformed readStreamStarts options, then it refuses them by name and reads nothing', async () => {
        if (!store.readStreamStarts) return expect(store.readStreamStarts).toBeUndefined();
        await expect(store.readStreamStarts({ after: -1 })).rejects.toMatchObject({
          code: 'INVALID_READ_REQUEST',
          reason: expect.stringContaining('after'),
        });
        await expect(store.readStreamStarts({ limit: 1.5 })).rejects.toBeInstanceOf(InvalidReadRequest);
        await expect(store.readStreamStarts({ upTo: Number.NaN })).rejects.toMatchObject({
          reason: expect.stringContaining('upTo'),
        });
      });
    });

    describe('subscriptions', () => {
      it('given existing events, when subscribing from a checkpoint, then it catches up and then tails live appends', async () => {
        const category = newCategory();
        const streamId = `${category}-1`;
        const after = await store.headPosition();
        await store.appendToStream(streamId, [testEvent('Old1'), testEvent('Old2')], {
          expectedRevision: 'no_stream',
        });
        const stop = new AbortController();

        const received = collect(
          store.subscribe({ after, category, signal: stop.signal, batchSize: 1 }),
          5,
          stop,
        );
        await new Promise((resolve) => setTimeout(resolve, 50));
        await store.appendToStream(streamId, [testEvent('Live1')], { expectedRevision: 1 });
        const writer = await open();
        await writer.appendToStream(streamId, [testEvent('Live2'), testEvent('Live3')], {
          expectedRevision: 2,
        });

        const events = await received;
        expect(events.map((e) => e.type)).toEqual(['Old1', 'Old2', 'Live1', 'Live2', 'Live3']);
        expect(events.map((e) => e.revision)).toEqual([0, 1, 2, 3, 4]);
      });

      it('given a checkpoint in the middle, when subscribing with a type filter, then only later matching events arrive', async () => {
        const category = newCategory();
        await store.appendToStream(
          `${category}-1`,
          [testEvent('Keep', { n: 1 }), testEvent('Drop'), testEvent('Keep', { n: 2 })],
          {
            expectedRevision: 'no_stream',
          },
        );
        const [first] = await store.readAll({ after: 0, category, limit: 1 });
        const stop = new AbortController();

        const received = collect(
          store.subscribe({ after: first.position, category, types: ['Keep'], signal: stop.signal }),
          2,
          stop,
        );
        await store.appendToStream(`${category}-2`, [testEvent('Drop'), testEvent('Keep', { n: 3 })], {
          expectedRevision: 'no_stream',
        });

        expect((await received).map((e) => e.data)).toEqual([{ n: 2 }, { n: 3 }]);
      });

      it('given a caught-up subscription, when its signal aborts, then iteration ends without error', async () => {
        const stop = new AbortController();
        const head = await store.headPosition();
        const iterating = (async () => {
          const seen: RecordedEvent[] = [];
          for await (const event of store.subscribe({
            after: head,
            category: newCategory(),
            signal: stop.signal,
          }))
            seen.push(event);
          return seen;
        })();
        setTimeout(() => stop.abort(), 30);
        await expect(iterating).resolves.toEqual([]);
      });
    });

    describe('idempotent command ids', () => {
      it('given an append with a command id, when the same command is appended again, then the original result comes back and nothing is added', async () => {
        const streamId = newStream();
        const commandId = randomUUID();
        const original = await store.appendToStream(streamId, [testEvent('A'), testEvent('B')], {
          expectedRevision: 'no_stream',
          commandId,
        });
        await store.appendToStream(streamId, [testEvent('C')], { expectedRevision: 1 });

        const again = await store.appendToStream(streamId, [testEvent('A'), testEvent('B')], {
          expectedRevision: 'no_stream',
          commandId,
        });

        expect(again).toEqual({ ...original, duplicate: true });
        expect((await store.readStream(streamId)).map((e) => e.type)).toEqual(['A', 'B', 'C']);
      });

      it('given the same command id on another stream, then it is a different command and appends', async () => {
        const commandId = randomUUID();
        await store.appendToStream(newStream(), [testEvent('A')], {
          expectedRevision: 'no_stream',
          commandId,
        });
        const other = newStream();
        const result = await store.appendToStream(other, [testEvent('A')], {
          expectedRevision: 'no_stream',
          commandId,
        });
        expect(result.duplicate).toBe(false);
        expect(await store.readStream(other)).toHaveLength(1);
      });

      it('given a command id recorded store-wide, then streamsOfCommand finds its stream; recorded for streams only, none (where the adapter indexes command ids)', async () => {
        if (!store.streamsOfCommand) return expect(store.streamsOfCommand).toBeUndefined();
        const commandId = randomUUID();
        const [a, b] = [newStream(), newStream()].sort();
        expect(await store.streamsOfCommand(commandId)).toEqual([]);
        await store.appendToStream(a, [testEvent('A')], { expectedRevision: 'no_stream', commandId });
        await store.appendToStream(b, [testEvent('A')], { expectedRevision: 'no_stream', commandId });
        expect(await store.streamsOfCommand(commandId)).toEqual([]);
        const wide = randomUUID();
        await store.appendToStream(a, [testEvent('B')], {
          expectedRevision: 0,
          commandId: wide,
          commandIdScope: 'store',
        });
        expect(await store.streamsOfCommand(wide)).toEqual([a]);
      });

      it('given the same command sent concurrently through two store instances, then it is appended once and both get its result', async () => {
        const streamId = newStream();
        const commandId = randomUUID();
        const other = await open();
        const results = await Promise.all([
          store.appendToStream(streamId, [testEvent('Once')], { expectedRevision: 'no_stream', commandId }),
          store.appendToStream(streamId, [testEvent('Once')], { expectedRevision: 'no_stream', commandId }),
          other
            .appendToStream(streamId, [testEvent('Once')], { expectedRevision: 'no_stream', commandId })
            .catch((error: unknown) => {
              // A racing duplicate from another connection may lose the revision race instead; its
              // retry must then be recognised as a duplicate.
              if (!(error instanceof WrongExpectedRevision)) throw error;
              return other.appendToStream(streamId, [testEvent('Once')], {
                expectedRevision: 'no_stream',
                commandId,
              });
            }),
        ]);
        expect(await store.readStream(streamId)).toHaveLength(1);
        expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
        expect(new Set(results.map((r) => r.position)).size).toBe(1);
      });

      describe('a command id scoped to the whole store (where the adapter indexes command ids)', () => {
        const scoped = (commandId: string) =>
          ({ expectedRevision: 'no_stream', commandId, commandIdScope: 'store' }) as const;

        it('given the id recorded store-wide on another stream, then CommandIdInUse names that stream and nothing is written', async () => {
          if (!store.streamsOfCommand) return expect(store.streamsOfCommand).toBeUndefined();
          const commandId = randomUUID();
          const first = newStream();
          await store.appendToStream(first, [testEvent('A')], scoped(commandId));
          const head = await store.headPosition();
          const second = newStream();
          const refused = await store
            .appendToStream(second, [testEvent('A'), testEvent('B')], scoped(commandId))
            .catch((e: unknown) => e);
          expect(refused).toBeInstanceOf(CommandIdInUse);
          expect(refused).toMatchObject({
            code: 'COMMAND_ID_IN_USE',
            streamId: second,
            commandId,
            recordedOn: first,
          });
          expect(await store.streamExists(second)).toBe(false);
          expect(await store.headPosition()).toBe(head);
          expect(await store.streamsOfCommand(commandId)).toEqual([first]);
        });

        it('given the id recorded on another stream for that stream only, then it does not take the id from the store (decision 0016)', async () => {
          if (!store.streamsOfCommand) return expect(store.streamsOfCommand).toBeUndefined();
          const commandId = randomUUID();
          const first = newStream();
          await store.appendToStream(first, [testEvent('A')], { expectedRevision: 'no_stream', commandId });
          const second = newStream();
          const written = await store.appendToStream(second, [testEvent('A')], scoped(commandId));
          expect(written.duplicate).toBe(false);
          expect(await store.streamsOfCommand(commandId)).toEqual([second]);
          // and from then on the id is taken store-wide: a third stream's store-scoped use is refused
          await expect(
            store.appendToStream(newStream(), [testEvent('A')], scoped(commandId)),
          ).rejects.toMatchObject({ code: 'COMMAND_ID_IN_USE', recordedOn: second });
          // while the first stream's own record still answers its retry
          const retry = await store.appendToStream(first, [testEvent('A')], {
            expectedRevision: 'no_stream',
            commandId,
          });
          expect(retry.duplicate).toBe(true);
        });

        it('given the id recorded on its own stream, then a retry is the duplicate it always was', async () => {
          if (!store.streamsOfCommand) return expect(store.streamsOfCommand).toBeUndefined();
          const commandId = randomUUID();
          const streamId = newStream();
          const once = await store.appendToStream(streamId, [testEvent('A')], scoped(commandId));
          const again = await store.appendToStream(streamId, [testEvent('A')], scoped(commandId));
          expect(again).toEqual({ ...once, duplicate: true });
          expect(await store.readStream(streamId)).toHaveLength(1);
        });

        it('given first uses of one id racing on many streams, through one store and through two, then exactly one is written', async () => {
          if (!store.streamsOfCommand) return expect(store.streamsOfCommand).toBeUndefined();
          const other = await open();
          const commandId = randomUUID();
          const streams = Array.from({ length: 8 }, () => newStream());
          const outcomes = await Promise.allSettled(
            streams.map((streamId, i) =>
              (i % 2 === 0 ? store : other).appendToStream(
                streamId,
                [testEvent('A'), testEvent('B')],
                scoped(commandId),
              ),
            ),
          );
          const written = streams.filter((_, i) => outcomes[i].status === 'fulfilled');
          expect(written).toHaveLength(1);
          for (const outcome of outcomes) {
            if (outcome.status === 'rejected') {
              expect(outcome.reason).toBeInstanceOf(CommandIdInUse);
              expect(outcome.reason).toMatchObject({ recordedOn: written[0] });
            }
          }
          expect(await store.streamsOfCommand(commandId)).toEqual(written);
          for (const streamId of streams) {
            expect(await store.streamExists(streamId)).toBe(streamId === written[0]);
          }
        });

        it("given the scope 'store' without a command id, or an unknown scope, then the append is refused as malformed", async () => {
          const streamId = newStream();
          await expect(
            store.appendToStream(streamId, [testEvent('A')], {
              expectedRevision: 'no_stream',
              commandIdScope: 'store',
            }),
          ).rejects.toBeInstanceOf(InvalidAppendRequest);
          await expect(
            store.appendToStream(streamId, [testEvent('A')], {
              expectedRevision: 'no_stream',
              commandId: randomUUID(),
              commandIdScope: 'everywhere' as 'store',
            }),
          ).rejects.toBeInstanceOf(InvalidAppendRequest);
          expect(await store.streamExists(streamId)).toBe(false);
        });
      });
    });

    describe('upcasting', () => {
      it('given events stored in old schema versions, when read through any path, then they arrive in the current shape', async () => {
        const category = newCategory();
        const streamId = `${category}-1`;
        const after = await store.headPosition();
        const v1 = testEvent('PersonNamed', { name: 'Siti Rahma' }, { hash: 'a' });
        const v2 = { ...testEvent('PersonNamed', { first: 'Budi', last: 'Santoso' }), schemaVersion: 2 };
        const v3 = {
          ...testEvent('PersonNamed', { first: 'Ayu', last: 'Lestari', title: 'Dr' }),
          schemaVersion: 3,
        };
        await store.appendToStream(streamId, [v1, v2, v3, testEvent('Other', { name: 'untouched' })], {
          expectedRevision: 'no_stream',
        });
        const upcasters: Upcaster[] = [
          {
            type: 'PersonNamed',
            fromVersion: 1,
            upcast: ({ data, metadata }) => {
              const [first, ...rest] = (data as { name: string }).name.split(' ');
              return { data: { first, last: rest.join(' ') }, metadata: { ...metadata, upcastFrom: 1 } };
            },
          },
          {
            type: 'PersonNamed',
            fromVersion: 2,
            upcast: ({ data }) => ({ data: { ...(data as object), title: null } }),
          },
        ];
        const reader = await open({ upcasters });

        const expected = [
          { schemaVersion: 3, data: { first: 'Siti', last: 'Rahma', title: null } },
          { schemaVersion: 3, data: { first: 'Budi', last: 'Santoso', title: null } },
          { schemaVersion: 3, data: { first: 'Ayu', last: 'Lestari', title: 'Dr' } },
          { schemaVersion: 1, data: { name: 'untouched' } },
        ];
        const fromStream = await reader.readStream(streamId);
        expect(fromStream.map((e) => ({ schemaVersion: e.schemaVersion, data: e.data }))).toEqual(expected);
        expect(fromStream[0].metadata).toEqual({ hash: 'a', upcastFrom: 1 });
        if (reader.readStreams) {
          const [together] = await reader.readStreams([streamId]);
          expect(together.map((e) => ({ schemaVersion: e.schemaVersion, data: e.data }))).toEqual(expected);
        }
        const fromAll = await reader.readAll({ after, category });
        expect(fromAll.map((e) => ({ schemaVersion: e.schemaVersion, data: e.data }))).toEqual(expected);
        const stop = new AbortController();
        const fromSubscription = await collect(
          reader.subscribe({ after, category, signal: stop.signal }),
          4,
          stop,
        );
        expect(fromSubscription.map((e) => ({ schemaVersion: e.schemaVersion, data: e.data }))).toEqual(
          expected,
        );
        expect((await store.readStream(streamId))[0].data).toEqual({ name: 'Siti Rahma' });
      });
    });

    describe('size and encoding', () => {
      it('given a stream of 3,000 events appended in batches, then it reads back whole, in order, both ways', async () => {
        const streamId = newStream();
        let revision: number | 'no_stream' = 'no_stream';
        for (let batch = 0; batch < 6; batch++) {
          const events = Array.from({ length: 500 }, (_, i) => testEvent('Tick', { i: batch * 500 + i }));
          revision = (await store.appendToStream(streamId, events, { expectedRevision: revision }))
            .nextExpectedRevision;
        }
        expect(revision).toBe(2999);
        const forwards = await store.readStream(streamId);
        expect(forwards).toHaveLength(3000);
        expect(forwards.every((e, i) => e.revision === i && (e.data as { i: number }).i === i)).toBe(true);
        const backwards = await store.readStream(streamId, { direction: 'backwards', limit: 1000 });
        expect(backwards[0].revision).toBe(2999);
        expect(backwards[999].revision).toBe(2000);
        expect((await store.readStream(streamId, { from: 2995 })).map((e) => e.revision)).toEqual([
          2995, 2996, 2997, 2998, 2999,
        ]);
      });

      it('given unicode stream ids, types, data and metadata and a 2 MB payload, then everything round-trips exactly', async () => {
        const streamId = `${newCategory()}-Perusahaan Ñandú 中文 😀 مرحبا`;
        const unicode = {
          indonesian: 'Kementerian Komunikasi dan Informatika',
          scripts: 'ñ ü ß 中文 日本語 한국어 العربية עברית हिन्दी',
          emoji: '😀👩‍👩‍👧‍👦🇮🇩',
          combining: 'e\u0301 a\u0308',
          separators: 'line\u2028para\u2029tab\tnewline\nquote"backslash\\',
          control: 'nul\u0000bell\u0007',
          numbers: [0, -1, 1.5, 1e21, Number.MAX_SAFE_INTEGER],
        };
        const big = {
          blob: 'ABCDEFGHIJ'.repeat(200_000),
          list: Array.from({ length: 2000 }, (_, i) => ({ i, s: `é${i}` })),
        };
        const events = [
          testEvent('Ünïcødé✓', unicode, { actor: { id: 'ö-1', role: 'operator' }, note: '说明 🚫' }),
          testEvent('Big', big, { size: 'large' }),
        ];

        await store.appendToStream(streamId, events, { expectedRevision: 'no_stream' });

        const read = await store.readStream(streamId);
        expect(read.map((e) => e.streamId)).toEqual([streamId, streamId]);
        expect(read[0].type).toBe('Ünïcødé✓');
        expect(read[0].data).toEqual(unicode);
        expect(read[0].metadata).toEqual(events[0].metadata);
        expect(read[1].data).toEqual(big);
        expect(await store.streamExists(streamId)).toBe(true);
      });
    });

    if (harness.freshDatabase) {
      const fresh = harness.freshDatabase.bind(harness);
      describe('a fresh database', () => {
        it('given a database never opened, when several stores open it and append at once, then all appends land and set-up never races', async () => {
          const database = await fresh();
          try {
            const stores = await Promise.all(Array.from({ length: 4 }, () => database.open()));
            try {
              expect(await stores[0].headPosition()).toBe(0);
              const results = await Promise.all(
                stores.flatMap((s, i) =>
                  Array.from({ length: 10 }, (_, j) =>
                    s.appendToStream(`fresh-${i}-${j}`, [testEvent('First')], {
                      expectedRevision: 'no_stream',
                    }),
                  ),
                ),
              );
              expect(results).toHaveLength(40);
              const all = await stores[1].readAll();
              expect(all).toHaveLength(40);
              expect(await stores[2].headPosition()).toBe(all[39].position);
            } finally {
              for (const s of stores) await s.close();
            }
          } finally {
            await database.dispose();
          }
        });
      });
    }
  });
}
