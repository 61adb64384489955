import fc from 'fast-check';
import { getPolicy } from '../policies';
import { materialise, play, scriptedHistoryArb } from './__fixtures__/scripted-history';
import type { PseCaseContext } from './pse-case.context';
import { identify, wib } from './__fixtures__/pse-case.fixtures';
import type { PseCaseCommand } from './pse-case.commands';
import { DEADLINE_ACTOR, decide, decideOnHistory, type Decision } from './pse-case.decider';
import type { Actor, Deadline, PolicyId, PseCaseEventEnvelope } from './pse-case.events';
import {
  foldCase,
  snapshotFromRecorded,
  toRecordedState,
  toStateAfter,
  withoutMemory,
  type PseCaseSnapshot,
} from './pse-case.fold';

// Decision 0013: the state an event records is the whole snapshot after it, so a command on a case not in
// a process's memory is decided from the case's last event alone. These properties hold the snapshot read
// back from any event of a random history (retractions and automatic escalations included) to the fold of
// the stream up to it, and every command of the history to the same decision on either.

const policies: PolicyId[] = ['mr5-literal', 'kominfo-2022', 'pp43-2023'];

const byDeadline = (a: Deadline, b: Deadline) =>
  a.dueAt.localeCompare(b.dueAt) ||
  a.kind.localeCompare(b.kind) ||
  (a.fineId ?? '').localeCompare(b.fineId ?? '');

/** The context with its deadlines in one order: the recorded state keeps them by due date, the fold as added. */
function comparable(snapshot: PseCaseSnapshot): { value: unknown; context: PseCaseContext } {
  return {
    value: snapshot.value,
    context: { ...snapshot.context, deadlines: [...snapshot.context.deadlines].sort(byDeadline) },
  };
}

/** What a decision does, without the snapshot object it ends on (compared on its own above). */
function outcome(decision: Decision): unknown {
  return decision.ok
    ? { ok: true, events: decision.events, after: comparable(decision.snapshot) }
    : { ok: false, error: { ...decision.error, message: decision.error.message } };
}

/** A history told command by command the way the command path records it, and a check of every event. */
function recorder(actor: Actor) {
  const history: PseCaseEventEnvelope[] = [];
  return {
    history,
    record(command: PseCaseCommand, at: string, by: Actor = actor) {
      const id = `c-${history.length}`;
      const decision = decideOnHistory(command, history, getPolicy('kominfo-2022'), {
        commandId: id,
        correlationId: id,
        actor: by,
        now: '2026-12-03T09:00:00.000Z',
        occurredAt: at,
      });
      if (!decision.ok) throw decision.error;
      history.push(...decision.events);
    },
    /** Every event's snapshot read back equals the fold of the history up to it. */
    expectEveryEventReadsBackAsFolded() {
      for (let i = 0; i < history.length; i++) {
        const read = snapshotFromRecorded(history[i]) as PseCaseSnapshot;
        expect({ i, ...comparable(read) }).toEqual({ i, ...comparable(foldCase(history.slice(0, i + 1))) });
      }
    },
  };
}

describe('the state an event records is the whole snapshot after it', () => {
  it.each(policies)(
    'under %s, the snapshot read back from any event equals the fold up to it, and decides every command alike',
    (policy) => {
      let events = 0;
      let fines = 0;
      let decisions = 0;
      fc.assert(
        fc.property(scriptedHistoryArb(policy, 14), ({ script, plan, behaviour }) => {
          const played = play(script, behaviour, plan);
          const history: PseCaseEventEnvelope[] = played.events;
          for (let i = 0; i < history.length; i++) {
            const event = history[i];
            // given the fold of the stream up to and including the event
            const folded = foldCase(history.slice(0, i + 1));
            // when the snapshot is read back from the event alone
            const restored = snapshotFromRecorded(event);
            // then it is the same snapshot
            expect(restored).toBeDefined();
            const read = restored as PseCaseSnapshot;
            expect(comparable(read)).toEqual(comparable(folded));
            expect(toRecordedState(read, event.policyVersion)).toEqual(event.state);
            events += 1;
            if (Object.keys(folded.context.fines).length > 0) fines += 1;
            // and every command of the script, sent on it, is decided alike
            for (const scripted of script.commands) {
              if (Date.parse(scripted.occurredAt) < Date.parse(event.occurredAt)) continue;
              const metadata = {
                commandId: scripted.commandId,
                correlationId: scripted.commandId,
                actor: { id: `${scripted.role}-1`, role: scripted.role },
                now: scripted.now,
                occurredAt: scripted.occurredAt,
              };
              const active = getPolicy(folded.context.policyVersion);
              expect(outcome(decide(scripted.command, read, active, metadata))).toEqual(
                outcome(decide(scripted.command, folded, active, metadata)),
              );
              decisions += 1;
            }
          }
        }),
        { numRuns: 60 },
      );
      // the runs were not vacuous: many events, fines under the policy that fines, many decisions
      expect(events).toBeGreaterThan(300);
      if (policy === 'pp43-2023') expect(fines).toBeGreaterThan(10);
      expect(decisions).toBeGreaterThan(300);
    },
  );

  it('given a fact recorded after the scheduler ran ahead of it, then the retraction and what follows read back as folded', () => {
    // PayPal under kominfo-2022: warned, restored for a while, the window ended by the scheduler, and the
    // registration of 3 August recorded after that: the automatic events dated after it are retracted.
    const { history, record, expectEveryEventReadsBackAsFolded } = recorder({
      id: 'operator-1',
      role: 'operator',
    });
    record(identify('paypal', 'kominfo-2022'), wib('2022-07-18T09:00'));
    record({ type: 'IssueWarning', pseId: 'paypal', letterNumber: 'W-1' }, wib('2022-07-23T10:00'));
    record(
      {
        type: 'RestoreAccessTemporarily',
        pseId: 'paypal',
        until: wib('2022-08-05T23:59'),
        reason: 'withdrawals',
      },
      wib('2022-07-31T08:00'),
    );
    record(
      { type: 'ElapseDeadline', pseId: 'paypal', deadline: 'temporaryRestoration' },
      wib('2022-08-05T23:59'),
      DEADLINE_ACTOR,
    );
    record(
      { type: 'ConfirmRegistration', pseId: 'paypal', registrationNumber: '006860.01/DJAI.PSE/08/2022' },
      wib('2022-08-03T10:00'),
    );
    record({ type: 'UpdatePseProfile', pseId: 'paypal', name: 'PayPal Pte. Ltd.' }, wib('2022-08-10T10:00'));
    expect(history.map((e) => e.type)).toContain('ConsequencesRetracted');
    expectEveryEventReadsBackAsFolded();
    expect(snapshotFromRecorded(history[history.length - 1])?.context.retractions).toBe(1);
  });

  it('given a case migrated to another policy, then the snapshot read back from each event names the policy the case was under after it', () => {
    const { history, record, expectEveryEventReadsBackAsFolded } = recorder({ id: 'admin-1', role: 'admin' });
    record(identify('valve', 'kominfo-2022'), wib('2022-07-18T09:00'));
    record({ type: 'IssueWarning', pseId: 'valve', letterNumber: 'W-1' }, wib('2022-07-23T10:00'));
    record(
      { type: 'MigratePolicy', pseId: 'valve', to: 'pp43-2023', reason: 'PP 43/2023 in force' },
      wib('2023-06-01T10:00'),
    );
    record({ type: 'UpdatePseProfile', pseId: 'valve', name: 'Valve Corporation' }, wib('2023-06-02T10:00'));
    const migrated = history.find((e) => e.type === 'PolicyMigrated') as PseCaseEventEnvelope;
    // (the migration is stamped with the policy it moves to: the memory need not name it)
    expect(migrated.policyVersion).toBe('pp43-2023');
    expect(migrated.state.memory?.policyVersion).toBeUndefined();
    expect(snapshotFromRecorded(migrated)?.context.policyVersion).toBe('pp43-2023');
    expect(snapshotFromRecorded(history[1])?.context.policyVersion).toBe('kominfo-2022');
    expectEveryEventReadsBackAsFolded();
  });

  it('given an event recorded before states carried their memory, then nothing is read back (the stream is folded)', () => {
    const { script } = materialise('kominfo-2022', []);
    const played = play(script, 'never', { ticks: [], schedulerWins: [] });
    const [identified] = played.events;
    const older = { ...identified, state: withoutMemory(identified.state) } as PseCaseEventEnvelope;
    expect(snapshotFromRecorded(identified)).toBeDefined();
    expect(snapshotFromRecorded(older)).toBeUndefined();
    expect(toStateAfter(foldCase([older]))).toEqual(older.state);
  });
});
