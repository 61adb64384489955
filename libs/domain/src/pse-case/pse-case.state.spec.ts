import { at, blockedCase, identify, runCommands, warnedCase } from './__fixtures__/pse-case.fixtures';
import type { PseCaseCommand } from './pse-case.commands';
import type { PolicyId } from './pse-case.events';

// What each event does to the case's memory (pse-case.state.ts), read off the folded context: the
// deadlines it starts and ends, the ladder it climbs, the submission it remembers.
const registration = (pseId: string): PseCaseCommand => ({
  type: 'ConfirmRegistration',
  pseId,
  registrationNumber: '000123.01/DJAI.PSE/07/2022',
});

const pp43Fined = (pseId: string) => [
  ...warnedCase(pseId, 'pp43-2023'),
  at('2022-07-30T09:00', { type: 'ImposeFine', pseId, decisionNumber: 'D-1', amountIdr: 10_000_000 }),
];

function contextAfter(commands: Parameters<typeof runCommands>[0], policy: PolicyId = 'kominfo-2022') {
  return runCommands(commands, policy).snapshot.context;
}

describe('PseIdentified and PseProfileUpdated', () => {
  it('given an identification, then the context holds the profile, the policy and since', () => {
    const c = contextAfter([
      at('2022-07-18T09:00', {
        type: 'IdentifyPse',
        pseId: 'p',
        name: 'PayPal',
        origin: 'foreign',
        domains: ['paypal.com'],
        company: 'PayPal Pte. Ltd.',
        sector: 'finance',
        policy: 'mr5-literal',
      }),
    ]);
    expect(c).toMatchObject({
      pseId: 'p',
      name: 'PayPal',
      origin: 'foreign',
      domains: ['paypal.com'],
      company: 'PayPal Pte. Ltd.',
      sector: 'finance',
      policyVersion: 'mr5-literal',
      since: '2022-07-18T09:00:00+07:00',
      lastOccurredAt: '2022-07-18T09:00:00+07:00',
      revision: 0,
    });
    expect(c.lastHash).toMatch(/^[0-9a-f]{64}$/);
  });

  const identified = at('2022-07-18T09:00', {
    type: 'IdentifyPse',
    pseId: 'p',
    name: 'PayPal',
    origin: 'foreign',
    domains: ['paypal.com'],
    company: 'PayPal Pte. Ltd.',
    sector: 'finance',
  });

  it('when only the name changes, then the rest of the profile stays', () => {
    const c = contextAfter([
      identified,
      at('2022-07-19T09:00', { type: 'UpdatePseProfile', pseId: 'p', name: 'PayPal Inc.' }),
    ]);
    expect(c).toMatchObject({
      name: 'PayPal Inc.',
      domains: ['paypal.com'],
      company: 'PayPal Pte. Ltd.',
      sector: 'finance',
    });
  });

  it('when domains, company and sector change, then each is replaced (a company may be cleared)', () => {
    const c = contextAfter([
      identified,
      at('2022-07-19T09:00', {
        type: 'UpdatePseProfile',
        pseId: 'p',
        domains: ['paypal.com', 'paypal.me'],
        company: null,
        sector: 'payments',
      }),
    ]);
    expect(c).toMatchObject({
      name: 'PayPal',
      domains: ['paypal.com', 'paypal.me'],
      company: null,
      sector: 'payments',
    });
  });

  it('when the sector is cleared, then the company stays', () => {
    const c = contextAfter([
      identified,
      at('2022-07-19T09:00', { type: 'UpdatePseProfile', pseId: 'p', sector: null }),
    ]);
    expect(c).toMatchObject({ company: 'PayPal Pte. Ltd.', sector: null });
  });
});

describe('submissions', () => {
  it('given a warned case, when it submits via OSS, then the warning deadline ends and no follow-up starts', () => {
    const c = contextAfter([
      ...warnedCase('s'),
      at('2022-07-25T09:00', { type: 'SubmitRegistration', pseId: 's', channel: 'oss' }),
    ]);
    expect(c.pendingSubmission).toBe('oss');
    expect(c.deadlines).toEqual([]);
  });

  it('when it submits a manual form, then a 30-day follow-up deadline starts', () => {
    const c = contextAfter([
      ...warnedCase('s'),
      at('2022-07-25T09:00', { type: 'SubmitRegistration', pseId: 's', channel: 'manual' }),
    ]);
    expect(c.pendingSubmission).toBe('manual');
    expect(c.deadlines).toEqual([
      { kind: 'manualRegistrationFollowUp', dueAt: '2022-08-24T23:59:59+07:00', fineId: null },
    ]);
  });

  it('when the manual submission is rejected, then the follow-up ends and nothing is pending', () => {
    const c = contextAfter([
      ...warnedCase('s'),
      at('2022-07-25T09:00', { type: 'SubmitRegistration', pseId: 's', channel: 'manual' }),
      at('2022-07-26T09:00', { type: 'RejectRegistration', pseId: 's', reason: 'incomplete' }),
    ]);
    expect(c).toMatchObject({ pendingSubmission: null, restoredOnSubmission: false, deadlines: [] });
  });

  it('given a blocked kominfo-2022 case normalised on submission, then it remembers the normalisation', () => {
    const c = contextAfter([
      ...blockedCase('v'),
      at('2022-08-02T09:00', { type: 'SubmitRegistration', pseId: 'v', channel: 'oss' }),
    ]);
    expect(c).toMatchObject({ pendingSubmission: 'oss', restoredOnSubmission: true });
  });

  it('when its manual follow-up lapses, then the submission and its normalisation are forgotten', () => {
    const c = contextAfter([
      ...warnedCase('s'),
      at('2022-07-25T09:00', { type: 'SubmitRegistration', pseId: 's', channel: 'manual' }),
      at('2022-08-25T00:00', { type: 'ElapseDeadline', pseId: 's', deadline: 'manualRegistrationFollowUp' }),
    ]);
    expect(c).toMatchObject({ pendingSubmission: null, restoredOnSubmission: false, deadlines: [] });
  });

  it('when a registration is confirmed, then only fine payments keep running', () => {
    const c = contextAfter(
      [
        ...pp43Fined('f'),
        at('2022-08-01T09:00', { type: 'SubmitRegistration', pseId: 'f', channel: 'manual' }),
        at('2022-08-03T09:00', registration('f')),
      ],
      'pp43-2023',
    );
    expect(c).toMatchObject({
      registrationNumber: '000123.01/DJAI.PSE/07/2022',
      pendingSubmission: null,
      escalation: { pending: false, allowed: [] },
    });
    expect(c.deadlines.map((d) => d.kind)).toEqual(['finePayment']);
  });
});

describe('sanctions', () => {
  it('given a warning, then it counts, starts the response deadline and is the highest sanction', () => {
    const c = contextAfter(warnedCase('w'));
    expect(c).toMatchObject({ warnings: 1, highestSanction: 'warning' });
    expect(c.deadlines).toEqual([
      { kind: 'warningResponse', dueAt: '2022-07-29T23:59:59+07:00', fineId: null },
    ]);
  });

  it('given a fine after the warning, then the warning deadline ends and the payment deadline starts', () => {
    const c = contextAfter(pp43Fined('f'), 'pp43-2023');
    expect(c).toMatchObject({ fineCount: 1, highestSanction: 'fine', escalation: { pending: false } });
    expect(c.fines.F1).toEqual({
      fineId: 'F1',
      decisionNumber: 'D-1',
      amountIdr: 10_000_000,
      paidIdr: 0,
      annulledIdr: 0,
      annulled: false,
      overdue: false,
    });
    expect(c.deadlines).toEqual([{ kind: 'finePayment', dueAt: '2022-08-29T23:59:59+07:00', fineId: 'F1' }]);
  });

  it('when a warning follows a fine (migrated to a ladder without fines), then the fine stays the highest', () => {
    const c = contextAfter(
      [
        ...pp43Fined('f'),
        at('2022-08-01T09:00', { type: 'SubmitRegistration', pseId: 'f', channel: 'oss' }),
        at('2022-08-02T09:00', { type: 'RejectRegistration', pseId: 'f', reason: 'incomplete' }),
        at('2022-08-02T10:00', { type: 'MigratePolicy', pseId: 'f', to: 'kominfo-2022', reason: 'test' }),
        at('2022-08-03T09:00', { type: 'IssueWarning', pseId: 'f', letterNumber: 'W-2' }),
      ],
      'pp43-2023',
    );
    expect(c).toMatchObject({ warnings: 2, highestSanction: 'fine' });
  });

  it('when a fine is partly paid, then its deadline keeps running; when paid in full, it ends', () => {
    const partly = [
      ...pp43Fined('f'),
      at('2022-08-01T09:00', {
        type: 'RecordFinePayment',
        pseId: 'f',
        fineId: 'F1',
        amountIdr: 4_000_000,
        reference: 'P1',
      }),
    ] as Parameters<typeof runCommands>[0];
    const c1 = contextAfter(partly, 'pp43-2023');
    expect(c1.fines.F1.paidIdr).toBe(4_000_000);
    expect(c1.deadlines.map((d) => d.kind)).toEqual(['finePayment']);
    const c2 = contextAfter(
      [
        ...partly,
        at('2022-08-02T09:00', {
          type: 'RecordFinePayment',
          pseId: 'f',
          fineId: 'F1',
          amountIdr: 6_000_000,
          reference: 'P2',
        }),
      ],
      'pp43-2023',
    );
    expect(c2.fines.F1.paidIdr).toBe(10_000_000);
    expect(c2.deadlines).toEqual([]);
  });

  it('when a partly paid fine is annulled, then the unpaid rest is annulled and its deadline ends', () => {
    const c = contextAfter(
      [
        ...pp43Fined('f'),
        at('2022-08-01T09:00', {
          type: 'RecordFinePayment',
          pseId: 'f',
          fineId: 'F1',
          amountIdr: 4_000_000,
          reference: 'P1',
        }),
        at('2022-08-02T09:00', { type: 'AnnulFine', pseId: 'f', fineId: 'F1', reason: 'appeal' }),
      ],
      'pp43-2023',
    );
    expect(c.fines.F1).toMatchObject({ annulled: true, paidIdr: 4_000_000, annulledIdr: 6_000_000 });
    expect(c.deadlines).toEqual([]);
  });

  it('when a fine lapses unpaid, then it is overdue and its deadline ends', () => {
    const c = contextAfter(
      [
        ...pp43Fined('f'),
        at('2022-08-30T00:00', { type: 'ElapseDeadline', pseId: 'f', deadline: 'finePayment', fineId: 'F1' }),
      ],
      'pp43-2023',
    );
    expect(c.fines.F1.overdue).toBe(true);
    expect(c.deadlines).toEqual([]);
    expect(c.lastElapsed).toBe('finePayment');
  });

  it('given a block over an unpaid fine, then only the fine keeps running and the block is the highest', () => {
    const c = contextAfter(
      [
        ...pp43Fined('f'),
        at('2022-08-01T09:00', {
          type: 'ImposeFine',
          pseId: 'f',
          decisionNumber: 'D-2',
          amountIdr: 2_000_000,
        }),
        // Business time 30 August: F1 (due 29 August) lapses first, which opens the way to the block.
        at('2022-08-30T10:00', { type: 'BlockAccess', pseId: 'f', orderNumber: 'B-1' }),
      ],
      'pp43-2023',
    );
    expect(c).toMatchObject({ highestSanction: 'block', blocks: 1, escalation: { pending: false } });
    expect(c.deadlines).toEqual([{ kind: 'finePayment', dueAt: '2022-08-31T23:59:59+07:00', fineId: 'F2' }]);
    expect(c.fines.F1.overdue).toBe(true);
  });
});

describe('blocks and their restoration', () => {
  it('when access is restored temporarily, then the window is a deadline', () => {
    const c = contextAfter([
      ...blockedCase('p'),
      at('2022-07-31T08:00', {
        type: 'RestoreAccessTemporarily',
        pseId: 'p',
        until: '2022-08-02T08:00:00+07:00',
        reason: 'payments',
      }),
    ]);
    expect(c.deadlines).toEqual([
      { kind: 'temporaryRestoration', dueAt: '2022-08-02T08:00:00+07:00', fineId: null },
    ]);
  });

  it('when a normalisation request is refused, then its deadline ends and the queue is idle', () => {
    const requested = [
      ...blockedCase('n'),
      at('2022-08-01T09:00', { type: 'RequestNormalisation', pseId: 'n', reason: 'registered abroad' }),
    ];
    expect(contextAfter(requested).deadlines).toEqual([
      { kind: 'normalisationRequest', dueAt: '2022-08-03T09:00:00+07:00', fineId: null },
    ]);
    const c = contextAfter([
      ...requested,
      at('2022-08-02T09:00', { type: 'RefuseNormalisation', pseId: 'n', reason: 'not registered' }),
    ]);
    expect(c).toMatchObject({ deadlines: [], escalation: { pending: false, allowed: [] } });
  });

  it('when the operator restores access, then the window and a pending request end', () => {
    const c = contextAfter([
      ...blockedCase('n'),
      at('2022-07-31T08:00', {
        type: 'RestoreAccessTemporarily',
        pseId: 'n',
        until: '2022-08-05T08:00:00+07:00',
        reason: 'payments',
      }),
      at('2022-08-01T09:00', { type: 'RequestNormalisation', pseId: 'n', reason: 'registered abroad' }),
      at('2022-08-02T09:00', { type: 'RestoreAccess', pseId: 'n', reason: 'normalised' }),
    ]);
    expect(c).toMatchObject({ deadlines: [], restoredOnSubmission: false, escalation: { pending: false } });
  });
});

describe('suspension, revocation and exemption', () => {
  const registered = [at('2022-07-10T09:00', identify('r')), at('2022-07-11T09:00', registration('r'))];
  const suspended = [
    ...registered,
    at('2022-09-01T09:00', {
      type: 'SuspendRegistration' as const,
      pseId: 'r',
      by: 'TAKEL' as const,
      reason: 'false information',
    }),
  ];

  it('when suspended, then a 7-day response deadline runs; when lifted, it ends', () => {
    expect(contextAfter(suspended).deadlines).toEqual([
      { kind: 'suspensionResponse', dueAt: '2022-09-08T23:59:59+07:00', fineId: null },
    ]);
    const c = contextAfter([
      ...suspended,
      at('2022-09-02T09:00', { type: 'LiftSuspension', pseId: 'r', reason: 'clarified' }),
    ]);
    expect(c).toMatchObject({ deadlines: [], escalation: { pending: false, allowed: [] } });
  });

  it('when revoked after the lapse, then the registration number is gone and the queue is idle', () => {
    const c = contextAfter([
      ...suspended,
      at('2022-09-09T00:00', { type: 'ElapseDeadline', pseId: 'r', deadline: 'suspensionResponse' }),
      at('2022-09-09T09:00', { type: 'RevokeRegistration', pseId: 'r', reason: 'no response' }),
    ]);
    expect(c).toMatchObject({
      registrationNumber: null,
      deadlines: [],
      escalation: { pending: false, allowed: [] },
    });
  });

  it('when a case with a pending manual submission is exempted, then only fines would keep running', () => {
    const c = contextAfter([
      ...warnedCase('x'),
      at('2022-07-25T09:00', { type: 'SubmitRegistration', pseId: 'x', channel: 'manual' }),
      at('2022-07-26T09:00', { type: 'GrantExemption', pseId: 'x', reason: 'not a PSE' }),
    ]);
    expect(c).toMatchObject({ pendingSubmission: null, restoredOnSubmission: false, deadlines: [] });
  });

  it('when the policy is migrated, then the case runs under the new version', () => {
    const c = contextAfter([
      ...warnedCase('m'),
      at('2022-07-26T09:00', { type: 'MigratePolicy', pseId: 'm', to: 'pp43-2023', reason: 'PP 43/2023' }),
    ]);
    expect(c.policyVersion).toBe('pp43-2023');
  });
});
