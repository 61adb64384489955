import { deciderSpec } from '@sanksi/testing';
import { at, blockedCase, caseDecider } from '../__fixtures__/pse-case.fixtures';
import type { TransitionRefused, ValidationFailed } from '../pse-case.errors';

// docs/regulation.md §12.4: temporarilyRestored takes the domains off the list until a time; when the window
// ends the case returns to enforced by a DeadlineElapsed event, unless it registered meanwhile.
describe('rule 4: a temporary restoration ends by DeadlineElapsed', () => {
  const spec = deciderSpec(caseDecider('kominfo-2022'));
  const restored = [
    ...blockedCase('paypal'),
    at('2022-07-31T08:00', {
      type: 'RestoreAccessTemporarily',
      pseId: 'paypal',
      until: '2022-08-05T23:59:00+07:00',
      reason: 'users withdraw their funds',
    }),
  ];

  it('lists the domains off the blocklist with a temporaryRestoration deadline', () => {
    const given = spec.givenCommands(restored);
    const last = given.events[given.events.length - 1];
    expect(last.state).toMatchObject({
      state: 'blocked',
      substate: 'temporarilyRestored',
      onBlocklist: false,
    });
    expect(last.state.nextDeadline).toEqual({
      kind: 'temporaryRestoration',
      dueAt: '2022-08-05T23:59:00+07:00',
      fineId: null,
    });
  });

  it('returns to enforced when the window ends', () => {
    spec
      .givenCommands(restored)
      .when(
        at('2022-08-06T00:00', { type: 'ElapseDeadline', pseId: 'paypal', deadline: 'temporaryRestoration' }),
      )
      .then(([elapsed]) => {
        expect(elapsed.type).toBe('DeadlineElapsed');
        expect(elapsed.state).toMatchObject({ substate: 'enforced', onBlocklist: true, blocks: 1 });
      });
  });

  it('refuses to end the window early', () => {
    spec
      .givenCommands(restored)
      .when(
        at('2022-08-04T00:00', { type: 'ElapseDeadline', pseId: 'paypal', deadline: 'temporaryRestoration' }),
      )
      .thenRefused((error) => expect((error as TransitionRefused).reason).toContain('not yet'));
  });

  it('refuses a window longer than the policy allows', () => {
    spec
      .givenCommands(blockedCase('paypal'))
      .when(
        at('2022-07-31T08:00', {
          type: 'RestoreAccessTemporarily',
          pseId: 'paypal',
          until: '2022-08-15T23:59:00+07:00',
          reason: 'too long',
        }),
      )
      .thenRefused((error) => expect((error as ValidationFailed).issues[0].path).toEqual(['until']));
  });
});
