import { z } from 'zod';
import { Actor, DeadlineKind, Instant, PolicyId, RegistrationNumber } from './pse-case.events';

const PseId = z.string().min(1);
const Text = z.string().min(1);
const Rupiah = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);

const command = <T extends string, S extends z.ZodRawShape>(type: T, shape: S) =>
  z.object({ type: z.literal(type), pseId: PseId, ...shape });

export const IdentifyPse = command('IdentifyPse', {
  name: Text,
  origin: z.enum(['domestic', 'foreign']),
  domains: z.array(Text),
  company: z.string().nullable().default(null),
  sector: z.string().nullable().default(null),
  /** Omitted: the policy handed to `decide` for new cases. */
  policy: PolicyId.optional(),
});
export const UpdatePseProfile = command('UpdatePseProfile', {
  name: Text.optional(),
  domains: z.array(Text).optional(),
  company: z.string().nullable().optional(),
  sector: z.string().nullable().optional(),
});
export const SubmitRegistration = command('SubmitRegistration', { channel: z.enum(['oss', 'manual']) });
export const ConfirmRegistration = command('ConfirmRegistration', { registrationNumber: RegistrationNumber });
export const RejectRegistration = command('RejectRegistration', { reason: Text });
export const IssueWarning = command('IssueWarning', { letterNumber: Text });
export const ImposeFine = command('ImposeFine', { decisionNumber: Text, amountIdr: Rupiah });
export const RecordFinePayment = command('RecordFinePayment', {
  fineId: Text,
  amountIdr: Rupiah,
  reference: Text,
});
export const AnnulFine = command('AnnulFine', { fineId: Text, reason: Text });
export const BlockAccess = command('BlockAccess', { orderNumber: Text, domains: z.array(Text).optional() });
export const RestoreAccessTemporarily = command('RestoreAccessTemporarily', { until: Instant, reason: Text });
export const RestoreAccess = command('RestoreAccess', { reason: Text, override: z.boolean().optional() });
export const SuspendRegistration = command('SuspendRegistration', {
  by: z.enum(['TAKEL', 'PAI']),
  reason: Text,
});
export const LiftSuspension = command('LiftSuspension', { reason: Text });
export const RevokeRegistration = command('RevokeRegistration', { reason: Text });
export const GrantExemption = command('GrantExemption', { reason: Text });
export const ElapseDeadline = command('ElapseDeadline', { deadline: DeadlineKind, fineId: Text.optional() });
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
export const PseCaseCommand = z.discriminatedUnion('type', [
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
  SuspendRegistration,
  LiftSuspension,
  RevokeRegistration,
  GrantExemption,
  ElapseDeadline,
  MigratePolicy,
]);

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
