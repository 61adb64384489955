import { decide } from '../pse-case/pse-case.decider';
import { initialCaseSnapshot } from '../pse-case/pse-case.fold';
import { getPolicy } from '../policies';
import fc from 'fast-check';
import {
  parseTrafficObservation,
  TrafficObservationInput,
  trafficObservationKey,
  trafficPeriodProblem,
  trafficStreamId,
} from './traffic-observation.events';

describe('traffic observations', () => {
  it.each(['2022-07', '2022-07-30', '2022-07-01/2022-07-31', '2024-02-29'])(
    'given period %s, then it is one',
    (p) => {
      expect(trafficPeriodProblem(p)).toBeNull();
    },
  );

  it.each(['2022-13', '2022-7', '2023-02-29', '2022-07-31/2022-07-01', '2022-07/2022-08', 'July', ''])(
    'given period %j, then it is refused with a reason',
    (p) => {
      expect(trafficPeriodProblem(p)).toEqual(expect.any(String));
    },
  );

  it.each(['Tokopedia.COM.', 'https://www.tokopedia.com/promo', 'tokopedia.com:443', 'WWW.TOKOPEDIA.COM'])(
    'given the messy address %j, then it is stored as the matching key tokopedia.com',
    (domain) => {
      const row = TrafficObservationInput.parse({ domain, period: '2022-07', visits: 5, source: 'sw' });
      expect(row).toEqual({ domain: 'tokopedia.com', period: '2022-07', visits: 5, source: 'sw' });
    },
  );

  it('given neither visits nor rank, then the row is refused naming them', () => {
    const result = TrafficObservationInput.safeParse({
      domain: 'a.example',
      period: '2022-07',
      source: 'sw',
    });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]).toMatchObject({ path: ['visits'], message: 'give visits, rank or both' });
  });

  it('given a bad domain, a negative count, an unknown field or a bad source, then each is refused', () => {
    const base = { domain: 'a.example', period: '2022-07', visits: 1, source: 'sw' };
    for (const bad of [
      { ...base, domain: 'a.example b.example' },
      { ...base, domain: '10.0.0.1' },
      { ...base, domain: '-' },
      { ...base, domain: '' },
      { ...base, visits: -1 },
      { ...base, visits: 1.5 },
      { ...base, rank: 0 },
      { ...base, source: 'Similar Web' },
      { ...base, extra: 1 },
    ]) {
      expect(TrafficObservationInput.safeParse(bad).success).toBe(false);
    }
  });

  it('given source and period, then the stream is of the traffic category and the key is (source, period, domain)', () => {
    expect(trafficStreamId('sw', '2022-07')).toBe('traffic-sw-2022-07');
    expect(trafficObservationKey({ domain: 'a.example', period: '2022-07', source: 'sw' })).toBe(
      'sw\u00002022-07\u0000a.example',
    );
  });

  it('given IdentifyPse with traffic evidence, then PseIdentified records source and evidence', () => {
    const evidence = { domain: 'new.example', period: '2022-07', visits: 10, rank: null, source: 'sw' };
    const decision = decide(
      {
        type: 'IdentifyPse',
        pseId: 'new',
        name: 'new.example',
        origin: 'foreign',
        domains: ['new.example'],
        company: null,
        sector: null,
        source: 'traffic-monitoring',
        evidence,
      },
      initialCaseSnapshot(),
      getPolicy('kominfo-2022'),
      {
        now: '2022-08-01T00:00:00Z',
        commandId: 'c1',
        correlationId: 'c1',
        actor: { id: 'op', role: 'operator' },
      },
    );
    expect(decision.ok && decision.events[0].data).toMatchObject({ source: 'traffic-monitoring', evidence });
  });

  it('given any row, then the fast parser answers exactly what the schema answers', () => {
    const domain = fc.oneof(
      fc.constantFrom(
        'a.example',
        'WWW.Shop.CO.ID.',
        'https://x.example/p',
        '10.0.0.1',
        '8.8.8.8',
        '-',
        '',
        'a b',
        'com',
      ),
      fc.domain(),
      fc.string(),
    );
    const count = fc.oneof(
      fc.constant(undefined),
      fc.constant(null),
      fc.integer({ min: -5, max: 200_000_000 }),
      fc.double(),
      fc.string(),
    );
    const row = fc.record(
      {
        domain,
        period: fc.oneof(
          fc.constantFrom('2022-07', '2022-07-01/2022-07-31', '2022-13', '2022-07-31/2022-07-01'),
          fc.string(),
        ),
        visits: count,
        rank: count,
        source: fc.oneof(fc.constantFrom('sw', 'Similar Web', ''), fc.string()),
        extra: fc.anything(),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(fc.oneof(row, fc.anything()), (value) => {
        const fast = parseTrafficObservation(value);
        const slow = TrafficObservationInput.safeParse(value);
        expect(fast.success).toBe(slow.success);
        if (fast.success && slow.success) expect(JSON.stringify(fast.data)).toBe(JSON.stringify(slow.data));
      }),
      { numRuns: 2000 },
    );
  });
});
