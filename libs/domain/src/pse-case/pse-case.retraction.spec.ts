import { getPolicy } from '../policies';
import { verifyChain } from '../history/verify-chain';
import { replay, verifyRecordedStates } from '../history/replay';
import { stateAsOf } from '../history/state-as-of';
import { identify, wib } from './__fixtures__/pse-case.fixtures';
import type { PseCaseCommand } from './pse-case.commands';
import { DEADLINE_ACTOR, decideOnHistory, ENGINE_ACTOR } from './pse-case.decider';
import type { TransitionRefused } from './pse-case.errors';
import type { ActorRole, PolicyId, PseCaseEventEnvelope } from './pse-case.events';
import { effectiveHistory, withoutMemory } from './pse-case.fold';

const NOW = '2026-12-02T09:00:00.000Z';
let seq = 0;

/** Records one command on a history the way the command path does (history in, events appended). */
function record(
  history: PseCaseEventEnvelope[],
  command: PseCaseCommand,
  at: string | null,
  policy: PolicyId,
  role: ActorRole = 'operator',
  now = NOW,
): PseCaseEventEnvelope[] {
  seq += 1;
  const id = `c-${seq}`;
  const decision = decideOnHistory(command, history, getPolicy(policy), {
    commandId: id,
    correlationId: id,
    actor: role === 'system' ? DEADLINE_ACTOR : { id: `${role}-1`, role },
    now,
    occurredAt: at ?? undefined,
  });
  if (!decision.ok) throw decision.error;
  return [...history, ...decision.events];
}

const view = (events: PseCaseEventEnvelope[]) =>
  events.map((e) => [
    e.type,
    e.occurredAt,
    e.state.substate ? `${e.state.state}.${e.state.substate}` : e.state.state,
  ]);

describe('a fact recorded after the scheduler ran ahead of it', () => {
  // PayPal, kominfo-2022: warned 23 July, temporarily restored 31 July until 5 August 23:59, registered 3 August.
  const opening = (): PseCaseEventEnvelope[] => {
    let h: PseCaseEventEnvelope[] = [];
    h = record(h, identify('paypal', 'kominfo-2022'), wib('2022-07-18T09:00'), 'kominfo-2022');
    h = record(
      h,
      { type: 'IssueWarning', pseId: 'paypal', letterNumber: 'W-1' },
      wib('2022-07-23T10:00'),
      'kominfo-2022',
    );
    return record(
      h,
      {
        type: 'RestoreAccessTemporarily',
        pseId: 'paypal',
        until: wib('2022-08-05T23:59'),
        reason: 'withdrawals',
      },
      wib('2022-07-31T08:00'),
      'kominfo-2022',
    );
  };
  const register: PseCaseCommand = {
    type: 'ConfirmRegistration',
    pseId: 'paypal',
    registrationNumber: '006860.01/DJAI.PSE/08/2022',
  };

  it('retracts the automatic events dated after it, and the story reads as if they never ran', () => {
    // given the story told in time (run A) and told late, with the scheduler ending the window first (run B)
    const a = record(opening(), register, wib('2022-08-03T10:00'), 'kominfo-2022');
    const ahead = record(
      opening(),
      { type: 'ElapseDeadline', pseId: 'paypal', deadline: 'temporaryRestoration' },
      wib('2022-08-05T23:59'),
      'kominfo-2022',
      'system',
      '2026-12-02T10:00:00.000Z',
    );
    expect(view(ahead).at(-1)).toEqual(['DeadlineElapsed', wib('2022-08-05T23:59'), 'blocked.enforced']);
    // when the registration dated 3 August arrives
    const b = record(
      ahead,
      register,
      wib('2022-08-03T10:00'),
      'kominfo-2022',
      'operator',
      '2026-12-02T11:00:00.000Z',
    );
    // then the re-block of 5 August is retracted in the registration's append, by the engine
    const [retraction] = b.slice(ahead.length);
    expect(retraction).toMatchObject({
      type: 'ConsequencesRetracted',
      actor: ENGINE_ACTOR,
      occurredAt: wib('2022-08-03T10:00'),
      data: { toRevision: a.length - 3, retracted: [ahead[ahead.length - 1].eventId] },
      state: { state: 'blocked', substate: 'temporarilyRestored', onBlocklist: false },
    });
    // and the history as it stands is the one told in time
    expect(view(effectiveHistory(b))).toEqual(view(a));
    // (the public state alike; the memory of B counts the retraction, which keeps re-derived elapse ids apart)
    expect(withoutMemory(b[b.length - 1].state)).toEqual(withoutMemory(a[a.length - 1].state));
    expect(b.at(-1)?.state.memory?.retractions).toBe(1);
    // and the log stays a valid chain that replays to its recorded states
    expect(verifyChain(b)).toMatchObject({ ok: true });
    expect(verifyRecordedStates(b)).toEqual({ ok: true });
    expect(replay(b).find((s) => s.event.type === 'ConsequencesRetracted')?.transition.reason).toContain(
      '1 automatic event(s) retracted',
    );
    // and as-of answers agree with run A, except as known before the retraction
    for (const day of ['2022-08-04T12:00', '2022-08-06T12:00']) {
      expect(stateAsOf(b, { asOf: wib(day) }).state).toEqual(stateAsOf(a, { asOf: wib(day) }).state);
    }
    expect(
      stateAsOf(b, { asOf: wib('2022-08-06T12:00'), knownAt: '2026-12-02T10:30:00.000Z' }).state?.state,
    ).toBe('blocked');
  });

  it('re-derives a retracted elapse under a fresh id when its deadline still runs', () => {
    // given a pp43-2023 fine due 2024-04-19 whose deadline the scheduler elapsed before a partial payment dated 25 March
    const policy = 'pp43-2023';
    let h: PseCaseEventEnvelope[] = [];
    h = record(h, identify('toko', policy), wib('2024-03-01T09:00'), policy);
    h = record(
      h,
      { type: 'IssueWarning', pseId: 'toko', letterNumber: 'W' },
      wib('2024-03-01T09:00'),
      policy,
    );
    h = record(
      h,
      { type: 'ImposeFine', pseId: 'toko', decisionNumber: 'D', amountIdr: 1_000_000_000 },
      wib('2024-03-20T09:00'),
      policy,
    );
    const due = h.at(-1)?.state.deadlines.find((d) => d.kind === 'finePayment')?.dueAt ?? '';
    const elapse: PseCaseCommand = {
      type: 'ElapseDeadline',
      pseId: 'toko',
      deadline: 'finePayment',
      fineId: 'F1',
    };
    const ahead = record(h, elapse, due, policy, 'system');
    const pay: PseCaseCommand = {
      type: 'RecordFinePayment',
      pseId: 'toko',
      fineId: 'F1',
      amountIdr: 400_000_000,
      reference: 'P-1',
    };
    // when the payment arrives, then the scheduler runs again
    let b = record(ahead, pay, wib('2024-03-25T09:00'), policy);
    b = record(b, elapse, due, policy, 'system');
    const a = record(record(h, pay, wib('2024-03-25T09:00'), policy), elapse, due, policy, 'system');
    // then the elapse happens again, as a new command with its own event id, and the stories agree
    const elapses = b.filter((e) => e.type === 'DeadlineElapsed' && e.data.deadline === 'finePayment');
    expect(elapses).toHaveLength(2);
    expect(elapses[1].commandId).toBe(`${elapses[0].commandId}#1`);
    expect(elapses[1].eventId).not.toBe(elapses[0].eventId);
    expect(view(effectiveHistory(b))).toEqual(view(a));
    expect(b.at(-1)?.state).toMatchObject({
      state: 'fined',
      fines: { outstandingIdr: 600_000_000 },
      escalation: { pending: true },
    });
  });

  it('still refuses a fact dated before an operator’s recorded event', () => {
    const h = opening();
    const decision = decideOnHistory(register, h, getPolicy('kominfo-2022'), {
      commandId: 'late',
      correlationId: 'late',
      actor: { id: 'op', role: 'operator' },
      now: NOW,
      occurredAt: wib('2022-07-30T10:00'),
    });
    expect(decision.ok).toBe(false);
    expect((decision.ok ? null : decision.error) as TransitionRefused).toMatchObject({
      reason: expect.stringContaining('business time never goes backwards'),
    });
  });
});
