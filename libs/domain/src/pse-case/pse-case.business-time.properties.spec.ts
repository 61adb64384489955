import fc from 'fast-check';
import {
  businessHistory,
  materialise,
  play,
  schedulerBehaviours,
  schedulerPlanArb,
  historyStepsArb,
  type Played,
  type Script,
} from './__fixtures__/scripted-history';
import { DEADLINE_ACTOR } from './pse-case.decider';
import type { PolicyId, PseCaseEventType } from './pse-case.events';

// docs/regulation.md §9.1, §9.5: the outcome of every command is a function of the case's history, the
// command and its business time — never of whether, when or how often the scheduler ran. Random histories
// are played under every scheduler behaviour and must read the same once brought to the same business time.

const policies: PolicyId[] = ['mr5-literal', 'kominfo-2022', 'pp43-2023'];
const RUNS_PER_POLICY = 150;

/** What the generated histories exercised, so that a green run is known not to be a vacuous one. */
interface Coverage {
  runs: number;
  commands: number;
  accepted: number;
  catchUps: number;
  schedulerAppends: number;
  duplicates: number;
  events: Partial<Record<PseCaseEventType, number>>;
  partialPayments: number;
  automatic: number;
}

function note(coverage: Coverage, script: Script, reference: Played, variants: Played[]): void {
  coverage.runs += 1;
  coverage.commands += script.commands.length;
  coverage.accepted += reference.outcomes.filter((o) => o.ok).length;
  coverage.catchUps += reference.catchUps;
  for (const played of variants) {
    coverage.schedulerAppends += played.schedulerAppends;
    coverage.duplicates += played.duplicates;
  }
  for (const e of reference.events) {
    coverage.events[e.type] = (coverage.events[e.type] ?? 0) + 1;
    if (e.type === 'FinePaid' && e.state.fines.outstandingIdr > 0) coverage.partialPayments += 1;
    if (e.actor.id !== DEADLINE_ACTOR.id && e.commandId.includes(':escalate:')) coverage.automatic += 1;
  }
}

describe('business time decides: the scheduler never changes a case history', () => {
  it.each(policies)(
    'under %s, every scheduler behaviour gives the same business-time history and the same outcomes',
    (policy) => {
      const coverage: Coverage = {
        runs: 0,
        commands: 0,
        accepted: 0,
        catchUps: 0,
        schedulerAppends: 0,
        duplicates: 0,
        events: {},
        partialPayments: 0,
        automatic: 0,
      };
      fc.assert(
        fc.property(historyStepsArb(policy, 16), schedulerPlanArb, (steps, plan) => {
          // given a scripted history and the run with no scheduler at all
          const { script, reference } = materialise(policy, steps);
          expect(reference.anomalies).toEqual([]);
          expect(reference.schedulerAppends).toBe(0);
          const variants: Played[] = [];
          for (const behaviour of schedulerBehaviours.filter((b) => b !== 'never')) {
            // when the same commands are sent while the scheduler behaves otherwise
            const played = play(script, behaviour, plan);
            variants.push(played);
            // then no elapse happened twice and no append won on a stale revision
            expect({ behaviour, anomalies: played.anomalies }).toEqual({ behaviour, anomalies: [] });
            // and every operator command was accepted or refused alike, for the same reason
            expect({ behaviour, outcomes: played.outcomes }).toEqual({
              behaviour,
              outcomes: reference.outcomes,
            });
            // and the history reads the same in business time: types, times, ids, causes and recorded states
            expect({ behaviour, history: businessHistory(played.events) }).toEqual({
              behaviour,
              history: businessHistory(reference.events),
            });
          }
          note(coverage, script, reference, variants);
        }),
        { numRuns: RUNS_PER_POLICY },
      );
      // the histories were not vacuous: commands landed after pending deadlines and schedulers did elapse them
      expect(coverage.runs).toBe(RUNS_PER_POLICY);
      expect(coverage.accepted).toBeGreaterThan(coverage.runs * 3);
      expect(coverage.catchUps).toBeGreaterThan(coverage.runs / 4);
      expect(coverage.schedulerAppends).toBeGreaterThan(coverage.runs);
      expect(coverage.duplicates).toBeGreaterThan(coverage.runs / 10);
      for (const type of [
        'WarningIssued',
        'AccessBlocked',
        'AccessTemporarilyRestored',
        'RegistrationSubmitted',
        'RegistrationRejected',
        'RegistrationConfirmed',
        'RegistrationSuspended',
        'NormalisationRequested',
        'ExemptionGranted',
        'DeadlineElapsed',
      ] as const) {
        expect({ type, seen: (coverage.events[type] ?? 0) > 0 }).toEqual({ type, seen: true });
      }
      if (policy === 'pp43-2023') {
        expect(coverage.events.FineImposed ?? 0).toBeGreaterThan(10);
        expect(coverage.partialPayments).toBeGreaterThan(0);
      }
      if (policy !== 'pp43-2023') expect(coverage.automatic).toBeGreaterThan(0);
    },
  );
});
