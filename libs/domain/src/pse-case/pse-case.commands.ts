import { z } from 'zod';
import { Hostname } from '../hostname/hostname';
import { AppStoreId, PublicIpAddress } from '../hostname/system-address';
import {
  Actor,
  CaseSource,
  DeadlineKind,
  Instant,
  PolicyId,
  RegistrationNumber,
  TrafficEvidence,
} from './pse-case.events';
import { PseId, SingleLineText as Text, singleLine } from './pse-case.fields';

// Commands are new facts: their ids, text and domains meet the strict rules (docs/architecture.md, "What a
// domain may be"); the events they become are read back with tolerant schemas (pse-case.events.ts).
const OptionalText = singleLine(z.string());
const Rupiah = z.number().int('must be a whole number of rupiah').positive().max(Number.MAX_SAFE_INTEGER);

const command = <T extends string, S extends z.ZodRawShape>(type: T, shape: S) =>
  z.object({ type: z.literal(type), pseId: PseId, ...shape });

/** Open a case for a system operating in Indonesia. */
export const IdentifyPse = command('IdentifyPse', {
  name: Text,
  origin: z.enum(['domestic', 'foreign']),
  domains: z.array(Hostname),
  /** Google Play package names and App Store `idNNN`s of the system (mobile-only PSEs have no domain). */
  appIds: z.array(AppStoreId).optional(),
  /** Public IP addresses of the system (RPZ can block them). */
  ipAddresses: z.array(PublicIpAddress).optional(),
  company: OptionalText.nullable().default(null),
  sector: OptionalText.nullable().default(null),
  /** Omitted: the policy handed to `decide` for new cases. */
  policy: PolicyId.optional(),
  /** How the system was found; omitted, the event records none. */
  source: CaseSource.optional(),
  /** The traffic observation behind a discovered case. */
  evidence: TrafficEvidence.optional(),
});
/** Correct the system's name, domains, app ids, IP addresses, company or sector. */
export const UpdatePseProfile = command('UpdatePseProfile', {
  name: Text.optional(),
  domains: z.array(Hostname).optional(),
  appIds: z.array(AppStoreId).optional(),
  ipAddresses: z.array(PublicIpAddress).optional(),
  company: OptionalText.nullable().optional(),
  sector: OptionalText.nullable().optional(),
});
/** Record a submitted registration (OSS or manual). */
export const SubmitRegistration = command('SubmitRegistration', { channel: z.enum(['oss', 'manual']) });
/** Record the issued certificate. */
export const ConfirmRegistration = command('ConfirmRegistration', { registrationNumber: RegistrationNumber });
/** Reject a submitted registration. */
export const RejectRegistration = command('RejectRegistration', { reason: Text });
/** Send a written warning. */
export const IssueWarning = command('IssueWarning', { letterNumber: Text });
/** Impose an administrative fine (its id is assigned: F1, F2, …). */
export const ImposeFine = command('ImposeFine', { decisionNumber: Text, amountIdr: Rupiah });
/** Record a payment towards one fine. */
export const RecordFinePayment = command('RecordFinePayment', {
  fineId: Text,
  amountIdr: Rupiah,
  reference: Text,
});
/** Annul a fine on appeal. */
export const AnnulFine = command('AnnulFine', { fineId: Text, reason: Text });
/** Terminate access (defaults to the case's domains; a case with none is blocked all the same, decision 0007). */
export const BlockAccess = command('BlockAccess', {
  orderNumber: Text,
  domains: z.array(Hostname).optional(),
});
/** Take the domains off the blocklist until a time. */
export const RestoreAccessTemporarily = command('RestoreAccessTemporarily', { until: Instant, reason: Text });
/** Normalise access; after more than 3 blocks only an admin may `override` (MR5 Art. 20). */
export const RestoreAccess = command('RestoreAccess', { reason: Text, override: z.boolean().optional() });
/** Record the operator's request for normalisation (answered within 2 × 24 hours, MR5 Art. 20). */
export const RequestNormalisation = command('RequestNormalisation', { reason: Text });
/** Refuse a pending normalisation request; the block stands. */
export const RefuseNormalisation = command('RefuseNormalisation', { reason: Text });
/** Suspend a registration for false or unreported information. */
export const SuspendRegistration = command('SuspendRegistration', {
  by: z.enum(['TAKEL', 'PAI']),
  reason: Text,
});
/** Lift a suspension. */
export const LiftSuspension = command('LiftSuspension', { reason: Text });
/** Revoke a registration once the suspension response period has lapsed. */
export const RevokeRegistration = command('RevokeRegistration', { reason: Text });
/** Exempt a system not obliged to register. */
export const GrantExemption = command('GrantExemption', { reason: Text });
/**
 * Bring the case up to date through a running deadline: it and every deadline due before it elapse at
 * their due instants, with their automatic consequences (refused before it is due, or once elapsed).
 */
export const ElapseDeadline = command('ElapseDeadline', { deadline: DeadlineKind, fineId: Text.optional() });
/** Move the case to another policy version. */
export const MigratePolicy = command('MigratePolicy', { to: PolicyId, reason: Text });

/** Every command schema, keyed by type. */
export const pseCaseCommandSchemas = {
  IdentifyPse,
  UpdatePseProfile,
  SubmitRegistration,
  ConfirmRegistration,
  RejectRegistration,
  IssueWarning,
  ImposeFine,
  RecordFinePayment,
  AnnulFine,
  BlockAccess,
  RestoreAccessTemporarily,
  RestoreAccess,
  RequestNormalisation,
  RefuseNormalisation,
  SuspendRegistration,
  LiftSuspension,
  RevokeRegistration,
  GrantExemption,
  ElapseDeadline,
  MigratePolicy,
} as const;

export type PseCaseCommandType = keyof typeof pseCaseCommandSchemas;
export const pseCaseCommandTypes = Object.keys(pseCaseCommandSchemas) as PseCaseCommandType[];

export type PseCaseCommandOf<T extends PseCaseCommandType> = z.output<(typeof pseCaseCommandSchemas)[T]>;
export type PseCaseCommand = { [T in PseCaseCommandType]: PseCaseCommandOf<T> }[PseCaseCommandType];

/** Discriminated union of every command (parse at the edges with it). */
export const PseCaseCommand = z.discriminatedUnion(
  'type',
  Object.values(pseCaseCommandSchemas) as unknown as [
    typeof IdentifyPse,
    ...Array<(typeof pseCaseCommandSchemas)[PseCaseCommandType]>,
  ],
);

/** Who, when and why of a command; `now` becomes `recordedAt`, `occurredAt` defaults to `now`. */
export const CommandMetadata = z.object({
  commandId: z.string().min(1),
  correlationId: z.string().min(1),
  causationId: z.string().min(1).nullable().optional(),
  actor: Actor,
  now: Instant,
  occurredAt: Instant.optional(),
});
export type CommandMetadata = z.infer<typeof CommandMetadata>;
