import { getPolicy } from '../policies';
import type { PolicyId } from './pse-case.events';
import {
  at,
  blockedCase,
  identify,
  runCommands,
  warnedCase,
  type TimedCommand,
} from './__fixtures__/pse-case.fixtures';
import { allowedCommands, explainRefusal } from './pse-case.allowed';
import type { PseCaseCommand } from './pse-case.commands';
import { decideAt } from './__fixtures__/pse-case.fixtures';
import type { TransitionRefused } from './pse-case.errors';

// What a refusal tells the operator (pse-case.allowed.ts): the commands the machine would accept now,
// asked of the machine itself, and the most specific reason it gives for refusing this one.
const registration = '000123.01/DJAI.PSE/07/2022';
const identified = (pseId: string, policy?: PolicyId) => [at('2022-07-18T09:00', identify(pseId, policy))];
const registered = (pseId: string, policy?: PolicyId) => [
  ...identified(pseId, policy),
  at('2022-07-19T09:00', { type: 'ConfirmRegistration', pseId, registrationNumber: registration }),
];
const suspended = (pseId: string, policy?: PolicyId) => [
  ...registered(pseId, policy),
  at('2022-09-01T09:00', { type: 'SuspendRegistration', pseId, by: 'TAKEL', reason: 'false data' }),
];
const pp43Fined = (pseId: string) => [
  ...warnedCase(pseId, 'pp43-2023'),
  at('2022-07-30T09:00', { type: 'ImposeFine', pseId, decisionNumber: 'D-1', amountIdr: 1_000_000 }),
];

function allowedAfter(commands: TimedCommand[], policy: PolicyId = 'kominfo-2022', when?: string) {
  const { snapshot } = runCommands(commands, policy);
  return allowedCommands(snapshot, getPolicy(policy), when);
}

function refused(commands: TimedCommand[], command: TimedCommand, policy: PolicyId = 'kominfo-2022') {
  const { snapshot } = runCommands(commands, policy);
  const decision = decideAt(command, snapshot, policy);
  if (decision.ok) throw new Error(`${command.command.type} was not refused`);
  return decision.error as TransitionRefused;
}

describe('allowedCommands', () => {
  it('given no case, then only IdentifyPse', () => {
    expect(allowedCommands(undefined, getPolicy('kominfo-2022'))).toEqual(['IdentifyPse']);
  });

  it('given an unregistered case before the registration deadline, then no sanction', () => {
    expect(allowedAfter(identified('u'))).toEqual([
      'UpdatePseProfile',
      'SubmitRegistration',
      'ConfirmRegistration',
      'GrantExemption',
      'MigratePolicy',
    ]);
  });

  it('when asked after the deadline, then the first rung: a warning (kominfo-2022)', () => {
    expect(allowedAfter(identified('u'), 'kominfo-2022', '2022-07-21T09:00:00+07:00')).toEqual([
      'UpdatePseProfile',
      'SubmitRegistration',
      'ConfirmRegistration',
      'IssueWarning',
      'GrantExemption',
      'MigratePolicy',
    ]);
  });

  it('when asked after the deadline under mr5-literal, then a warning or a block at once', () => {
    expect(allowedAfter(identified('u', 'mr5-literal'), 'mr5-literal', '2022-07-21T09:00:00+07:00')).toEqual([
      'UpdatePseProfile',
      'SubmitRegistration',
      'ConfirmRegistration',
      'IssueWarning',
      'BlockAccess',
      'GrantExemption',
      'MigratePolicy',
    ]);
  });

  it('given a warned case, then the warning may be repeated but not escalated yet', () => {
    expect(allowedAfter(warnedCase('w'))).toEqual([
      'UpdatePseProfile',
      'SubmitRegistration',
      'ConfirmRegistration',
      'IssueWarning',
      'GrantExemption',
      'MigratePolicy',
    ]);
  });

  it('when asked at its due instant, then the deadline may elapse; a second earlier, not', () => {
    expect(allowedAfter(warnedCase('w'), 'kominfo-2022', '2022-07-29T23:59:59+07:00')).toContain(
      'ElapseDeadline',
    );
    expect(allowedAfter(warnedCase('w'), 'kominfo-2022', '2022-07-29T23:59:58+07:00')).not.toContain(
      'ElapseDeadline',
    );
  });

  it('given a pp43-2023 warning lapsed, then the fine is allowed', () => {
    const lapsed = [
      ...warnedCase('w', 'pp43-2023'),
      at('2022-07-30T00:00', { type: 'ElapseDeadline', pseId: 'w', deadline: 'warningResponse' }),
    ];
    expect(allowedAfter(lapsed, 'pp43-2023')).toEqual([
      'UpdatePseProfile',
      'SubmitRegistration',
      'ConfirmRegistration',
      'IssueWarning',
      'ImposeFine',
      'GrantExemption',
      'MigratePolicy',
    ]);
  });

  it('given a pp43-2023 case asked about under another policy, then its own policy answers', () => {
    const lapsed = [
      ...warnedCase('w', 'pp43-2023'),
      at('2022-07-30T00:00', {
        type: 'ElapseDeadline',
        pseId: 'w',
        deadline: 'warningResponse',
      } as PseCaseCommand),
    ];
    const { snapshot } = runCommands(lapsed, 'pp43-2023');
    expect(allowedCommands(snapshot, getPolicy('kominfo-2022'))).toContain('ImposeFine');
  });

  it('given a fined case, then payments and annulment of the open fine', () => {
    expect(allowedAfter(pp43Fined('f'), 'pp43-2023')).toEqual([
      'UpdatePseProfile',
      'SubmitRegistration',
      'ConfirmRegistration',
      'ImposeFine',
      'RecordFinePayment',
      'AnnulFine',
      'GrantExemption',
      'MigratePolicy',
    ]);
  });

  it('given a fine paid in full, then neither payment nor annulment', () => {
    const paid = [
      ...pp43Fined('f'),
      at('2022-08-01T09:00', {
        type: 'RecordFinePayment',
        pseId: 'f',
        fineId: 'F1',
        amountIdr: 1_000_000,
        reference: 'P',
      }),
    ];
    const allowed = allowedAfter(paid, 'pp43-2023');
    expect(allowed).not.toContain('RecordFinePayment');
    expect(allowed).not.toContain('AnnulFine');
    expect(allowed).toContain('ImposeFine');
  });

  it('given one fine paid in full and another open, then payment and annulment of the open one', () => {
    const twoFines = [
      ...pp43Fined('f'),
      at('2022-07-30T10:00', { type: 'ImposeFine', pseId: 'f', decisionNumber: 'D-2', amountIdr: 1_000_000 }),
      at('2022-08-01T09:00', {
        type: 'RecordFinePayment',
        pseId: 'f',
        fineId: 'F1',
        amountIdr: 1_000_000,
        reference: 'P',
      }),
    ] as TimedCommand[];
    const allowed = allowedAfter(twoFines, 'pp43-2023');
    expect(allowed).toContain('RecordFinePayment');
    expect(allowed).toContain('AnnulFine');
  });

  it('given a temporary restoration, then the block may be enforced again', () => {
    const restored = [
      ...blockedCase('b'),
      at('2022-07-31T08:00', {
        type: 'RestoreAccessTemporarily',
        pseId: 'b',
        until: '2022-08-02T08:00:00+07:00',
        reason: 'payments',
      }),
    ];
    expect(allowedAfter(restored)).toEqual([
      'UpdatePseProfile',
      'SubmitRegistration',
      'ConfirmRegistration',
      'BlockAccess',
      'RestoreAccess',
      'RequestNormalisation',
      'GrantExemption',
      'MigratePolicy',
    ]);
  });

  it('given a pending normalisation request, then it may be refused but not requested again', () => {
    const requested = [
      ...blockedCase('n'),
      at('2022-08-01T09:00', { type: 'RequestNormalisation', pseId: 'n', reason: 'registered abroad' }),
    ];
    const allowed = allowedAfter(requested);
    expect(allowed).toContain('RefuseNormalisation');
    expect(allowed).not.toContain('RequestNormalisation');
  });

  it('given a registered case, then suspension', () => {
    expect(allowedAfter(registered('r'))).toEqual([
      'UpdatePseProfile',
      'SuspendRegistration',
      'GrantExemption',
      'MigratePolicy',
    ]);
  });

  it('given a pending manual submission, then confirmation or rejection', () => {
    const pending = [
      ...identified('p'),
      at('2022-07-19T09:00', { type: 'SubmitRegistration', pseId: 'p', channel: 'manual' }),
    ];
    expect(allowedAfter(pending)).toEqual([
      'UpdatePseProfile',
      'ConfirmRegistration',
      'RejectRegistration',
      'GrantExemption',
      'MigratePolicy',
    ]);
  });

  it('given an exemption, then only the profile and the policy', () => {
    const exempted = [
      ...identified('e'),
      at('2022-07-19T09:00', { type: 'GrantExemption', pseId: 'e', reason: 'x' }),
    ];
    expect(allowedAfter(exempted)).toEqual(['UpdatePseProfile', 'MigratePolicy']);
  });

  it('given a case without domains, then a block is still probed (the order may name them)', () => {
    const bare = [at('2022-07-18T09:00', identify('d', 'mr5-literal', []))];
    expect(allowedAfter(bare, 'mr5-literal', '2022-07-21T09:00:00+07:00')).toContain('BlockAccess');
  });
});

describe('explainRefusal: the reason a refusal gives', () => {
  const block = (pseId: string, when: string): TimedCommand =>
    at(when, { type: 'BlockAccess', pseId, orderNumber: 'B-2' });

  it('a block of a case blocked by hand names the state and since, and no automatic escalation', () => {
    const error = refused(blockedCase('m', 'mr5-literal'), block('m', '2022-07-31T09:00'), 'mr5-literal');
    expect(error.reason).toBe('already blocked (enforced) since 2022-07-30T06:00:00+07:00');
  });

  it('a block of a revoked case says it is revoked and blocked, by automatic escalation', () => {
    const error = refused(suspended('r', 'mr5-literal'), block('r', '2022-09-10T09:00'), 'mr5-literal');
    expect(error.reason).toBe(
      'already revoked and blocked since 2022-09-08T23:59:59+07:00 by automatic escalation (the suspensionResponse deadline elapsed)',
    );
  });

  it('a revocation of a revoked case says since when', () => {
    const revoke = at('2022-09-10T09:00', { type: 'RevokeRegistration', pseId: 'r', reason: 'x' });
    const error = refused(suspended('r', 'mr5-literal'), revoke, 'mr5-literal');
    expect(error.reason).toBe(
      'already revoked since 2022-09-08T23:59:59+07:00 by automatic escalation (the suspensionResponse deadline elapsed)',
    );
  });

  it('a sanction before the registration deadline names the deadline and the policy', () => {
    const error = refused(
      identified('u'),
      at('2022-07-20T23:59', { type: 'IssueWarning', pseId: 'u', letterNumber: 'W' }),
    );
    expect(error.reason).toBe(
      'no sanction before the registration deadline 2022-07-20T23:59:00+07:00 (kominfo-2022)',
    );
  });

  it('a skipped rung names the rungs allowed next', () => {
    const error = refused(identified('u'), block('u', '2022-07-25T09:00'));
    expect(error.reason).toBe(
      'kominfo-2022 does not allow BlockAccess from unregistered; allowed next: IssueWarning',
    );
  });

  it('an escalation before the warning lapsed says what it waits for', () => {
    const error = refused(warnedCase('w'), block('w', '2022-07-27T09:00'));
    expect(error.reason).toBe(
      'kominfo-2022 does not allow BlockAccess from warned; allowed next: IssueWarning; escalation waits until the warning response deadline elapses',
    );
  });

  it('an escalation before the fine lapsed says it waits for the fine payment deadline', () => {
    const error = refused(pp43Fined('f'), block('f', '2022-08-01T09:00'), 'pp43-2023');
    expect(error.reason).toBe(
      'pp43-2023 does not allow BlockAccess from fined; allowed next: ImposeFine; escalation waits until the fine payment deadline elapses',
    );
  });

  it('given a lapsed warning under pp43-2023, a skipped fine does not say it waits', () => {
    const lapsed = [
      ...warnedCase('w', 'pp43-2023'),
      at('2022-07-30T00:00', {
        type: 'ElapseDeadline',
        pseId: 'w',
        deadline: 'warningResponse',
      } as PseCaseCommand),
    ];
    const error = refused(lapsed, block('w', '2022-07-30T09:00'), 'pp43-2023');
    expect(error.reason).toBe(
      'pp43-2023 does not allow BlockAccess from warned; allowed next: IssueWarning, ImposeFine',
    );
  });

  it('given a fined case moved to a ladder without fines, then nothing is allowed next', () => {
    const migrated = [
      ...pp43Fined('f'),
      at('2022-08-01T09:00', {
        type: 'MigratePolicy',
        pseId: 'f',
        to: 'kominfo-2022',
        reason: 'test',
      } as PseCaseCommand),
    ];
    const error = refused(migrated, block('f', '2022-08-02T09:00'), 'pp43-2023');
    expect(error.reason).toBe(
      'kominfo-2022 does not allow BlockAccess from fined; allowed next: none; escalation waits until the fine payment deadline elapses',
    );
  });

  it('a revocation during the suspension response period cites MR5 Art. 7(3)', () => {
    const error = refused(
      suspended('s'),
      at('2022-09-05T09:00', { type: 'RevokeRegistration', pseId: 's', reason: 'x' }),
    );
    expect(error.reason).toBe(
      'revocation waits until the 7-day suspension response period has elapsed (MR5 Art. 7(3))',
    );
  });

  it('a second temporary restoration says access is already restored', () => {
    const restore = (when: string, until: string) =>
      at(when, { type: 'RestoreAccessTemporarily', pseId: 'b', until, reason: 'payments' } as PseCaseCommand);
    const error = refused(
      [...blockedCase('b'), restore('2022-07-31T08:00', '2022-08-02T08:00:00+07:00')],
      restore('2022-07-31T09:00', '2022-08-03T08:00:00+07:00'),
    );
    expect(error.reason).toBe('access is already temporarily restored');
  });

  it('a refusal of normalisation nobody requested says none is pending', () => {
    const error = refused(
      blockedCase('b'),
      at('2022-08-01T09:00', { type: 'RefuseNormalisation', pseId: 'b', reason: 'x' }),
    );
    expect(error.reason).toBe('no normalisation request is pending');
  });

  it('a confirmation of a registered system says it is registered', () => {
    const error = refused(
      registered('r'),
      at('2022-07-20T09:00', { type: 'ConfirmRegistration', pseId: 'r', registrationNumber: registration }),
    );
    expect(error.reason).toBe('the system is already registered');
  });

  it('a confirmation of a re-registered system says it is registered', () => {
    const reRegistered = [
      ...blockedCase('b'),
      at('2022-08-03T09:00', {
        type: 'ConfirmRegistration',
        pseId: 'b',
        registrationNumber: registration,
      } as PseCaseCommand),
    ];
    const error = refused(
      reRegistered,
      at('2022-08-04T09:00', { type: 'ConfirmRegistration', pseId: 'b', registrationNumber: registration }),
    );
    expect(error).toMatchObject({ state: 'reRegistered', reason: 'the system is already registered' });
  });

  it('any command but the profile on an exempted case says the case is closed', () => {
    const error = refused(
      [...identified('e'), at('2022-07-19T09:00', { type: 'GrantExemption', pseId: 'e', reason: 'x' })],
      at('2022-07-20T09:00', { type: 'SubmitRegistration', pseId: 'e', channel: 'oss' }),
    );
    expect(error.reason).toBe('the case is closed by an exemption');
  });

  it('otherwise it names the command, the state and since', () => {
    const error = refused(
      registered('r'),
      at('2022-07-20T09:00', { type: 'LiftSuspension', pseId: 'r', reason: 'x' }),
    );
    expect(error).toMatchObject({
      state: 'registered',
      command: 'LiftSuspension',
      reason: 'LiftSuspension is not possible in state registered (since 2022-07-19T09:00:00+07:00)',
    });
  });

  it('a warning to a registered system is not a ladder question: the default reason', () => {
    const error = refused(
      registered('r'),
      at('2022-07-25T09:00', { type: 'IssueWarning', pseId: 'r', letterNumber: 'W' }),
    );
    expect(error.reason).toBe(
      'IssueWarning is not possible in state registered (since 2022-07-19T09:00:00+07:00)',
    );
  });

  it('given a suspended case, then a command other than a revocation gets the default reason', () => {
    const error = refused(
      suspended('s'),
      at('2022-09-02T09:00', { type: 'SuspendRegistration', pseId: 's', by: 'PAI', reason: 'again' }),
    );
    expect(error.reason).toBe(
      'SuspendRegistration is not possible in state suspended (since 2022-09-01T09:00:00+07:00)',
    );
  });

  it('given a registered case, then a revocation gets the default reason (no suspension to wait for)', () => {
    const error = refused(
      registered('r'),
      at('2022-07-25T09:00', { type: 'RevokeRegistration', pseId: 'r', reason: 'x' }),
    );
    expect(error.reason).toBe(
      'RevokeRegistration is not possible in state registered (since 2022-07-19T09:00:00+07:00)',
    );
  });

  it('given a warned case, then a temporary restoration gets the default reason (nothing is blocked)', () => {
    const error = refused(
      warnedCase('w'),
      at('2022-07-25T09:00', {
        type: 'RestoreAccessTemporarily',
        pseId: 'w',
        until: '2022-07-26T09:00:00+07:00',
        reason: 'x',
      }),
    );
    expect(error.reason).toBe(
      'RestoreAccessTemporarily is not possible in state warned (since 2022-07-23T10:00:00+07:00)',
    );
  });

  it('given a suspended case, then a confirmation gets the default reason', () => {
    const error = refused(
      suspended('s'),
      at('2022-09-02T09:00', { type: 'ConfirmRegistration', pseId: 's', registrationNumber: registration }),
    );
    expect(error.reason).toBe(
      'ConfirmRegistration is not possible in state suspended (since 2022-09-01T09:00:00+07:00)',
    );
  });

  it('given a revoked case, then a command other than a block or a revocation gets the default reason', () => {
    const error = refused(
      suspended('r', 'mr5-literal'),
      at('2022-09-10T09:00', { type: 'LiftSuspension', pseId: 'r', reason: 'x' }),
      'mr5-literal',
    );
    expect(error.reason).toBe(
      'LiftSuspension is not possible in state revoked (since 2022-09-08T23:59:59+07:00 by automatic escalation (the suspensionResponse deadline elapsed))',
    );
  });

  it('given a block an escalation made, then the default reason says so', () => {
    const error = refused(
      blockedCase('k'),
      at('2022-08-01T09:00', { type: 'LiftSuspension', pseId: 'k', reason: 'x' }),
    );
    expect(error.reason).toBe(
      'LiftSuspension is not possible in state blocked.enforced (since 2022-07-29T23:59:59+07:00 by automatic escalation (the warningResponse deadline elapsed))',
    );
  });

  it('given the machine refused a case just identified, then the reason is the default one', () => {
    const { snapshot } = runCommands(identified('i'));
    const command: PseCaseCommand = { type: 'LiftSuspension', pseId: 'i', reason: 'x' };
    expect(explainRefusal(command, snapshot, getPolicy('kominfo-2022'), '2022-07-19T09:00:00+07:00')).toBe(
      'LiftSuspension is not possible in state unregistered (since 2022-07-18T09:00:00+07:00)',
    );
  });
});
