import { getPolicy } from '../policies';
import {
  at,
  blockedCase,
  decideAt,
  identify,
  runCommands,
  warnedCase,
  type TimedCommand,
} from './__fixtures__/pse-case.fixtures';
import type { PseCaseCommand } from './pse-case.commands';
import { commandRules } from './pse-case.command-rules';
import { DeadlineOutsideCalendar, TransitionRefused, ValidationFailed } from './pse-case.errors';
import type { PseCaseSnapshot } from './pse-case.fold';
import { PseCaseEventData, type PolicyId, type PseCaseEventEnvelope } from './pse-case.events';

// One rule per command (pse-case.command-rules.ts): the events it drafts and the payload checks it makes
// before the machine decides (docs/regulation.md §4–§8, §12).
const registration = '000123.01/DJAI.PSE/07/2022';

function decided(given: TimedCommand[], when: TimedCommand, policy: PolicyId = 'kominfo-2022') {
  const { snapshot } = runCommands(given, policy);
  return decideAt(when, snapshot, policy);
}

function events(given: TimedCommand[], when: TimedCommand, policy: PolicyId = 'kominfo-2022') {
  const decision = decided(given, when, policy);
  if (!decision.ok) throw decision.error;
  return decision.events;
}

function error(given: TimedCommand[], when: TimedCommand, policy: PolicyId = 'kominfo-2022') {
  const decision = decided(given, when, policy);
  if (decision.ok) throw new Error(`${when.command.type} produced ${decision.events.length} events`);
  return decision.error;
}

const typesAndData = (list: PseCaseEventEnvelope[]) => list.map((e) => [e.type, e.data]);
const identified = (pseId: string, policy?: PolicyId) => [at('2022-07-18T09:00', identify(pseId, policy))];
const pp43Fined = (pseId: string, amountIdr = 10_000_000) => [
  ...warnedCase(pseId, 'pp43-2023'),
  at('2022-07-30T09:00', { type: 'ImposeFine', pseId, decisionNumber: 'D-1', amountIdr }),
];
const pay = (pseId: string, fineId: string, amountIdr: number, when = '2022-08-01T09:00') =>
  at(when, { type: 'RecordFinePayment', pseId, fineId, amountIdr, reference: `P-${amountIdr}` });

describe('IdentifyPse and UpdatePseProfile', () => {
  it('given an identification without company or sector, then both are null and the case takes the policy', () => {
    const {
      events: [e],
    } = runCommands([
      at('2022-07-18T09:00', {
        type: 'IdentifyPse',
        pseId: 'i',
        name: 'I',
        origin: 'domestic',
        domains: ['i.id'],
      } as PseCaseCommand),
    ]);
    expect(e.data).toEqual({
      name: 'I',
      origin: 'domestic',
      domains: ['i.id'],
      company: null,
      sector: null,
      policy: 'kominfo-2022',
    });
  });

  it('given app ids and IP addresses, when identified, then they are stored once each, canonical, and carried in the state', () => {
    const {
      events: [e],
    } = runCommands([
      at('2022-07-18T09:00', {
        type: 'IdentifyPse',
        pseId: 'm',
        name: 'M',
        origin: 'foreign',
        domains: [],
        appIds: ['com.mobile.legends', 'id1160056295', 'com.mobile.legends'],
        ipAddresses: ['2606:4700:0:0:0:0:6810:84E5', '13.227.254.72'],
        company: null,
        sector: null,
      }),
    ]);
    expect(e.data).toMatchObject({
      domains: [],
      appIds: ['com.mobile.legends', 'id1160056295'],
      ipAddresses: ['2606:4700::6810:84e5', '13.227.254.72'],
    });
    expect(e.state).toMatchObject({
      domains: [],
      appIds: ['com.mobile.legends', 'id1160056295'],
      ipAddresses: ['2606:4700::6810:84e5', '13.227.254.72'],
    });
  });

  it('given a private IP address or a bad app id, when identified, then ValidationFailed names the field and index', () => {
    const identifyWith = (extra: Partial<PseCaseCommand>) =>
      error(
        [],
        at('2022-07-18T09:00', {
          type: 'IdentifyPse',
          pseId: 'm',
          name: 'M',
          origin: 'foreign',
          domains: [],
          ...extra,
        } as PseCaseCommand),
      );
    expect((identifyWith({ ipAddresses: ['13.227.254.72', '10.0.0.1'] }) as ValidationFailed).issues).toEqual(
      [{ path: ['ipAddresses', 1], message: expect.stringMatching(/private or reserved/) }],
    );
    expect((identifyWith({ appIds: ['not an id'] }) as ValidationFailed).issues).toEqual([
      { path: ['appIds', 0], message: expect.stringMatching(/package name/) },
    ]);
  });

  it('when a profile update sets IP addresses, then the case has them and keeps its app ids', () => {
    const given = [at('2022-07-18T09:00', { ...identify('u'), appIds: ['id284882215'] } as PseCaseCommand)];
    const list = events(
      given,
      at('2022-07-19T09:00', { type: 'UpdatePseProfile', pseId: 'u', ipAddresses: ['13.228.204.118'] }),
    );
    expect(typesAndData(list)).toEqual([['PseProfileUpdated', { ipAddresses: ['13.228.204.118'] }]]);
    expect(list[0].state).toMatchObject({ appIds: ['id284882215'], ipAddresses: ['13.228.204.118'] });
  });

  it('when a profile update changes nothing, then ValidationFailed at the root', () => {
    const e = error(identified('u'), at('2022-07-19T09:00', { type: 'UpdatePseProfile', pseId: 'u' }));
    expect(e).toBeInstanceOf(ValidationFailed);
    expect((e as ValidationFailed).issues).toEqual([
      { path: ['(root)'], message: 'a profile update must change at least one field' },
    ]);
  });

  it('when every field of a profile update is undefined, then it changes nothing: ValidationFailed', () => {
    const e = error(
      identified('u'),
      at('2022-07-19T09:00', { type: 'UpdatePseProfile', pseId: 'u', name: undefined, sector: undefined }),
    );
    expect(e).toBeInstanceOf(ValidationFailed);
  });

  it('when a profile update changes one field, then the event carries only that field', () => {
    const list = events(
      identified('u'),
      at('2022-07-19T09:00', { type: 'UpdatePseProfile', pseId: 'u', sector: null }),
    );
    expect(typesAndData(list)).toEqual([['PseProfileUpdated', { sector: null }]]);
  });
});

describe('registrations', () => {
  it('given a blocked kominfo-2022 case, when it submits, then the block is normalised on submission', () => {
    const list = events(
      blockedCase('v'),
      at('2022-08-02T09:00', { type: 'SubmitRegistration', pseId: 'v', channel: 'oss' }),
    );
    expect(typesAndData(list)).toEqual([
      ['RegistrationSubmitted', { channel: 'oss', followUpDeadline: null }],
      ['AccessRestored', { reason: 'Normalised on submission of registration', cause: 'submission' }],
    ]);
  });

  it('given a blocked mr5-literal case, when it submits, then the block stands', () => {
    const list = events(
      blockedCase('v', 'mr5-literal'),
      at('2022-08-02T09:00', { type: 'SubmitRegistration', pseId: 'v', channel: 'manual' }),
      'mr5-literal',
    );
    expect(typesAndData(list)).toEqual([
      ['RegistrationSubmitted', { channel: 'manual', followUpDeadline: '2022-09-01T23:59:59+07:00' }],
    ]);
    expect(list[0].state).toMatchObject({ state: 'blocked', onBlocklist: true });
  });

  it('given a warned kominfo-2022 case, when it submits, then nothing is normalised', () => {
    const list = events(
      warnedCase('w'),
      at('2022-07-25T09:00', { type: 'SubmitRegistration', pseId: 'w', channel: 'oss' }),
    );
    expect(list.map((e) => e.type)).toEqual(['RegistrationSubmitted']);
  });

  it('given a blocked case, when registered, then it leaves the blocklist in the same append', () => {
    const list = events(
      blockedCase('b'),
      at('2022-08-03T09:00', { type: 'ConfirmRegistration', pseId: 'b', registrationNumber: registration }),
    );
    expect(typesAndData(list)).toEqual([
      ['RegistrationConfirmed', { registrationNumber: registration }],
      ['AccessRestored', { reason: 'Registered: normalised automatically', cause: 'registration' }],
    ]);
  });

  it('given a revoked case, when registered again, then it is normalised too', () => {
    const revoked = [
      at('2022-07-10T09:00', identify('r', 'mr5-literal')),
      at('2022-07-11T09:00', { type: 'ConfirmRegistration', pseId: 'r', registrationNumber: registration }),
      at('2022-09-01T09:00', { type: 'SuspendRegistration', pseId: 'r', by: 'PAI', reason: 'x' }),
    ] as TimedCommand[];
    const list = events(
      revoked,
      at('2022-09-20T09:00', { type: 'ConfirmRegistration', pseId: 'r', registrationNumber: registration }),
      'mr5-literal',
    );
    expect(list.map((e) => e.type)).toEqual([
      'DeadlineElapsed',
      'RegistrationRevoked',
      'RegistrationConfirmed',
      'AccessRestored',
    ]);
    expect(list[3].state).toMatchObject({ state: 'reRegistered', onBlocklist: false });
  });

  it('given an unregistered case, when registered, then no restoration is drafted', () => {
    const list = events(
      identified('u'),
      at('2022-07-19T09:00', { type: 'ConfirmRegistration', pseId: 'u', registrationNumber: registration }),
    );
    expect(list.map((e) => e.type)).toEqual(['RegistrationConfirmed']);
  });

  it('when a submission is rejected, then the reason is recorded', () => {
    const pending = [
      ...identified('p'),
      at('2022-07-19T09:00', { type: 'SubmitRegistration', pseId: 'p', channel: 'oss' }),
    ];
    const list = events(
      pending as TimedCommand[],
      at('2022-07-20T09:00', { type: 'RejectRegistration', pseId: 'p', reason: 'no NIB' }),
    );
    expect(typesAndData(list)).toEqual([['RegistrationRejected', { reason: 'no NIB' }]]);
  });
});

describe('warnings and fines', () => {
  it('when warned, then the response deadline is 5 working days on', () => {
    const list = events(
      identified('w'),
      at('2022-07-25T09:00', { type: 'IssueWarning', pseId: 'w', letterNumber: 'W-1' }),
    );
    expect(typesAndData(list)).toEqual([
      ['WarningIssued', { letterNumber: 'W-1', responseDeadline: '2022-08-01T23:59:59+07:00' }],
    ]);
  });

  it('when warned years past the calendar, then DeadlineOutsideCalendar names every year to add', () => {
    const e = error(
      identified('w'),
      at('2031-01-06T09:00', { type: 'IssueWarning', pseId: 'w', letterNumber: 'W-1' }),
    );
    expect(e).toBeInstanceOf(DeadlineOutsideCalendar);
    expect(e?.message).toBe(
      'the Indonesian working-day calendar is known only through 2027-12-31; add the 2028–2031 holidays (docs/calendar.md §Adding a year)',
    );
  });

  it.each<[string, TimedCommand[], TimedCommand, PolicyId]>([
    [
      'a manual submission',
      identified('c'),
      at('2028-01-05T09:00', { type: 'SubmitRegistration', pseId: 'c', channel: 'manual' }),
      'kominfo-2022',
    ],
    [
      'a fine',
      [
        at('2027-12-01T09:00', identify('c', 'pp43-2023')),
        at('2027-12-20T09:00', { type: 'IssueWarning', pseId: 'c', letterNumber: 'W' }),
      ],
      at('2028-01-05T09:00', { type: 'ImposeFine', pseId: 'c', decisionNumber: 'D', amountIdr: 1_000_000 }),
      'pp43-2023',
    ],
    [
      'a suspension',
      [
        at('2027-12-01T09:00', identify('c')),
        at('2027-12-02T09:00', { type: 'ConfirmRegistration', pseId: 'c', registrationNumber: registration }),
      ],
      at('2028-01-05T09:00', { type: 'SuspendRegistration', pseId: 'c', by: 'PAI', reason: 'x' }),
      'kominfo-2022',
    ],
  ])(
    'when %s’s deadline falls outside the calendar, then DeadlineOutsideCalendar names the horizon and the fix',
    (_l, given, when, policy) => {
      const e = error(given, when, policy);
      expect(e).toBeInstanceOf(DeadlineOutsideCalendar);
      expect(e).toMatchObject({
        code: 'DEADLINE_OUTSIDE_CALENDAR',
        year: 2028,
        knownFrom: '2022-01-01',
        knownThrough: '2027-12-31',
        message:
          'the Indonesian working-day calendar is known only through 2027-12-31; add the 2028 holidays (docs/calendar.md §Adding a year)',
      });
    },
  );

  it('given kominfo-2022, when a fine is imposed, then it is refused: the policy has no fines', () => {
    const e = error(
      warnedCase('k'),
      at('2022-07-30T09:00', { type: 'ImposeFine', pseId: 'k', decisionNumber: 'D', amountIdr: 1_000_000 }),
    );
    expect(e).toBeInstanceOf(TransitionRefused);
    expect((e as TransitionRefused).reason).toBe('policy kominfo-2022 has no administrative fines');
  });

  it.each([
    [999_999, false],
    [1_000_000, true],
    [5_000_000_000, true],
    [5_000_000_001, false],
  ])('given pp43-2023, when the fine is %d rupiah, then accepted: %s', (amountIdr, accepted) => {
    const decision = decided(
      warnedCase('p', 'pp43-2023'),
      at('2022-07-30T09:00', { type: 'ImposeFine', pseId: 'p', decisionNumber: 'D', amountIdr }),
      'pp43-2023',
    );
    expect(decision.ok).toBe(accepted);
    if (!decision.ok) {
      expect((decision.error as ValidationFailed).issues).toEqual([
        { path: ['amountIdr'], message: 'must be between 1000000 and 5000000000 rupiah under pp43-2023' },
      ]);
    }
  });

  it('when a second fine is imposed, then it is F2, due 30 calendar days on', () => {
    const list = events(
      pp43Fined('f'),
      at('2022-08-01T09:00', { type: 'ImposeFine', pseId: 'f', decisionNumber: 'D-2', amountIdr: 2_000_000 }),
      'pp43-2023',
    );
    expect(typesAndData(list)).toEqual([
      [
        'FineImposed',
        {
          fineId: 'F2',
          decisionNumber: 'D-2',
          amountIdr: 2_000_000,
          paymentDeadline: '2022-08-31T23:59:59+07:00',
        },
      ],
    ]);
  });

  it('when a payment names an unknown fine, then the refusal lists the fines there are', () => {
    const e = error(pp43Fined('f'), pay('f', 'F9', 1), 'pp43-2023');
    expect((e as TransitionRefused).reason).toBe('no fine F9 on this case (its fines: F1)');
  });

  it('given two fines, when a payment names a third, then the refusal lists both', () => {
    const twoFines = [
      ...pp43Fined('f'),
      at('2022-07-30T10:00', { type: 'ImposeFine', pseId: 'f', decisionNumber: 'D-2', amountIdr: 1_000_000 }),
    ] as TimedCommand[];
    const e = error(twoFines, pay('f', 'F3', 1), 'pp43-2023');
    expect((e as TransitionRefused).reason).toBe('no fine F3 on this case (its fines: F1, F2)');
  });

  it('given no fines, when a payment arrives, then the refusal says the case has none', () => {
    const e = error(warnedCase('w', 'pp43-2023'), pay('w', 'F1', 1, '2022-07-25T09:00'), 'pp43-2023');
    expect((e as TransitionRefused).reason).toBe('no fine F1 on this case (it has no fines)');
  });

  it('when the exact outstanding amount is paid, then it is accepted; a rupiah more is refused', () => {
    expect(events(pp43Fined('f'), pay('f', 'F1', 10_000_000), 'pp43-2023')).toHaveLength(1);
    const e = error(pp43Fined('f'), pay('f', 'F1', 10_000_001), 'pp43-2023');
    expect((e as TransitionRefused).reason).toBe(
      'payment of 10000001 exceeds the 10000000 rupiah outstanding on F1',
    );
  });

  it('when a payment is recorded, then it names the fine, the amount and the reference', () => {
    const list = events(pp43Fined('f'), pay('f', 'F1', 4_000_000), 'pp43-2023');
    expect(typesAndData(list)).toEqual([
      ['FinePaid', { fineId: 'F1', amountIdr: 4_000_000, reference: 'P-4000000' }],
    ]);
  });

  const annul = (when = '2022-08-02T09:00') =>
    at(when, { type: 'AnnulFine', pseId: 'f', fineId: 'F1', reason: 'appeal' } as PseCaseCommand);

  it('given an annulled fine, then a payment is refused and a second annulment too', () => {
    const annulled = [...pp43Fined('f'), annul()];
    expect(
      (error(annulled, pay('f', 'F1', 1, '2022-08-03T09:00'), 'pp43-2023') as TransitionRefused).reason,
    ).toBe('fine F1 was annulled');
    expect((error(annulled, annul('2022-08-03T09:00'), 'pp43-2023') as TransitionRefused).reason).toBe(
      'fine F1 is already annulled',
    );
  });

  it('given a fine paid in full, then it cannot be annulled', () => {
    const e = error([...pp43Fined('f'), pay('f', 'F1', 10_000_000)], annul(), 'pp43-2023');
    expect((e as TransitionRefused).reason).toBe('fine F1 is fully paid');
  });

  it('when an unknown fine is annulled, then the refusal lists the fines', () => {
    const e = error(
      pp43Fined('f'),
      at('2022-08-02T09:00', { type: 'AnnulFine', pseId: 'f', fineId: 'F3', reason: 'appeal' }),
      'pp43-2023',
    );
    expect((e as TransitionRefused).reason).toBe('no fine F3 on this case (its fines: F1)');
  });

  it('when a fine is annulled, then the event names the fine and the reason', () => {
    expect(typesAndData(events(pp43Fined('f'), annul(), 'pp43-2023'))).toEqual([
      ['FineAnnulled', { fineId: 'F1', reason: 'appeal' }],
    ]);
  });
});

describe('blocks', () => {
  const lapsed = (pseId: string, domains?: string[]) => [
    at('2022-07-18T09:00', identify(pseId, 'mr5-literal', domains)),
  ];

  it('given no domains in the order, then the case’s domains are blocked', () => {
    const list = events(
      lapsed('b'),
      at('2022-07-25T09:00', { type: 'BlockAccess', pseId: 'b', orderNumber: 'B-1' }),
      'mr5-literal',
    );
    expect(typesAndData(list)).toEqual([['AccessBlocked', { orderNumber: 'B-1', domains: ['b.com'] }]]);
  });

  it('given domains in the order, then those are blocked', () => {
    const list = events(
      lapsed('b'),
      at('2022-07-25T09:00', { type: 'BlockAccess', pseId: 'b', orderNumber: 'B-1', domains: ['b.net'] }),
      'mr5-literal',
    );
    expect(list[0].data).toEqual({ orderNumber: 'B-1', domains: ['b.net'] });
  });

  it('given a case without domains and an order without any, then the order stands and blocks no domain (decision 0007)', () => {
    const list = events(
      lapsed('b', []),
      at('2022-07-25T09:00', { type: 'BlockAccess', pseId: 'b', orderNumber: 'B-1' }),
      'mr5-literal',
    );
    expect(typesAndData(list)).toEqual([['AccessBlocked', { orderNumber: 'B-1', domains: [] }]]);
    expect(list[0].state).toMatchObject({ state: 'blocked', onBlocklist: true, domains: [] });
  });

  it('given an order that names an empty list of domains, then ValidationFailed on domains', () => {
    const e = error(
      lapsed('b'),
      at('2022-07-25T09:00', { type: 'BlockAccess', pseId: 'b', orderNumber: 'B-1', domains: [] }),
      'mr5-literal',
    );
    expect((e as ValidationFailed).issues).toEqual([
      {
        path: ['domains'],
        message: 'an order that names domains needs at least one (omit it to block the case)',
      },
    ]);
  });

  const restore = (until: string): TimedCommand =>
    at('2022-07-31T08:00', { type: 'RestoreAccessTemporarily', pseId: 'p', until, reason: 'payments' });

  it('when access is restored for exactly 7 days, then it is accepted', () => {
    const list = events(blockedCase('p'), restore('2022-08-07T08:00:00+07:00'));
    expect(typesAndData(list)).toEqual([
      ['AccessTemporarilyRestored', { until: '2022-08-07T08:00:00+07:00', reason: 'payments' }],
    ]);
  });

  it('when for a second more than 7 days, then ValidationFailed names the limit', () => {
    const e = error(blockedCase('p'), restore('2022-08-07T08:00:01+07:00'));
    expect((e as ValidationFailed).issues).toEqual([
      { path: ['until'], message: 'at most 7 days under kominfo-2022 (until 2022-08-07T08:00:00+07:00)' },
    ]);
  });

  it('when the window ends when it starts, then ValidationFailed', () => {
    const e = error(blockedCase('p'), restore('2022-07-31T08:00:00+07:00'));
    expect((e as ValidationFailed).issues).toEqual([
      { path: ['until'], message: 'the temporary restoration must end after it starts' },
    ]);
  });
});

describe('normalisation (MR5 Art. 20)', () => {
  const cycles = (pseId: string, count: number) => {
    const commands: TimedCommand[] = [at('2022-07-18T09:00', identify(pseId, 'mr5-literal'))];
    for (let day = 1; day <= count; day++) {
      const d = `2022-08-${String(day).padStart(2, '0')}`;
      commands.push(at(`${d}T09:00`, { type: 'BlockAccess', pseId, orderNumber: `B${day}` }));
      if (day < count)
        commands.push(at(`${d}T10:00`, { type: 'RestoreAccess', pseId, reason: 'normalised' }));
    }
    return commands;
  };
  const restoreAccess = (role?: 'admin', override?: boolean): TimedCommand =>
    at('2022-08-10T09:00', { type: 'RestoreAccess', pseId: 'n', reason: 'normalised', override }, role);

  it('given three blocks, then normalisation needs no override', () => {
    const list = events(cycles('n', 3), restoreAccess(), 'mr5-literal');
    expect(typesAndData(list)).toEqual([['AccessRestored', { reason: 'normalised', cause: 'operator' }]]);
  });

  it('given four blocks, then an operator is refused, naming the count and the article', () => {
    const e = error(cycles('n', 4), restoreAccess(undefined, true), 'mr5-literal');
    expect((e as TransitionRefused).reason).toBe(
      'blocked 4 times (more than 3, MR5 Art. 20): normalisation needs override by an admin',
    );
  });

  it('given four blocks, then an admin without override is refused; with override, accepted', () => {
    expect(error(cycles('n', 4), restoreAccess('admin', false), 'mr5-literal')).toBeInstanceOf(
      TransitionRefused,
    );
    expect(events(cycles('n', 4), restoreAccess('admin', true), 'mr5-literal').map((e) => e.type)).toEqual([
      'AccessRestored',
    ]);
  });

  const request = (when: string): TimedCommand =>
    at(when, { type: 'RequestNormalisation', pseId: 'q', reason: 'registered abroad' });

  it('when normalisation is requested, then it must be answered within 48 hours', () => {
    const list = events(blockedCase('q'), request('2022-08-01T09:00'));
    expect(typesAndData(list)).toEqual([
      [
        'NormalisationRequested',
        { reason: 'registered abroad', answerDeadline: '2022-08-03T09:00:00+07:00' },
      ],
    ]);
  });

  it('given a pending request, when another arrives, then it is refused, naming the answer deadline', () => {
    const e = error([...blockedCase('q'), request('2022-08-01T09:00')], request('2022-08-02T09:00'));
    expect((e as TransitionRefused).reason).toBe(
      'a normalisation request is already pending, to be answered by 2022-08-03T09:00:00+07:00',
    );
  });

  it('when a request is refused, then the reason is recorded', () => {
    const list = events(
      [...blockedCase('q'), request('2022-08-01T09:00')],
      at('2022-08-02T09:00', { type: 'RefuseNormalisation', pseId: 'q', reason: 'still unregistered' }),
    );
    expect(typesAndData(list)).toEqual([['NormalisationRefused', { reason: 'still unregistered' }]]);
  });
});

describe('suspension, exemption and policy', () => {
  const registered = [
    at('2022-07-10T09:00', identify('r')),
    at('2022-07-11T09:00', { type: 'ConfirmRegistration', pseId: 'r', registrationNumber: registration }),
  ] as TimedCommand[];

  it('when suspended, then 7 calendar days to respond', () => {
    const list = events(
      registered,
      at('2022-09-01T09:00', { type: 'SuspendRegistration', pseId: 'r', by: 'PAI', reason: 'x' }),
    );
    expect(typesAndData(list)).toEqual([
      ['RegistrationSuspended', { by: 'PAI', reason: 'x', responseDeadline: '2022-09-08T23:59:59+07:00' }],
    ]);
  });

  it('when a suspension is lifted or a registration revoked, then the reason is recorded', () => {
    const suspended = [
      ...registered,
      at('2022-09-01T09:00', { type: 'SuspendRegistration', pseId: 'r', by: 'PAI', reason: 'x' }),
    ] as TimedCommand[];
    expect(
      typesAndData(
        events(suspended, at('2022-09-02T09:00', { type: 'LiftSuspension', pseId: 'r', reason: 'ok' })),
      ),
    ).toEqual([['SuspensionLifted', { reason: 'ok' }]]);
    expect(
      typesAndData(
        events(
          suspended,
          at('2022-09-09T09:00', { type: 'RevokeRegistration', pseId: 'r', reason: 'silent' }),
        ),
      ).slice(-1),
    ).toEqual([['RegistrationRevoked', { reason: 'silent' }]]);
  });

  it('given an enforced block, when exempted, then access is restored in the same append', () => {
    const list = events(
      blockedCase('x'),
      at('2022-07-31T09:00', { type: 'GrantExemption', pseId: 'x', reason: 'not a PSE' }),
    );
    expect(typesAndData(list)).toEqual([
      ['ExemptionGranted', { reason: 'not a PSE' }],
      ['AccessRestored', { reason: 'Exempted: not obliged to register', cause: 'exemption' }],
    ]);
  });

  it('given a temporarily restored block, when exempted, then the block is ended too', () => {
    const restored = [
      ...blockedCase('x'),
      at('2022-07-31T08:00', {
        type: 'RestoreAccessTemporarily',
        pseId: 'x',
        until: '2022-08-02T08:00:00+07:00',
        reason: 'r',
      }),
    ] as TimedCommand[];
    const list = events(
      restored,
      at('2022-07-31T09:00', { type: 'GrantExemption', pseId: 'x', reason: 'not a PSE' }),
    );
    expect(list.map((e) => e.type)).toEqual(['ExemptionGranted', 'AccessRestored']);
  });

  it('given a revoked registration, when exempted, then it leaves the blocklist', () => {
    const revoked = [
      at('2022-07-10T09:00', identify('r', 'mr5-literal')),
      at('2022-07-11T09:00', { type: 'ConfirmRegistration', pseId: 'r', registrationNumber: registration }),
      at('2022-09-01T09:00', { type: 'SuspendRegistration', pseId: 'r', by: 'PAI', reason: 'x' }),
      at('2022-09-10T09:00', { type: 'UpdatePseProfile', pseId: 'r', name: 'R' }),
    ] as TimedCommand[];
    const list = events(
      revoked,
      at('2022-09-11T09:00', { type: 'GrantExemption', pseId: 'r', reason: 'x' }),
      'mr5-literal',
    );
    expect(list.map((e) => e.type)).toEqual(['ExemptionGranted', 'AccessRestored']);
    expect(list[1].state).toMatchObject({ state: 'exempted', onBlocklist: false });
  });

  it('given an unregistered case, when exempted, then nothing is restored', () => {
    const list = events(
      identified('u'),
      at('2022-07-19T09:00', { type: 'GrantExemption', pseId: 'u', reason: 'x' }),
    );
    expect(list.map((e) => e.type)).toEqual(['ExemptionGranted']);
  });

  it('when migrated, then from and to are recorded; to the same policy, refused', () => {
    const list = events(
      identified('m'),
      at('2022-07-19T09:00', { type: 'MigratePolicy', pseId: 'm', to: 'pp43-2023', reason: 'PP 43' }),
    );
    expect(typesAndData(list)).toEqual([
      ['PolicyMigrated', { from: 'kominfo-2022', to: 'pp43-2023', reason: 'PP 43' }],
    ]);
    const e = error(
      identified('m'),
      at('2022-07-19T09:00', { type: 'MigratePolicy', pseId: 'm', to: 'kominfo-2022', reason: 'x' }),
    );
    expect((e as TransitionRefused).reason).toBe('the case is already under kominfo-2022');
  });
});

describe('probes: what allowedCommands asks the machine', () => {
  // Every probe is a real event of its command's type, valid under the published payload schema: the
  // machine is asked about events that could be recorded, not about placeholders.
  it.each<[string, TimedCommand[], PolicyId, string, number]>([
    ['unregistered', identified('u', 'mr5-literal'), 'mr5-literal', '2022-07-25T09:00:00+07:00', 15],
    ['fined', pp43Fined('f'), 'pp43-2023', '2022-08-30T00:00:00+07:00', 19],
    ['blocked', blockedCase('b'), 'kominfo-2022', '2022-07-31T09:00:00+07:00', 15],
  ])(
    'given a %s case, then every probe parses as the event of its command',
    (_label, given, policy, when, count) => {
      const { snapshot } = runCommands(given, policy);
      const types = Object.keys(commandRules) as Array<keyof typeof commandRules>;
      const probes = types.flatMap((type) => commandRules[type].probe(snapshot, getPolicy(policy), when));
      expect(probes).toHaveLength(count);
      for (const probe of probes) expect(PseCaseEventData.safeParse(probe)).toMatchObject({ success: true });
    },
  );

  // Built in each test, not at describe level: mutation testing counts coverage only while a test runs.
  let snapshot: PseCaseSnapshot;
  beforeEach(() => {
    snapshot = runCommands(warnedCase('w', 'pp43-2023'), 'pp43-2023').snapshot;
  });
  const pp43 = getPolicy('pp43-2023');

  it('probes a migration to the other policy of the pair', () => {
    expect(commandRules.MigratePolicy.probe(snapshot, pp43, '2022-07-25T09:00:00+07:00')).toEqual([
      { type: 'PolicyMigrated', data: { from: 'pp43-2023', to: 'kominfo-2022', reason: '?' } },
    ]);
    const { snapshot: k } = runCommands(warnedCase('k'));
    expect(
      commandRules.MigratePolicy.probe(k, getPolicy('kominfo-2022'), '2022-07-25T09:00:00+07:00'),
    ).toEqual([{ type: 'PolicyMigrated', data: { from: 'kominfo-2022', to: 'pp43-2023', reason: '?' } }]);
  });

  it('probes every deadline due by then, and none before', () => {
    expect(commandRules.ElapseDeadline.probe(snapshot, pp43, '2022-07-29T23:59:59+07:00')).toEqual([
      {
        type: 'DeadlineElapsed',
        data: { deadline: 'warningResponse', dueAt: '2022-07-29T23:59:59+07:00', fineId: null },
      },
    ]);
    expect(commandRules.ElapseDeadline.probe(snapshot, pp43, '2022-07-29T23:59:58+07:00')).toEqual([]);
  });

  it('probes a fine only under a policy with fines, and a payment only of an open fine', () => {
    expect(
      commandRules.ImposeFine.probe(snapshot, getPolicy('kominfo-2022'), '2022-07-30T09:00:00+07:00'),
    ).toEqual([]);
    expect(commandRules.ImposeFine.probe(snapshot, pp43, '2022-07-30T09:00:00+07:00')).toHaveLength(1);
    expect(commandRules.RecordFinePayment.probe(snapshot, pp43, '2022-07-30T09:00:00+07:00')).toEqual([]);
    expect(commandRules.AnnulFine.probe(snapshot, pp43, '2022-07-30T09:00:00+07:00')).toEqual([]);
    const { snapshot: fined } = runCommands(pp43Fined('f'), 'pp43-2023');
    expect(commandRules.RecordFinePayment.probe(fined, pp43, '2022-07-30T09:00:00+07:00')).toEqual([
      { type: 'FinePaid', data: { fineId: 'F1', amountIdr: 1, reference: '?' } },
    ]);
    expect(commandRules.AnnulFine.probe(fined, pp43, '2022-07-30T09:00:00+07:00')).toEqual([
      { type: 'FineAnnulled', data: { fineId: 'F1', reason: '?' } },
    ]);
  });

  it('probes a profile update and a block with what the case has', () => {
    expect(commandRules.UpdatePseProfile.probe(snapshot, pp43, '2022-07-30T09:00:00+07:00')).toEqual([
      { type: 'PseProfileUpdated', data: { name: 'w' } },
    ]);
    expect(commandRules.BlockAccess.probe(snapshot, pp43, '2022-07-30T09:00:00+07:00')).toEqual([
      { type: 'AccessBlocked', data: { orderNumber: '?', domains: ['w.com'] } },
    ]);
    expect(commandRules.IdentifyPse.probe(snapshot, pp43, '2022-07-30T09:00:00+07:00')).toEqual([]);
  });
});
