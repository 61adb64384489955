import { deciderSpec } from '@sanksi/testing';
import { at, caseDecider, identify, warnedCase } from '../__fixtures__/pse-case.fixtures';
import type { TransitionRefused } from '../pse-case.errors';

// docs/regulation.md §12.2: sanctions escalate in the order the active policy allows; a skipped stage is refused
// with a reason naming the allowed next steps.
describe('rule 2: escalation follows the policy ladder', () => {
  const refusal = (error: unknown) => error as TransitionRefused;

  it('kominfo-2022: a block without a warning is refused, naming IssueWarning', () => {
    deciderSpec(caseDecider('kominfo-2022'))
      .givenCommands([at('2022-07-18T09:00', identify('x'))])
      .when(at('2022-07-25T09:00', { type: 'BlockAccess', pseId: 'x', orderNumber: 'B' }))
      .thenRefused((error) => {
        expect(refusal(error).reason).toContain('allowed next: IssueWarning');
        expect(refusal(error).allowed).toContain('IssueWarning');
        expect(refusal(error).allowed).not.toContain('BlockAccess');
      });
  });

  it('kominfo-2022: no fines exist', () => {
    deciderSpec(caseDecider('kominfo-2022'))
      .givenCommands(warnedCase('x'))
      .when(
        at('2022-07-30T09:00', { type: 'ImposeFine', pseId: 'x', decisionNumber: 'D', amountIdr: 5_000_000 }),
      )
      .thenRefused((error) => expect(refusal(error).reason).toContain('no administrative fines'));
  });

  it('a warned case waits for its response deadline before escalating', () => {
    deciderSpec(caseDecider('kominfo-2022'))
      .givenCommands(warnedCase('x'))
      .when(at('2022-07-27T09:00', { type: 'BlockAccess', pseId: 'x', orderNumber: 'B' }))
      .thenRefused((error) =>
        expect(refusal(error).reason).toContain('escalation waits until the warning response'),
      );
  });

  it('pp43-2023: a fine while the warning’s response period runs is refused; once it lapsed, the fine follows', () => {
    deciderSpec(caseDecider('pp43-2023'))
      .givenCommands(warnedCase('x', 'pp43-2023'))
      .when(
        at('2022-07-27T09:00', { type: 'ImposeFine', pseId: 'x', decisionNumber: 'D', amountIdr: 1_000_000 }),
      )
      .thenRefused((error) =>
        expect(refusal(error).reason).toContain('escalation waits until the warning response'),
      );
    deciderSpec(caseDecider('pp43-2023'))
      .givenCommands(warnedCase('x', 'pp43-2023'))
      .when(
        at('2022-07-30T09:00', { type: 'ImposeFine', pseId: 'x', decisionNumber: 'D', amountIdr: 1_000_000 }),
      )
      .then((events) => expect(events.map((e) => e.type)).toEqual(['DeadlineElapsed', 'FineImposed']));
  });

  it('pp43-2023: after the warning lapses a block skips the fine and is refused, naming ImposeFine', () => {
    deciderSpec(caseDecider('pp43-2023'))
      .givenCommands([
        ...warnedCase('x', 'pp43-2023'),
        at('2022-07-30T00:00', { type: 'ElapseDeadline', pseId: 'x', deadline: 'warningResponse' }),
      ])
      .when(at('2022-07-30T09:00', { type: 'BlockAccess', pseId: 'x', orderNumber: 'B' }))
      .thenRefused((error) => {
        expect(refusal(error).reason).toContain('allowed next: IssueWarning, ImposeFine');
        expect(refusal(error).allowed).toEqual(expect.arrayContaining(['ImposeFine', 'IssueWarning']));
      });
  });

  it('pp43-2023: warning → fine → block, each after the previous deadline', () => {
    deciderSpec(caseDecider('pp43-2023'))
      .givenCommands([
        ...warnedCase('x', 'pp43-2023'),
        at('2022-07-30T00:00', { type: 'ElapseDeadline', pseId: 'x', deadline: 'warningResponse' }),
        at('2022-07-30T09:00', {
          type: 'ImposeFine',
          pseId: 'x',
          decisionNumber: 'D-1',
          amountIdr: 10_000_000,
        }),
        at('2022-08-31T00:00', { type: 'ElapseDeadline', pseId: 'x', deadline: 'finePayment', fineId: 'F1' }),
      ])
      .when(at('2022-08-31T09:00', { type: 'BlockAccess', pseId: 'x', orderNumber: 'B' }))
      .then(([blocked]) => expect(blocked.state).toMatchObject({ state: 'blocked', onBlocklist: true }));
  });

  it('mr5-literal: an unregistered system may be blocked directly', () => {
    deciderSpec(caseDecider('mr5-literal'))
      .givenCommands([at('2022-07-18T09:00', identify('x', 'mr5-literal'))])
      .when(at('2022-07-21T09:00', { type: 'BlockAccess', pseId: 'x', orderNumber: 'B' }))
      .then(([blocked]) => expect(blocked.state.state).toBe('blocked'));
  });
});
