import { getShortestPaths } from '@xstate/graph';
import { transition, type AnyStateNode } from 'xstate';
import { modelEvents, modelKey } from './__fixtures__/machine-events';
import type { PolicyId } from './pse-case.events';
import { CaseState } from './pse-case.events';
import { evolve, initialCaseSnapshot, isOnBlocklist, stateOf, toStateAfter } from './pse-case.fold';
import { pseCaseMachine } from './pse-case.machine';
import { guardNames } from '../history/replay';

// Model-based: @xstate/graph walks the machine with every plausible event; every state and every
// transition of the definition must be reached, and invariants hold on every path.
function allTransitions(node: AnyStateNode): unknown[] {
  const own = [...node.transitions.values()].flat();
  return [...own, ...Object.values(node.states).flatMap((child) => allTransitions(child as AnyStateNode))];
}

function transitionLabel(t: unknown): string {
  const def = t as { source: AnyStateNode; eventType: string; guard?: unknown };
  const guards = guardNames(def.guard);
  return `${def.source.key} on ${def.eventType}${guards.length ? ` [${guards.join(' & ')}]` : ''}`;
}

function untaken(paths: ReturnType<typeof explore>, policy?: PolicyId): string[] {
  const taken = new Set<unknown>();
  for (const path of paths) {
    for (const event of modelEvents(path.state, policy)) {
      for (const t of pseCaseMachine.getTransitionData(path.state, event)) taken.add(t);
    }
  }
  return allTransitions(pseCaseMachine.root)
    .filter((t) => !taken.has(t))
    .map(transitionLabel);
}

function explore(policy?: PolicyId) {
  return getShortestPaths(pseCaseMachine, {
    events: (snapshot) => modelEvents(snapshot, policy),
    serializeState: (snapshot) => modelKey(snapshot),
    serializeEvent: (event) => JSON.stringify([event.type, event.data]),
  });
}

const label = (snapshot: ReturnType<typeof initialCaseSnapshot>) => {
  const { state, substate } = stateOf(snapshot);
  return substate ? `${state}.${substate}` : state;
};

describe('the PSE case statechart, model-based', () => {
  const paths = explore();

  it('reaches every state of SPEC §2 (and both blocked substates)', () => {
    const reached = new Set(paths.map((p) => label(p.state)));
    for (const state of CaseState.options.filter((s) => s !== 'blocked')) expect(reached).toContain(state);
    expect(reached).toContain('blocked.enforced');
    expect(reached).toContain('blocked.temporarilyRestored');
  });

  it('takes every transition of the definition from some reachable state', () => {
    expect(untaken(paths)).toEqual([]);
  });

  // Under one policy (no migration), exactly the transitions that policy rules out stay untaken.
  const noFines = [
    'pseCase on FinePaid [fineOpen]',
    'pseCase on FineAnnulled [fineOpen]',
    'unregistered on FineImposed [fineFromUnregistered]',
    'warned on FineImposed [fineFromWarned]',
    'fined on FineImposed [fineAgain]',
    'fined on AccessBlocked [blockFromFined]',
    'fined on DeadlineElapsed [finePaymentElapsed & automaticEscalation]',
    'fined on DeadlineElapsed [finePaymentElapsed]',
    'fined on RegistrationSubmitted',
    'fined on RegistrationConfirmed',
    'fined on ExemptionGranted',
  ];
  it.each([
    [
      'mr5-literal',
      [
        ...noFines,
        'warned on DeadlineElapsed [warningElapsed & automaticEscalation]',
        'blocked on RegistrationSubmitted [submissionNormalises]',
        'suspended on DeadlineElapsed [suspensionElapsed]',
        'registrationPending on RegistrationRejected [restoredOnSubmission & automaticEscalation]',
        'registrationPending on DeadlineElapsed [followUpElapsed & restoredOnSubmission & automaticEscalation]',
      ],
    ],
    [
      'kominfo-2022',
      [
        ...noFines,
        'warned on DeadlineElapsed [warningElapsed]',
        'blocked on RegistrationSubmitted',
        'suspended on DeadlineElapsed [suspensionElapsed & automaticRevocation]',
        'registrationPending on RegistrationRejected [restoredOnSubmission]',
        'registrationPending on DeadlineElapsed [followUpElapsed & restoredOnSubmission]',
      ],
    ],
    [
      'pp43-2023',
      [
        'warned on AccessBlocked [blockFromWarned]',
        'warned on DeadlineElapsed [warningElapsed & automaticEscalation]',
        'fined on DeadlineElapsed [finePaymentElapsed & automaticEscalation]',
        'blocked on RegistrationSubmitted [submissionNormalises]',
        'suspended on DeadlineElapsed [suspensionElapsed & automaticRevocation]',
        'registrationPending on RegistrationRejected [restoredOnSubmission & automaticEscalation]',
        'registrationPending on DeadlineElapsed [followUpElapsed & restoredOnSubmission & automaticEscalation]',
      ],
    ],
  ] as const)('under %s, leaves untaken only what the policy rules out', (policy, ruledOut) => {
    const expected = ['pseCase on PolicyMigrated [identified]', ...ruledOut];
    expect(untaken(explore(policy), policy).sort()).toEqual([...expected].sort());
  });

  it('keeps the blocklist invariants on every step of every path', () => {
    for (const path of paths) {
      for (const step of path.steps.slice(1)) {
        const after = toStateAfter(step.state);
        const listed =
          after.state === 'revoked' || (after.state === 'blocked' && after.substate === 'enforced');
        expect(after.onBlocklist).toBe(listed);
        if (['registered', 'reRegistered', 'exempted', 'registrationPending'].includes(after.state)) {
          expect(isOnBlocklist(step.state)).toBe(false);
        }
      }
    }
  });

  it('evolve with its reused scope gives exactly what the standalone transition gives', () => {
    for (const path of paths) {
      let viaEvolve = initialCaseSnapshot();
      let viaTransition = initialCaseSnapshot();
      for (const step of path.steps) {
        viaEvolve = evolve(viaEvolve, step.event);
        const [next, actions] = transition(pseCaseMachine, viaTransition, step.event);
        viaTransition = next;
        expect(JSON.stringify([viaEvolve.value, viaEvolve.context])).toBe(
          JSON.stringify([viaTransition.value, viaTransition.context]),
        );
        expect(actions.every((a) => a.type === 'escalate')).toBe(true);
      }
    }
  });

  it.each([
    ['mr5-literal', ['fined']],
    ['kominfo-2022', ['fined']],
    ['pp43-2023', []],
  ] as const)('under %s alone, every state but %j is reachable', (policy, unreachable) => {
    const reached = new Set(explore(policy).map((p) => stateOf(p.state).state));
    for (const state of CaseState.options) {
      expect(reached.has(state)).toBe(!(unreachable as readonly string[]).includes(state));
    }
  });
});
