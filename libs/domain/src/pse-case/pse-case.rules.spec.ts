import { getPolicy } from '../policies';
import type { Sanction } from '../policies/policy';
import { emptyContext, type FineRecord, type PseCaseContext } from './pse-case.context';
import type { PolicyId } from './pse-case.events';
import {
  allowedSanctions,
  escalationCommands,
  isAfterRegistrationDeadline,
  sanctionCommand,
  type LadderPosition,
} from './pse-case.rules';

// The escalation ladder as pure functions (docs/regulation.md §12.2, §12.6): what each policy allows next
// from where a case stands, and what its queue (or automatic escalation) runs once a deadline lapsed.
const fine = (overdue: boolean): FineRecord => ({
  fineId: 'F1',
  decisionNumber: 'D-1',
  amountIdr: 1_000_000,
  paidIdr: 0,
  annulledIdr: 0,
  annulled: false,
  overdue,
});

function context(highestSanction: Sanction | null, overrides: Partial<PseCaseContext> = {}): PseCaseContext {
  return { ...emptyContext(), pseId: 'x', highestSanction, ...overrides };
}

const pending = { escalation: { pending: true, allowed: [] } };

describe('allowedSanctions: the rungs a policy allows next', () => {
  it.each<[PolicyId, Sanction | null, Partial<PseCaseContext>, Sanction[]]>([
    // Nothing imposed yet: the first mandatory rung, and any optional rung before it.
    ['kominfo-2022', null, {}, ['warning']],
    ['pp43-2023', null, {}, ['warning']],
    ['mr5-literal', null, {}, ['warning', 'block']],
    // After a rejected submission the ladder resumes where it stood: the same rung again, or the next.
    ['kominfo-2022', 'warning', {}, ['warning', 'block']],
    ['pp43-2023', 'warning', {}, ['warning', 'fine']],
    // A fine in force holds the ladder until one lapses unpaid.
    ['pp43-2023', 'fine', { fines: { F1: fine(false) } }, ['fine']],
    ['pp43-2023', 'fine', { fines: { F1: fine(true) } }, ['fine', 'block']],
    // The top rung: nothing above it.
    ['kominfo-2022', 'block', {}, ['block']],
    ['pp43-2023', 'block', {}, ['block']],
    // Migrated from pp43-2023 to a ladder without fines: the fine counts as the warning below it.
    ['kominfo-2022', 'fine', {}, ['warning', 'block']],
  ])('given %s and %s reached, when unregistered, then allows %j', (policy, highest, extra, expected) => {
    expect(allowedSanctions(context(highest, extra), 'unregistered', getPolicy(policy))).toEqual(expected);
  });

  it.each<[PolicyId, LadderPosition, Sanction, boolean, Sanction[]]>([
    // In force a sanction may be repeated; moving up waits for its deadline to elapse.
    ['kominfo-2022', 'warned', 'warning', false, ['warning']],
    ['kominfo-2022', 'warned', 'warning', true, ['warning', 'block']],
    ['pp43-2023', 'warned', 'warning', false, ['warning']],
    ['pp43-2023', 'warned', 'warning', true, ['warning', 'fine']],
    ['pp43-2023', 'fined', 'fine', false, ['fine']],
    ['pp43-2023', 'fined', 'fine', true, ['fine', 'block']],
    ['mr5-literal', 'warned', 'warning', true, ['warning', 'block']],
    // A fined case migrated to a ladder without fines cannot repeat the fine; only the next rung waits.
    ['kominfo-2022', 'fined', 'fine', false, []],
    ['kominfo-2022', 'fined', 'fine', true, ['block']],
  ])(
    'given %s, when %s after a %s (escalation pending: %s), then allows %j',
    (policy, position, highest, isPending, expected) => {
      const c = context(highest, isPending ? pending : {});
      expect(allowedSanctions(c, position, getPolicy(policy))).toEqual(expected);
    },
  );
});

describe('escalationCommands: what follows a lapsed deadline', () => {
  it.each<[PolicyId, Sanction | null, string[]]>([
    ['kominfo-2022', 'warning', ['BlockAccess']],
    ['pp43-2023', 'warning', ['ImposeFine']],
    ['pp43-2023', 'fine', ['BlockAccess']],
    ['mr5-literal', null, ['IssueWarning', 'BlockAccess']],
    ['mr5-literal', 'warning', ['BlockAccess']],
    ['kominfo-2022', 'block', []],
  ])('given %s with %s reached, then the queue offers %j', (policy, highest, expected) => {
    expect(escalationCommands(context(highest), getPolicy(policy))).toEqual(expected);
  });

  it('names the command of each sanction', () => {
    expect(sanctionCommand).toEqual({ warning: 'IssueWarning', fine: 'ImposeFine', block: 'BlockAccess' });
  });
});

describe('isAfterRegistrationDeadline (docs/regulation.md §12.1)', () => {
  const policy = getPolicy('kominfo-2022');

  it('given the deadline 2022-07-20 23:59 WIB, then the deadline itself is not after it', () => {
    expect(isAfterRegistrationDeadline('2022-07-20T23:59:00+07:00', policy)).toBe(false);
  });

  it('then one millisecond later is', () => {
    expect(isAfterRegistrationDeadline('2022-07-20T23:59:00.001+07:00', policy)).toBe(true);
  });

  it('then a day earlier is not', () => {
    expect(isAfterRegistrationDeadline('2022-07-19T23:59:00+07:00', policy)).toBe(false);
  });
});
