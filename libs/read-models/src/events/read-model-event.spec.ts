import { ProjectionFailed } from '../read-model.errors';
import { GlobalLog } from '../testing/case-history.fixture';
import { toReadModelEvent } from './read-model-event';

describe('toReadModelEvent', () => {
  it('given a recorded domain event, when parsed, then envelope fields are flat and instants are UTC', () => {
    const c = new GlobalLog().case('paypal', { name: 'PayPal', domains: ['paypal.com'] });
    const e = toReadModelEvent(c.identified('2022-07-30T10:00:00+07:00'));
    expect(e).toMatchObject({
      pseId: 'paypal',
      type: 'PseIdentified',
      position: 1,
      revision: 0,
      occurredAt: '2022-07-30T03:00:00.000Z',
      policyVersion: 'kominfo-2022',
      actor: { id: 'op-1', role: 'operator' },
    });
    expect(e.state.since).toBe('2022-07-30T03:00:00.000Z');
  });

  it('given an event without a recorded state, when parsed, then it fails naming the event and the field', () => {
    const c = new GlobalLog().case('x');
    const recorded = c.identified('2022-07-30T10:00:00+07:00');
    const broken = { ...recorded, metadata: { ...recorded.metadata, state: undefined } };
    let error: unknown;
    try {
      toReadModelEvent(broken);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ProjectionFailed);
    const failed = error as ProjectionFailed;
    expect(failed.code).toBe('PROJECTION_FAILED');
    expect(failed.event).toEqual({
      eventId: recorded.eventId,
      type: 'PseIdentified',
      position: 1,
      streamId: 'pse-x',
      pseId: 'x',
    });
    expect(failed.message).toContain('state');
    expect(failed.message).toContain(recorded.eventId);
  });
});
