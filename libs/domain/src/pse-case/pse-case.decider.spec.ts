import { getPolicy } from '../policies';
import { at, identify, runCommands, warnedCase, wib } from './__fixtures__/pse-case.fixtures';
import { DEADLINE_ACTOR, ENGINE_ACTOR, ESCALATION_ACTOR } from './pse-case.actors';
import type { CommandMetadata, PseCaseCommand } from './pse-case.commands';
import { catchUp, decide, elapseCommandId, isAutomatic, type Decision } from './pse-case.decider';
import {
  CaseAlreadyExists,
  CaseNotFound,
  TransitionRefused,
  ValidationFailed,
  type DecideError,
} from './pse-case.errors';
import { eventIdFor } from './pse-case.envelope';
import type { PseCaseEventEnvelope } from './pse-case.events';
import type { PseCaseSnapshot } from './pse-case.fold';
import { pseCaseMachine } from './pse-case.machine';

// The decider (docs/regulation.md §9.5): a command first brings its case up to its business time —
// overdue deadlines elapse at their due instants, automatic escalations follow at the same instant — and
// is then decided on the case as it stands, all in one append.
const kominfo = getPolicy('kominfo-2022');

function events(decision: Decision): PseCaseEventEnvelope[] {
  if (!decision.ok) throw decision.error;
  return decision.events;
}

function refusal(decision: Decision): DecideError {
  if (decision.ok)
    throw new Error(`expected a refusal, got ${decision.events.map((e) => e.type).join(', ')}`);
  return decision.error;
}

const meta = (overrides: Partial<CommandMetadata>): CommandMetadata => ({
  commandId: 'cmd-1',
  correlationId: 'corr-1',
  actor: { id: 'siti', role: 'operator' },
  now: '2022-07-30T00:00:00+07:00',
  occurredAt: '2022-07-30T00:00:00+07:00',
  ...overrides,
});

describe('elapseCommandId', () => {
  it('names the case, the deadline kind, the fine (or -) and the due instant in UTC', () => {
    expect(
      elapseCommandId('paypal', {
        kind: 'warningResponse',
        fineId: null,
        dueAt: '2022-07-29T23:59:59+07:00',
      }),
    ).toBe('elapse:paypal:warningResponse:-:2022-07-29T16:59:59.000Z');
    expect(
      elapseCommandId('x', { kind: 'finePayment', fineId: 'F2', dueAt: '2022-08-29T23:59:59+07:00' }),
    ).toBe('elapse:x:finePayment:F2:2022-08-29T16:59:59.000Z');
  });

  it('given retractions, then a re-derived elapse gets a fresh generation suffix', () => {
    const deadline = { kind: 'warningResponse' as const, fineId: null, dueAt: '2022-07-29T23:59:59+07:00' };
    expect(elapseCommandId('x', deadline, 0)).toBe('elapse:x:warningResponse:-:2022-07-29T16:59:59.000Z');
    expect(elapseCommandId('x', deadline, 2)).toBe('elapse:x:warningResponse:-:2022-07-29T16:59:59.000Z#2');
  });
});

// Histories are built inside each test (beforeEach), never at describe level: mutation testing counts
// what a test covers only while the test runs (docs/testing.md).
describe('isAutomatic', () => {
  let history: PseCaseEventEnvelope[];
  beforeEach(() => {
    history = runCommands(warnedCase('a')).events;
  });
  const as = (actor: { id: string; role: 'system' | 'operator' }) => ({ ...history[1], actor });

  it('tells the engine’s own events from recorded decisions', () => {
    expect(isAutomatic(as(DEADLINE_ACTOR))).toBe(true);
    expect(isAutomatic(as(ESCALATION_ACTOR))).toBe(true);
    expect(isAutomatic(as(ENGINE_ACTOR))).toBe(true);
    expect(isAutomatic(history[1])).toBe(false);
    expect(isAutomatic(as({ id: 'system-operator', role: 'system' }))).toBe(false);
  });
});

describe('decide: existence and timing', () => {
  let snapshot: PseCaseSnapshot;
  beforeEach(() => {
    snapshot = runCommands(warnedCase('x')).snapshot;
  });

  it('given an existing case, when it is identified again, then CaseAlreadyExists', () => {
    const error = refusal(decide(identify('x'), snapshot, kominfo, meta({})));
    expect(error).toBeInstanceOf(CaseAlreadyExists);
    expect(error.message).toBe('A case for x already exists');
  });

  it('given no case, when any other command arrives, then CaseNotFound', () => {
    const command: PseCaseCommand = { type: 'IssueWarning', pseId: 'nobody', letterNumber: 'W' };
    const error = refusal(decide(command, undefined, kominfo, meta({})));
    expect(error).toBeInstanceOf(CaseNotFound);
    expect(error.message).toBe('No case for nobody');
  });

  it('given no business time, then the record time is the business time', () => {
    const [event] = events(
      decide(
        { type: 'UpdatePseProfile', pseId: 'x', name: 'X Corp' },
        snapshot,
        kominfo,
        meta({ now: '2022-07-25T09:00:00+07:00', occurredAt: undefined }),
      ),
    );
    expect(event.occurredAt).toBe('2022-07-25T09:00:00+07:00');
  });

  it('given business time at most 5 minutes ahead of the clock, then it is accepted', () => {
    const decision = decide(
      { type: 'UpdatePseProfile', pseId: 'x', name: 'X Corp' },
      snapshot,
      kominfo,
      meta({ now: '2022-07-25T08:55:00+07:00', occurredAt: '2022-07-25T09:00:00+07:00' }),
    );
    expect(events(decision)).toHaveLength(1);
  });

  it('given business time more than 5 minutes ahead of the clock, then ValidationFailed on occurredAt', () => {
    const error = refusal(
      decide(
        { type: 'UpdatePseProfile', pseId: 'x', name: 'X Corp' },
        snapshot,
        kominfo,
        meta({ now: '2022-07-25T08:54:59.999+07:00', occurredAt: '2022-07-25T09:00:00+07:00' }),
      ),
    );
    expect(error).toBeInstanceOf(ValidationFailed);
    expect((error as ValidationFailed).issues).toEqual([
      {
        path: ['occurredAt'],
        message:
          'business time 2022-07-25T09:00:00+07:00 is more than 5 minutes after now (2022-07-25T08:54:59.999+07:00)',
      },
    ]);
  });

  it('given the last event on 23 July, when a command is dated earlier, then it is refused as going backwards', () => {
    const error = refusal(
      decide(
        { type: 'UpdatePseProfile', pseId: 'x', name: 'X Corp' },
        snapshot,
        kominfo,
        meta({ now: '2022-07-25T09:00:00+07:00', occurredAt: '2022-07-23T09:59:59+07:00' }),
      ),
    );
    expect(error).toBeInstanceOf(TransitionRefused);
    expect(error).toMatchObject({
      state: 'warned',
      command: 'UpdatePseProfile',
      reason:
        "business time never goes backwards within a case: 2022-07-23T09:59:59+07:00 is before the last event's 2022-07-23T10:00:00+07:00",
    });
  });

  it('when a command is dated at the very instant of the last event, then it is decided', () => {
    const decision = decide(
      { type: 'UpdatePseProfile', pseId: 'x', name: 'X Corp' },
      snapshot,
      kominfo,
      meta({ now: '2022-07-25T09:00:00+07:00', occurredAt: wib('2022-07-23T10:00') }),
    );
    expect(events(decision).map((e) => e.type)).toEqual(['PseProfileUpdated']);
  });

  it('given a case under pp43-2023, when decided with another policy, then its own policy decides', () => {
    const { snapshot: pp43 } = runCommands(warnedCase('p', 'pp43-2023'), 'pp43-2023');
    const decided = events(
      decide(
        { type: 'ImposeFine', pseId: 'p', decisionNumber: 'D-1', amountIdr: 1_000_000 },
        pp43,
        kominfo,
        meta({ now: '2022-07-30T09:00:00+07:00', occurredAt: '2022-07-30T09:00:00+07:00' }),
      ),
    );
    expect(decided.map((e) => [e.type, e.policyVersion])).toEqual([
      ['DeadlineElapsed', 'pp43-2023'],
      ['FineImposed', 'pp43-2023'],
    ]);
  });

  it('given a new case identified under mr5-literal, then it runs under mr5-literal', () => {
    const [identified] = events(
      decide(identify('n', 'mr5-literal'), undefined, kominfo, meta({ occurredAt: wib('2022-07-18T09:00') })),
    );
    expect(identified).toMatchObject({ policyVersion: 'mr5-literal', data: { policy: 'mr5-literal' } });
  });
});

describe('catching up: deadlines elapse at their due instants', () => {
  it('given a kominfo-2022 case warned on 23 July, when a profile update arrives on 1 August, then the block came first', () => {
    const { snapshot } = runCommands(warnedCase('k'));
    const decided = events(
      decide(
        { type: 'UpdatePseProfile', pseId: 'k', name: 'K' },
        snapshot,
        kominfo,
        meta({
          commandId: 'c-upd',
          correlationId: 'corr-upd',
          now: '2022-08-01T09:30:00+07:00',
          occurredAt: '2022-08-01T09:00:00+07:00',
        }),
      ),
    );
    const elapseId = 'elapse:k:warningResponse:-:2022-07-29T16:59:59.000Z';
    expect(decided.map((e) => e.type)).toEqual(['DeadlineElapsed', 'AccessBlocked', 'PseProfileUpdated']);
    const [elapsed, blocked, updated] = decided;
    expect(elapsed).toMatchObject({
      occurredAt: '2022-07-29T23:59:59+07:00',
      recordedAt: '2022-08-01T09:30:00+07:00',
      actor: DEADLINE_ACTOR,
      commandId: elapseId,
      correlationId: elapseId,
      causationId: null,
      revision: 2,
      data: { deadline: 'warningResponse', dueAt: '2022-07-29T23:59:59+07:00', fineId: null },
    });
    expect(blocked).toMatchObject({
      occurredAt: '2022-07-29T23:59:59+07:00',
      actor: ESCALATION_ACTOR,
      commandId: `${elapseId}:escalate:0`,
      correlationId: elapseId,
      causationId: elapsed.eventId,
      revision: 3,
      data: { orderNumber: 'AUTO/k/2', domains: ['k.com'] },
      state: { state: 'blocked', substate: 'enforced', since: '2022-07-29T23:59:59+07:00', blocks: 1 },
    });
    expect(updated).toMatchObject({
      occurredAt: '2022-08-01T09:00:00+07:00',
      commandId: 'c-upd',
      correlationId: 'corr-upd',
      revision: 4,
      prevHash: blocked.hash,
    });
    expect(blocked.prevHash).toBe(elapsed.hash);
    // Each event's id comes from its case, the command that wrote it and its place in that command.
    expect(decided.map((e) => e.eventId)).toEqual([
      eventIdFor('k', elapseId, 0),
      eventIdFor('k', `${elapseId}:escalate:0`, 0),
      eventIdFor('k', 'c-upd', 0),
    ]);
  });

  it('given two fines due at the same instant, then they elapse in fine order, each once', () => {
    const { snapshot } = runCommands(
      [
        ...warnedCase('f', 'pp43-2023'),
        at('2022-07-30T09:00', {
          type: 'ImposeFine',
          pseId: 'f',
          decisionNumber: 'D-1',
          amountIdr: 1_000_000,
        }),
        at('2022-07-30T09:00', {
          type: 'ImposeFine',
          pseId: 'f',
          decisionNumber: 'D-2',
          amountIdr: 2_000_000,
        }),
      ],
      'pp43-2023',
    );
    const decided = events(
      decide(
        { type: 'UpdatePseProfile', pseId: 'f', name: 'F' },
        snapshot,
        getPolicy('pp43-2023'),
        meta({ now: '2022-09-01T09:00:00+07:00', occurredAt: '2022-09-01T09:00:00+07:00' }),
      ),
    );
    expect(decided.map((e) => [e.type, e.type === 'DeadlineElapsed' ? e.data.fineId : null])).toEqual([
      ['DeadlineElapsed', 'F1'],
      ['DeadlineElapsed', 'F2'],
      ['PseProfileUpdated', null],
    ]);
    expect(decided[0].commandId).toBe('elapse:f:finePayment:F1:2022-08-29T16:59:59.000Z');
    expect(decided[1].state.escalation).toEqual({ pending: true, allowed: ['BlockAccess'] });
  });

  it('given deadlines due at the same instant, then they elapse in the order their kinds are declared', () => {
    // A manual submission (follow-up due 29 August) while a fine (also due 29 August) runs.
    const { snapshot } = runCommands(
      [
        ...warnedCase('o', 'pp43-2023'),
        at('2022-07-30T09:00', {
          type: 'ImposeFine',
          pseId: 'o',
          decisionNumber: 'D-1',
          amountIdr: 1_000_000,
        }),
        at('2022-07-30T10:00', { type: 'SubmitRegistration', pseId: 'o', channel: 'manual' }),
      ],
      'pp43-2023',
    );
    const decided = events(
      decide(
        { type: 'UpdatePseProfile', pseId: 'o', name: 'O' },
        snapshot,
        getPolicy('pp43-2023'),
        meta({ now: '2022-09-01T09:00:00+07:00', occurredAt: '2022-09-01T09:00:00+07:00' }),
      ),
    );
    expect(decided.filter((e) => e.type === 'DeadlineElapsed').map((e) => e.occurredAt)).toEqual([
      '2022-08-29T23:59:59+07:00',
      '2022-08-29T23:59:59+07:00',
    ]);
    expect(decided.map((e) => (e.type === 'DeadlineElapsed' ? e.data.deadline : e.type))).toEqual([
      'finePayment',
      'manualRegistrationFollowUp',
      'PseProfileUpdated',
    ]);
  });

  it('given tied deadlines held in any order, then they elapse in declared kind order, then fine order', () => {
    // Replay must not depend on the order a case happens to hold its deadlines in: the same history told
    // with its running deadlines reversed elapses them in the same order, each for its own fine.
    const twoFines = runCommands(
      [
        ...warnedCase('r', 'pp43-2023'),
        at('2022-07-30T09:00', {
          type: 'ImposeFine',
          pseId: 'r',
          decisionNumber: 'D-1',
          amountIdr: 1_000_000,
        }),
        at('2022-07-30T09:00', {
          type: 'ImposeFine',
          pseId: 'r',
          decisionNumber: 'D-2',
          amountIdr: 2_000_000,
        }),
      ],
      'pp43-2023',
    ).snapshot;
    const fineThenFollowUp = runCommands(
      [
        ...warnedCase('q', 'pp43-2023'),
        at('2022-07-30T09:00', {
          type: 'ImposeFine',
          pseId: 'q',
          decisionNumber: 'D-1',
          amountIdr: 1_000_000,
        }),
        at('2022-07-30T10:00', { type: 'SubmitRegistration', pseId: 'q', channel: 'manual' }),
      ],
      'pp43-2023',
    ).snapshot;
    const reversed = (snapshot: PseCaseSnapshot) =>
      pseCaseMachine.resolveState({
        value: snapshot.value,
        context: { ...snapshot.context, deadlines: [...snapshot.context.deadlines].reverse() },
      });
    const elapsed = (snapshot: PseCaseSnapshot) => {
      const result = catchUp(snapshot, '2022-09-01T09:00:00+07:00', '2022-09-01T09:00:00+07:00');
      if (!result.ok) throw result.error;
      return result.events
        .filter((e) => e.type === 'DeadlineElapsed')
        .map((e) => (e.type === 'DeadlineElapsed' ? [e.data.deadline, e.data.fineId ?? null] : []));
    };
    expect(reversed(twoFines).context.deadlines.map((d) => d.fineId)).toEqual(['F2', 'F1']);
    expect(elapsed(reversed(twoFines))).toEqual([
      ['finePayment', 'F1'],
      ['finePayment', 'F2'],
    ]);
    expect(elapsed(reversed(fineThenFollowUp))).toEqual([
      ['finePayment', 'F1'],
      ['manualRegistrationFollowUp', null],
    ]);
  });

  it('given deadlines due at different instants, then the earlier elapses first whatever its kind', () => {
    // Blocked over a running fine F2 (due 31 August 23:59:59), temporarily restored until 31 August 08:00.
    const { snapshot } = runCommands(
      [
        ...warnedCase('d', 'pp43-2023'),
        at('2022-07-30T09:00', {
          type: 'ImposeFine',
          pseId: 'd',
          decisionNumber: 'D-1',
          amountIdr: 1_000_000,
        }),
        at('2022-08-01T09:00', {
          type: 'ImposeFine',
          pseId: 'd',
          decisionNumber: 'D-2',
          amountIdr: 1_000_000,
        }),
        at('2022-08-30T10:00', { type: 'BlockAccess', pseId: 'd', orderNumber: 'B-1' }),
        at('2022-08-30T11:00', {
          type: 'RestoreAccessTemporarily',
          pseId: 'd',
          until: '2022-08-31T08:00:00+07:00',
          reason: 'payments',
        }),
      ],
      'pp43-2023',
    );
    const decided = events(
      decide(
        { type: 'UpdatePseProfile', pseId: 'd', name: 'D' },
        snapshot,
        getPolicy('pp43-2023'),
        meta({ now: '2022-09-02T09:00:00+07:00', occurredAt: '2022-09-02T09:00:00+07:00' }),
      ),
    );
    expect(
      decided.map((e) => (e.type === 'DeadlineElapsed' ? [e.data.deadline, e.occurredAt] : [e.type])),
    ).toEqual([
      ['temporaryRestoration', '2022-08-31T08:00:00+07:00'],
      ['finePayment', '2022-08-31T23:59:59+07:00'],
      ['PseProfileUpdated'],
    ]);
  });

  it('given a deadline due before the case’s last event (a legacy history), then it elapses at the last event', () => {
    const { snapshot } = runCommands(warnedCase('l'));
    const legacy = pseCaseMachine.resolveState({
      value: snapshot.value,
      context: { ...snapshot.context, lastOccurredAt: '2022-08-01T09:00:00+07:00' },
    });
    const result = catchUp(legacy, '2022-08-02T00:00:00+07:00', '2022-08-02T00:00:00+07:00');
    if (!result.ok) throw result.error;
    expect(result.events.map((e) => [e.type, e.occurredAt])).toEqual([
      ['DeadlineElapsed', '2022-08-01T09:00:00+07:00'],
      ['AccessBlocked', '2022-08-01T09:00:00+07:00'],
    ]);
  });

  it('given nothing due by the business time, then catching up changes nothing', () => {
    const { snapshot } = runCommands(warnedCase('n'));
    const result = catchUp(snapshot, '2022-07-29T23:59:58+07:00', '2022-07-30T00:00:00+07:00');
    expect(result).toEqual({ ok: true, events: [], snapshot });
  });

  it('given a deadline due exactly at the business time, then it elapses', () => {
    const { snapshot } = runCommands(warnedCase('e'), 'pp43-2023');
    const result = catchUp(snapshot, '2022-07-29T23:59:59+07:00', '2022-07-30T00:00:00+07:00');
    expect(result.ok && result.events.map((e) => e.type)).toEqual(['DeadlineElapsed', 'AccessBlocked']);
  });
});

describe('ElapseDeadline: the scheduler’s command', () => {
  let snapshot: PseCaseSnapshot;
  beforeEach(() => {
    snapshot = runCommands(warnedCase('s', 'pp43-2023'), 'pp43-2023').snapshot;
  });
  const pp43 = getPolicy('pp43-2023');
  const elapse = (fineId?: string): PseCaseCommand => ({
    type: 'ElapseDeadline',
    pseId: 's',
    deadline: fineId ? 'finePayment' : 'warningResponse',
    ...(fineId ? { fineId } : {}),
  });

  it('when sent at the due instant, then the deadline elapses there', () => {
    const decided = events(
      decide(elapse(), snapshot, pp43, meta({ occurredAt: '2022-07-29T23:59:59+07:00' })),
    );
    expect(decided.map((e) => [e.type, e.occurredAt, e.actor.id])).toEqual([
      ['DeadlineElapsed', '2022-07-29T23:59:59+07:00', 'sanksi-scheduler'],
    ]);
  });

  it('when sent a millisecond early, then it is refused as not yet due, naming both instants', () => {
    const error = refusal(
      decide(elapse(), snapshot, pp43, meta({ occurredAt: '2022-07-29T23:59:58.999+07:00' })),
    );
    expect(error).toMatchObject({
      command: 'ElapseDeadline',
      state: 'warned',
      reason:
        'the warningResponse deadline is due 2022-07-29T23:59:59+07:00, not yet at 2022-07-29T23:59:58.999+07:00',
    });
  });

  it('when the fine it names does not exist, then it is refused, naming the fine', () => {
    const error = refusal(decide(elapse('F9'), snapshot, pp43, meta({})));
    expect(error).toMatchObject({ reason: 'no finePayment deadline for F9 is running' });
  });

  it('when no such deadline runs, then it is refused', () => {
    const error = refusal(
      decide(
        { type: 'ElapseDeadline', pseId: 's', deadline: 'suspensionResponse' },
        snapshot,
        pp43,
        meta({}),
      ),
    );
    expect(error).toMatchObject({ reason: 'no suspensionResponse deadline is running' });
  });

  it('when sent long after the last event, then it is not refused as going backwards, and is dated at the due instant', () => {
    const decided = events(
      decide(
        elapse(),
        snapshot,
        pp43,
        meta({ now: '2022-08-05T00:00:00+07:00', occurredAt: '2022-08-05T00:00:00+07:00' }),
      ),
    );
    expect(decided.map((e) => e.occurredAt)).toEqual(['2022-07-29T23:59:59+07:00']);
  });

  it('given a running fine F1, when F9 is named, then it is refused, not F1 elapsed', () => {
    const { snapshot: fined } = runCommands(
      [
        ...warnedCase('s', 'pp43-2023'),
        at('2022-07-30T09:00', {
          type: 'ImposeFine',
          pseId: 's',
          decisionNumber: 'D-1',
          amountIdr: 1_000_000,
        }),
      ],
      'pp43-2023',
    );
    const late = meta({ now: '2022-08-30T00:00:00+07:00', occurredAt: '2022-08-30T00:00:00+07:00' });
    expect(refusal(decide(elapse('F9'), fined, pp43, late))).toMatchObject({
      reason: 'no finePayment deadline for F9 is running',
    });
  });

  it('given a running fine, when a payment deadline is named without its fine, then the fine’s elapses', () => {
    const { snapshot: fined } = runCommands(
      [
        ...warnedCase('s', 'pp43-2023'),
        at('2022-07-30T09:00', {
          type: 'ImposeFine',
          pseId: 's',
          decisionNumber: 'D-1',
          amountIdr: 1_000_000,
        }),
      ],
      'pp43-2023',
    );
    const late = meta({ now: '2022-08-30T00:00:00+07:00', occurredAt: '2022-08-30T00:00:00+07:00' });
    const decided = events(
      decide({ type: 'ElapseDeadline', pseId: 's', deadline: 'finePayment' }, fined, pp43, late),
    );
    expect(decided.map((e) => (e.type === 'DeadlineElapsed' ? e.data.fineId : e.type))).toEqual(['F1']);
  });

  it('given a running fine, when its payment deadline elapses, then only that fine is named', () => {
    const { snapshot: fined } = runCommands(
      [
        ...warnedCase('s', 'pp43-2023'),
        at('2022-07-30T09:00', {
          type: 'ImposeFine',
          pseId: 's',
          decisionNumber: 'D-1',
          amountIdr: 1_000_000,
        }),
      ],
      'pp43-2023',
    );
    const decided = events(
      decide(
        elapse('F1'),
        fined,
        pp43,
        meta({ now: '2022-08-30T00:00:00+07:00', occurredAt: '2022-08-30T00:00:00+07:00' }),
      ),
    );
    expect(decided.map((e) => (e.type === 'DeadlineElapsed' ? e.data : null))).toEqual([
      { deadline: 'finePayment', dueAt: '2022-08-29T23:59:59+07:00', fineId: 'F1' },
    ]);
  });
});

describe('automatic escalations', () => {
  it('mr5-literal: a lapsed suspension revokes the registration by itself, naming its cause', () => {
    const { snapshot } = runCommands(
      [
        at('2022-07-10T09:00', identify('r', 'mr5-literal')),
        at('2022-07-11T09:00', {
          type: 'ConfirmRegistration',
          pseId: 'r',
          registrationNumber: '000123.01/DJAI.PSE/07/2022',
        }),
        at('2022-09-01T09:00', {
          type: 'SuspendRegistration',
          pseId: 'r',
          by: 'TAKEL',
          reason: 'false data',
        }),
      ],
      'mr5-literal',
    );
    const decided = events(
      decide(
        { type: 'UpdatePseProfile', pseId: 'r', name: 'R' },
        snapshot,
        getPolicy('mr5-literal'),
        meta({ now: '2022-09-10T09:00:00+07:00', occurredAt: '2022-09-10T09:00:00+07:00' }),
      ),
    );
    expect(decided.map((e) => e.type)).toEqual([
      'DeadlineElapsed',
      'RegistrationRevoked',
      'PseProfileUpdated',
    ]);
    const [elapsed, revoked] = decided;
    expect(revoked).toMatchObject({
      occurredAt: '2022-09-08T23:59:59+07:00',
      actor: ESCALATION_ACTOR,
      causationId: elapsed.eventId,
      data: { reason: `Automatic escalation: suspensionResponse (DeadlineElapsed ${elapsed.eventId})` },
      state: { state: 'revoked', onBlocklist: true },
    });
  });

  it('kominfo-2022: a rejected registration that had normalised the block blocks again, caused by the rejection', () => {
    const { snapshot } = runCommands([
      ...warnedCase('v'),
      at('2022-08-02T09:00', { type: 'SubmitRegistration', pseId: 'v', channel: 'oss' }),
    ]);
    const decided = events(
      decide(
        { type: 'RejectRegistration', pseId: 'v', reason: 'incomplete' },
        snapshot,
        kominfo,
        meta({
          commandId: 'c-rej',
          correlationId: 'corr-rej',
          now: '2022-08-03T09:00:00+07:00',
          occurredAt: '2022-08-03T09:00:00+07:00',
        }),
      ),
    );
    expect(decided.map((e) => e.type)).toEqual(['RegistrationRejected', 'AccessBlocked']);
    const [rejected, blocked] = decided;
    expect(blocked).toMatchObject({
      occurredAt: '2022-08-03T09:00:00+07:00',
      commandId: 'c-rej:escalate:0',
      correlationId: 'corr-rej',
      causationId: rejected.eventId,
      data: { orderNumber: `AUTO/v/${rejected.revision}` },
      state: { state: 'blocked', blocks: 2 },
    });
  });

  it('kominfo-2022: a block order on 30 July for a case warned 23 July says the block already stands', () => {
    const { snapshot } = runCommands(warnedCase('p'));
    const error = refusal(
      decide(
        { type: 'BlockAccess', pseId: 'p', orderNumber: 'B-1' },
        snapshot,
        kominfo,
        meta({ now: '2022-07-30T00:00:00+07:00', occurredAt: '2022-07-30T00:00:00+07:00' }),
      ),
    );
    expect(error).toBeInstanceOf(TransitionRefused);
    expect(error).toMatchObject({
      state: 'blocked.enforced',
      reason:
        'already blocked (enforced) since 2022-07-29T23:59:59+07:00 by automatic escalation (the warningResponse deadline elapsed)',
    });
    expect((error as TransitionRefused).allowed).toEqual([
      'UpdatePseProfile',
      'SubmitRegistration',
      'ConfirmRegistration',
      'RestoreAccessTemporarily',
      'RestoreAccess',
      'RequestNormalisation',
      'GrantExemption',
      'MigratePolicy',
    ]);
  });
});
