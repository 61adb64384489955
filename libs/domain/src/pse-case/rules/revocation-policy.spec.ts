import { getPolicy } from '../../policies';
import type { PolicyId } from '../pse-case.events';
import { identify, runCommands, wib } from '../__fixtures__/pse-case.fixtures';
import { decide } from '../pse-case.decider';

// Whether a lapsed suspension is revoked by itself is policy (MR5 Art. 7(3) literal vs practice).
describe('a suspension whose 7-day response period lapsed', () => {
  const lapse = (policy: PolicyId) => {
    const { snapshot } = runCommands(
      [
        { command: identify('s', policy), at: '2022-07-10T09:00' },
        {
          command: {
            type: 'ConfirmRegistration',
            pseId: 's',
            registrationNumber: '000123.01/DJAI.PSE/07/2022',
          },
          at: '2022-07-11T09:00',
        },
        {
          command: { type: 'SuspendRegistration', pseId: 's', by: 'PAI', reason: 'unreported change' },
          at: '2022-09-01T09:00',
        },
      ],
      policy,
    );
    const decision = decide(
      { type: 'ElapseDeadline', pseId: 's', deadline: 'suspensionResponse' },
      snapshot,
      getPolicy(policy),
      {
        commandId: 'e1',
        correlationId: 'e1',
        actor: { id: 'scheduler', role: 'system' },
        now: wib('2022-09-09T00:00'),
      },
    );
    if (!decision.ok) throw decision.error;
    return decision;
  };

  it('under mr5-literal, revokes by itself in the same append, dated at the due instant (Art. 7(3) read literally)', () => {
    const decision = lapse('mr5-literal');
    expect(decision.events.map((e) => [e.type, e.occurredAt, e.state.state, e.state.onBlocklist])).toEqual([
      ['DeadlineElapsed', '2022-09-08T23:59:59+07:00', 'suspended', false],
      ['RegistrationRevoked', '2022-09-08T23:59:59+07:00', 'revoked', true],
    ]);
    expect(decision.events[1].causationId).toBe(decision.events[0].eventId);
  });

  it.each(['kominfo-2022', 'pp43-2023'] as const)(
    'under %s, waits in the escalation queue for the directorate to decide',
    (policy) => {
      const decision = lapse(policy);
      expect(decision.events.map((e) => e.type)).toEqual(['DeadlineElapsed']);
      expect(decision.events[0].state).toMatchObject({
        state: 'suspended',
        escalation: { pending: true, allowed: ['RevokeRegistration'] },
      });
    },
  );
});
