import { getPolicy, listPolicies, UnknownPolicy } from './index';
import { Policy } from './policy';

describe('policies', () => {
  it('ships three validated versions with the 2022 registration deadline', () => {
    expect(listPolicies().map((p) => p.id)).toEqual(['mr5-literal', 'kominfo-2022', 'pp43-2023']);
    for (const policy of listPolicies()) {
      expect(Policy.parse(policy)).toEqual(policy);
      expect(policy.registrationDeadline).toBe('2022-07-20T23:59:00+07:00');
      expect(policy.suspensionResponse).toEqual({ days: 7, unit: 'calendar' });
      expect(policy.maxBlocksBeforeNormalisationRefused).toBe(3);
    }
  });

  it('encodes each ladder', () => {
    expect(getPolicy('mr5-literal').ladder).toEqual([
      { sanction: 'warning', optional: true },
      { sanction: 'block', optional: false },
    ]);
    expect(getPolicy('kominfo-2022')).toMatchObject({
      automaticEscalation: true,
      submissionNormalises: true,
      fineSchedule: null,
      responsePeriod: { days: 5, unit: 'working' },
    });
    expect(getPolicy('pp43-2023').ladder.map((s) => s.sanction)).toEqual(['warning', 'fine', 'block']);
    expect(getPolicy('pp43-2023').automaticEscalation).toBe(false);
  });

  it('refuses an unknown id and invalid policy data', () => {
    expect(() => getPolicy('pp71-2019')).toThrow(UnknownPolicy);
    expect(Policy.safeParse({ ...getPolicy('pp43-2023'), ladder: [] }).success).toBe(false);
  });
});
