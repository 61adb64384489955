import type { RecordedEvent } from '@sanksi/event-store';
import { toCaseEventBody, toCaseEventMessage } from './case-event.message';
import { RelayEventInvalid } from './messaging.errors';

function recorded(
  overrides: Partial<RecordedEvent> = {},
  metadata: Record<string, unknown> = {},
): RecordedEvent {
  return {
    eventId: '6f1c2a8e-0000-5000-8000-000000000001',
    type: 'WarningIssued',
    data: { warningNumber: 1 },
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
      state: { state: 'warned' },
      prevHash: 'aa',
      hash: 'bb',
      ...metadata,
    },
    ...overrides,
  };
}

describe('case event message', () => {
  it('given a stored event, when mapped, then the body is the envelope plus its position', () => {
    const body = toCaseEventBody(recorded());

    expect(body).toEqual({
      eventId: '6f1c2a8e-0000-5000-8000-000000000001',
      type: 'WarningIssued',
      schemaVersion: 1,
      pseId: 'PSE-0001',
      data: { warningNumber: 1 },
      occurredAt: '2022-07-21T10:00:00+07:00',
      recordedAt: '2022-07-21T10:00:01+07:00',
      actor: { id: 'op-1', role: 'operator' },
      commandId: 'cmd-1',
      correlationId: 'corr-1',
      causationId: null,
      policyVersion: 'kominfo-2022',
      revision: 1,
      state: { state: 'warned' },
      prevHash: 'aa',
      hash: 'bb',
      position: 42,
    });
  });

  it('given a stored event, when turned into a message, then it is keyed by pseId with CloudEvents headers', () => {
    const message = toCaseEventMessage(recorded(), '/test');

    expect(message.key).toBe('PSE-0001');
    expect(JSON.parse(message.value)).toEqual(toCaseEventBody(recorded()));
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

  it('given metadata without pseId, when mapped, then the case comes from the stream name', () => {
    const body = toCaseEventBody(recorded({}, { pseId: undefined }));

    expect(body.pseId).toBe('PSE-0001');
  });

  it('given an event with no occurredAt, when mapped, then it is refused with its position', () => {
    const event = recorded({}, { occurredAt: undefined });

    expect(() => toCaseEventBody(event)).toThrow(RelayEventInvalid);
    try {
      toCaseEventBody(event);
    } catch (e) {
      expect((e as RelayEventInvalid).details).toMatchObject({ position: 42, streamId: 'pse-PSE-0001' });
    }
  });

  it('given an event outside a case stream without pseId, when mapped, then it is refused', () => {
    expect(() => toCaseEventBody(recorded({ streamId: 'other-1' }, { pseId: undefined }))).toThrow(
      RelayEventInvalid,
    );
  });
});
