import { toReadModelEvent } from '../events/read-model-event';
import { GlobalLog } from '../testing/case-history.fixture';
import { projectDeadlines } from './deadlines.projection';

describe('deadlines projection', () => {
  it('given a warning, when projected, then its response deadline is the case’s pending set', () => {
    const c = new GlobalLog().case('x');
    c.identified('2022-07-21T09:00:00+07:00');
    const e = toReadModelEvent(c.warned('2022-07-22T09:00:00+07:00', 'W', '2022-07-29T23:59:00+07:00'));
    expect(projectDeadlines(e)).toEqual([
      {
        pseId: 'x',
        kind: 'warningResponse',
        dueAt: '2022-07-29T16:59:00.000Z',
        fineId: null,
        caseState: 'warned',
      },
    ]);
  });

  it('given the deadline elapsed, when projected, then the set is empty (it moved to the escalation queue)', () => {
    const c = new GlobalLog().case('x');
    c.warned('2022-07-22T09:00:00+07:00', 'W', '2022-07-29T23:59:00+07:00');
    expect(
      projectDeadlines(toReadModelEvent(c.deadlineElapsed('2022-07-30T00:00:00+07:00', ['BlockAccess']))),
    ).toEqual([]);
  });
});
