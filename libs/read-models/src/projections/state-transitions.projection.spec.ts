import { toReadModelEvent } from '../events/read-model-event';
import { GlobalLog } from '../testing/case-history.fixture';
import { NO_STATE, projectStateTransition } from './state-transitions.projection';

describe('state transitions', () => {
  const c = new GlobalLog().case('x');
  const opened = toReadModelEvent(c.identified('2022-07-21T23:30:00+07:00'));
  const warned = toReadModelEvent(c.warned('2022-07-21T18:00:00Z', 'W', '2022-07-28T00:00:00+07:00'));
  const elapsed = toReadModelEvent(c.deadlineElapsed('2022-07-28T00:00:00+07:00', ['BlockAccess']));

  it('given a new case, when it opens, then it enters its first state from none on its WIB business date', () => {
    const t = projectStateTransition(undefined, opened);
    expect(t).toMatchObject({ fromState: NO_STATE, toState: 'unregistered', businessDate: '2022-07-21' });
  });

  it('given a warning at 18:00 UTC, when projected, then it is dated on the next WIB day', () => {
    const t = projectStateTransition({ state: 'unregistered', substate: null }, warned);
    expect(t).toMatchObject({ fromState: 'unregistered', toState: 'warned', businessDate: '2022-07-22' });
  });

  it('given an event that keeps the state, when projected, then there is no transition', () => {
    expect(projectStateTransition({ state: 'warned', substate: null }, elapsed)).toBeUndefined();
  });

  it('given a substate change, when projected, then it is a transition within the state', () => {
    const b = new GlobalLog().case('b');
    b.blocked('2022-07-30T10:00:00+07:00', '1');
    const e = toReadModelEvent(
      b.temporarilyRestored('2022-07-31T08:00:00+07:00', '2022-08-05T23:59:00+07:00'),
    );
    const t = projectStateTransition({ state: 'blocked', substate: 'enforced' }, e);
    expect(t).toMatchObject({
      fromState: 'blocked',
      toState: 'blocked',
      fromSubstate: 'enforced',
      toSubstate: 'temporarilyRestored',
    });
  });
});
