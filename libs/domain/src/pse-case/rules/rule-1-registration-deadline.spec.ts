import { deciderSpec } from '@sanksi/testing';
import { at, caseDecider, identify } from '../__fixtures__/pse-case.fixtures';
import type { TransitionRefused } from '../pse-case.errors';

// docs/regulation.md §12.1: no sanction before the registration deadline of the active policy (2022-07-20 23:59 WIB).
describe('rule 1: no sanction before the registration deadline', () => {
  const kominfo = deciderSpec(caseDecider('kominfo-2022'));
  const mr5 = deciderSpec(caseDecider('mr5-literal'));

  it('refuses a warning dated before the deadline, naming it', () => {
    kominfo
      .givenCommands([at('2022-07-18T09:00', identify('early'))])
      .when(at('2022-07-20T23:58', { type: 'IssueWarning', pseId: 'early', letterNumber: 'W-1' }))
      .thenRefused((error) => {
        const refused = error as TransitionRefused;
        expect(refused.code).toBe('TRANSITION_REFUSED');
        expect(refused.reason).toContain('2022-07-20T23:59:00+07:00');
        expect(refused.state).toBe('unregistered');
      });
  });

  it('refuses a direct block before the deadline even where blocking directly is allowed', () => {
    mr5
      .givenCommands([at('2022-07-18T09:00', identify('early', 'mr5-literal'))])
      .when(at('2022-07-19T12:00', { type: 'BlockAccess', pseId: 'early', orderNumber: 'B-1' }))
      .thenRefused((error) => expect((error as TransitionRefused).reason).toContain('registration deadline'));
  });

  it('accepts the same warning once the deadline has passed', () => {
    kominfo
      .givenCommands([at('2022-07-18T09:00', identify('late'))])
      .when(at('2022-07-21T00:00', { type: 'IssueWarning', pseId: 'late', letterNumber: 'W-1' }))
      .then(([warning]) => expect(warning.state.state).toBe('warned'));
  });
});
