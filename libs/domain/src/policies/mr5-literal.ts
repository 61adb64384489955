import { commonPolicyTerms, Policy } from './policy';

/** MR5 Art. 7(2) read literally: an unregistered system may be blocked directly; a warning is optional. */
export const mr5Literal: Policy = Policy.parse({
  ...commonPolicyTerms,
  id: 'mr5-literal',
  version: 1,
  title: 'Permenkominfo 5/2020 Art. 7(2), literal reading',
  ladder: [
    { sanction: 'warning', optional: true },
    { sanction: 'block', optional: false },
  ],
  responsePeriod: { days: 5, unit: 'working' },
  paymentPeriod: { days: 30, unit: 'calendar' },
  fineSchedule: null,
  automaticEscalation: false,
  // Art. 7(3) read literally: no response within 7 days and the registration is revoked.
  automaticRevocation: true,
  submissionNormalises: false,
  temporaryRestorationMaxDays: 7,
});
