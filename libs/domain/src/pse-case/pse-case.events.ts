import { z } from 'zod';

/** An ISO-8601 instant that carries its UTC offset (business and record times are never zone-less). */
export const Instant = z.iso.datetime({ offset: true });
export type Instant = z.infer<typeof Instant>;

/** The shipped policy versions (docs/regulation.md §11). */
export const PolicyId = z.enum(['mr5-literal', 'kominfo-2022', 'pp43-2023']);
export type PolicyId = z.infer<typeof PolicyId>;

/** Who may act: roles of the API plus `system` for automatic escalation. */
export const ActorRole = z.enum(['operator', 'analyst', 'service', 'admin', 'system']);
export type ActorRole = z.infer<typeof ActorRole>;

/** The person or service behind a command. */
export const Actor = z.object({ id: z.string().min(1), role: ActorRole });
export type Actor = z.infer<typeof Actor>;

/** The deadlines a case can have running (docs/regulation.md §12.6). */
export const DeadlineKind = z.enum([
  'warningResponse',
  'finePayment',
  'manualRegistrationFollowUp',
  'temporaryRestoration',
  'suspensionResponse',
  'normalisationRequest',
]);
export type DeadlineKind = z.infer<typeof DeadlineKind>;

/** A running deadline: what, when it is due, and the fine it belongs to. */
export const Deadline = z.object({ kind: DeadlineKind, dueAt: Instant, fineId: z.string().nullable() });
export type Deadline = z.infer<typeof Deadline>;

/** Certificate number as printed by the ministry: `NNNNNN.SS/DJAI.PSE/MM/YYYY`. */
export const RegistrationNumber = z
  .string()
  .regex(/^\d{6}\.\d{2}\/DJAI\.PSE\/\d{2}\/\d{4}$/, 'must look like NNNNNN.SS/DJAI.PSE/MM/YYYY');

const Rupiah = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
// Tolerant on purpose: this schema reads recorded history, and events recorded before the host-name rule
// (hostname/hostname.ts) must still load, verify and replay. New domains meet the rule in the commands and
// in `decide` (pse-case.command-rules.ts); the blocklist renderers drop whatever is not a host name.
const Domain = z.string().min(1);

/** How a case was found: an operator, the registry import, or traffic monitoring (discovery). */
export const CaseSource = z.enum(['operator', 'registry-import', 'traffic-monitoring']);
export type CaseSource = z.infer<typeof CaseSource>;

/** The traffic observation a discovered case was opened on. */
export const TrafficEvidence = z.object({
  domain: z.string().min(1),
  period: z.string().min(1),
  visits: z.number().int().nonnegative().nullable(),
  rank: z.number().int().positive().nullable(),
  source: z.string().min(1),
});
export type TrafficEvidence = z.infer<typeof TrafficEvidence>;

/** A system operating in Indonesia became a case, under a policy version. */
export const PseIdentified = z.object({
  name: z.string().min(1),
  origin: z.enum(['domestic', 'foreign']),
  domains: z.array(Domain),
  /** App-store ids (Play package names, App Store `idNNN`); only on cases that name any. */
  appIds: z.array(z.string().min(1)).optional(),
  /** Public IP addresses of the system; only on cases that name any. */
  ipAddresses: z.array(z.string().min(1)).optional(),
  company: z.string().nullable(),
  sector: z.string().nullable(),
  policy: PolicyId,
  /** How the system came to the ministry's attention; absent on cases opened before it was recorded. */
  source: CaseSource.optional(),
  /** The traffic observation that revealed it, when `source` is `traffic-monitoring`. */
  evidence: TrafficEvidence.optional(),
});
export type PseIdentified = z.infer<typeof PseIdentified>;

/** Name, domains, company or sector corrected. */
export const PseProfileUpdated = z.object({
  name: z.string().min(1).optional(),
  domains: z.array(Domain).optional(),
  appIds: z.array(z.string().min(1)).optional(),
  ipAddresses: z.array(z.string().min(1)).optional(),
  company: z.string().nullable().optional(),
  sector: z.string().nullable().optional(),
});
export type PseProfileUpdated = z.infer<typeof PseProfileUpdated>;

/** The operator submitted a registration (via OSS, or a manual form needing an OSS follow-up). */
export const RegistrationSubmitted = z.object({
  channel: z.enum(['oss', 'manual']),
  followUpDeadline: Instant.nullable(),
});
export type RegistrationSubmitted = z.infer<typeof RegistrationSubmitted>;

/** The certificate was issued. */
export const RegistrationConfirmed = z.object({ registrationNumber: RegistrationNumber });
export type RegistrationConfirmed = z.infer<typeof RegistrationConfirmed>;

/** A submission was rejected. */
export const RegistrationRejected = z.object({ reason: z.string().min(1) });
export type RegistrationRejected = z.infer<typeof RegistrationRejected>;

/** A written warning (teguran tertulis) with its response deadline. */
export const WarningIssued = z.object({ letterNumber: z.string().min(1), responseDeadline: Instant });
export type WarningIssued = z.infer<typeof WarningIssued>;

/** An administrative fine (denda administratif) in whole rupiah, with its payment deadline. */
export const FineImposed = z.object({
  fineId: z.string().min(1),
  decisionNumber: z.string().min(1),
  amountIdr: Rupiah,
  paymentDeadline: Instant,
});
export type FineImposed = z.infer<typeof FineImposed>;

/** A payment (possibly partial) towards one fine. */
export const FinePaid = z.object({
  fineId: z.string().min(1),
  amountIdr: Rupiah,
  reference: z.string().min(1),
});
export type FinePaid = z.infer<typeof FinePaid>;

/** A fine annulled on appeal; its unpaid rest is no longer owed. */
export const FineAnnulled = z.object({ fineId: z.string().min(1), reason: z.string().min(1) });
export type FineAnnulled = z.infer<typeof FineAnnulled>;

/** Access terminated: the domains go on the blocklist (pemutusan akses). */
export const AccessBlocked = z.object({ orderNumber: z.string().min(1), domains: z.array(Domain) });
export type AccessBlocked = z.infer<typeof AccessBlocked>;

/** Domains off the blocklist until a time (PayPal, 2022-07-31). */
export const AccessTemporarilyRestored = z.object({ until: Instant, reason: z.string().min(1) });
export type AccessTemporarilyRestored = z.infer<typeof AccessTemporarilyRestored>;

/** Why access was normalised. */
export const RestorationCause = z.enum(['registration', 'submission', 'exemption', 'operator']);
export type RestorationCause = z.infer<typeof RestorationCause>;

/** Access normalised (normalisasi). */
export const AccessRestored = z.object({ reason: z.string().min(1), cause: RestorationCause });
export type AccessRestored = z.infer<typeof AccessRestored>;

/** A registration suspended by TAKEL or PAI, with 7 days to respond (MR5 Art. 7(3)). */
export const RegistrationSuspended = z.object({
  by: z.enum(['TAKEL', 'PAI']),
  reason: z.string().min(1),
  responseDeadline: Instant,
});
export type RegistrationSuspended = z.infer<typeof RegistrationSuspended>;

/** The operator asked for normalisation; the ministry answers within 2 × 24 hours (MR5 Art. 20). */
export const NormalisationRequested = z.object({ reason: z.string().min(1), answerDeadline: Instant });
export type NormalisationRequested = z.infer<typeof NormalisationRequested>;

/** A normalisation request refused (MR5 Art. 20); the block stands. */
export const NormalisationRefused = z.object({ reason: z.string().min(1) });
export type NormalisationRefused = z.infer<typeof NormalisationRefused>;

/** A suspension lifted after the operator responded. */
export const SuspensionLifted = z.object({ reason: z.string().min(1) });
export type SuspensionLifted = z.infer<typeof SuspensionLifted>;

/** A registration revoked after an unanswered suspension; the system is blocked. */
export const RegistrationRevoked = z.object({ reason: z.string().min(1) });
export type RegistrationRevoked = z.infer<typeof RegistrationRevoked>;

/** Found not obliged to register (Xandr, 2022-07-31): the case closes. */
export const ExemptionGranted = z.object({ reason: z.string().min(1) });
export type ExemptionGranted = z.infer<typeof ExemptionGranted>;

/** A deadline passed, recorded explicitly (never a timer in memory). */
export const DeadlineElapsed = z.object({
  deadline: DeadlineKind,
  dueAt: Instant,
  fineId: z.string().nullable(),
});
export type DeadlineElapsed = z.infer<typeof DeadlineElapsed>;

/**
 * A fact dated earlier than automatic events already recorded arrived late: those elapses and escalations
 * (derived from what was known then) no longer hold and are retracted; the case stands as it did after
 * revision `toRevision` (docs/regulation.md §9.5). The log keeps them: it is append-only and hash-chained.
 */
export const ConsequencesRetracted = z.object({
  toRevision: z.number().int().nonnegative(),
  retracted: z.array(z.string().min(1)).min(1),
  reason: z.string().min(1),
});
export type ConsequencesRetracted = z.infer<typeof ConsequencesRetracted>;

/** An operator moved the case to another policy version. */
export const PolicyMigrated = z.object({ from: PolicyId, to: PolicyId, reason: z.string().min(1) });
export type PolicyMigrated = z.infer<typeof PolicyMigrated>;

/** Payload schema of every domain event type, keyed by type. */
export const pseCaseEventSchemas = {
  PseIdentified,
  PseProfileUpdated,
  RegistrationSubmitted,
  RegistrationConfirmed,
  RegistrationRejected,
  WarningIssued,
  FineImposed,
  FinePaid,
  FineAnnulled,
  AccessBlocked,
  AccessTemporarilyRestored,
  AccessRestored,
  NormalisationRequested,
  NormalisationRefused,
  RegistrationSuspended,
  SuspensionLifted,
  RegistrationRevoked,
  ExemptionGranted,
  DeadlineElapsed,
  ConsequencesRetracted,
  PolicyMigrated,
} as const;

export type PseCaseEventType = keyof typeof pseCaseEventSchemas;
export const pseCaseEventTypes = Object.keys(pseCaseEventSchemas) as PseCaseEventType[];
export const PseCaseEventTypeSchema = z.enum(pseCaseEventTypes as [PseCaseEventType, ...PseCaseEventType[]]);

type DataOf<T extends PseCaseEventType> = z.infer<(typeof pseCaseEventSchemas)[T]>;

/** `{ type, data }` for one event type. */
export type PseCaseEventDataOf<T extends PseCaseEventType> = { type: T; data: DataOf<T> };
export type PseCaseEventData = { [T in PseCaseEventType]: PseCaseEventDataOf<T> }[PseCaseEventType];

const dataVariant = <T extends PseCaseEventType>(type: T) =>
  z.object({ type: z.literal(type), data: pseCaseEventSchemas[type] });

/** Discriminated union of `{ type, data }` over every domain event. */
export const PseCaseEventData = z.discriminatedUnion(
  'type',
  pseCaseEventTypes.map(dataVariant) as unknown as [
    ReturnType<typeof dataVariant<PseCaseEventType>>,
    ...ReturnType<typeof dataVariant<PseCaseEventType>>[],
  ],
);

/** The ten case states (docs/regulation.md §14). */
export const CaseState = z.enum([
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
]);
export type CaseState = z.infer<typeof CaseState>;

/** One fine as the case remembers it: imposed once, paid in instalments, or annulled on appeal. */
export const FineMemory = z.object({
  fineId: z.string().min(1),
  decisionNumber: z.string(),
  amountIdr: z.number().int().nonnegative(),
  paidIdr: z.number().int().nonnegative(),
  annulledIdr: z.number().int().nonnegative(),
  annulled: z.boolean(),
  overdue: z.boolean(),
});
export type FineMemory = z.infer<typeof FineMemory>;

/**
 * What the statechart remembers of a case beyond the recorded state's other fields, so that the state an
 * event records is the whole snapshot after it: a command on a case this process has not seen is decided
 * from the case's last event alone instead of a fold of its stream (decision 0013). Only what differs from
 * a new case's memory is written, and the policy only where it is not the event's own (after a migration).
 * Absent on events recorded before it existed: those cases are folded from their streams, as before.
 */
export const CaseMemory = z.object({
  policyVersion: PolicyId.optional(),
  pendingSubmission: z.enum(['oss', 'manual']).optional(),
  restoredOnSubmission: z.literal(true).optional(),
  /** Every fine, in the order imposed. */
  fines: z.array(FineMemory).min(1).optional(),
  fineCount: z.number().int().positive().optional(),
  highestSanction: z.enum(['warning', 'fine', 'block']).optional(),
  sinceBy: z.string().optional(),
  sinceCause: z.string().optional(),
  lastElapsed: DeadlineKind.optional(),
  retractions: z.number().int().positive().optional(),
});
export type CaseMemory = z.infer<typeof CaseMemory>;

/** The state an event led to, carried by every envelope so projections never run the machine. */
export const CaseStateAfter = z.object({
  state: CaseState,
  substate: z.string().nullable(),
  value: z.unknown(),
  since: Instant,
  onBlocklist: z.boolean(),
  domains: z.array(z.string()),
  /** The case's app-store ids and public IP addresses; absent when it has none (and on older events). */
  appIds: z.array(z.string()).optional(),
  ipAddresses: z.array(z.string()).optional(),
  name: z.string(),
  origin: z.enum(['domestic', 'foreign']),
  company: z.string().nullable(),
  sector: z.string().nullable(),
  registrationNumber: z.string().nullable(),
  warnings: z.number().int().nonnegative(),
  blocks: z.number().int().nonnegative(),
  fines: z.object({
    imposedIdr: z.number().int().nonnegative(),
    paidIdr: z.number().int().nonnegative(),
    annulledIdr: z.number().int().nonnegative(),
    outstandingIdr: z.number().int().nonnegative(),
  }),
  nextDeadline: Deadline.nullable(),
  deadlines: z.array(Deadline),
  escalation: z.object({ pending: z.boolean(), allowed: z.array(z.string()) }),
  memory: CaseMemory.optional(),
});
export type CaseStateAfter = z.infer<typeof CaseStateAfter>;

const EnvelopeBase = z.object({
  eventId: z.string().min(1),
  pseId: z.string().min(1),
  schemaVersion: z.number().int().positive(),
  occurredAt: Instant,
  recordedAt: Instant,
  actor: Actor,
  commandId: z.string().min(1),
  correlationId: z.string().min(1),
  causationId: z.string().nullable(),
  policyVersion: PolicyId,
  revision: z.number().int().nonnegative(),
  state: CaseStateAfter,
  prevHash: z.string().nullable(),
  hash: z.string(),
});
export type EnvelopeBase = z.infer<typeof EnvelopeBase>;

/** A fully formed, hash-chained domain event of one type. */
export type PseCaseEventEnvelopeOf<T extends PseCaseEventType> = EnvelopeBase & PseCaseEventDataOf<T>;
export type PseCaseEventEnvelope = { [T in PseCaseEventType]: PseCaseEventEnvelopeOf<T> }[PseCaseEventType];

const envelopeVariant = <T extends PseCaseEventType>(type: T) =>
  EnvelopeBase.extend({ type: z.literal(type), data: pseCaseEventSchemas[type] });

/** Envelope schema per event type (for the published JSON Schemas). */
export const pseCaseEventEnvelopeSchemas = Object.fromEntries(
  pseCaseEventTypes.map((type) => [type, envelopeVariant(type)]),
) as { [T in PseCaseEventType]: ReturnType<typeof envelopeVariant<T>> };

/** The envelope as it comes out of the store: parse with this at the edge. */
export const PseCaseEventEnvelope = z.discriminatedUnion(
  'type',
  pseCaseEventTypes.map(envelopeVariant) as unknown as [
    ReturnType<typeof envelopeVariant<PseCaseEventType>>,
    ...ReturnType<typeof envelopeVariant<PseCaseEventType>>[],
  ],
) as unknown as z.ZodType<PseCaseEventEnvelope>;
