import { evolve, initialCaseSnapshot } from '@sanksi/domain';
import { typicalCase } from './fold.bench';

// The bench's case is decided by the real machine: when the policy's rules move (kominfo-2022 came to block
// by itself on an unanswered warning), a case written for the old rules stops deciding and the bench dies.
describe('fold bench: its typical case', () => {
  it('decides under the current rules and folds back to re-registered, 7 events', () => {
    const events = typicalCase(3);
    expect(events.map((e) => e.type)).toHaveLength(7);
    expect(events.map((e) => e.revision)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    let snapshot = initialCaseSnapshot();
    for (const event of events) snapshot = evolve(snapshot, event);
    expect(snapshot.value).toBe('reRegistered');
  });
});
