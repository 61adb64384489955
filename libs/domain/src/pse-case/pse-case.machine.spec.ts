import { getShortestPaths } from '@xstate/graph';
import { transition, type AnyStateNode } from 'xstate';
import { modelEvents, modelKey } from './__fixtures__/machine-events';
import type { PolicyId } from './pse-case.events';
import { CaseState } from './pse-case.events';
import { evolve, initialCaseSnapshot, isOnBlocklist, stateOf, toStateAfter } from './pse-case.fold';
import { pseCaseMachine } from './pse-case.machine';

// Model-based: @xstate/graph walks the machine with every plausible event; every state and every
// transition of the definition must be reached, and invariants hold on every path.
function allTransitions(node: AnyStateNode): unknown[] {
  const own = [...node.transitions.values()].flat();
  return [...own, ...Object.values(node.states).flatMap((child) => allTransitions(child as AnyStateNode))];
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
    const taken = new Set<unknown>();
    for (const path of paths) {
      for (const event of modelEvents(path.state)) {
        for (const t of pseCaseMachine.getTransitionData(path.state, event)) taken.add(t);
      }
    }
    const all = allTransitions(pseCaseMachine.root);
    const missing = all
      .filter((t) => !taken.has(t))
      .map((t) => {
        const def = t as { source: AnyStateNode; eventType: string };
        return `${def.source.id} on ${def.eventType}`;
      });
    expect(missing).toEqual([]);
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
