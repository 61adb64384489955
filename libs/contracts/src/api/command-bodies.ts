// Request bodies of the HTTP command routes (API contract v1), validated at the edge and
// published in the OpenAPI document from these same schemas.
import { DeadlineKind, Instant, PolicyId } from '@sanksi/domain';
import { z } from 'zod';

const Text = z.string().trim().min(1).max(2000);
const Rupiah = z.number().int('must be a whole number of rupiah').positive().max(Number.MAX_SAFE_INTEGER);
const OccurredAt = { occurredAt: Instant.optional() };

export const OpenCaseBody = z.strictObject({
  pseId: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, 'letters, digits, ".", "_" or "-", at most 128')
    .optional(),
  name: Text,
  origin: z.enum(['domestic', 'foreign']),
  domains: z.array(z.string().trim().min(1).max(253)).min(1).max(500),
  company: Text.optional(),
  sector: Text.optional(),
  policy: PolicyId.optional(),
  ...OccurredAt,
});
export const IssueWarningBody = z.strictObject({ letterNumber: Text, ...OccurredAt });
export const ImposeFineBody = z.strictObject({ decisionNumber: Text, amountIdr: Rupiah, ...OccurredAt });
export const RecordPaymentBody = z.strictObject({ amountIdr: Rupiah, reference: Text, ...OccurredAt });
export const ReasonBody = z.strictObject({ reason: Text, ...OccurredAt });
export const RestoreAccessBody = z.strictObject({
  reason: Text,
  override: z.boolean().optional(),
  ...OccurredAt,
});
export const BlockAccessBody = z.strictObject({
  orderNumber: Text,
  domains: z.array(z.string().trim().min(1).max(253)).min(1).max(500).optional(),
  ...OccurredAt,
});
export const TemporaryRestorationBody = z.strictObject({ until: Instant, reason: Text, ...OccurredAt });
export const SubmitRegistrationBody = z.strictObject({ channel: z.enum(['oss', 'manual']), ...OccurredAt });
export const ConfirmRegistrationBody = z.strictObject({
  registrationNumber: z
    .string()
    .regex(/^\d{6}\.\d{2}\/DJAI\.PSE\/\d{2}\/\d{4}$/, 'must look like NNNNNN.SS/DJAI.PSE/MM/YYYY'),
  ...OccurredAt,
});
export const SuspendRegistrationBody = z.strictObject({
  by: z.enum(['TAKEL', 'PAI']),
  reason: Text,
  ...OccurredAt,
});
export const ElapseDeadlineBody = z.strictObject({
  deadline: DeadlineKind,
  fineId: Text.optional(),
  ...OccurredAt,
});
export const MigratePolicyBody = z.strictObject({ to: PolicyId, reason: Text, ...OccurredAt });
