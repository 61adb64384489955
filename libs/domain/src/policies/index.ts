import { PolicyId } from '../pse-case/pse-case.events';
import { kominfo2022 } from './kominfo-2022';
import { mr5Literal } from './mr5-literal';
import type { Policy } from './policy';
import { pp432023 } from './pp43-2023';

export { Policy, PolicyPeriod, Sanction } from './policy';
export { kominfo2022, mr5Literal, pp432023 };

const policies: Record<PolicyId, Policy> = {
  'mr5-literal': mr5Literal,
  'kominfo-2022': kominfo2022,
  'pp43-2023': pp432023,
};

/** The shipped policy with this id (throws `UnknownPolicy` for anything else). */
export function getPolicy(id: string): Policy {
  const policy = (policies as Record<string, Policy | undefined>)[id];
  if (!policy) throw new UnknownPolicy(id);
  return policy;
}

/** Every shipped policy, oldest reading first. */
export function listPolicies(): Policy[] {
  return [mr5Literal, kominfo2022, pp432023];
}

/** Raised when a policy id names no shipped policy. */
export class UnknownPolicy extends Error {
  readonly code = 'UNKNOWN_POLICY';
  constructor(readonly policyId: string) {
    super(`Unknown policy "${policyId}"; known: ${Object.keys(policies).join(', ')}`);
    this.name = 'UnknownPolicy';
  }
}
