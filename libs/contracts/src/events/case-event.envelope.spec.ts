import { decide, getPolicy, hashEnvelope, type PseCaseEventEnvelope } from '@sanksi/domain';
import {
  caseStreamId,
  CASE_STREAM_CATEGORY,
  EnvelopeInvalid,
  fromRecorded,
  isCaseStream,
  pseIdOfStream,
  type StoredEvent,
  toCaseEventBody,
} from './case-event.envelope';
import { eventBodySchema } from './event-json-schemas';

/** A real envelope, as `decide` seals it: the case `paypal` identified under kominfo-2022. */
function identified(): PseCaseEventEnvelope {
  const decision = decide(
    {
      type: 'IdentifyPse',
      pseId: 'paypal',
      name: 'PayPal',
      origin: 'foreign',
      domains: ['paypal.com'],
      company: null,
      sector: null,
    },
    undefined,
    getPolicy('kominfo-2022'),
    {
      commandId: 'cmd-1',
      correlationId: 'corr-1',
      actor: { id: 'op-1', role: 'operator' },
      now: '2022-07-30T10:00:05+07:00',
      occurredAt: '2022-07-30T10:00:00+07:00',
    },
  );
  if (!decision.ok) throw decision.error;
  return decision.events[0] as PseCaseEventEnvelope;
}

/** How the application stores an envelope: its own fields in metadata, beside the store's notes. */
function stored(envelope: PseCaseEventEnvelope, notes: Record<string, unknown> = {}): StoredEvent {
  const { eventId, type, data, schemaVersion, ...metadata } = envelope;
  return {
    eventId,
    type,
    data,
    schemaVersion,
    metadata: { ...metadata, ...notes },
    streamId: caseStreamId(envelope.pseId),
    revision: envelope.revision,
    position: 7,
  };
}

function refusal(recorded: StoredEvent): EnvelopeInvalid {
  try {
    fromRecorded(recorded);
  } catch (e) {
    if (e instanceof EnvelopeInvalid) return e;
    throw e;
  }
  throw new Error('fromRecorded accepted an invalid envelope');
}

describe('case streams', () => {
  it('given a case id, when named as a stream and back, then the round trip gives the case id', () => {
    for (const pseId of ['paypal', 'PSE-0001', 'a-b-c', 'pse-inside']) {
      const streamId = caseStreamId(pseId);
      expect(streamId.startsWith(`${CASE_STREAM_CATEGORY}-`)).toBe(true);
      expect(isCaseStream(streamId)).toBe(true);
      expect(pseIdOfStream(streamId)).toBe(pseId);
    }
  });

  it('given a stream that is not a case stream, then it is not one and its id comes back unchanged', () => {
    for (const streamId of ['traffic-2022-07', 'pse-', 'pse', 'other']) {
      expect(isCaseStream(streamId)).toBe(false);
      expect(pseIdOfStream(streamId)).toBe(streamId);
    }
  });
});

describe('fromRecorded', () => {
  it('given a stored envelope with the store notes, when read, then it is the sealed envelope exactly', () => {
    const envelope = identified();
    const read = fromRecorded(
      stored(envelope, { commandDigest: 'd1', append: 'cmd-0', traceId: 't'.repeat(32) }),
    );
    expect(read).toEqual(envelope);
    expect(hashEnvelope(read as unknown as Record<string, unknown>)).toBe(envelope.hash);
  });

  it('given fields the schema does not know, when read, then they are kept as stored (the hash covers them)', () => {
    const envelope = identified();
    const recorded = stored({
      ...envelope,
      state: { ...envelope.state, extra: 1 },
    } as unknown as PseCaseEventEnvelope);
    expect((fromRecorded(recorded).state as unknown as Record<string, unknown>)['extra']).toBe(1);
  });

  it('given a state that is not one of the case states, then it is refused naming the field', () => {
    const envelope = identified();
    const recorded = stored({ ...envelope, state: { ...envelope.state, state: 'closed' } } as never);
    const error = refusal(recorded);
    expect(error.code).toBe('ENVELOPE_INVALID');
    expect(error.issues.map((i) => i.path)).toEqual(['metadata.state.state']);
    expect(error.message).toContain('metadata.state.state');
    expect(error.message).toContain(envelope.eventId);
    expect(error).toMatchObject({
      eventId: envelope.eventId,
      position: 7,
      streamId: 'pse-paypal',
      pseId: 'paypal',
    });
  });

  it('given an instant without an offset and no actor, then both fields are named', () => {
    const recorded = stored(identified());
    recorded.metadata = { ...recorded.metadata, occurredAt: '2022-07-30 10:00', actor: undefined };
    expect(
      refusal(recorded)
        .issues.map((i) => i.path)
        .sort(),
    ).toEqual(['metadata.actor', 'metadata.occurredAt']);
  });

  it('given an empty type or a payload that is not an object, then each is named', () => {
    const recorded = { ...stored(identified()), type: '', data: [1] };
    expect(refusal(recorded).issues.map((i) => i.path)).toEqual(['type', 'data']);
  });

  it('given a type this build does not know (a newer writer), when read, then it passes as stored', () => {
    const recorded = { ...stored(identified()), type: 'CaseNoteAdded', data: { note: 'n' } };
    expect(fromRecorded(recorded)).toMatchObject({ type: 'CaseNoteAdded', data: { note: 'n' } });
  });

  it('given a case id that is not the one its stream names, then it is refused naming pseId', () => {
    const recorded = { ...stored(identified()), streamId: caseStreamId('someone-else') };
    expect(refusal(recorded).issues).toEqual([
      { path: 'metadata.pseId', message: 'does not match its stream pse-someone-else' },
    ]);
  });

  it('given a refused envelope, when read, then the stored event is left as it was', () => {
    const recorded = stored(identified());
    recorded.metadata = { ...recorded.metadata, revision: -1 };
    const before = structuredClone(recorded);
    refusal(recorded);
    expect(recorded).toEqual(before);
  });
});

describe('toCaseEventBody', () => {
  it('given an envelope at a position, then the body is the envelope plus position and valid against its published schema', () => {
    const envelope = identified();
    const body = toCaseEventBody(envelope, 42);
    expect(body).toEqual({ ...envelope, position: 42 });
    expect(eventBodySchema(envelope.type).safeParse(JSON.parse(JSON.stringify(body))).success).toBe(true);
  });
});
