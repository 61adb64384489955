import { assign } from 'xstate';

/** What xstate calls to resolve a built-in action: (scope, snapshot, args, params, the action itself). */
type Resolve = (
  actorScope: { self: unknown; system: unknown },
  snapshot: { context: Record<string, unknown> | undefined },
  actionArgs: { event: unknown },
  actionParams: unknown,
  action: { assignment: unknown },
) => [unknown, undefined, undefined];

type Assigner = (args: Record<string, unknown>, params: unknown) => unknown;

// The machine spawns no actor: an assigner that asked for one would be a change of design, not a case.
function noSpawn(): never {
  throw new Error('the PSE case machine spawns no actors: assignContext has no spawn');
}

/** The arguments an assigner gets: xstate's, without a spawner (the machine spawns nothing; `noSpawn` says so). */
function assignerArgs(
  actorScope: { self: unknown; system: unknown },
  context: Record<string, unknown>,
  event: unknown,
): Record<string, unknown> {
  return { context, event, spawn: noSpawn, self: actorScope.self, system: actorScope.system };
}

function contextOf(snapshot: { context: Record<string, unknown> | undefined }): Record<string, unknown> {
  if (!snapshot.context) throw new Error('Cannot assign to undefined `context`.');
  return snapshot.context;
}

/**
 * xstate's own resolution of `assign`, less two costs it pays on every assignment (docs/benchmarks.md,
 * "Assignments without xstate's copies"): the context is copied with `Object.assign` onto an empty object,
 * which V8 does property by property (5–10× a spread of the same 25 members here), and the snapshot is rebuilt
 * from its state nodes (`cloneMachineSnapshot`: the state value walked again, the tags collected into a new
 * Set) although an assignment changes neither. Here both are spreads; the value and the tags stay the objects
 * they were before the assignment, which nothing mutates. The assignment runs as xstate runs it: a function of
 * the whole context, or one function or value per member, each member set in the order written.
 */
const resolveAssignContext: Resolve = (actorScope, snapshot, actionArgs, actionParams, { assignment }) => {
  const context = contextOf(snapshot);
  const args = assignerArgs(actorScope, context, actionArgs.event);
  const next: Record<string, unknown> = { ...context };
  if (typeof assignment === 'function') Object.assign(next, (assignment as Assigner)(args, actionParams));
  else {
    const members = assignment as Record<string, unknown>;
    for (const key of Object.keys(members)) {
      const member = members[key];
      next[key] = typeof member === 'function' ? (member as Assigner)(args, actionParams) : member;
    }
  }
  return [{ ...snapshot, context: next }, undefined, undefined];
};

/**
 * `replaceContext`'s resolution: the assigner returns the whole next context, a new object of its own, which
 * becomes the context as it is — where `assign` would copy the old context and then every member of the new
 * one over it (two copies of 25 members, the same members in the same order).
 */
const resolveReplaceContext: Resolve = (actorScope, snapshot, actionArgs, actionParams, { assignment }) => {
  const context = contextOf(snapshot);
  const next = (assignment as Assigner)(assignerArgs(actorScope, context, actionArgs.event), actionParams);
  if (next === context || next === null || typeof next !== 'object')
    throw new Error('replaceContext: the assigner must return a new context object');
  return [{ ...snapshot, context: next }, undefined, undefined];
};

function withResolve(assignment: unknown, resolve: Resolve): unknown {
  const action = (assign as unknown as (a: unknown) => { resolve: Resolve })(assignment);
  action.resolve = resolve;
  return action;
}

/**
 * `assign` of xstate (same types, same action: `xstate.assign`), resolved by `resolveAssignContext`. xstate is
 * pinned (package.json); `assign-context.spec.ts` decides and folds random histories both ways and holds the
 * snapshots equal, so a version that resolves built-in actions differently fails there first.
 */
export const assignContext = ((assignment: unknown) =>
  withResolve(assignment, resolveAssignContext)) as unknown as typeof assign;

/**
 * An assignment whose function returns the complete next context — every member of the context it was given,
 * in the same order, as a new object it owns (`{ ...context, changed }`). Equal to `assign` of that function
 * for such a function (the spec holds members and their order equal); it saves the two copies.
 */
export const replaceContext = ((assignment: unknown) =>
  withResolve(assignment, resolveReplaceContext)) as unknown as typeof assign;
