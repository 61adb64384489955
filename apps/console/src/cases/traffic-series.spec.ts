import { barHeights, trafficSeries } from './traffic-series';

describe('the traffic trend of a case', () => {
  it('given two domains over periods in any order, then one bar per period, oldest first, visits summed, best rank kept', () => {
    const bars = trafficSeries([
      { domain: 'b.example', period: '2022-08', visits: 500, rank: 9, sources: ['sw'] },
      { domain: 'a.example', period: '2022-07', visits: 1000, rank: 4, sources: ['sw', 'tranco'] },
      { domain: 'a.example', period: '2022-08', visits: 1500, rank: 3, sources: ['sw'] },
      { domain: 'b.example', period: '2022-06', visits: null, rank: 120, sources: ['tranco'] },
    ]);
    expect(bars).toEqual([
      { period: '2022-06', visits: null, rank: 120 },
      { period: '2022-07', visits: 1000, rank: 4 },
      { period: '2022-08', visits: 2000, rank: 3 },
    ]);
  });

  it('given the bars, then heights follow the visits, the largest at full height, an unknown one flat', () => {
    const bars = trafficSeries([
      { domain: 'a.example', period: '2022-07', visits: 1, rank: null, sources: ['sw'] },
      { domain: 'a.example', period: '2022-08', visits: 400, rank: null, sources: ['sw'] },
      { domain: 'a.example', period: '2022-09', visits: null, rank: 5, sources: ['tranco'] },
    ]);
    expect(barHeights(bars, 80)).toEqual([1, 80, 0]);
    expect(barHeights([], 80)).toEqual([]);
    expect(trafficSeries([])).toEqual([]);
  });
});
