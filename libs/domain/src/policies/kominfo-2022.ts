import { commonPolicyTerms, Policy } from './policy';

/**
 * The ministry's practice in July–August 2022: a warning with 5 working days to respond, then a block
 * (no fine rule existed yet); submission normalised (Valve, Yahoo).
 */
export const kominfo2022: Policy = Policy.parse({
  ...commonPolicyTerms,
  id: 'kominfo-2022',
  version: 1,
  title: 'Kominfo practice, July 2022',
  ladder: [
    { sanction: 'warning', optional: false },
    { sanction: 'block', optional: false },
  ],
  responsePeriod: { days: 5, unit: 'working' },
  paymentPeriod: { days: 30, unit: 'calendar' },
  fineSchedule: null,
  automaticEscalation: true,
  submissionNormalises: true,
  temporaryRestorationMaxDays: 7,
});
