import type { Statechart } from '../api/sanksi-api';

/** A state's id as the statechart names it: `blocked.enforced`, `warned`, `absent`. */
export const stateId = (state: string | null, substate?: string | null): string =>
  state === null ? 'absent' : substate ? `${state}.${substate}` : state;

/** Whether `id` is `ancestor` or one of its substates. */
export const within = (id: string, ancestor: string): boolean =>
  id === ancestor || id.startsWith(`${ancestor}.`);

/** One step of a case's history as the replay gives it. */
export interface PathStep {
  from: string;
  to: string;
  eventType: string;
}

/**
 * The statechart transitions a case took, by index into `chart.transitions`: for each step the
 * transition on its event whose source holds the state it left and whose target holds the state it
 * reached, the innermost source first (a substate's own transition wins over its parent's).
 */
export function takenTransitions(chart: Statechart, steps: readonly PathStep[]): Set<number> {
  const taken = new Set<number>();
  for (const step of steps) {
    let best: { index: number; depth: number } | null = null;
    chart.transitions.forEach((t, index) => {
      if (t.event !== step.eventType || !within(step.from, t.source) || !within(step.to, t.target)) return;
      const depth = t.source.split('.').length;
      if (!best || depth > best.depth) best = { index, depth };
    });
    if (best) taken.add((best as { index: number }).index);
  }
  return taken;
}

/** Every state the case has been in (with the compound states around them). */
export function visitedStates(steps: readonly PathStep[]): Set<string> {
  const visited = new Set<string>();
  const add = (id: string) => {
    const parts = id.split('.');
    for (let i = 1; i <= parts.length; i += 1) visited.add(parts.slice(0, i).join('.'));
  };
  for (const step of steps) {
    add(step.from);
    add(step.to);
  }
  return visited;
}

/** The events the machine could take next from a state: its own transitions and its ancestors', then those of every state. */
export function nextEvents(chart: Statechart, current: string): string[] {
  const events = chart.transitions.filter((t) => within(current, t.source)).map((t) => t.event);
  return [...new Set([...events, ...chart.shared.map((s) => s.event)])];
}
