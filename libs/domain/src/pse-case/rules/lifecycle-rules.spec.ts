import { deciderSpec } from '@sanksi/testing';
import { at, blockedCase, caseDecider, identify } from '../__fixtures__/pse-case.fixtures';
import { allowedCommands } from '../pse-case.allowed';
import type { CaseAlreadyExists, CaseNotFound, TransitionRefused } from '../pse-case.errors';
import { getPolicy } from '../../policies';

const registered = (pseId: string) => [
  at('2022-07-10T09:00', identify(pseId)),
  at('2022-07-11T09:00', {
    type: 'ConfirmRegistration' as const,
    pseId,
    registrationNumber: '000123.01/DJAI.PSE/07/2022',
  }),
];

describe('suspension and revocation (MR5 Art. 7(3))', () => {
  const spec = deciderSpec(caseDecider('kominfo-2022'));
  const suspended = (pseId: string) => [
    ...registered(pseId),
    at('2022-09-01T09:00', {
      type: 'SuspendRegistration' as const,
      pseId,
      by: 'TAKEL' as const,
      reason: 'false information',
    }),
  ];

  it('gives 7 calendar days to respond', () => {
    const given = spec.givenCommands(suspended('s'));
    expect(given.events[2].state).toMatchObject({
      state: 'suspended',
      nextDeadline: { kind: 'suspensionResponse', dueAt: '2022-09-08T23:59:59+07:00' },
    });
  });

  it('refuses revocation before the 7 days have lapsed', () => {
    spec
      .givenCommands(suspended('s'))
      .when(at('2022-09-05T09:00', { type: 'RevokeRegistration', pseId: 's', reason: 'no response' }))
      .thenRefused((e) => {
        expect((e as TransitionRefused).state).toBe('suspended');
        expect((e as TransitionRefused).reason).toContain('7-day suspension response period');
        expect((e as TransitionRefused).allowed).not.toContain('RevokeRegistration');
      });
  });

  it('revokes after the lapse, which blocks the system', () => {
    spec
      .givenCommands([
        ...suspended('s'),
        at('2022-09-09T00:00', { type: 'ElapseDeadline', pseId: 's', deadline: 'suspensionResponse' }),
      ])
      .when(at('2022-09-09T09:00', { type: 'RevokeRegistration', pseId: 's', reason: 'no response' }))
      .then(([revoked]) =>
        expect(revoked.state).toMatchObject({
          state: 'revoked',
          onBlocklist: true,
          blocks: 1,
          registrationNumber: null,
        }),
      );
  });

  it('lifting the suspension returns to registered', () => {
    spec
      .givenCommands(suspended('s'))
      .when(at('2022-09-03T09:00', { type: 'LiftSuspension', pseId: 's', reason: 'clarified' }))
      .then(([lifted]) => expect(lifted.state).toMatchObject({ state: 'registered', deadlines: [] }));
  });
});

describe('normalisation limits (MR5 Art. 20)', () => {
  const spec = deciderSpec(caseDecider('mr5-literal'));
  const cycle = (pseId: string, day: number) => [
    at(`2022-08-${String(day).padStart(2, '0')}T09:00`, {
      type: 'BlockAccess' as const,
      pseId,
      orderNumber: `B${day}`,
    }),
    at(`2022-08-${String(day).padStart(2, '0')}T10:00`, {
      type: 'RestoreAccess' as const,
      pseId,
      reason: 'request',
    }),
  ];
  const fourBlocks = [
    at('2022-07-18T09:00', identify('r', 'mr5-literal')),
    ...cycle('r', 1),
    ...cycle('r', 2),
    ...cycle('r', 3),
    at('2022-08-04T09:00', { type: 'BlockAccess' as const, pseId: 'r', orderNumber: 'B4' }),
  ];

  it('refuses normalisation after more than 3 blocks', () => {
    spec
      .givenCommands(fourBlocks)
      .when(at('2022-08-04T10:00', { type: 'RestoreAccess', pseId: 'r', reason: 'request' }))
      .thenRefused((e) => expect((e as TransitionRefused).reason).toContain('MR5 Art. 20'));
  });

  it('lets an admin override it, but not an operator', () => {
    spec
      .givenCommands(fourBlocks)
      .when(at('2022-08-04T10:00', { type: 'RestoreAccess', pseId: 'r', reason: 'request', override: true }))
      .thenRefused();
    spec
      .givenCommands(fourBlocks)
      .when(
        at(
          '2022-08-04T10:00',
          { type: 'RestoreAccess', pseId: 'r', reason: 'ministerial', override: true },
          'admin',
        ),
      )
      .then(([restored]) =>
        expect(restored.state).toMatchObject({ state: 'unregistered', onBlocklist: false, blocks: 4 }),
      );
  });
});

describe('case existence and policy migration', () => {
  const spec = deciderSpec(caseDecider('kominfo-2022'));

  it('refuses commands to a case that does not exist, and a second identification', () => {
    spec
      .given([])
      .when(at('2022-07-30T09:00', { type: 'IssueWarning', pseId: 'ghost', letterNumber: 'W' }))
      .thenRefused((e) => expect((e as CaseNotFound).code).toBe('CASE_NOT_FOUND'));
    spec
      .givenCommands([at('2022-07-18T09:00', identify('x'))])
      .when(at('2022-07-19T09:00', identify('x')))
      .thenRefused((e) => expect((e as CaseAlreadyExists).code).toBe('CASE_ALREADY_EXISTS'));
  });

  it('migrating the policy changes the ladder from then on, and is recorded', () => {
    spec
      .givenCommands([
        at('2022-07-18T09:00', identify('x')),
        at('2022-07-19T09:00', {
          type: 'MigratePolicy',
          pseId: 'x',
          to: 'mr5-literal',
          reason: 'literal reading',
        }),
      ])
      .when(at('2022-07-21T09:00', { type: 'BlockAccess', pseId: 'x', orderNumber: 'B' }))
      .then(([blocked]) => {
        expect(blocked.policyVersion).toBe('mr5-literal');
        expect(blocked.state.state).toBe('blocked');
      });
  });

  it('lists the commands allowed now', () => {
    const given = spec.givenCommands(blockedCase('x'));
    expect(allowedCommands(given.state, getPolicy('kominfo-2022'))).toEqual([
      'UpdatePseProfile',
      'SubmitRegistration',
      'ConfirmRegistration',
      'RestoreAccessTemporarily',
      'RestoreAccess',
      'RequestNormalisation',
      'GrantExemption',
      'MigratePolicy',
    ]);
    expect(allowedCommands(undefined, getPolicy('kominfo-2022'))).toEqual(['IdentifyPse']);
  });
});
