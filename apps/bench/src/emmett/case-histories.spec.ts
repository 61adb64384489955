import { toReadModelEvent } from '@sanksi/read-models';
import { caseHistories, eventCount, EVENTS_PER_CASE, streamsOfWriter } from './case-histories';
import { foldSummary, fromEmmett } from './summary-projection';

describe('emmett bench workload', () => {
  it('given 5 cases, then 5 streams of the 2022 ladder, each event carrying the state after it for its own case', () => {
    const streams = caseHistories('t', 5);

    expect(streams.map((s) => s.streamId)).toEqual(['pse-t-0', 'pse-t-1', 'pse-t-2', 'pse-t-3', 'pse-t-4']);
    expect(streams.every((s) => s.events.length === EVENTS_PER_CASE)).toBe(true);
    expect(eventCount(streams)).toBe(5 * EVENTS_PER_CASE);
    expect(streams[1].events.map((e) => e.type)).toEqual([
      'PseIdentified',
      'WarningIssued',
      'DeadlineElapsed',
      'AccessBlocked',
      'RegistrationSubmitted',
      'RegistrationConfirmed',
      'PseProfileUpdated',
      'PseProfileUpdated',
    ]);
    expect(streams[0].events.map((e) => e.type).slice(4)).toEqual([
      'AccessTemporarilyRestored',
      'DeadlineElapsed',
      'FineImposed',
      'FinePaid',
    ]);
    for (const s of streams) {
      expect(s.events.every((e) => `pse-${String(e.metadata['pseId'])}` === s.streamId)).toBe(true);
    }
  });

  it('given the same run name twice, then the same histories; given another, then other streams', () => {
    expect(caseHistories('a', 3)).toEqual(caseHistories('a', 3));
    expect(caseHistories('b', 1)[0].streamId).not.toBe(caseHistories('a', 1)[0].streamId);
  });

  it('given 10 streams and 4 writers, then each stream goes to exactly one writer, round robin', () => {
    const streams = Array.from({ length: 10 }, (_, i) => i);
    const shares = [0, 1, 2, 3].map((w) => streamsOfWriter(streams, 4, w));

    expect(shares).toEqual([
      [0, 4, 8],
      [1, 5, 9],
      [2, 6],
      [3, 7],
    ]);
    expect(shares.flat().sort((a, b) => a - b)).toEqual(streams);
  });

  it('given a history folded through the summary projection, then the row is the case after its last event', () => {
    const [stream] = caseHistories('f', 1);
    const recorded = stream.events.map((e, revision) => ({
      eventId: `e${revision}`,
      type: e.type,
      data: e.data,
      metadata: e.metadata,
      schemaVersion: 1,
      streamId: stream.streamId,
      revision,
      position: revision + 1,
      createdAt: '2022-07-01T00:00:00Z',
    }));

    const row = recorded.reduce(foldSummary, undefined as ReturnType<typeof foldSummary> | undefined);

    const last = toReadModelEvent(recorded[recorded.length - 1]);
    expect(row).toMatchObject({
      pseId: 'f-0',
      state: last.state.state,
      warnings: 1,
      blocks: last.state.blocks,
    });
    expect(row?.finesPaidIdr).toBe(1_000_000);
  });

  it('given an event as Emmett reads it back, then the projection sees its stream, revision from 0 and global position', () => {
    const [stream] = caseHistories('e', 1);
    const e = stream.events[1];

    const source = fromEmmett({
      type: e.type,
      data: e.data,
      metadata: {
        ...e.metadata,
        streamName: stream.streamId,
        streamPosition: 2n,
        globalPosition: 17n,
        messageId: 'm',
      },
    });

    expect(source).toMatchObject({
      streamId: 'pse-e-0',
      revision: 1,
      position: 17,
      eventId: 'm',
      type: 'WarningIssued',
    });
    expect(foldSummary(undefined, source).warnings).toBe(1);
  });

  it('given an Emmett SQLite inline-projection event without a global position, then position 0 rather than NaN', () => {
    const [stream] = caseHistories('n', 1);
    const e = stream.events[0];

    const source = fromEmmett({
      type: e.type,
      data: e.data,
      metadata: { ...e.metadata, streamName: stream.streamId, streamPosition: 1n } as never,
    });

    expect(source.position).toBe(0);
  });
});
