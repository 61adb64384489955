import { deterministicUuid, hashEnvelope } from '../history/hash';
import type {
  Actor,
  CaseStateAfter,
  PolicyId,
  PseCaseEventData,
  PseCaseEventEnvelope,
} from './pse-case.events';
import type { PseCaseSnapshot } from './pse-case.fold';

/** Who, when and why of the events one command produces; `occurredAt` is already resolved. */
export interface EventMetadata {
  commandId: string;
  correlationId: string;
  causationId: string | null;
  actor: Actor;
  /** Record time. */
  now: string;
  /** Business time. */
  occurredAt: string;
}

/**
 * The id of the `index`-th event of a command on a case: derived from the case and the command, so the
 * same command id on two cases never yields the same event id (consumers deduplicate by it).
 */
export function eventIdFor(pseId: string, commandId: string, index: number): string {
  return deterministicUuid(`${pseId}/${commandId}#${index}`);
}

/**
 * An envelope for a drafted event on top of `snapshot`, not yet given its state or sealed. `eventId` is
 * `eventIdFor(pseId, commandId, index)` for an event that will be appended; a probe of the machine
 * (`isCommandAllowed`), which only asks whether the event would be taken, passes a placeholder and skips the hash.
 */
export function draftEnvelope(
  draft: PseCaseEventData,
  snapshot: PseCaseSnapshot,
  pseId: string,
  metadata: EventMetadata,
  eventId: string,
  policyId: PolicyId,
): PseCaseEventEnvelope {
  const policyVersion =
    draft.type === 'PolicyMigrated'
      ? draft.data.to
      : draft.type === 'PseIdentified'
        ? draft.data.policy
        : policyId;
  return {
    eventId,
    type: draft.type,
    data: draft.data,
    pseId,
    schemaVersion: 1,
    occurredAt: metadata.occurredAt,
    recordedAt: metadata.now,
    actor: { id: metadata.actor.id, role: metadata.actor.role },
    commandId: metadata.commandId,
    correlationId: metadata.correlationId,
    causationId: metadata.causationId,
    policyVersion,
    revision: snapshot.context.revision + 1,
    state: null as unknown as CaseStateAfter,
    prevHash: snapshot.context.lastHash,
    hash: '',
  } as PseCaseEventEnvelope;
}

/** The envelope with the state its event led to and its hash, which covers that state and `prevHash`. */
export function sealEnvelope(envelope: PseCaseEventEnvelope, state: CaseStateAfter): PseCaseEventEnvelope {
  // One copy: the draft's members in their order, `hash` among them, filled in once the text is hashed
  // (the hash leaves its own member out).
  const sealed = { ...envelope, state };
  sealed.hash = hashEnvelope(sealed as unknown as Record<string, unknown>);
  return sealed;
}
