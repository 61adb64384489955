import { z } from 'zod';
import { Instant, PolicyId } from '../pse-case/pse-case.events';

export const PolicyPeriod = z.object({
  days: z.number().int().positive(),
  unit: z.enum(['working', 'calendar']),
});
export type PolicyPeriod = z.infer<typeof PolicyPeriod>;

export const Sanction = z.enum(['warning', 'fine', 'block']);
export type Sanction = z.infer<typeof Sanction>;

/** A versioned sanction policy (docs/regulation.md §11): pure data, validated when defined. */
export const Policy = z.object({
  id: PolicyId,
  version: z.number().int().positive(),
  title: z.string().min(1),
  registrationDeadline: Instant,
  /** Sanctions in escalation order; an optional step may be skipped, a mandatory one may not. */
  ladder: z.array(z.object({ sanction: Sanction, optional: z.boolean() })).min(1),
  responsePeriod: PolicyPeriod,
  paymentPeriod: PolicyPeriod,
  fineSchedule: z
    .object({ minIdr: z.number().int().positive(), maxIdr: z.number().int().positive() })
    .nullable(),
  automaticEscalation: z.boolean(),
  /**
   * Whether a suspension whose 7-day response period lapsed is revoked without an operator
   * (MR5 Art. 7(3) read literally) or waits in the escalation queue for TAKEL/PAI to decide.
   */
  automaticRevocation: z.boolean(),
  submissionNormalises: z.boolean(),
  temporaryRestorationMaxDays: z.number().int().positive(),
  suspensionResponse: PolicyPeriod,
  manualRegistrationFollowUp: PolicyPeriod,
  maxBlocksBeforeNormalisationRefused: z.number().int().positive(),
  /** Hours within which a normalisation request is answered (MR5 Art. 20: 2 × 24 hours). */
  normalisationAnswerHours: z.number().int().positive(),
  timeZone: z.enum(['WIB', 'WITA', 'WIT']),
});
export type Policy = z.infer<typeof Policy>;

/** Shared by all three shipped policies: the deadline of Kominfo's 2022 announcement and MR5 Art. 7(3), 20. */
export const commonPolicyTerms = {
  registrationDeadline: '2022-07-20T23:59:00+07:00',
  suspensionResponse: { days: 7, unit: 'calendar' },
  manualRegistrationFollowUp: { days: 30, unit: 'calendar' },
  maxBlocksBeforeNormalisationRefused: 3,
  normalisationAnswerHours: 48,
  timeZone: 'WIB',
} as const;
