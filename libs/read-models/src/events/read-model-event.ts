import { EnvelopeInvalid, fromRecorded } from '@sanksi/contracts';
import {
  CaseState as CaseStateSchema,
  type CaseState,
  type CaseStateAfter,
  type Deadline,
} from '@sanksi/domain';
import { ProjectionFailed } from '../read-model.errors';
import { toUtcIso } from '../time.util';
import type { SourceEvent } from './event-source.port';

// The states and the recorded state are the domain's (read through the one envelope of @sanksi/contracts,
// docs/decisions/0010-one-envelope.md); read models name them, they do not re-declare them.
export type { CaseState, CaseStateAfter };
/** A running deadline as the recorded state carries it. */
export type CaseDeadline = Deadline;

/** The ten case states (docs/regulation.md §14), in the domain's order. */
export const CASE_STATES: readonly CaseState[] = CaseStateSchema.options;

/** States in which a case needs no further action from operators. */
export const SETTLED_STATES: readonly CaseState[] = ['registered', 'reRegistered', 'exempted'];

/** A domain event as projections see it: envelope fields flattened, instants normalised to UTC. */
export interface ReadModelEvent {
  eventId: string;
  type: string;
  data: Record<string, unknown>;
  streamId: string;
  revision: number;
  position: number;
  pseId: string;
  occurredAt: string;
  recordedAt: string;
  actor: { id: string; role: string };
  commandId: string | null;
  correlationId: string | null;
  policyVersion: string;
  state: CaseStateAfter;
  /**
   * Whether the store appended the event more than a day after the record time its envelope states (an import
   * or a simulation of a past, a late copy): its changes by record time are appended to tables of their own,
   * not summed into the live events' keyed rows (decision 0019, "Backdated events kept apart").
   */
  backdated?: boolean;
}

/** How much later than its stated record time an event may be appended and still count as recorded live. */
export const BACKDATED_AFTER_MS = 86_400_000;

function utcDeadline(deadline: Deadline): Deadline {
  return { kind: deadline.kind, dueAt: toUtcIso(deadline.dueAt), fineId: deadline.fineId };
}

/**
 * Parses a recorded event into a `ReadModelEvent`, or throws `ProjectionFailed` naming it: one validation
 * (`fromRecorded`), then the instants read models compare as text are normalised to UTC once, here.
 */
export function toReadModelEvent(recorded: SourceEvent): ReadModelEvent {
  let envelope;
  try {
    envelope = fromRecorded(recorded);
  } catch (e) {
    if (!(e instanceof EnvelopeInvalid)) throw e;
    throw new ProjectionFailed({
      projection: 'envelope',
      event: {
        eventId: recorded.eventId,
        type: recorded.type,
        position: recorded.position,
        streamId: recorded.streamId,
        pseId: e.pseId,
      },
      reason: e.issues.map((i) => `${i.path}: ${i.message}`).join('; '),
      cause: e,
    });
  }
  const s = envelope.state;
  const recordedAt = toUtcIso(envelope.recordedAt);
  return {
    eventId: envelope.eventId,
    type: envelope.type,
    data: envelope.data as Record<string, unknown>,
    streamId: recorded.streamId,
    revision: recorded.revision,
    position: recorded.position,
    pseId: envelope.pseId,
    occurredAt: toUtcIso(envelope.occurredAt),
    recordedAt,
    actor: envelope.actor,
    commandId: envelope.commandId,
    correlationId: envelope.correlationId,
    policyVersion: envelope.policyVersion,
    state: {
      ...s,
      since: toUtcIso(s.since),
      nextDeadline: s.nextDeadline === null ? null : utcDeadline(s.nextDeadline),
      deadlines: s.deadlines.map(utcDeadline),
    },
    backdated: Date.parse(recorded.createdAt) - Date.parse(recordedAt) > BACKDATED_AFTER_MS,
  };
}
