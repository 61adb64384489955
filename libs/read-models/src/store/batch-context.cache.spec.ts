import { fineKey } from '../projections/batch-planner';
import type { FineRow } from '../projections/fines.projection';
import { BatchContextCache, emptyBatchContext } from './batch-context.cache';

const fine = (pseId: string, fineId: string, paidIdr = 0): FineRow => ({
  pseId,
  fineId,
  decisionNumber: null,
  amountIdr: 5_000_000,
  imposedAt: '2022-08-01T10:00:00+07:00',
  paymentDeadline: null,
  paidIdr,
  lastPaidAt: null,
  annulledAt: null,
  annulmentReason: null,
  status: paidIdr > 0 ? 'paid' : 'outstanding',
});

const withFines = (...fines: FineRow[]) => {
  const context = emptyBatchContext();
  for (const f of fines) context.fines.set(fineKey(f.pseId, f.fineId), f);
  return context;
};

describe('BatchContextCache: fines', () => {
  it('given fines committed for two cases, when a batch of one of them asks, then only that case’s fines, the latest of each', () => {
    // given a and b committed with one fine each, then a second batch paying a's fine and fining it again
    const cache = new BatchContextCache();
    cache.committed('rm', 10, ['a', 'b'], withFines(fine('a', 'f1'), fine('b', 'f1')));
    cache.committed('rm', 20, ['a'], withFines(fine('a', 'f1', 5_000_000), fine('a', 'f2')));
    // when a batch of a and of an unseen case c asks, with c's fines loaded from the store
    expect(cache.missing('rm', 20, ['a', 'c'])).toEqual(['c']);
    const context = cache.contextFor(['a', 'c'], withFines(fine('c', 'f9'), fine('a', 'stale')));
    // then a's fines come from the cache (its latest rows), c's from what was loaded, b's not at all
    expect(
      [...context.fines.values()].sort(
        (x, y) => x.pseId.localeCompare(y.pseId) || x.fineId.localeCompare(y.fineId),
      ),
    ).toEqual([fine('a', 'f1', 5_000_000), fine('a', 'f2'), fine('c', 'f9')]);
  });

  it('given a cache moved on by another writer, then it forgets every case and its fines', () => {
    const cache = new BatchContextCache();
    cache.committed('rm', 10, ['a'], withFines(fine('a', 'f1')));
    // when the checkpoint is not where this cache left it
    expect(cache.missing('rm', 11, ['a'])).toEqual(['a']);
    // then a's fines are what the store loads, not the cache's
    expect([...cache.contextFor(['a'], emptyBatchContext()).fines.values()]).toEqual([]);
  });
});
