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
  // The 2022 registry shows suspensions standing for months without revocation: the directorate
  // decided each one, so a lapsed suspension waits in the escalation queue.
  automaticRevocation: false,
  submissionNormalises: true,
  temporaryRestorationMaxDays: 7,
});
