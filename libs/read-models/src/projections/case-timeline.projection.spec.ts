import { DeadlineKind, pseCaseEventTypes } from '@sanksi/domain';
import { toReadModelEvent } from '../events/read-model-event';
import { GlobalLog } from '../testing/case-history.fixture';
import { DESCRIBED_EVENT_TYPES, describeEvent, projectTimelineEntry } from './case-timeline.projection';

describe('case timeline', () => {
  const log = new GlobalLog();
  const c = log.case('paypal', { name: 'PayPal', domains: ['paypal.com', 'www.paypal.com'] });
  const identified = toReadModelEvent(c.identified('2022-07-21T09:00:00+07:00'));
  const blocked = toReadModelEvent(c.blocked('2022-07-30T10:00:00+07:00', '123/2022'));
  const restored = toReadModelEvent(
    c.temporarilyRestored('2022-07-31T08:00:00+07:00', '2022-08-05T23:59:00+07:00'),
  );

  it('given a block, when described, then the line reads in WIB with order and domains', () => {
    expect(describeEvent(blocked)).toBe(
      '2022-07-30 10:00 WIB — Access blocked (order 123/2022): paypal.com, www.paypal.com',
    );
  });

  it('given a temporary restoration, when described, then the window end is in WIB', () => {
    expect(describeEvent(restored)).toBe(
      '2022-07-31 08:00 WIB — Access temporarily restored until 2022-08-05 23:59 WIB: users withdraw funds',
    );
  });

  it('given a fine, when described, then the amount is in rupiah with separators', () => {
    const f = log.case('f');
    const e = toReadModelEvent(
      f.fined('2023-01-12T09:00:00+07:00', 'F1', 500_000_000, '2023-02-12T23:59:00+07:00'),
    );
    expect(describeEvent(e)).toBe(
      '2023-01-12 09:00 WIB — Fine imposed (decision DEC-F1): Rp 500.000.000, payment due 2023-02-12 23:59 WIB',
    );
  });

  it('given a restoration on submission, when described, then the cause is worded', () => {
    const e = toReadModelEvent(
      c.event('AccessRestored', '2022-08-01T10:00:00+07:00', {
        reason: 'Valve submitted',
        cause: 'submission',
      }),
    );
    expect(describeEvent(e)).toBe(
      '2022-08-01 10:00 WIB — Access restored (normalised on submission of registration): Valve submitted',
    );
  });

  it('given a normalisation request (MR5 Art. 20), when described, then the reason and the answer deadline are in WIB', () => {
    const e = toReadModelEvent(
      c.event(
        'NormalisationRequested',
        '2022-08-01T09:00:00+07:00',
        { reason: 'payments moved to a registered processor', answerDeadline: '2022-08-03T09:00:00+07:00' },
        { deadlines: [{ kind: 'normalisationRequest', dueAt: '2022-08-03T09:00:00+07:00', fineId: null }] },
      ),
    );
    expect(describeEvent(e)).toBe(
      '2022-08-01 09:00 WIB — Normalisation requested: payments moved to a registered processor, answer due 2022-08-03 09:00 WIB',
    );
  });

  it('given a refused normalisation request, when described, then the line gives the reason', () => {
    const e = toReadModelEvent(
      c.event('NormalisationRefused', '2022-08-02T14:00:00+07:00', { reason: 'still unregistered' }),
    );
    expect(describeEvent(e)).toBe('2022-08-02 14:00 WIB — Normalisation refused: still unregistered');
  });

  it('given an unanswered normalisation request, when its deadline elapses, then the line names it in words', () => {
    const e = toReadModelEvent(
      c.event('DeadlineElapsed', '2022-08-03T09:00:00+07:00', {
        deadline: 'normalisationRequest',
        dueAt: '2022-08-03T09:00:00+07:00',
        fineId: null,
      }),
    );
    expect(describeEvent(e)).toBe(
      '2022-08-03 09:00 WIB — Deadline elapsed: normalisation answer (due 2022-08-03 09:00 WIB)',
    );
  });

  it('given the domain, then every event type it defines gets a worded line, not the generic one', () => {
    expect([...DESCRIBED_EVENT_TYPES].sort()).toEqual([...pseCaseEventTypes].sort());
  });

  it.each(DeadlineKind.options)('given deadline kind %s, when it elapses, then the line words it', (kind) => {
    const e = toReadModelEvent(
      c.event('DeadlineElapsed', '2022-08-04T09:00:00+07:00', {
        deadline: kind,
        dueAt: '2022-08-04T09:00:00+07:00',
        fineId: null,
      }),
    );
    expect(describeEvent(e)).toMatch(/^2022-08-04 09:00 WIB — Deadline elapsed: [a-z]+( [a-z-]+)* \(due /);
  });

  it('given an event type the timeline does not know, when described, then it gets a generic line', () => {
    const e = toReadModelEvent(c.event('CaseNoteAdded', '2022-08-01T12:30:00+07:00', { note: 'x' }));
    expect(describeEvent(e)).toBe('2022-08-01 12:30 WIB — Case note added');
  });

  it('given any event, when projected, then the row carries its stream position and state after', () => {
    expect(projectTimelineEntry(identified)).toEqual({
      pseId: 'paypal',
      revision: 0,
      position: 1,
      eventId: identified.eventId,
      eventType: 'PseIdentified',
      occurredAt: '2022-07-21T02:00:00.000Z',
      recordedAt: '2022-07-21T02:00:00.000Z',
      actorId: 'op-1',
      actorRole: 'operator',
      stateAfter: 'unregistered',
      substateAfter: null,
      line: '2022-07-21 09:00 WIB — Identified: foreign PSE "PayPal": paypal.com, www.paypal.com',
    });
  });
});
