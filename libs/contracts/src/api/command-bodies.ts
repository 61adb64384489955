// Request bodies of the HTTP command routes (API contract v1), validated at the edge and
// published in the OpenAPI document from these same schemas.
import { DeadlineKind, Hostname, Instant, PolicyId, PseId, singleLine } from '@sanksi/domain';
import { z } from 'zod';

// One-line text: no control characters (a terminal or an export row would act on them when shown).
const Text = singleLine(z.string().trim().min(1).max(2000));
// The domain's host-name rule (libs/domain/src/hostname): A-labels, no public suffix alone, no injection.
const Domains = z.array(z.string().trim().pipe(Hostname)).min(1).max(500);
const Rupiah = z.number().int('must be a whole number of rupiah').positive().max(Number.MAX_SAFE_INTEGER);
const OccurredAt = { occurredAt: Instant.optional() };

export const OpenCaseBody = z.strictObject({
  pseId: PseId.optional(),
  name: Text,
  origin: z.enum(['domestic', 'foreign']),
  domains: Domains,
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
  domains: Domains.optional(),
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
