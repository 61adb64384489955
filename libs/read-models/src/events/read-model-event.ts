import { z } from 'zod';
import { ProjectionFailed } from '../read-model.errors';
import { isInstant, toUtcIso } from '../time.util';
import type { SourceEvent } from './event-source.port';

/** The ten case states (docs/regulation.md §14). */
export const CASE_STATES = [
  'unregistered',
  'registrationPending',
  'registered',
  'warned',
  'fined',
  'blocked',
  'reRegistered',
  'suspended',
  'revoked',
  'exempted',
] as const;
export type CaseState = (typeof CASE_STATES)[number];

/** States in which a case needs no further action from operators. */
export const SETTLED_STATES: readonly CaseState[] = ['registered', 'reRegistered', 'exempted'];

const instant = z.string().refine(isInstant, { message: 'not an ISO-8601 instant' }).transform(toUtcIso);

const Deadline = z.object({
  kind: z.string(),
  dueAt: instant,
  fineId: z
    .string()
    .nullish()
    .transform((v) => v ?? null),
});

const nullableText = z
  .string()
  .nullish()
  .transform((v) => v ?? null);

/** The `CaseStateAfter` an event led to, as far as read models read it (docs/internal-contracts.md). */
export const CaseStateAfterSchema = z.object({
  state: z.enum(CASE_STATES),
  substate: nullableText,
  since: instant,
  onBlocklist: z.boolean(),
  domains: z.array(z.string()),
  // Recorded only when a case has any (docs/decisions/0007): absent means none.
  appIds: z.array(z.string()).optional(),
  ipAddresses: z.array(z.string()).optional(),
  name: z.string(),
  origin: z.enum(['domestic', 'foreign']),
  company: nullableText,
  sector: nullableText,
  registrationNumber: nullableText,
  warnings: z.number().int().nonnegative(),
  blocks: z.number().int().nonnegative(),
  fines: z.object({
    imposedIdr: z.number().int(),
    paidIdr: z.number().int(),
    annulledIdr: z.number().int(),
    outstandingIdr: z.number().int(),
  }),
  nextDeadline: Deadline.nullable(),
  deadlines: z.array(Deadline),
  escalation: z.object({ pending: z.boolean(), allowed: z.array(z.string()) }),
});
export type CaseStateAfter = z.infer<typeof CaseStateAfterSchema>;
export type CaseDeadline = z.infer<typeof Deadline>;

const EnvelopeMetadata = z.object({
  pseId: z.string().min(1),
  occurredAt: instant,
  recordedAt: instant,
  actor: z.object({ id: z.string(), role: z.string() }),
  commandId: nullableText,
  correlationId: nullableText,
  policyVersion: z.string(),
  state: CaseStateAfterSchema,
});

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
}

/** Parses a recorded event into a `ReadModelEvent`, or throws `ProjectionFailed` naming it. */
export function toReadModelEvent(recorded: SourceEvent): ReadModelEvent {
  const parsed = EnvelopeMetadata.safeParse(recorded.metadata);
  const pseId = typeof recorded.metadata?.['pseId'] === 'string' ? recorded.metadata['pseId'] : undefined;
  if (!parsed.success) {
    throw new ProjectionFailed({
      projection: 'envelope',
      event: {
        eventId: recorded.eventId,
        type: recorded.type,
        position: recorded.position,
        streamId: recorded.streamId,
        pseId,
      },
      reason: parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; '),
      cause: parsed.error,
    });
  }
  const m = parsed.data;
  const data =
    recorded.data !== null && typeof recorded.data === 'object' && !Array.isArray(recorded.data)
      ? (recorded.data as Record<string, unknown>)
      : {};
  return {
    eventId: recorded.eventId,
    type: recorded.type,
    data,
    streamId: recorded.streamId,
    revision: recorded.revision,
    position: recorded.position,
    pseId: m.pseId,
    occurredAt: m.occurredAt,
    recordedAt: m.recordedAt,
    actor: m.actor,
    commandId: m.commandId,
    correlationId: m.correlationId,
    policyVersion: m.policyVersion,
    state: m.state,
  };
}
