import { createHash } from 'node:crypto';
import fc from 'fast-check';
import type { RecordedEvent } from '@sanksi/event-store';
import { caseStateAfter } from './__fixtures__/case-state.fixture';
import { toCaseEventMessage, TRACE_ID_METADATA_KEY } from './case-event.message';
import { formatTraceparent, newTraceId, parseTraceparent, traceIdOfHeaders } from './trace-context';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';

function stored(metadata: Record<string, unknown>): RecordedEvent {
  return {
    eventId: '6f1c2a8e-0000-5000-8000-000000000001',
    type: 'WarningIssued',
    data: {},
    schemaVersion: 1,
    streamId: 'pse-PSE-1',
    revision: 1,
    position: 7,
    createdAt: '2022-07-21T03:00:00.000Z',
    // A whole envelope: the relay reads every event through the one envelope of @sanksi/contracts.
    metadata: {
      pseId: 'PSE-1',
      occurredAt: '2022-07-21T10:00:00+07:00',
      recordedAt: '2022-07-21T10:00:00+07:00',
      actor: { id: 'op-1', role: 'operator' },
      commandId: 'cmd-1',
      correlationId: 'corr-1',
      causationId: null,
      policyVersion: 'kominfo-2022',
      revision: 1,
      state: caseStateAfter(),
      prevHash: 'aa',
      hash: 'bb',
      ...metadata,
    },
  };
}

describe('W3C trace context', () => {
  it('given a valid traceparent, when parsed, then its trace id, parent span and flags come back', () => {
    expect(parseTraceparent(`00-${TRACE}-00f067aa0ba902b7-01`)).toEqual({
      traceId: TRACE,
      parentId: '00f067aa0ba902b7',
      flags: '01',
    });
  });

  it.each([
    ['upper case', `00-${TRACE.toUpperCase()}-00f067aa0ba902b7-01`],
    ['version ff', `ff-${TRACE}-00f067aa0ba902b7-01`],
    ['all-zero trace id', `00-${'0'.repeat(32)}-00f067aa0ba902b7-01`],
    ['all-zero span id', `00-${TRACE}-${'0'.repeat(16)}-01`],
    ['short trace id', `00-${TRACE.slice(1)}-00f067aa0ba902b7-01`],
    ['version 00 with more fields', `00-${TRACE}-00f067aa0ba902b7-01-extra`],
    ['garbage', 'not a trace'],
  ])('given a traceparent with %s, when parsed, then it is ignored', (_, value) => {
    expect(parseTraceparent(value)).toBeUndefined();
  });

  it('given fresh trace ids drawn across several refills of the pool, then each is 32 lowercase hex digits, never zero, never repeated', () => {
    const ids = Array.from({ length: 1000 }, () => newTraceId());
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(ids).not.toContain('0'.repeat(32));
    expect(new Set(ids).size).toBe(1000);
  });

  it('given a later version with more fields, when parsed, then the known fields are kept', () => {
    expect(parseTraceparent(`01-${TRACE}-00f067aa0ba902b7-01-more`)?.traceId).toBe(TRACE);
  });

  it('given a trace id and an event id, when formatted twice, then the same valid header comes out', () => {
    const header = formatTraceparent(TRACE, 'event-1');
    expect(header).toBe(formatTraceparent(TRACE, 'event-1'));
    expect(parseTraceparent(header)).toEqual({ traceId: TRACE, parentId: expect.any(String), flags: '01' });
    expect(formatTraceparent(TRACE, 'event-2')).not.toBe(header);
  });

  it('given any event id, when formatted, then the span is the first 16 hex digits of its SHA-256 (as the relay has always sent it)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 64 }), (eventId) => {
        let span = createHash('sha256').update(eventId).digest('hex').slice(0, 16);
        if (span === '0'.repeat(16)) span = '0000000000000001';
        expect(formatTraceparent(TRACE, eventId)).toBe(`00-${TRACE}-${span}-01`);
      }),
      { numRuns: 500 },
    );
  });

  it('given kafkajs headers as buffers, when read, then the trace id comes out; without one, undefined', () => {
    expect(traceIdOfHeaders({ traceparent: Buffer.from(`00-${TRACE}-00f067aa0ba902b7-01`) })).toBe(TRACE);
    expect(traceIdOfHeaders({ traceparent: [`00-${TRACE}-00f067aa0ba902b7-01`] })).toBe(TRACE);
    expect(traceIdOfHeaders({ traceparent: 'bogus' })).toBeUndefined();
    expect(traceIdOfHeaders(undefined)).toBeUndefined();
  });
});

describe('case event message trace header', () => {
  it('given an event recorded with a trace id, when turned into a message, then it carries traceparent beside the CloudEvents headers', () => {
    const message = toCaseEventMessage(stored({ [TRACE_ID_METADATA_KEY]: TRACE }));

    expect(message.headers['ce_id']).toBe('6f1c2a8e-0000-5000-8000-000000000001');
    expect(parseTraceparent(message.headers['traceparent'])?.traceId).toBe(TRACE);
    expect(message.headers['traceparent']).toBe(
      formatTraceparent(TRACE, '6f1c2a8e-0000-5000-8000-000000000001'),
    );
  });

  it('given an event without a trace id or with a malformed one, when turned into a message, then no traceparent is sent', () => {
    expect(toCaseEventMessage(stored({})).headers).not.toHaveProperty('traceparent');
    expect(toCaseEventMessage(stored({ [TRACE_ID_METADATA_KEY]: 'x' })).headers).not.toHaveProperty(
      'traceparent',
    );
  });
});
