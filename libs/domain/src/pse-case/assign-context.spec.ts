import fc from 'fast-check';
import { assign } from 'xstate';
import type { PolicyId } from './pse-case.events';
import { play, scriptedHistoryArb } from './__fixtures__/scripted-history';
import { foldCase, type PseCaseSnapshot } from './pse-case.fold';
import { pseCaseMachine } from './pse-case.machine';

// The machine's assignments are resolved by `assignContext` / `replaceContext` instead of xstate's own
// resolution. Every random history (its decisions taken by the machine as it runs) is played and folded twice:
// as the machine runs, and with each assignment handed back to xstate's `resolveAssign`. Same events, byte for
// byte, and the same snapshot after every event: state value, context (members and their order), tags, status.

const policies: PolicyId[] = ['mr5-literal', 'kominfo-2022', 'pp43-2023'];

type Resolvable = { type?: string; resolve?: unknown };

/** xstate's own resolution of `assign`: what every `assign` action of xstate carries. */
const xstateResolveAssign = (assign({}) as unknown as Resolvable).resolve;

/** Runs `body` with every assignment of the machine resolved by xstate itself, then puts ours back. */
function withXstateAssignments<T>(body: () => T): T {
  const actions = pseCaseMachine.implementations.actions as Record<string, Resolvable>;
  const ours = Object.entries(actions).filter(([, a]) => a.type === 'xstate.assign');
  const kept = ours.map(([name, a]) => [name, a.resolve] as const);
  for (const [, action] of ours) action.resolve = xstateResolveAssign;
  try {
    return body();
  } finally {
    for (const [name, resolve] of kept) actions[name].resolve = resolve;
  }
}

function comparable(snapshot: PseCaseSnapshot) {
  return {
    value: snapshot.value,
    status: snapshot.status,
    tags: [...snapshot.tags],
    members: Object.keys(snapshot.context),
    context: snapshot.context,
    historyValue: snapshot.historyValue,
    children: snapshot.children,
  };
}

function foldedSteps(events: Parameters<typeof foldCase>[0]) {
  return events.map((_, i) => comparable(foldCase(events.slice(0, i + 1))));
}

describe('assignments resolved without xstate copies', () => {
  it('the machine has assignments, and the spec hands each back to xstate', () => {
    const actions = pseCaseMachine.implementations.actions as Record<string, Resolvable>;
    const names = Object.keys(actions).filter((n) => actions[n].type === 'xstate.assign');
    expect(names).toEqual(expect.arrayContaining(['apply', 'markSince', 'countBlock', 'openEscalation']));
    for (const n of names) expect(actions[n].resolve).not.toBe(xstateResolveAssign);
    withXstateAssignments(() => {
      for (const n of names) expect(actions[n].resolve).toBe(xstateResolveAssign);
    });
    for (const n of names) expect(actions[n].resolve).not.toBe(xstateResolveAssign);
  });

  it.each(policies)('under %s, random histories decide and fold as with xstate’s own assign', (policy) => {
    let events = 0;
    fc.assert(
      fc.property(scriptedHistoryArb(policy, 14), ({ script, plan, behaviour }) => {
        const ours = play(script, behaviour, plan);
        const theirs = withXstateAssignments(() => play(script, behaviour, plan));
        expect(JSON.stringify(ours.events)).toBe(JSON.stringify(theirs.events));
        expect(foldedSteps(ours.events)).toEqual(withXstateAssignments(() => foldedSteps(ours.events)));
        events += ours.events.length;
      }),
      { numRuns: 60 },
    );
    expect(events).toBeGreaterThan(200);
  });
});
