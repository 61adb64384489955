import { getPolicy } from '../../policies';
import type { PseCaseCommand, CommandMetadata } from '../pse-case.commands';
import { decide, type Decision } from '../pse-case.decider';
import type { ActorRole, PolicyId, PseCaseEventEnvelope } from '../pse-case.events';
import { evolve, initialCaseSnapshot, type PseCaseSnapshot } from '../pse-case.fold';

/** A command stamped with its business time (WIB local `YYYY-MM-DDTHH:mm`, or an ISO instant) and actor. */
export interface TimedCommand {
  command: PseCaseCommand;
  at: string;
  role?: ActorRole;
}

/** Local WIB time to an ISO instant with offset. */
export function wib(local: string): string {
  return local.length === 16 ? `${local}:00+07:00` : local;
}

let counter = 0;

/** Metadata for a command at business time `at`, recorded at the same moment. */
export function metaAt(at: string, role: ActorRole = 'operator', commandId?: string): CommandMetadata {
  counter += 1;
  const id = commandId ?? `cmd-${counter}`;
  return {
    commandId: id,
    correlationId: id,
    actor: { id: `${role}-1`, role },
    now: wib(at),
    occurredAt: wib(at),
  };
}

/** Decides a timed command against a snapshot under a policy (the case's own, once it exists). */
export function decideAt(
  timed: TimedCommand,
  snapshot: PseCaseSnapshot | undefined,
  policy: PolicyId,
): Decision {
  return decide(timed.command, snapshot, getPolicy(policy), metaAt(timed.at, timed.role));
}

/** Runs commands in order, failing loudly on any refusal; returns the events and final snapshot. */
export function runCommands(
  commands: TimedCommand[],
  policy: PolicyId = 'kominfo-2022',
): { events: PseCaseEventEnvelope[]; snapshot: PseCaseSnapshot } {
  let snapshot = initialCaseSnapshot();
  const events: PseCaseEventEnvelope[] = [];
  for (const timed of commands) {
    const decision = decideAt(timed, snapshot, policy);
    if (!decision.ok) throw decision.error;
    events.push(...decision.events);
    snapshot = decision.snapshot;
  }
  return { events, snapshot };
}

/** `IdentifyPse` for a foreign system with one domain. */
export function identify(pseId: string, policy?: PolicyId, domains = [`${pseId}.com`]): PseCaseCommand {
  return {
    type: 'IdentifyPse',
    pseId,
    name: pseId,
    origin: 'foreign',
    domains,
    company: null,
    sector: null,
    policy,
  };
}

/** The case decider in the shape `@sanksi/testing`'s `deciderSpec` expects, under one policy. */
export function caseDecider(policy: PolicyId = 'kominfo-2022') {
  return {
    initialState: initialCaseSnapshot,
    evolve: (snapshot: PseCaseSnapshot, event: PseCaseEventEnvelope) => evolve(snapshot, event),
    decide: (timed: TimedCommand, snapshot: PseCaseSnapshot) => decideAt(timed, snapshot, policy),
  };
}

/** Shorthand: a timed command. */
export function at(local: string, command: PseCaseCommand, role?: ActorRole): TimedCommand {
  return { command, at: local, role };
}

/** The common opening: identified before the deadline, warned on Saturday 2022-07-23. */
export function warnedCase(pseId: string, policy?: PolicyId): TimedCommand[] {
  return [
    at('2022-07-18T09:00', identify(pseId, policy)),
    at('2022-07-23T10:00', { type: 'IssueWarning', pseId, letterNumber: `W-${pseId}` }),
  ];
}

/**
 * Warned, deadline elapsed at Friday 2022-07-29 23:59:59, then blocked (kominfo-2022 and mr5-literal
 * ladders): under kominfo-2022 the block follows the elapse by itself, dated at the due instant; under
 * mr5-literal an operator orders it on 2022-07-30.
 */
export function blockedCase(pseId: string, policy?: PolicyId): TimedCommand[] {
  const elapse = at('2022-07-30T00:00', { type: 'ElapseDeadline', pseId, deadline: 'warningResponse' });
  if (getPolicy(policy ?? 'kominfo-2022').automaticEscalation) return [...warnedCase(pseId, policy), elapse];
  return [
    ...warnedCase(pseId, policy),
    elapse,
    at('2022-07-30T06:00', { type: 'BlockAccess', pseId, orderNumber: `B-${pseId}` }),
  ];
}
