import {
  at,
  blockedCase,
  identify,
  runCommands,
  warnedCase,
  type TimedCommand,
} from './__fixtures__/pse-case.fixtures';
import { ESCALATION_ACTOR } from './pse-case.actors';
import type { PolicyId } from './pse-case.events';
import { stateOf } from './pse-case.fold';

// The statechart's transitions through `decide` (pse-case.machine.ts, docs/regulation.md §14): where each
// lapse leads under each policy — an automatic escalation, or the operators' queue with exactly the
// commands it offers — and where registrations, suspensions and exemptions take a case.
const registration = '000123.01/DJAI.PSE/07/2022';

function after(commands: TimedCommand[], policy: PolicyId = 'kominfo-2022') {
  const { events, snapshot } = runCommands(commands, policy);
  const { state, substate } = stateOf(snapshot);
  return { events, state: substate ? `${state}.${substate}` : state, context: snapshot.context };
}

const lapse = (
  pseId: string,
  when: string,
  deadline:
    | 'warningResponse'
    | 'suspensionResponse'
    | 'normalisationRequest'
    | 'manualRegistrationFollowUp'
    | 'temporaryRestoration',
) => at(when, { type: 'ElapseDeadline', pseId, deadline });
const registered = (pseId: string, policy?: PolicyId): TimedCommand[] => [
  at('2022-07-10T09:00', identify(pseId, policy)),
  at('2022-07-11T09:00', { type: 'ConfirmRegistration', pseId, registrationNumber: registration }),
];
const suspended = (pseId: string, policy?: PolicyId): TimedCommand[] => [
  ...registered(pseId, policy),
  at('2022-09-01T09:00', { type: 'SuspendRegistration', pseId, by: 'TAKEL', reason: 'false data' }),
];

describe('lapses and the operators’ queue', () => {
  it('mr5-literal: a lapsed warning queues the block', () => {
    const { state, context, events } = after(
      [...warnedCase('m', 'mr5-literal'), lapse('m', '2022-07-30T00:00', 'warningResponse')],
      'mr5-literal',
    );
    expect(state).toBe('warned');
    expect(context.escalation).toEqual({ pending: true, allowed: ['BlockAccess'] });
    expect(events.at(-1)?.type).toBe('DeadlineElapsed');
  });

  it('pp43-2023: a lapsed fine queues the block', () => {
    const { state, context } = after(
      [
        ...warnedCase('p', 'pp43-2023'),
        at('2022-07-30T09:00', { type: 'ImposeFine', pseId: 'p', decisionNumber: 'D', amountIdr: 1_000_000 }),
        at('2022-08-30T00:00', { type: 'ElapseDeadline', pseId: 'p', deadline: 'finePayment', fineId: 'F1' }),
      ],
      'pp43-2023',
    );
    expect(state).toBe('fined');
    expect(context.escalation).toEqual({ pending: true, allowed: ['BlockAccess'] });
  });

  it('kominfo-2022: a lapsed suspension waits for the directorate, which may then revoke', () => {
    const lapsed = [...suspended('k'), lapse('k', '2022-09-09T00:00', 'suspensionResponse')];
    const { state, context } = after(lapsed);
    expect(state).toBe('suspended');
    expect(context.escalation).toEqual({ pending: true, allowed: ['RevokeRegistration'] });
    const revoked = after([
      ...lapsed,
      at('2022-09-10T09:00', { type: 'RevokeRegistration', pseId: 'k', reason: 'silent' }),
    ]);
    expect(revoked.state).toBe('revoked');
    expect(revoked.context.blocks).toBe(1);
  });

  it('a lapsed normalisation request waits in the queue for a grant or a refusal, in blocked', () => {
    const { state, context } = after([
      ...blockedCase('n'),
      at('2022-08-01T09:00', { type: 'RequestNormalisation', pseId: 'n', reason: 'registered abroad' }),
      lapse('n', '2022-08-03T09:00', 'normalisationRequest'),
    ]);
    expect(state).toBe('blocked.enforced');
    expect(context.escalation).toEqual({ pending: true, allowed: ['RestoreAccess', 'RefuseNormalisation'] });
    expect(context.deadlines).toEqual([]);
  });

  it('and in revoked', () => {
    const { state, context } = after(
      [
        ...suspended('r', 'mr5-literal'),
        at('2022-09-10T09:00', { type: 'RequestNormalisation', pseId: 'r', reason: 'registered again' }),
        lapse('r', '2022-09-12T09:00', 'normalisationRequest'),
      ],
      'mr5-literal',
    );
    expect(state).toBe('revoked');
    expect(context.escalation).toEqual({ pending: true, allowed: ['RestoreAccess', 'RefuseNormalisation'] });
  });

  it('a refused normalisation request in revoked ends it; a refusal without a request is refused', () => {
    const requested = [
      ...suspended('r', 'mr5-literal'),
      at('2022-09-10T09:00', { type: 'RequestNormalisation', pseId: 'r', reason: 'registered again' }),
    ];
    const refused = after(
      [...requested, at('2022-09-11T09:00', { type: 'RefuseNormalisation', pseId: 'r', reason: 'no' })],
      'mr5-literal',
    );
    expect(refused.state).toBe('revoked');
    expect(refused.context.deadlines).toEqual([]);
    expect(() =>
      after(
        [
          ...suspended('r', 'mr5-literal'),
          at('2022-09-11T09:00', { type: 'RefuseNormalisation', pseId: 'r', reason: 'no' }),
        ],
        'mr5-literal',
      ),
    ).toThrow('no normalisation request is pending');
  });

  it('a temporary restoration that lapses is enforced again; a block order during it enforces at once', () => {
    const restored = [
      ...blockedCase('t'),
      at('2022-07-31T08:00', {
        type: 'RestoreAccessTemporarily',
        pseId: 't',
        until: '2022-08-02T08:00:00+07:00',
        reason: 'payments',
      }),
    ];
    expect(after(restored).state).toBe('blocked.temporarilyRestored');
    expect(after([...restored, lapse('t', '2022-08-02T08:00', 'temporaryRestoration')]).state).toBe(
      'blocked.enforced',
    );
    const reblocked = after([
      ...restored,
      at('2022-08-01T09:00', { type: 'BlockAccess', pseId: 't', orderNumber: 'B-2' }),
    ]);
    expect(reblocked.state).toBe('blocked.enforced');
    expect(reblocked.context.deadlines).toEqual([]);
    expect(reblocked.context.blocks).toBe(1);
  });
});

describe('a failed submission that had normalised a block (docs/regulation.md §13.1)', () => {
  const normalised = (pseId: string, channel: 'oss' | 'manual') => [
    ...blockedCase(pseId),
    at('2022-08-02T09:00', { type: 'SubmitRegistration', pseId, channel }),
  ];

  it('kominfo-2022: a lapsed manual follow-up blocks again by itself, dated at the due instant', () => {
    const { state, events, context } = after([
      ...normalised('v', 'manual'),
      at('2022-09-05T09:00', { type: 'UpdatePseProfile', pseId: 'v', name: 'V' }),
    ]);
    expect(state).toBe('blocked.enforced');
    expect(events.slice(-3).map((e) => [e.type, e.occurredAt])).toEqual([
      ['DeadlineElapsed', '2022-09-01T23:59:59+07:00'],
      ['AccessBlocked', '2022-09-01T23:59:59+07:00'],
      ['PseProfileUpdated', '2022-09-05T09:00:00+07:00'],
    ]);
    expect(context.sinceCause).toBe('the manualRegistrationFollowUp deadline elapsed');
  });

  it('kominfo-2022: the re-block after a rejection says the submission failed', () => {
    const { state, context } = after([
      ...normalised('v', 'oss'),
      at('2022-08-03T09:00', { type: 'RejectRegistration', pseId: 'v', reason: 'incomplete' }),
    ]);
    expect(state).toBe('blocked.enforced');
    expect(context.sinceCause).toBe('the submission that had normalised it failed');
    expect(context.blocks).toBe(2);
  });

  it('migrated to pp43-2023: a rejection leaves it unregistered with the block in the queue', () => {
    const { state, context, events } = after([
      ...normalised('m', 'oss'),
      at('2022-08-02T10:00', { type: 'MigratePolicy', pseId: 'm', to: 'pp43-2023', reason: 'PP 43/2023' }),
      at('2022-08-03T09:00', { type: 'RejectRegistration', pseId: 'm', reason: 'incomplete' }),
    ]);
    expect(state).toBe('unregistered');
    expect(events.at(-1)?.type).toBe('RegistrationRejected');
    expect(context.escalation).toEqual({ pending: true, allowed: ['BlockAccess'] });
  });

  it('migrated to pp43-2023: a lapsed manual follow-up does the same', () => {
    const { state, context, events } = after([
      ...normalised('m', 'manual'),
      at('2022-08-02T10:00', { type: 'MigratePolicy', pseId: 'm', to: 'pp43-2023', reason: 'PP 43/2023' }),
      lapse('m', '2022-09-02T00:00', 'manualRegistrationFollowUp'),
    ]);
    expect(state).toBe('unregistered');
    expect(events.at(-1)?.type).toBe('DeadlineElapsed');
    expect(context.escalation).toEqual({ pending: true, allowed: ['BlockAccess'] });
  });

  it('a rejection of a submission that had not normalised anything queues nothing', () => {
    const { state, context } = after([
      at('2022-07-18T09:00', identify('p')),
      at('2022-07-19T09:00', { type: 'SubmitRegistration', pseId: 'p', channel: 'manual' }),
      at('2022-07-20T09:00', { type: 'RejectRegistration', pseId: 'p', reason: 'incomplete' }),
    ]);
    expect(state).toBe('unregistered');
    expect(context.escalation).toEqual({ pending: false, allowed: [] });
  });

  it('a lapsed follow-up of a submission that had not normalised anything queues nothing', () => {
    const { state, context } = after([
      at('2022-07-18T09:00', identify('p')),
      at('2022-07-19T09:00', { type: 'SubmitRegistration', pseId: 'p', channel: 'manual' }),
      lapse('p', '2022-08-19T00:00', 'manualRegistrationFollowUp'),
    ]);
    expect(state).toBe('unregistered');
    expect(context.escalation).toEqual({ pending: false, allowed: [] });
  });
});

describe('registrations, suspensions and exemptions', () => {
  it('given a block under mr5-literal, a submission keeps the block and a rejection ends the submission', () => {
    const submitted = [
      ...blockedCase('b', 'mr5-literal'),
      at('2022-08-02T09:00', { type: 'SubmitRegistration', pseId: 'b', channel: 'oss' }),
    ];
    expect(after(submitted, 'mr5-literal')).toMatchObject({
      state: 'blocked.enforced',
      context: { pendingSubmission: 'oss' },
    });
    const rejected = after(
      [...submitted, at('2022-08-03T09:00', { type: 'RejectRegistration', pseId: 'b', reason: 'no' })],
      'mr5-literal',
    );
    expect(rejected).toMatchObject({ state: 'blocked.enforced', context: { pendingSubmission: null } });
    expect(() =>
      after(
        [
          ...blockedCase('b', 'mr5-literal'),
          at('2022-08-03T09:00', { type: 'RejectRegistration', pseId: 'b', reason: 'no' }),
        ],
        'mr5-literal',
      ),
    ).toThrow('RejectRegistration is not possible in state blocked.enforced');
  });

  it('given a revoked registration, a new submission is remembered and may be rejected', () => {
    const submitted = [
      ...suspended('r', 'mr5-literal'),
      at('2022-09-10T09:00', { type: 'SubmitRegistration', pseId: 'r', channel: 'oss' }),
    ];
    expect(after(submitted, 'mr5-literal')).toMatchObject({
      state: 'revoked',
      context: { pendingSubmission: 'oss' },
    });
    expect(
      after(
        [...submitted, at('2022-09-11T09:00', { type: 'RejectRegistration', pseId: 'r', reason: 'no' })],
        'mr5-literal',
      ),
    ).toMatchObject({ state: 'revoked', context: { pendingSubmission: null } });
  });

  it('given a revoked registration, the operator may normalise access', () => {
    const { state } = after(
      [
        ...suspended('r', 'mr5-literal'),
        at('2022-09-10T09:00', { type: 'RestoreAccess', pseId: 'r', reason: 'ok' }),
      ],
      'mr5-literal',
    );
    expect(state).toBe('unregistered');
  });

  it('a pending submission confirmed: registered if never sanctioned, re-registered if warned before', () => {
    const confirm = (pseId: string) =>
      at('2022-07-26T09:00', { type: 'ConfirmRegistration', pseId, registrationNumber: registration });
    expect(
      after([
        at('2022-07-18T09:00', identify('c')),
        at('2022-07-19T09:00', { type: 'SubmitRegistration', pseId: 'c', channel: 'oss' }),
        confirm('c'),
      ]).state,
    ).toBe('registered');
    expect(
      after([
        ...warnedCase('w'),
        at('2022-07-25T09:00', { type: 'SubmitRegistration', pseId: 'w', channel: 'oss' }),
        confirm('w'),
      ]).state,
    ).toBe('reRegistered');
  });

  it('an unregistered case confirmed after a lifted block is re-registered', () => {
    const { state } = after(
      [
        ...blockedCase('u', 'mr5-literal'),
        at('2022-08-01T09:00', { type: 'RestoreAccess', pseId: 'u', reason: 'ok' }),
        at('2022-08-02T09:00', { type: 'ConfirmRegistration', pseId: 'u', registrationNumber: registration }),
      ],
      'mr5-literal',
    );
    expect(state).toBe('reRegistered');
  });

  it('warned or fined cases confirmed directly are re-registered', () => {
    expect(
      after([
        ...warnedCase('w'),
        at('2022-07-25T09:00', { type: 'ConfirmRegistration', pseId: 'w', registrationNumber: registration }),
      ]).state,
    ).toBe('reRegistered');
    expect(
      after(
        [
          ...warnedCase('f', 'pp43-2023'),
          at('2022-07-30T09:00', {
            type: 'ImposeFine',
            pseId: 'f',
            decisionNumber: 'D',
            amountIdr: 1_000_000,
          }),
          at('2022-07-31T09:00', {
            type: 'ConfirmRegistration',
            pseId: 'f',
            registrationNumber: registration,
          }),
        ],
        'pp43-2023',
      ).state,
    ).toBe('reRegistered');
  });

  it('a lifted suspension returns a re-registered system to re-registered', () => {
    const { state } = after([
      ...blockedCase('s'),
      at('2022-08-03T09:00', { type: 'ConfirmRegistration', pseId: 's', registrationNumber: registration }),
      at('2022-09-01T09:00', { type: 'SuspendRegistration', pseId: 's', by: 'PAI', reason: 'x' }),
      at('2022-09-02T09:00', { type: 'LiftSuspension', pseId: 's', reason: 'ok' }),
    ]);
    expect(state).toBe('reRegistered');
  });

  it.each<[string, TimedCommand[], PolicyId]>([
    ['registered', registered('e'), 'kominfo-2022'],
    ['suspended', suspended('e'), 'kominfo-2022'],
    ['warned', warnedCase('e'), 'kominfo-2022'],
    ['revoked', suspended('e', 'mr5-literal'), 'mr5-literal'],
    [
      'registrationPending',
      [
        at('2022-07-18T09:00', identify('e')),
        at('2022-07-19T09:00', { type: 'SubmitRegistration', pseId: 'e', channel: 'oss' }),
      ],
      'kominfo-2022',
    ],
  ])('an exemption closes a %s case', (_label, given, policy) => {
    const { state, context } = after(
      [...given, at('2022-09-20T09:00', { type: 'GrantExemption', pseId: 'e', reason: 'not a PSE' })],
      policy,
    );
    expect(state).toBe('exempted');
    expect(context.since).toBe('2022-09-20T09:00:00+07:00');
  });

  it('an exemption closes a fined case', () => {
    const { state } = after(
      [
        ...warnedCase('f', 'pp43-2023'),
        at('2022-07-30T09:00', { type: 'ImposeFine', pseId: 'f', decisionNumber: 'D', amountIdr: 1_000_000 }),
        at('2022-07-31T09:00', { type: 'GrantExemption', pseId: 'f', reason: 'not a PSE' }),
      ],
      'pp43-2023',
    );
    expect(state).toBe('exempted');
  });

  it('a suspension of a re-registered system runs its response deadline', () => {
    const { state, context } = after([
      ...blockedCase('s'),
      at('2022-08-03T09:00', { type: 'ConfirmRegistration', pseId: 's', registrationNumber: registration }),
      at('2022-09-01T09:00', { type: 'SuspendRegistration', pseId: 's', by: 'PAI', reason: 'x' }),
    ]);
    expect(state).toBe('suspended');
    expect(context.deadlines.map((d) => d.kind)).toEqual(['suspensionResponse']);
  });

  it('a deadline no state gives a meaning to only ends: a fine lapsing after registration', () => {
    const { state, context } = after(
      [
        ...warnedCase('f', 'pp43-2023'),
        at('2022-07-30T09:00', { type: 'ImposeFine', pseId: 'f', decisionNumber: 'D', amountIdr: 1_000_000 }),
        at('2022-07-31T09:00', { type: 'ConfirmRegistration', pseId: 'f', registrationNumber: registration }),
        at('2022-09-01T09:00', { type: 'UpdatePseProfile', pseId: 'f', name: 'F' }),
      ],
      'pp43-2023',
    );
    expect(state).toBe('reRegistered');
    expect(context.fines.F1.overdue).toBe(true);
    expect(context.escalation).toEqual({ pending: false, allowed: [] });
  });
});

describe('since: when a case entered its state', () => {
  it('given a journey through every state but blocked and exempted, then each entry records its own instant', () => {
    const { events } = runCommands(
      [
        at('2022-07-18T09:00', identify('j', 'pp43-2023')),
        at('2022-07-23T10:00', { type: 'IssueWarning', pseId: 'j', letterNumber: 'W' }),
        at('2022-07-30T09:00', { type: 'ImposeFine', pseId: 'j', decisionNumber: 'D', amountIdr: 1_000_000 }),
        at('2022-07-31T09:00', { type: 'SubmitRegistration', pseId: 'j', channel: 'oss' }),
        at('2022-08-01T09:00', { type: 'ConfirmRegistration', pseId: 'j', registrationNumber: registration }),
        at('2022-08-02T09:00', { type: 'SuspendRegistration', pseId: 'j', by: 'PAI', reason: 'x' }),
        at('2022-08-03T09:00', { type: 'LiftSuspension', pseId: 'j', reason: 'ok' }),
      ],
      'pp43-2023',
    );
    expect(events.map((e) => [e.type, e.state.state, e.state.since])).toEqual([
      ['PseIdentified', 'unregistered', '2022-07-18T09:00:00+07:00'],
      ['WarningIssued', 'warned', '2022-07-23T10:00:00+07:00'],
      ['DeadlineElapsed', 'warned', '2022-07-23T10:00:00+07:00'],
      ['FineImposed', 'fined', '2022-07-30T09:00:00+07:00'],
      ['RegistrationSubmitted', 'registrationPending', '2022-07-31T09:00:00+07:00'],
      ['RegistrationConfirmed', 'reRegistered', '2022-08-01T09:00:00+07:00'],
      ['RegistrationSuspended', 'suspended', '2022-08-02T09:00:00+07:00'],
      ['SuspensionLifted', 'reRegistered', '2022-08-03T09:00:00+07:00'],
    ]);
  });

  it('given an operator’s block, then since is the order’s instant and no automatic cause is recorded', () => {
    const { context } = after(blockedCase('o', 'mr5-literal'), 'mr5-literal');
    expect(context).toMatchObject({
      since: '2022-07-30T06:00:00+07:00',
      sinceBy: 'operator-1',
      sinceCause: null,
      blocks: 1,
    });
  });

  it('given a registration that ends a block, then the registered state is since the confirmation', () => {
    const { events } = runCommands([
      ...blockedCase('r'),
      at('2022-08-03T09:00', { type: 'ConfirmRegistration', pseId: 'r', registrationNumber: registration }),
    ]);
    expect(events.slice(-2).map((e) => [e.type, e.state.state, e.state.since])).toEqual([
      ['RegistrationConfirmed', 'reRegistered', '2022-08-03T09:00:00+07:00'],
      ['AccessRestored', 'reRegistered', '2022-08-03T09:00:00+07:00'],
    ]);
  });
});

describe('every transition records its event in the case', () => {
  // Each transition applies its event to the case's memory: after it, the case's revision and business
  // time are the event's, and it is in the state the transition targets. A transition that moved the case
  // without applying its event would leave the next event numbered and dated from a stale memory.
  const confirm = (pseId: string, when: string) =>
    at(when, { type: 'ConfirmRegistration', pseId, registrationNumber: registration });
  const exempt = (pseId: string, when: string) =>
    at(when, { type: 'GrantExemption', pseId, reason: 'not obliged to register' });
  const fined = (pseId: string): TimedCommand[] => [
    ...warnedCase(pseId, 'pp43-2023'),
    at('2022-07-30T09:00', { type: 'ImposeFine', pseId, decisionNumber: 'D', amountIdr: 1_000_000 }),
  ];
  const revoked = (pseId: string): TimedCommand[] => [
    ...suspended(pseId, 'mr5-literal'),
    lapse(pseId, '2022-09-09T00:00', 'suspensionResponse'),
  ];
  const pending = (pseId: string): TimedCommand[] => [
    at('2022-07-18T09:00', identify(pseId)),
    at('2022-07-19T09:00', { type: 'SubmitRegistration', pseId, channel: 'oss' }),
  ];
  const cases: [string, PolicyId, TimedCommand[], string][] = [
    [
      'unregistered → exempted',
      'kominfo-2022',
      [at('2022-07-18T09:00', identify('u1')), exempt('u1', '2022-07-19T09:00')],
      'exempted',
    ],
    [
      'unregistered → registered',
      'kominfo-2022',
      [at('2022-07-18T09:00', identify('u2')), confirm('u2', '2022-07-19T09:00')],
      'registered',
    ],
    [
      'unregistered → blocked (mr5-literal)',
      'mr5-literal',
      [
        at('2022-07-18T09:00', identify('u3', 'mr5-literal')),
        at('2022-07-22T09:00', { type: 'BlockAccess', pseId: 'u3', orderNumber: 'B' }),
      ],
      'blocked.enforced',
    ],
    [
      'registrationPending → registered',
      'kominfo-2022',
      [...pending('p1'), confirm('p1', '2022-07-20T09:00')],
      'registered',
    ],
    [
      'registrationPending → exempted',
      'kominfo-2022',
      [...pending('p2'), exempt('p2', '2022-07-20T09:00')],
      'exempted',
    ],
    [
      'registered → exempted',
      'kominfo-2022',
      [...registered('r1'), exempt('r1', '2022-08-01T09:00')],
      'exempted',
    ],
    [
      'warned → warned (a second warning)',
      'kominfo-2022',
      [
        ...warnedCase('w1'),
        at('2022-07-25T09:00', { type: 'IssueWarning', pseId: 'w1', letterNumber: 'W-2' }),
      ],
      'warned',
    ],
    [
      'warned → reRegistered',
      'kominfo-2022',
      [...warnedCase('w2'), confirm('w2', '2022-07-25T09:00')],
      'reRegistered',
    ],
    [
      'warned → exempted',
      'kominfo-2022',
      [...warnedCase('w3'), exempt('w3', '2022-07-25T09:00')],
      'exempted',
    ],
    [
      'fined → reRegistered',
      'pp43-2023',
      [...fined('f1'), confirm('f1', '2022-08-01T09:00')],
      'reRegistered',
    ],
    ['fined → exempted', 'pp43-2023', [...fined('f2'), exempt('f2', '2022-08-01T09:00')], 'exempted'],
    [
      'blocked → reRegistered',
      'kominfo-2022',
      [...blockedCase('b1'), confirm('b1', '2022-08-01T09:00')],
      'reRegistered',
    ],
    [
      'blocked → exempted',
      'kominfo-2022',
      [...blockedCase('b2'), exempt('b2', '2022-08-01T09:00')],
      'exempted',
    ],
    [
      'suspended → registered',
      'kominfo-2022',
      [
        ...suspended('s1'),
        at('2022-09-02T09:00', { type: 'LiftSuspension', pseId: 's1', reason: 'answered' }),
      ],
      'registered',
    ],
    [
      'suspended → exempted',
      'kominfo-2022',
      [...suspended('s2'), exempt('s2', '2022-09-02T09:00')],
      'exempted',
    ],
    [
      'revoked → reRegistered',
      'mr5-literal',
      [...revoked('v1'), confirm('v1', '2022-09-10T09:00')],
      'reRegistered',
    ],
    [
      'revoked → unregistered (normalised by the operator)',
      'mr5-literal',
      [...revoked('v2'), at('2022-09-10T09:00', { type: 'RestoreAccess', pseId: 'v2', reason: 'ordered' })],
      'unregistered',
    ],
    ['revoked → exempted', 'mr5-literal', [...revoked('v3'), exempt('v3', '2022-09-10T09:00')], 'exempted'],
  ];

  it.each(cases)('%s', (_name, policy, commands, target) => {
    const { events, state, context } = after(commands, policy);
    const last = events.at(-1);
    expect(state).toBe(target);
    expect([context.revision, context.lastOccurredAt]).toEqual([last?.revision, last?.occurredAt]);
    // Entering a state records since when; a second warning stays in the state it was in.
    expect(context.since).toBe(
      _name.startsWith('warned → warned') ? '2022-07-23T10:00:00+07:00' : last?.occurredAt,
    );
  });

  it('given a block never preceded by a warning, when the submission that lifted it is rejected, then the block itself returns', () => {
    // Blocked directly under mr5-literal, migrated to kominfo-2022 (a submission normalises), submitted,
    // rejected: what comes back is the block the submission lifted, not the warning the ladder starts with.
    const { events, state } = after(
      [
        at('2022-07-18T09:00', identify('x', 'mr5-literal')),
        at('2022-07-22T09:00', { type: 'BlockAccess', pseId: 'x', orderNumber: 'B-x' }),
        at('2022-07-25T09:00', { type: 'MigratePolicy', pseId: 'x', to: 'kominfo-2022', reason: 'practice' }),
        at('2022-07-26T09:00', { type: 'SubmitRegistration', pseId: 'x', channel: 'oss' }),
        at('2022-07-27T09:00', { type: 'RejectRegistration', pseId: 'x', reason: 'incomplete' }),
      ],
      'mr5-literal',
    );
    expect(events.slice(-2).map((e) => [e.type, e.actor.id])).toEqual([
      ['RegistrationRejected', 'operator-1'],
      ['AccessBlocked', ESCALATION_ACTOR.id],
    ]);
    expect(state).toBe('blocked.enforced');
  });
});
