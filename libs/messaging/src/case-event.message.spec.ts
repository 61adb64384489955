import { fromRecorded, toCaseEventBody } from '@sanksi/contracts';
import type { RecordedEvent } from '@sanksi/event-store';
import { caseStateAfter } from './__fixtures__/case-state.fixture';
import {
  CASE_EVENT_SCHEMA_BASE,
  CASE_EVENT_TYPE_PREFIX,
  DEFAULT_CASE_EVENT_SOURCE,
  toCaseEventMessage,
} from './case-event.message';
import { buildCloudEventHeaders } from './cloud-events.headers';
import { RelayEventInvalid } from './messaging.errors';

const bodyOf = (event: RecordedEvent): unknown => JSON.parse(toCaseEventMessage(event).value);

function recorded(
  overrides: Partial<RecordedEvent> = {},
  metadata: Record<string, unknown> = {},
): RecordedEvent {
  return {
    eventId: '6f1c2a8e-0000-5000-8000-000000000001',
    type: 'WarningIssued',
    data: { letterNumber: 'L-1', responseDeadline: '2022-07-28T23:59:59+07:00' },
    schemaVersion: 1,
    streamId: 'pse-PSE-0001',
    revision: 1,
    position: 42,
    createdAt: '2022-07-21T03:00:00.000Z',
    metadata: {
      pseId: 'PSE-0001',
      occurredAt: '2022-07-21T10:00:00+07:00',
      recordedAt: '2022-07-21T10:00:01+07:00',
      actor: { id: 'op-1', role: 'operator' },
      commandId: 'cmd-1',
      correlationId: 'corr-1',
      causationId: null,
      policyVersion: 'kominfo-2022',
      revision: 1,
      state: caseStateAfter({ state: 'warned', value: 'warned', warnings: 1 }),
      prevHash: 'aa',
      hash: 'bb',
      ...metadata,
    },
    ...overrides,
  };
}

describe('case event message', () => {
  it('given a stored event, when mapped, then the body is the envelope plus its position', () => {
    const body = bodyOf(recorded());

    expect(body).toEqual({
      eventId: '6f1c2a8e-0000-5000-8000-000000000001',
      type: 'WarningIssued',
      schemaVersion: 1,
      pseId: 'PSE-0001',
      data: { letterNumber: 'L-1', responseDeadline: '2022-07-28T23:59:59+07:00' },
      occurredAt: '2022-07-21T10:00:00+07:00',
      recordedAt: '2022-07-21T10:00:01+07:00',
      actor: { id: 'op-1', role: 'operator' },
      commandId: 'cmd-1',
      correlationId: 'corr-1',
      causationId: null,
      policyVersion: 'kominfo-2022',
      revision: 1,
      state: caseStateAfter({ state: 'warned', value: 'warned', warnings: 1 }),
      prevHash: 'aa',
      hash: 'bb',
      position: 42,
    });
  });

  it('given a stored event, when turned into a message, then it is keyed by pseId with CloudEvents headers', () => {
    const message = toCaseEventMessage(recorded(), '/test');

    expect(message.key).toBe('PSE-0001');
    expect(JSON.parse(message.value)).toEqual(bodyOf(recorded()));
    expect(message.headers).toEqual({
      ce_specversion: '1.0',
      ce_id: '6f1c2a8e-0000-5000-8000-000000000001',
      ce_source: '/test',
      ce_type: 'sanksi.pse-case.WarningIssued',
      ce_subject: 'PSE-0001',
      ce_time: '2022-07-21T10:00:00+07:00',
      ce_dataschema: 'https://sanksi.dev/schemas/events/v1/WarningIssued.json',
      'content-type': 'application/json',
    });
  });

  it('given stored events of several types, with notes and fields the schema does not know, then key, value bytes and headers in order are what the envelope and buildCloudEventHeaders give', () => {
    const events = [
      recorded(),
      recorded({ type: 'PseIdentified', position: 1 }, { commandDigest: 'd', append: 'cmd-0' }),
      recorded({ type: 'CaseNoteAdded', data: { note: 'ü €' } }, { extra: { kept: true } }),
      recorded({}, { state: { ...caseStateAfter({ state: 'blocked' }), appIds: ['id'], more: 1 } }),
      recorded({}, { traceId: '0af7651916cd43dd8448eb211c80319c' }),
    ];
    for (const event of events) {
      for (const source of [DEFAULT_CASE_EVENT_SOURCE, '/test']) {
        const body = toCaseEventBody(fromRecorded(event), event.position);
        const message = toCaseEventMessage(event, source);
        const expected = buildCloudEventHeaders({
          id: body.eventId,
          source,
          type: `${CASE_EVENT_TYPE_PREFIX}${body.type}`,
          subject: body.pseId,
          time: body.occurredAt,
          dataContentType: 'application/json',
          dataSchema: `${CASE_EVENT_SCHEMA_BASE}${body.type}.json`,
        });
        expect(message.key).toBe(body.pseId);
        expect(message.value).toBe(JSON.stringify(body));
        // kafkajs writes headers in their insertion order: the same order, the same bytes on the wire.
        expect(Object.entries(message.headers).slice(0, 8)).toEqual(Object.entries(expected));
      }
    }
  });

  it('given metadata without pseId, when mapped, then it is refused naming the field (the case is never guessed from the stream)', () => {
    expect(() => toCaseEventMessage(recorded({}, { pseId: undefined }))).toThrow(/metadata\.pseId/);
  });

  it('given a case id that is not the one its stream names, when mapped, then it is refused', () => {
    expect(() => toCaseEventMessage(recorded({ streamId: 'pse-PSE-0002' }))).toThrow(RelayEventInvalid);
  });

  it('given an event with no occurredAt, when mapped, then it is refused with its position', () => {
    const event = recorded({}, { occurredAt: undefined });

    expect(() => toCaseEventMessage(event)).toThrow(RelayEventInvalid);
    try {
      toCaseEventMessage(event);
    } catch (e) {
      expect((e as RelayEventInvalid).details).toMatchObject({ position: 42, streamId: 'pse-PSE-0001' });
    }
  });

  it('given an event outside a case stream without pseId, when mapped, then it is refused', () => {
    expect(() => toCaseEventMessage(recorded({ streamId: 'other-1' }, { pseId: undefined }))).toThrow(
      RelayEventInvalid,
    );
  });
});
