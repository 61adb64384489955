import type { CaseStateAfter } from '@sanksi/domain';

/** A whole `CaseStateAfter` as the domain records it on every envelope (tests override what they need). */
export function caseStateAfter(overrides: Partial<CaseStateAfter> = {}): CaseStateAfter {
  return {
    state: 'registered',
    substate: null,
    value: 'registered',
    since: '2022-07-20T10:00:00+07:00',
    onBlocklist: false,
    domains: ['example.co.id'],
    name: 'Example',
    origin: 'domestic',
    company: null,
    sector: null,
    registrationNumber: null,
    warnings: 0,
    blocks: 0,
    fines: { imposedIdr: 0, paidIdr: 0, annulledIdr: 0, outstandingIdr: 0 },
    nextDeadline: null,
    deadlines: [],
    escalation: { pending: false, allowed: [] },
    ...overrides,
  };
}
