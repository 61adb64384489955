/** The actor a deadline elapses as: the system itself, not an operator. */
export const DEADLINE_ACTOR = { id: 'sanksi-scheduler', role: 'system' } as const;

/** The actor automatic escalations run as (the machine asks for them; nobody decided them). */
export const ESCALATION_ACTOR = { id: 'sanksi-escalation', role: 'system' } as const;

/** The actor that retracts automatic events a late fact contradicts. */
export const ENGINE_ACTOR = { id: 'sanksi-engine', role: 'system' } as const;

const automaticActors: ReadonlySet<string> = new Set([
  DEADLINE_ACTOR.id,
  ESCALATION_ACTOR.id,
  ENGINE_ACTOR.id,
]);

/** Whether an actor id is the engine's own (an elapse, an automatic escalation, a retraction). */
export function isAutomaticActor(actorId: string): boolean {
  return automaticActors.has(actorId);
}
