import { getShortestPaths } from '@xstate/graph';
import { getPolicy } from '../policies';
import { modelEvents, modelKey } from './__fixtures__/machine-events';
import type { CommandMetadata, PseCaseCommand } from './pse-case.commands';
import { ESCALATION_ACTOR } from './pse-case.allowed';
import { decide, DEADLINE_ACTOR } from './pse-case.decider';
import type {
  PolicyId,
  PseCaseEventEnvelope,
  PseCaseEventEnvelopeOf,
  PseCaseEventType,
} from './pse-case.events';
import type { PseCaseSnapshot } from './pse-case.fold';
import { pseCaseMachine } from './pse-case.machine';

// Model-based paths through `decide`: @xstate/graph's shortest paths over the machine alone (the same
// exploration as pse-case.machine.spec.ts), replayed as the commands that produce their events. Where
// `decide` reaches each step, it must reach the state the machine-only path reached; a path that relies on
// an event no command produces alone (a consequence without its cause, an escalation not taken, deadlines
// in an order business time does not give) is skipped, with the reason counted.

const HOUR = 3_600_000;
const START = Date.parse('2022-07-25T02:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();

function explore(policy: PolicyId) {
  return getShortestPaths(pseCaseMachine, {
    events: (snapshot) => modelEvents(snapshot, policy),
    serializeState: (snapshot) => modelKey(snapshot),
    serializeEvent: (event) => JSON.stringify([event.type, event.data]),
  });
}

type Timed = { command: PseCaseCommand; occurredAt: string; actor: CommandMetadata['actor'] };
type Mapped = Timed | { skip: string };

const operator = { id: 'model-operator', role: 'operator' } as const;
const admin = { id: 'model-admin', role: 'admin' } as const;

type Wanted = { command: PseCaseCommand; actor?: Timed['actor'] } | { skip: string };
type ToCommand<T extends PseCaseEventType> = (
  event: PseCaseEventEnvelopeOf<T>,
  pseId: string,
  at: number,
  policy: PolicyId,
) => Wanted;

const pseId = 'model';

// The command each event type answers; an event type without one (written by the engine alone) is skipped.
const commandOf: { [T in PseCaseEventType]?: ToCommand<T> } = {
  PseIdentified: (e, _id, _at, policy) => ({ command: { type: 'IdentifyPse', pseId, ...e.data, policy } }),
  PseProfileUpdated: (e) => ({ command: { type: 'UpdatePseProfile', pseId, ...e.data } }),
  RegistrationSubmitted: (e) => ({ command: { type: 'SubmitRegistration', pseId, channel: e.data.channel } }),
  RegistrationConfirmed: (e) => ({
    command: { type: 'ConfirmRegistration', pseId, registrationNumber: e.data.registrationNumber },
  }),
  RegistrationRejected: (e) => ({ command: { type: 'RejectRegistration', pseId, reason: e.data.reason } }),
  WarningIssued: (e) => ({ command: { type: 'IssueWarning', pseId, letterNumber: e.data.letterNumber } }),
  FineImposed: (e) => ({
    command: {
      type: 'ImposeFine',
      pseId,
      decisionNumber: e.data.decisionNumber,
      amountIdr: e.data.amountIdr,
    },
  }),
  FinePaid: (e) => ({ command: { type: 'RecordFinePayment', pseId, ...e.data } }),
  FineAnnulled: (e) => ({ command: { type: 'AnnulFine', pseId, ...e.data } }),
  AccessBlocked: (e) => ({ command: { type: 'BlockAccess', pseId, orderNumber: e.data.orderNumber } }),
  AccessTemporarilyRestored: (e, _id, at) => ({
    command: { type: 'RestoreAccessTemporarily', pseId, until: iso(at + 72 * HOUR), reason: e.data.reason },
  }),
  // Only an operator's normalisation is a command; the other causes come with what causes them.
  AccessRestored: (e) =>
    e.data.cause === 'operator'
      ? { command: { type: 'RestoreAccess', pseId, reason: e.data.reason, override: true }, actor: admin }
      : { skip: `AccessRestored (${e.data.cause}) without the command that causes it` },
  NormalisationRequested: (e) => ({
    command: { type: 'RequestNormalisation', pseId, reason: e.data.reason },
  }),
  NormalisationRefused: (e) => ({ command: { type: 'RefuseNormalisation', pseId, reason: e.data.reason } }),
  RegistrationSuspended: (e) => ({
    command: { type: 'SuspendRegistration', pseId, by: e.data.by, reason: e.data.reason },
  }),
  SuspensionLifted: (e) => ({ command: { type: 'LiftSuspension', pseId, reason: e.data.reason } }),
  RegistrationRevoked: (e) => ({ command: { type: 'RevokeRegistration', pseId, reason: e.data.reason } }),
  ExemptionGranted: (e) => ({ command: { type: 'GrantExemption', pseId, reason: e.data.reason } }),
  PolicyMigrated: (e) => ({
    command: { type: 'MigratePolicy', pseId, to: e.data.to, reason: e.data.reason },
  }),
};

/** The command whose first event is `event`, at the business time `decide` would date it (or why none). */
function commandFor(
  event: PseCaseEventEnvelope,
  snapshot: PseCaseSnapshot | undefined,
  policy: PolicyId,
): Mapped {
  const last = snapshot?.context.lastOccurredAt;
  const at = last ? Date.parse(last) + HOUR : START;
  const running = snapshot?.context.deadlines ?? [];
  if (event.type === 'DeadlineElapsed') {
    const deadline = running.find((d) => d.kind === event.data.deadline && d.fineId === event.data.fineId);
    if (!deadline) return { skip: `no ${event.data.deadline} deadline runs in decide's case` };
    const due = Date.parse(deadline.dueAt);
    // Business time elapses deadlines in due order, at their due instants.
    if (running.some((d) => d !== deadline && Date.parse(d.dueAt) <= due))
      return { skip: 'another deadline falls due first in business time' };
    return {
      command: {
        type: 'ElapseDeadline',
        pseId,
        deadline: deadline.kind,
        ...(deadline.fineId ? { fineId: deadline.fineId } : {}),
      },
      occurredAt: deadline.dueAt,
      actor: DEADLINE_ACTOR,
    };
  }
  const toCommand = commandOf[event.type] as ToCommand<typeof event.type> | undefined;
  if (!toCommand) return { skip: `no command produces ${event.type}` };
  const wanted = toCommand(event, pseId, at, policy);
  if ('skip' in wanted) return wanted;
  // An operator's command one hour on must not find a deadline due meanwhile (it would elapse first).
  if (running.some((d) => Date.parse(d.dueAt) <= at))
    return { skip: 'a deadline falls due before the next command' };
  return { command: wanted.command, occurredAt: iso(at), actor: wanted.actor ?? operator };
}

/** Whether an event `decide` appended is the one the machine-only path took at that step. */
function sameEvent(decided: PseCaseEventEnvelope, modelled: PseCaseEventEnvelope): boolean {
  if (decided.type !== modelled.type) return false;
  if (decided.type === 'DeadlineElapsed' && modelled.type === 'DeadlineElapsed')
    return decided.data.deadline === modelled.data.deadline && decided.data.fineId === modelled.data.fineId;
  if (decided.type === 'AccessRestored' && modelled.type === 'AccessRestored')
    return decided.data.cause === modelled.data.cause;
  return true;
}

/** An event `decide` appends because of another one: a normalisation by registration, submission or exemption, or an automatic escalation. */
function isConsequence(event: PseCaseEventEnvelope): boolean {
  return (
    (event.type === 'AccessRestored' && event.data.cause !== 'operator') ||
    event.actor.id === ESCALATION_ACTOR.id
  );
}

type Replay =
  | { outcome: 'covered'; steps: number; consequences: number }
  | { outcome: 'skipped'; reason: string }
  | { outcome: 'differs'; detail: string };

/** Replays one machine-only path as commands through `decide`, step by step. */
function replay(path: ReturnType<typeof explore>[number], policy: PolicyId): Replay {
  // The first step is xstate's own init event, typed as a domain event by @xstate/graph.
  const steps = path.steps.filter((s) => (s.event.type as string) !== 'xstate.init');
  let snapshot: PseCaseSnapshot | undefined;
  let i = 0;
  let commands = 0;
  let consequences = 0;
  while (i < steps.length) {
    const mapped = commandFor(steps[i].event, snapshot, policy);
    if ('skip' in mapped) return { outcome: 'skipped', reason: mapped.skip };
    const decision = decide(mapped.command, snapshot, getPolicy(policy), {
      commandId: `m${i}`,
      correlationId: 'model',
      actor: mapped.actor,
      now: mapped.occurredAt,
      occurredAt: mapped.occurredAt,
    });
    if (!decision.ok)
      return { outcome: 'skipped', reason: `decide refuses: ${refusalKind(decision.error.message)}` };
    const decided = decision.events;
    const modelled = steps.slice(i, i + decided.length).map((s) => s.event);
    const matched = decided.findIndex((e, k) => !modelled[k] || !sameEvent(e, modelled[k]));
    if (matched === 0)
      return {
        outcome: 'differs',
        detail: `${mapped.command.type} gave ${decided[0].type}, path took ${steps[i].event.type}`,
      };
    const taken = matched < 0 ? decided.length : matched;
    if (matched > 0) {
      // A consequence the path left out (a normalisation that comes with a registration, an automatic
      // escalation) is harmless where the path's next state is the one decide reached with it.
      const extra = decided.slice(matched);
      const sameKey = modelKey(decision.snapshot) === modelKey(steps[i + matched - 1].state);
      if (!extra.every(isConsequence) || !sameKey)
        return {
          outcome: 'skipped',
          reason: `the command brings ${extra.map((e) => e.type).join(', ')} with it, the path does not`,
        };
      consequences += extra.length;
    }
    i += taken;
    commands += 1;
    snapshot = decision.snapshot;
    const expected = steps[i - 1].state;
    if (modelKey(snapshot) !== modelKey(expected))
      return {
        outcome: 'differs',
        detail: `after ${mapped.command.type}: decide ${modelKey(snapshot)}, machine ${modelKey(expected)}`,
      };
  }
  return { outcome: 'covered', steps: commands, consequences };
}

// Refusal messages carry times and ids; the kind of refusal is what a reader compares.
function refusalKind(message: string): string {
  return message.replace(/\d{4}-\d{2}-\d{2}T[\d:.]+(Z|[+-]\d{2}:\d{2})/g, '<t>');
}

// Why a machine-only path cannot be a command sequence. Any other reason (a refusal, a state that differs)
// fails the test.
const knownSkips = [
  // The machine accepts it in registrationPending under every policy; only kominfo-2022's submission produces it.
  'AccessRestored (submission) without the command that causes it',
  // kominfo-2022: a submission normalises a block in the same append (docs/regulation.md §4.3).
  'the command brings AccessRestored with it, the path does not',
  // Automatic escalations come with the elapse that causes them (§9.5): the path stopped before them.
  'the command brings AccessBlocked with it, the path does not',
  'the command brings RegistrationRevoked with it, the path does not',
  // Two deadlines running: business time elapses the one due first.
  'another deadline falls due first in business time',
];

const label = (snapshot: PseCaseSnapshot) => JSON.stringify(snapshot.value);

describe('model-based paths of the statechart, replayed through decide', () => {
  it.each(['mr5-literal', 'kominfo-2022', 'pp43-2023'] as const)(
    'under %s, decide reaches the machine-only state on every path a command sequence can take',
    (policy) => {
      // given every shortest path the machine alone takes under the policy
      const paths = explore(policy);
      // when each is replayed as commands through decide
      const results = paths.map((path) => replay(path, policy));
      // then wherever decide can follow, it reaches the same state, and it never refuses a step
      expect(results.filter((r) => r.outcome === 'differs')).toEqual([]);
      const skipped = new Map<string, number>();
      for (const r of results) {
        if (r.outcome === 'skipped') skipped.set(r.reason, (skipped.get(r.reason) ?? 0) + 1);
      }
      expect([...skipped.keys()].filter((reason) => !knownSkips.includes(reason))).toEqual([]);
      // and the paths followed through decide are most of them, and reach every state the machine reaches
      const covered = paths.filter((_, i) => results[i].outcome === 'covered');
      expect(covered.length / paths.length).toBeGreaterThanOrEqual(0.8);
      expect(new Set(covered.map((p) => label(p.state)))).toEqual(new Set(paths.map((p) => label(p.state))));
    },
  );
});
