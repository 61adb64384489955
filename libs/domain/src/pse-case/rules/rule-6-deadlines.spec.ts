import { deciderSpec } from '@sanksi/testing';
import { at, caseDecider, identify, warnedCase } from '../__fixtures__/pse-case.fixtures';
import { decideAt } from '../__fixtures__/pse-case.fixtures';
import type { TransitionRefused } from '../pse-case.errors';

// docs/regulation.md §12.6: deadlines are data in the state and elapse only by an explicit DeadlineElapsed event;
// whether escalation then follows automatically or waits in a queue is policy.
describe('rule 6: deadlines are state, elapsed by events', () => {
  it('counts the warning response in working days on the Indonesian calendar', () => {
    // Saturday 2022-07-23 + 5 working days: Mon 25 … Fri 29
    const given = deciderSpec(caseDecider()).givenCommands(warnedCase('x'));
    expect(given.events[1].state.nextDeadline).toEqual({
      kind: 'warningResponse',
      dueAt: '2022-07-29T23:59:59+07:00',
      fineId: null,
    });
  });

  it('refuses to elapse a deadline before it is due, or one that is not running', () => {
    const spec = deciderSpec(caseDecider());
    spec
      .givenCommands(warnedCase('x'))
      .when(at('2022-07-29T23:00', { type: 'ElapseDeadline', pseId: 'x', deadline: 'warningResponse' }))
      .thenRefused((e) => expect((e as TransitionRefused).reason).toContain('due 2022-07-29T23:59:59+07:00'));
    spec
      .givenCommands(warnedCase('x'))
      .when(at('2022-07-30T23:00', { type: 'ElapseDeadline', pseId: 'x', deadline: 'suspensionResponse' }))
      .thenRefused((e) =>
        expect((e as TransitionRefused).reason).toContain('no suspensionResponse deadline'),
      );
  });

  it('pp43-2023 queues the escalation for an operator instead of escalating by itself', () => {
    const given = deciderSpec(caseDecider('pp43-2023')).givenCommands(warnedCase('x', 'pp43-2023'));
    const decision = decideAt(
      at('2022-07-30T00:00', { type: 'ElapseDeadline', pseId: 'x', deadline: 'warningResponse' }),
      given.state,
      'pp43-2023',
    );
    expect(decision.ok && decision.events.map((e) => e.type)).toEqual(['DeadlineElapsed']);
    expect(decision.ok && decision.events[0].state.escalation).toEqual({
      pending: true,
      allowed: ['ImposeFine'],
    });
    expect(decision.ok && decision.events[0].state.deadlines).toEqual([]);
  });

  it('a manual registration must be followed up through OSS, else the case is unregistered again', () => {
    const spec = deciderSpec(caseDecider());
    const given = spec.givenCommands([
      at('2022-07-18T09:00', identify('m')),
      at('2022-07-19T09:00', { type: 'SubmitRegistration', pseId: 'm', channel: 'manual' }),
    ]);
    expect(given.events[1].state).toMatchObject({
      state: 'registrationPending',
      nextDeadline: { kind: 'manualRegistrationFollowUp', dueAt: '2022-08-18T23:59:59+07:00', fineId: null },
    });
    given
      .when(
        at('2022-08-19T00:00', {
          type: 'ElapseDeadline',
          pseId: 'm',
          deadline: 'manualRegistrationFollowUp',
        }),
      )
      .then(([elapsed]) => expect(elapsed.state).toMatchObject({ state: 'unregistered', deadlines: [] }));
  });
});
