import {
  at,
  blockedCase,
  identify,
  runCommands,
  warnedCase,
} from '../pse-case/__fixtures__/pse-case.fixtures';
import { getPolicy } from '../policies';
import { hashEnvelope } from './hash';
import { replay, verifyRecordedStates } from './replay';
import { stateAsOf, stateCountsAsOf } from './state-as-of';
import { verifyChain } from './verify-chain';
import { whatIf } from './what-if';

const paypal = () =>
  runCommands([
    ...blockedCase('paypal'),
    at('2022-07-31T08:00', {
      type: 'RestoreAccessTemporarily',
      pseId: 'paypal',
      until: '2022-08-05T23:59:00+07:00',
      reason: 'withdrawals',
    }),
    at('2022-08-03T10:00', {
      type: 'ConfirmRegistration',
      pseId: 'paypal',
      registrationNumber: '006860.01/DJAI.PSE/08/2022',
    }),
  ]).events;

describe('replay', () => {
  it('gives the state after every event and why each transition was allowed', () => {
    const steps = replay(paypal());
    expect(steps.map((s) => s.transition.to)).toEqual([
      'unregistered',
      'warned',
      'warned',
      'blocked.enforced',
      'blocked.temporarilyRestored',
      'reRegistered',
      'reRegistered',
    ]);
    expect(steps[3].transition).toMatchObject({
      from: 'warned',
      guards: ['blockFromWarned'],
      accepted: true,
    });
    expect(steps[3].transition.reason).toContain('the warning deadline elapsed and a block is next');
    expect(steps.every((s) => s.matchesRecorded)).toBe(true);
    expect(steps[0].stateBefore).toBeNull();
    expect(steps[4].stateBefore?.onBlocklist).toBe(true);
  });

  it('flags a recorded state the current machine would not derive', () => {
    const events = paypal();
    const tampered = events.map((e, i) =>
      i === 3 ? { ...e, state: { ...e.state, onBlocklist: false } } : e,
    );
    expect(verifyRecordedStates(tampered)).toMatchObject({ ok: false, index: 3, eventId: events[3].eventId });
    expect(replay(tampered)[3].matchesRecorded).toBe(false);
  });
});

describe('stateAsOf (bitemporal)', () => {
  const fined = () =>
    runCommands(
      [
        ...warnedCase('x', 'pp43-2023'),
        at('2022-07-30T00:00', { type: 'ElapseDeadline', pseId: 'x', deadline: 'warningResponse' }),
        at('2022-08-10T09:00', {
          type: 'ImposeFine',
          pseId: 'x',
          decisionNumber: 'D-1',
          amountIdr: 10_000_000,
        }),
        at('2022-10-05T09:00', { type: 'AnnulFine', pseId: 'x', fineId: 'F1', reason: 'appeal upheld' }),
      ],
      'pp43-2023',
    ).events;

  it('leaves the August view as known in August unchanged by an October annulment', () => {
    const events = fined();
    const august = stateAsOf(events, {
      asOf: '2022-08-31T23:59:59+07:00',
      knownAt: '2022-08-31T23:59:59+07:00',
    });
    expect(august.state?.fines).toEqual({
      imposedIdr: 10_000_000,
      paidIdr: 0,
      annulledIdr: 0,
      outstandingIdr: 10_000_000,
    });
    const now = stateAsOf(events, { asOf: '2022-11-01T00:00:00+07:00' });
    expect(now.state?.fines.outstandingIdr).toBe(0);
    expect(now.state?.fines.annulledIdr).toBe(10_000_000);
  });

  it('separates business time from record time', () => {
    // a warning dated 07-23 but recorded only on 07-25
    const events = runCommands([at('2022-07-18T09:00', identify('y'))]).events;
    const late = runCommands([
      at('2022-07-18T09:00', identify('y')),
      at('2022-07-23T10:00', { type: 'IssueWarning', pseId: 'y', letterNumber: 'W' }),
    ]).events[1];
    const history = [...events, { ...late, recordedAt: '2022-07-25T10:00:00+07:00' }];
    expect(
      stateAsOf(history, { asOf: '2022-07-24T00:00:00+07:00', knownAt: '2022-07-24T00:00:00+07:00' }).state
        ?.state,
    ).toBe('unregistered');
    expect(stateAsOf(history, { asOf: '2022-07-24T00:00:00+07:00' }).state?.state).toBe('warned');
    expect(stateAsOf(history, { asOf: '2022-07-01T00:00:00+07:00' }).state).toBeNull();
  });
});

describe('stateCountsAsOf', () => {
  it('counts the population per state on a business date', () => {
    const histories = [
      paypal(),
      runCommands(warnedCase('w')).events,
      runCommands([at('2022-07-18T09:00', identify('u'))]).events,
    ];
    // w's warning was due Friday 29 July 23:59:59: by business time it is blocked from then on,
    // although no elapse was ever recorded for it (kominfo-2022 blocks automatically).
    expect(stateCountsAsOf(histories, { asOf: '2022-07-29T12:00:00+07:00' })).toEqual({
      warned: 2,
      unregistered: 1,
    });
    expect(stateCountsAsOf(histories, { asOf: '2022-07-30T12:00:00+07:00' })).toEqual({
      blocked: 2,
      unregistered: 1,
    });
    expect(stateCountsAsOf(histories, { asOf: '2022-08-04T00:00:00+07:00' })).toEqual({
      reRegistered: 1,
      blocked: 1,
      unregistered: 1,
    });
    expect(stateCountsAsOf(histories, { asOf: '2022-07-01T00:00:00+07:00' })).toEqual({});
  });
});

describe('whatIf', () => {
  it('reports where PayPal’s 2022 history would differ under pp43-2023', () => {
    const report = whatIf(paypal(), getPolicy('pp43-2023'));
    expect(report.differs).toBe(true);
    // Under pp43-2023 the lapsed warning waits for a fine: no automatic block on 29 July.
    // The first four events agree (identified, warned, the warning lapsed on Friday 29 July 23:59:59);
    // then kominfo-2022 blocked by itself, while pp43-2023 waits for a fine that nobody imposed.
    expect(report.divergence).toEqual({
      index: 3,
      recorded: { type: 'AccessBlocked', occurredAt: '2022-07-29T23:59:59+07:00', state: 'blocked.enforced' },
      alternative: {
        type: 'RegistrationConfirmed',
        occurredAt: '2022-08-03T10:00:00+07:00',
        state: 'reRegistered',
      },
    });
    expect(report.generated).toEqual([
      { type: 'DeadlineElapsed', occurredAt: '2022-07-29T23:59:59+07:00', state: 'warned' },
    ]);
    expect(report.steps.find((s) => s.commandType === 'RestoreAccessTemporarily')?.differences[0]).toContain(
      'refused',
    );
    expect(report.final.recorded?.state).toBe('reRegistered');
    expect(report.final.alternative).toMatchObject({ state: 'reRegistered', blocks: 0 });
    expect(report.steps.find((st) => st.commandType === 'RestoreAccessTemporarily')?.alternative.ok).toBe(
      false,
    );
  });

  it('generates the alternative policy’s own deadlines: a lapsed pp43-2023 warning ends blocked under kominfo-2022', () => {
    // given a pp43-2023 case warned on Saturday 23 July whose warning lapsed, and nothing else recorded
    const events = runCommands(warnedCase('w', 'pp43-2023'), 'pp43-2023').events;
    // when seen under kominfo-2022 up to 1 August
    const report = whatIf(events, getPolicy('kominfo-2022'), { until: '2022-08-01T00:00:00+07:00' });
    // then kominfo-2022 elapses the warning at its due instant and blocks by itself, dated there too
    expect(report.final.recorded).toMatchObject({
      state: 'warned',
      escalation: { pending: true, allowed: ['ImposeFine'] },
    });
    expect(report.final.alternative).toMatchObject({
      state: 'blocked',
      substate: 'enforced',
      onBlocklist: true,
    });
    expect(report.generated).toEqual([
      { type: 'DeadlineElapsed', occurredAt: '2022-07-29T23:59:59+07:00', state: 'warned' },
      { type: 'AccessBlocked', occurredAt: '2022-07-29T23:59:59+07:00', state: 'blocked.enforced' },
    ]);
    expect(report.differs).toBe(true);
    expect(report.divergence).toEqual({
      index: 2,
      recorded: null,
      alternative: { type: 'DeadlineElapsed', occurredAt: '2022-07-29T23:59:59+07:00', state: 'warned' },
    });
    // and before the due instant nothing differs
    expect(whatIf(events, getPolicy('kominfo-2022'), { until: '2022-07-29T12:00:00+07:00' }).differs).toBe(
      false,
    );
  });

  it('reports no difference under the policy the case ran under', () => {
    const report = whatIf(paypal(), getPolicy('kominfo-2022'));
    expect(report.differs).toBe(false);
    expect(report.firstDifference).toBeNull();
  });

  it('reports a direct block allowed by mr5-literal as refused under kominfo-2022', () => {
    const events = runCommands(
      [
        at('2022-07-18T09:00', identify('x', 'mr5-literal')),
        at('2022-07-21T09:00', { type: 'BlockAccess', pseId: 'x', orderNumber: 'B' }),
      ],
      'mr5-literal',
    ).events;
    const report = whatIf(events, getPolicy('kominfo-2022'));
    expect(report.firstDifference).toBe(1);
    expect(report.steps[1].alternative).toMatchObject({ ok: false });
    expect(report.final).toMatchObject({
      recorded: { state: 'blocked' },
      alternative: { state: 'unregistered' },
    });
  });
});

describe('verifyChain', () => {
  it('accepts an untouched chain and finds the first tampered event', () => {
    const events = paypal();
    expect(verifyChain(events)).toMatchObject({ ok: true, length: events.length });
    const edited = events.map((e, i) => (i === 2 ? { ...e, occurredAt: '2022-07-29T00:00:00+07:00' } : e));
    expect(verifyChain(edited)).toEqual({
      ok: false,
      index: 2,
      eventId: events[2].eventId,
      reason: 'hash-mismatch',
    });
  });

  it('finds a re-hashed edit by the broken link after it', () => {
    const events = paypal();
    const forged = { ...events[2], occurredAt: '2022-07-29T00:00:00+07:00' };
    const rehashed = { ...forged, hash: hashEnvelope(forged as unknown as Record<string, unknown>) };
    const chain = events.map((e, i) => (i === 2 ? rehashed : e));
    expect(verifyChain(chain)).toEqual({
      ok: false,
      index: 3,
      eventId: events[3].eventId,
      reason: 'prev-hash-mismatch',
    });
    expect(verifyChain(events.slice(1))).toMatchObject({ ok: false, index: 0, reason: 'prev-hash-mismatch' });
  });
});
