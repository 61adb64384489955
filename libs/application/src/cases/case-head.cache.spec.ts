import { type CaseHead, CaseHeadCache } from './case-head.cache';

const head = (version: number): CaseHead => ({ snapshot: undefined, version });

describe('CaseHeadCache', () => {
  it('given more cases than its capacity, when remembered, then it holds only the capacity, dropping the least recently used', () => {
    // given a cache of 3
    const cache = new CaseHeadCache(3);
    // when four cases are remembered, the first read again before the fourth arrives
    cache.remember('a', head(1));
    cache.remember('b', head(1));
    cache.remember('c', head(1));
    expect(cache.get('a')?.version).toBe(1);
    cache.remember('d', head(1));
    // then b (used least recently) is gone and the size stays at the bound
    expect(cache.size).toBe(3);
    expect(cache.get('b')).toBeUndefined();
    expect(['a', 'c', 'd'].map((id) => cache.get(id)?.version)).toEqual([1, 1, 1]);
  });

  it('given many cases, when remembered one after another, then the size never exceeds the bound', () => {
    const cache = new CaseHeadCache(100);
    for (let i = 0; i < 10_000; i++) {
      cache.remember(`case-${i}`, head(i));
      expect(cache.size).toBeLessThanOrEqual(100);
    }
    expect(cache.get('case-9999')?.version).toBe(9999);
    expect(cache.get('case-9899')).toBeUndefined();
  });

  it('given a head at a later version, when an older one arrives (a slow read), then the later one stays', () => {
    const cache = new CaseHeadCache(10);
    cache.remember('a', head(5));
    cache.remember('a', head(3));
    expect(cache.get('a')?.version).toBe(5);
    cache.remember('a', head(6));
    expect(cache.get('a')?.version).toBe(6);
  });

  it('given a head in doubt, when forgotten, then the next command finds none', () => {
    const cache = new CaseHeadCache(10);
    cache.remember('a', head(2));
    cache.forget('a');
    expect(cache.get('a')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('given capacity 0, when remembered, then it holds nothing', () => {
    const cache = new CaseHeadCache(0);
    cache.remember('a', head(1));
    expect(cache.get('a')).toBeUndefined();
  });

  it('given a capacity that is not a whole number >= 0, when built, then it is refused with the rule', () => {
    expect(() => new CaseHeadCache(-1)).toThrow('case head cache capacity must be an integer >= 0, got -1');
    expect(() => new CaseHeadCache(1.5)).toThrow(/integer >= 0, got 1.5/);
  });
});
