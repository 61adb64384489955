import { commonPolicyTerms, Policy } from './policy';

/**
 * PP 43/2023 added administrative fines between the warning and the block; escalation waits in an
 * operator's queue. The fine bounds are indicative until the tariff table is transcribed.
 */
export const pp432023: Policy = Policy.parse({
  ...commonPolicyTerms,
  id: 'pp43-2023',
  version: 1,
  title: 'PP 43/2023: warning, fine, block',
  ladder: [
    { sanction: 'warning', optional: false },
    { sanction: 'fine', optional: false },
    { sanction: 'block', optional: false },
  ],
  responsePeriod: { days: 5, unit: 'working' },
  paymentPeriod: { days: 30, unit: 'calendar' },
  fineSchedule: { minIdr: 1_000_000, maxIdr: 5_000_000_000 },
  automaticEscalation: false,
  automaticRevocation: false,
  submissionNormalises: false,
  temporaryRestorationMaxDays: 7,
});
