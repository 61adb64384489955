import { categoryOf, decideBatch, prepareAppend, type PreparedAppend } from './append-plan';
import { CommandIdInUse, InvalidAppendRequest, WrongExpectedRevision } from './event-store.errors';

const append = (
  streamId: string,
  expectedRevision: PreparedAppend['expectedRevision'],
  count = 1,
  commandId: string | null = null,
  commandIdScope: 'stream' | 'store' = 'stream',
): PreparedAppend =>
  prepareAppend(
    streamId,
    Array.from({ length: count }, (_, i) => ({
      eventId: `${streamId}-${i}`,
      type: 'T',
      data: {},
      metadata: {},
    })),
    { expectedRevision, commandId: commandId ?? undefined, commandIdScope },
  );

describe('decideBatch', () => {
  it('given two appends to one stream in a batch, then the second sees the revision the first leaves', () => {
    const decisions = decideBatch(
      [append('pse-1', 'no_stream', 2), append('pse-1', 1)],
      new Map(),
      new Map(),
    );
    expect(decisions).toEqual([
      { kind: 'write', firstRevision: 0 },
      { kind: 'write', firstRevision: 2 },
    ]);
  });

  it('given a stale append between good ones, then only it is refused, with the actual revision', () => {
    const decisions = decideBatch(
      [append('pse-1', 4), append('pse-2', 'stream_exists'), append('pse-3', 'any')],
      new Map([['pse-1', 4]]),
      new Map(),
    );
    expect(decisions[0]).toEqual({ kind: 'write', firstRevision: 5 });
    expect(decisions[1]).toMatchObject({ kind: 'refused' });
    const refusal = (decisions[1] as { error: WrongExpectedRevision }).error;
    expect(refusal).toMatchObject({ streamId: 'pse-2', expected: 'stream_exists', actual: 'no_stream' });
    expect(decisions[2]).toEqual({ kind: 'write', firstRevision: 0 });
  });

  it('given a stored command id and a repeated one inside the batch, then both resolve as duplicates without a revision check', () => {
    const stored = { nextExpectedRevision: 3, position: 40, duplicate: false };
    const decisions = decideBatch(
      [
        append('pse-1', 'no_stream', 1, 'cmd-a'),
        append('pse-2', 'no_stream', 1, 'cmd-b'),
        append('pse-2', 'no_stream', 1, 'cmd-b'),
      ],
      new Map([['pse-1', 3]]),
      new Map([['pse-1\u0000cmd-a', stored]]),
    );
    expect(decisions).toEqual([
      { kind: 'duplicate', result: { ...stored, duplicate: true } },
      { kind: 'write', firstRevision: 0 },
      { kind: 'duplicate-in-batch', of: 1 },
    ]);
  });

  it('given store-scoped command ids, then one recorded elsewhere or written earlier in the batch on another stream is refused, one on its own stream is a duplicate', () => {
    const decisions = decideBatch(
      [
        append('pse-1', 'no_stream', 1, 'cmd-a', 'store'),
        append('pse-2', 'no_stream', 1, 'cmd-b', 'store'),
        append('pse-3', 'no_stream', 1, 'cmd-b', 'store'),
        append('pse-2', 0, 1, 'cmd-b', 'store'),
        append('pse-4', 'no_stream', 1, 'cmd-b'),
      ],
      new Map(),
      new Map(),
      new Map([['cmd-a', 'pse-9']]),
    );
    const refusal = (d: (typeof decisions)[number]) => (d as { error: CommandIdInUse }).error;
    expect(decisions[0]).toMatchObject({ kind: 'refused' });
    expect(refusal(decisions[0])).toBeInstanceOf(CommandIdInUse);
    expect(refusal(decisions[0])).toMatchObject({
      streamId: 'pse-1',
      commandId: 'cmd-a',
      recordedOn: 'pse-9',
    });
    expect(decisions[1]).toEqual({ kind: 'write', firstRevision: 0 });
    expect(refusal(decisions[2])).toMatchObject({ streamId: 'pse-3', recordedOn: 'pse-2' });
    expect(decisions[3]).toEqual({ kind: 'duplicate-in-batch', of: 1 });
    // scoped to its stream (the default), the same id elsewhere is another command
    expect(decisions[4]).toEqual({ kind: 'write', firstRevision: 0 });
  });

  it('given an id written earlier in the batch for its stream only, then a store-scoped use on another stream is written (decision 0016)', () => {
    const decisions = decideBatch(
      [
        append('pse-1', 'no_stream', 1, 'cmd-a'),
        append('pse-2', 'no_stream', 1, 'cmd-a', 'store'),
        append('pse-3', 'no_stream', 1, 'cmd-a', 'store'),
      ],
      new Map(),
      new Map(),
    );
    expect(decisions[0]).toEqual({ kind: 'write', firstRevision: 0 });
    expect(decisions[1]).toEqual({ kind: 'write', firstRevision: 0 });
    // the store-scoped use took the id: the next one elsewhere is refused, naming it
    expect((decisions[2] as { error: CommandIdInUse }).error).toMatchObject({ recordedOn: 'pse-2' });
  });
});

describe('prepareAppend', () => {
  it.each([
    ['an empty stream id', '', [{ eventId: 'e', type: 'T', data: {}, metadata: {} }], 'any'],
    ['no events', 'pse-1', [], 'any'],
    ['a negative revision', 'pse-1', [{ eventId: 'e', type: 'T', data: {}, metadata: {} }], -1],
    ['a fractional revision', 'pse-1', [{ eventId: 'e', type: 'T', data: {}, metadata: {} }], 1.5],
    ['an event without id', 'pse-1', [{ eventId: '', type: 'T', data: {}, metadata: {} }], 'any'],
    ['undefined data', 'pse-1', [{ eventId: 'e', type: 'T', data: undefined, metadata: {} }], 'any'],
    ['array metadata', 'pse-1', [{ eventId: 'e', type: 'T', data: {}, metadata: [] }], 'any'],
  ])('given %s, then it is refused as an invalid request', (_label, streamId, events, expectedRevision) => {
    expect(() =>
      prepareAppend(streamId as string, events as never, { expectedRevision: expectedRevision as never }),
    ).toThrow(InvalidAppendRequest);
  });

  it('given a valid append, then JSON is serialised once and the category is derived', () => {
    const prepared = prepareAppend(
      'pse-abc-1',
      [{ eventId: 'e', type: 'T', data: { a: 1 }, metadata: { h: null } }],
      {
        expectedRevision: 'any',
      },
    );
    expect(prepared).toMatchObject({
      category: 'pse',
      commandId: null,
      events: [{ dataJson: '{"a":1}', metadataJson: '{"h":null}', schemaVersion: 1 }],
    });
    expect(categoryOf('plain')).toBe('plain');
  });

  it('given events sharing one metadata object and one with its own, then each carries its own metadata JSON, and bad metadata is still refused', () => {
    const shared = { actor: 'a' };
    const prepared = prepareAppend(
      'traffic-sw-2022-07',
      [
        { eventId: 'e1', type: 'T', data: 1, metadata: shared },
        { eventId: 'e2', type: 'T', data: 2, metadata: { actor: 'b' } },
        { eventId: 'e3', type: 'T', data: 3, metadata: shared },
      ],
      { expectedRevision: 'any' },
    );
    expect(prepared.events.map((e) => e.metadataJson)).toEqual([
      '{"actor":"a"}',
      '{"actor":"b"}',
      '{"actor":"a"}',
    ]);
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    expect(() =>
      prepareAppend(
        'pse-1',
        [
          { eventId: 'e1', type: 'T', data: 1, metadata: cyclic },
          { eventId: 'e2', type: 'T', data: 2, metadata: cyclic },
        ],
        { expectedRevision: 'any' },
      ),
    ).toThrow(InvalidAppendRequest);
  });
});
