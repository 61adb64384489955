import { toReadModelEvent } from '../events/read-model-event';
import { ProjectionFailed } from '../read-model.errors';
import { GlobalLog } from '../testing/case-history.fixture';
import { planBatch } from './batch-planner';
import { projectCaseSummary } from './case-summary.projection';
import { type FineRow, UnknownFine, fineMonthDelta, projectFine } from './fines.projection';

describe('fines projection', () => {
  const c = new GlobalLog().case('f');
  c.identified('2023-01-02T09:00:00+07:00');
  const imposed = toReadModelEvent(
    c.fined('2023-01-31T20:00:00+07:00', 'F1', 1_000_000, '2023-02-28T23:59:00+07:00'),
  );
  const paid = toReadModelEvent(c.paid('2023-02-10T09:00:00+07:00', 'F1', 400_000));
  const annulled = toReadModelEvent(c.annulled('2023-03-01T09:00:00+07:00', 'F1', 600_000));

  it('given a fine imposed, part-paid, then annulled, when folded, then the row tracks each step', () => {
    const a = projectFine(undefined, imposed);
    expect(a).toMatchObject({
      fineId: 'F1',
      amountIdr: 1_000_000,
      status: 'outstanding',
      paymentDeadline: '2023-02-28T16:59:00.000Z',
    });
    const b = projectFine(a, paid);
    expect(b).toMatchObject({
      paidIdr: 400_000,
      status: 'partiallyPaid',
      lastPaidAt: '2023-02-10T02:00:00.000Z',
    });
    const d = projectFine(b, annulled) as FineRow;
    expect(d).toMatchObject({ status: 'annulled', annulmentReason: 'appeal upheld', paidIdr: 400_000 });
  });

  it('given a payment of a fine never imposed, when folded, then it throws rather than skip', () => {
    expect(() => projectFine(undefined, paid)).toThrow(UnknownFine);
  });

  it('given fine events, when projected monthly, then amounts are the recorded totals’ differences in the WIB month', () => {
    const s1 = projectCaseSummary(undefined, imposed);
    expect(fineMonthDelta(undefined, imposed)).toEqual({
      month: '2023-01',
      imposedCount: 1,
      imposedIdr: 1_000_000,
      paidCount: 0,
      paidIdr: 0,
      annulledCount: 0,
      annulledIdr: 0,
    });
    expect(fineMonthDelta(s1, paid)).toMatchObject({
      month: '2023-02',
      paidCount: 1,
      paidIdr: 400_000,
      imposedIdr: 0,
    });
    const s2 = projectCaseSummary(s1, paid);
    expect(fineMonthDelta(s2, annulled)).toMatchObject({
      month: '2023-03',
      annulledCount: 1,
      annulledIdr: 600_000,
    });
  });

  it('given a batch with a payment of an unknown fine, when planned, then it fails naming the fines projection and the event', () => {
    const other = new GlobalLog().case('g');
    const bad = toReadModelEvent(other.paid('2023-02-10T09:00:00+07:00', 'NOPE', 1));
    const empty = {
      summaries: new Map(),
      blocklist: new Map(),
      registry: new Map(),
      warningToRegistration: new Map(),
      fines: new Map(),
      deadlines: new Map(),
    };
    expect(() => planBatch(empty, [bad])).toThrow(ProjectionFailed);
    try {
      planBatch(empty, [bad]);
    } catch (e) {
      expect((e as ProjectionFailed).projection).toBe('fines');
      expect((e as ProjectionFailed).event).toMatchObject({
        eventId: bad.eventId,
        type: 'FinePaid',
        position: 1,
        pseId: 'g',
      });
    }
  });
});
