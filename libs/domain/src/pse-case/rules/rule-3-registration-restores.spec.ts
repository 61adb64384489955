import { deciderSpec } from '@sanksi/testing';
import { at, blockedCase, caseDecider } from '../__fixtures__/pse-case.fixtures';

// docs/regulation.md §12.3: RegistrationConfirmed on a blocked case restores access in the same atomic append.
describe('rule 3: registering a blocked system normalises it in the same decision', () => {
  const spec = deciderSpec(caseDecider('kominfo-2022'));
  const confirm = (pseId: string) =>
    at('2022-08-03T10:00', {
      type: 'ConfirmRegistration',
      pseId,
      registrationNumber: '006860.01/DJAI.PSE/08/2022',
    });

  it('appends AccessRestored with cause registration, and no event lists a registered system', () => {
    spec
      .givenCommands(blockedCase('paypal'))
      .when(confirm('paypal'))
      .then((events) => {
        expect(events.map((e) => e.type)).toEqual(['RegistrationConfirmed', 'AccessRestored']);
        expect(events[1].data).toMatchObject({ cause: 'registration' });
        for (const e of events) expect(e.state).toMatchObject({ state: 'reRegistered', onBlocklist: false });
      });
  });

  it('does the same during a temporary restoration', () => {
    spec
      .givenCommands([
        ...blockedCase('paypal'),
        at('2022-07-31T08:00', {
          type: 'RestoreAccessTemporarily',
          pseId: 'paypal',
          until: '2022-08-05T23:59:00+07:00',
          reason: 'withdrawals',
        }),
      ])
      .when(confirm('paypal'))
      .then((events) => {
        expect(events.map((e) => e.type)).toEqual(['RegistrationConfirmed', 'AccessRestored']);
        expect(events[1].state.deadlines).toEqual([]);
      });
  });

  it('registration of a never-sanctioned system appends no restoration', () => {
    spec
      .givenCommands([
        at('2022-07-10T09:00', {
          type: 'IdentifyPse',
          pseId: 'ok',
          name: 'ok',
          origin: 'domestic',
          domains: ['ok.id'],
          company: null,
          sector: null,
        }),
      ])
      .when(confirm('ok'))
      .then((events) => {
        expect(events.map((e) => e.type)).toEqual(['RegistrationConfirmed']);
        expect(events[0].state.state).toBe('registered');
      });
  });
});
