import { getPolicy, listPolicies, UnknownPolicy } from './index';
import { Policy } from './policy';

// Each policy's terms exactly as docs/regulation.md §11.1–11.3 tabulates them: the table is the
// reference, so a changed flag or period is a change of regulation, not of code.
const shared = {
  version: 1,
  registrationDeadline: '2022-07-20T23:59:00+07:00',
  responsePeriod: { days: 5, unit: 'working' },
  paymentPeriod: { days: 30, unit: 'calendar' },
  temporaryRestorationMaxDays: 7,
  suspensionResponse: { days: 7, unit: 'calendar' },
  manualRegistrationFollowUp: { days: 30, unit: 'calendar' },
  maxBlocksBeforeNormalisationRefused: 3,
  normalisationAnswerHours: 48,
  timeZone: 'WIB',
};

describe('policy terms (docs/regulation.md §11)', () => {
  it('mr5-literal: an optional warning, then a block; revocation is automatic, escalation is not', () => {
    expect(getPolicy('mr5-literal')).toEqual({
      ...shared,
      id: 'mr5-literal',
      title: 'Permenkominfo 5/2020 Art. 7(2), literal reading',
      ladder: [
        { sanction: 'warning', optional: true },
        { sanction: 'block', optional: false },
      ],
      fineSchedule: null,
      automaticEscalation: false,
      automaticRevocation: true,
      submissionNormalises: false,
    });
  });

  it('kominfo-2022: warning, then a block applied automatically; a submission normalises', () => {
    expect(getPolicy('kominfo-2022')).toEqual({
      ...shared,
      id: 'kominfo-2022',
      title: 'Kominfo practice, July 2022',
      ladder: [
        { sanction: 'warning', optional: false },
        { sanction: 'block', optional: false },
      ],
      fineSchedule: null,
      automaticEscalation: true,
      automaticRevocation: false,
      submissionNormalises: true,
    });
  });

  it('pp43-2023: warning, fine, block, each from the operators’ queue', () => {
    expect(getPolicy('pp43-2023')).toEqual({
      ...shared,
      id: 'pp43-2023',
      title: 'PP 43/2023: warning, fine, block',
      ladder: [
        { sanction: 'warning', optional: false },
        { sanction: 'fine', optional: false },
        { sanction: 'block', optional: false },
      ],
      fineSchedule: { minIdr: 1_000_000, maxIdr: 5_000_000_000 },
      automaticEscalation: false,
      automaticRevocation: false,
      submissionNormalises: false,
    });
  });

  it('lists the same objects getPolicy returns, oldest reading first', () => {
    expect(listPolicies()).toEqual([
      getPolicy('mr5-literal'),
      getPolicy('kominfo-2022'),
      getPolicy('pp43-2023'),
    ]);
  });

  it('given an unknown id, then UnknownPolicy names it and the known ones', () => {
    let error: unknown;
    try {
      getPolicy('pp71-2019');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UnknownPolicy);
    expect(error).toMatchObject({
      name: 'UnknownPolicy',
      code: 'UNKNOWN_POLICY',
      policyId: 'pp71-2019',
      message: 'Unknown policy "pp71-2019"; known: mr5-literal, kominfo-2022, pp43-2023',
    });
  });

  it('given policy data in any of Indonesia’s three time zones, then it is valid; any other zone is refused', () => {
    // Deadlines are counted in the policy's zone (WIB, WITA or WIT: UTC+7, +8, +9), so the schema admits
    // exactly those three and nothing else.
    for (const timeZone of ['WIB', 'WITA', 'WIT']) {
      expect(Policy.parse({ ...getPolicy('kominfo-2022'), timeZone }).timeZone).toBe(timeZone);
    }
    for (const timeZone of ['', 'UTC', 'Asia/Jakarta', 'wib']) {
      expect(Policy.safeParse({ ...getPolicy('kominfo-2022'), timeZone }).success).toBe(false);
    }
  });
});
