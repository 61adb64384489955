import { ANALYST_MESSAGES } from './analyst.messages';
import type { WhatIfAnswer } from './analyst-api';
import { toCsv } from './data-table';
import {
  blocklistChart,
  blocklistTable,
  datesBetween,
  endsDifferently,
  finalText,
  finesChart,
  finesTable,
  monthsBetween,
  statesOverTimeChart,
  statesOverTimeTable,
  transitionsChart,
  transitionsTable,
  warningToRegistrationTable,
  whatIfCountsTable,
  whatIfDifferingTable,
} from './series';

const a = (key: keyof (typeof ANALYST_MESSAGES)['en']) => ANALYST_MESSAGES.en[key];
const none = {
  unregistered: 0,
  registrationPending: 0,
  registered: 0,
  warned: 0,
  fined: 0,
  blocked: 0,
  reRegistered: 0,
  suspended: 0,
  revoked: 0,
  exempted: 0,
};

describe('the analyst series, from stats answers to tables and charts', () => {
  it('given dates and months across a year end, then every one in between is listed once', () => {
    expect(datesBetween('2022-12-30', '2023-01-02')).toEqual([
      '2022-12-30',
      '2022-12-31',
      '2023-01-01',
      '2023-01-02',
    ]);
    expect(monthsBetween('2022-11', '2023-02')).toEqual(['2022-11', '2022-12', '2023-01', '2023-02']);
    expect(datesBetween('2022-08-02', '2022-08-01')).toEqual([]);
  });

  it('given states per day, then the table has a column per state and the stacked areas carry the same figures', () => {
    const table = statesOverTimeTable(
      {
        from: '2022-07-29',
        to: '2022-07-30',
        knownAt: null,
        days: [
          { date: '2022-07-29', counts: { ...none, warned: 2 }, total: 2 },
          { date: '2022-07-30', counts: { ...none, warned: 1, blocked: 1 }, total: 2 },
        ],
      },
      a,
    );
    expect(table.columns.map((c) => c.key)).toEqual(['date', ...Object.keys(none), 'total']);
    expect(table.rows[1]).toMatchObject({ date: '2022-07-30', warned: 1, blocked: 1, total: 2 });
    const option = statesOverTimeChart(table) as {
      series: Array<{ name: string; data: number[]; stack: string }>;
    };
    expect(option.series.find((s) => s.name === 'blocked')).toMatchObject({ data: [0, 1], stack: 'cases' });
    expect(toCsv(table).split('\r\n')[2]).toBe('2022-07-30,0,0,0,1,0,1,0,0,0,0,2');
  });

  it('given transitions on some days, then the bars cover every date of the range, zero where none', () => {
    const table = transitionsTable(
      {
        from: '2022-07-29',
        to: '2022-07-31',
        days: [
          { date: '2022-07-29', fromState: 'warned', toState: 'blocked', count: 3 },
          { date: '2022-07-31', fromState: 'blocked', toState: 'reRegistered', count: 1 },
          { date: '2022-07-31', fromState: 'warned', toState: 'blocked', count: 2 },
        ],
      },
      a,
    );
    expect(table.rows).toHaveLength(3);
    const option = transitionsChart(table, '2022-07-29', '2022-07-31') as {
      xAxis: { data: string[] };
      series: Array<{ name: string; data: number[] }>;
    };
    expect(option.xAxis.data).toEqual(['2022-07-29', '2022-07-30', '2022-07-31']);
    expect(option.series).toEqual([
      expect.objectContaining({ name: 'blocked', data: [3, 0, 2] }),
      expect.objectContaining({ name: 'reRegistered', data: [0, 0, 1] }),
    ]);
  });

  it('given fines in August and October, then September shows zeros and outstanding carries over, less paid and annulled', () => {
    const month = {
      imposedCount: 0,
      imposedIdr: 0,
      paidCount: 0,
      paidIdr: 0,
      annulledCount: 0,
      annulledIdr: 0,
    };
    const table = finesTable(
      [
        {
          ...month,
          month: '2022-10',
          paidCount: 1,
          paidIdr: 100_000_000,
          annulledCount: 1,
          annulledIdr: 300_000_000,
        },
        { ...month, month: '2022-08', imposedCount: 2, imposedIdr: 1_000_000_000 },
      ],
      a,
    );
    expect(table.rows).toEqual([
      {
        month: '2022-08',
        imposedIdr: 1_000_000_000,
        paidIdr: 0,
        annulledIdr: 0,
        outstandingIdr: 1_000_000_000,
      },
      { month: '2022-09', imposedIdr: 0, paidIdr: 0, annulledIdr: 0, outstandingIdr: 1_000_000_000 },
      {
        month: '2022-10',
        imposedIdr: 0,
        paidIdr: 100_000_000,
        annulledIdr: 300_000_000,
        outstandingIdr: 600_000_000,
      },
    ]);
    const option = finesChart(table, a) as { series: Array<{ type: string; data: number[] }> };
    expect(option.series.map((s) => s.type)).toEqual(['bar', 'bar', 'bar', 'line']);
    expect(option.series[3]?.data).toEqual([1_000_000_000, 1_000_000_000, 600_000_000]);
    expect(finesTable([], a).rows).toEqual([]);
  });

  it('given registrations after 2 and 4 days, then the distribution lists every day from 0, zero where none', () => {
    const table = warningToRegistrationTable(
      {
        registered: 3,
        pending: 1,
        medianDays: 4,
        averageDays: 3.4,
        buckets: [
          { days: 2, cases: 1 },
          { days: 4, cases: 2 },
        ],
      },
      a,
    );
    expect(table.rows).toEqual([
      { days: 0, cases: 0 },
      { days: 1, cases: 0 },
      { days: 2, cases: 1 },
      { days: 3, cases: 0 },
      { days: 4, cases: 2 },
    ]);
    expect(
      warningToRegistrationTable(
        { registered: 0, pending: 0, medianDays: null, averageDays: null, buckets: [] },
        a,
      ).rows,
    ).toEqual([]);
  });

  it('given the blocklist per day, then the line is its size and removals are drawn below the axis', () => {
    const table = blocklistTable(
      {
        from: '2022-07-30',
        to: '2022-07-31',
        knownAt: null,
        days: [
          { date: '2022-07-30', size: 4, added: 4, removed: 0 },
          { date: '2022-07-31', size: 3, added: 0, removed: 1 },
        ],
      },
      a,
    );
    const option = blocklistChart(table, a) as { series: Array<{ data: number[] }> };
    expect(option.series.map((s) => s.data)).toEqual([
      [4, 3],
      [4, 0],
      [-0, -1],
    ]);
  });

  describe('given what-if answers for the three policies', () => {
    const answer = (
      policy: WhatIfAnswer['policy'],
      alternative: Record<string, number>,
      reports: WhatIfAnswer['reports'],
      differing = reports.length,
    ): WhatIfAnswer => ({
      policy,
      until: '2022-12-31T23:59:59+07:00',
      cases: 3,
      differing,
      counts: { recorded: { warned: 1, blocked: 2 }, alternative },
      reports,
    });
    const differs = (
      pseId: string,
      recorded: string,
      alternative: string,
      substate: string | null = null,
    ) => ({
      pseId,
      differs: true,
      final: { recorded: { state: recorded }, alternative: { state: alternative, substate } },
    });
    const answers = {
      'mr5-literal': answer('mr5-literal', { blocked: 3 }, [
        differs('steam', 'warned', 'blocked', 'enforced'),
      ]),
      'kominfo-2022': answer('kominfo-2022', { warned: 1, blocked: 2 }, []),
      'pp43-2023': answer('pp43-2023', { fined: 2, warned: 1 }, [differs('paypal', 'blocked', 'fined')], 2),
    };

    it('then the counts stand side by side, every state any of them names', () => {
      expect(whatIfCountsTable(answers, a)).toMatchObject({
        columns: [
          { key: 'state' },
          { key: 'recorded' },
          { key: 'mr5-literal' },
          { key: 'kominfo-2022' },
          { key: 'pp43-2023' },
        ],
        rows: [
          { state: 'warned', recorded: 1, 'mr5-literal': 0, 'kominfo-2022': 1, 'pp43-2023': 1 },
          { state: 'fined', recorded: 0, 'mr5-literal': 0, 'kominfo-2022': 0, 'pp43-2023': 2 },
          { state: 'blocked', recorded: 2, 'mr5-literal': 3, 'kominfo-2022': 2, 'pp43-2023': 0 },
        ],
      });
    });

    it('then each case that ends differently is listed once, linking to its case page; unlisted is as recorded only when the list is complete', () => {
      const table = whatIfDifferingTable(answers, a);
      expect(table.rows).toEqual([
        {
          pseId: 'paypal',
          recorded: 'blocked',
          'mr5-literal': 'blocked',
          'kominfo-2022': 'blocked',
          'pp43-2023': 'fined',
        },
        {
          pseId: 'steam',
          recorded: 'warned',
          'mr5-literal': 'blocked · enforced',
          'kominfo-2022': 'warned',
          'pp43-2023': null,
        },
      ]);
      expect(table.link?.column).toBe('pseId');
      // Xandr's history parts under mr5-literal but ends the same: it is not listed.
      expect(table.rows.map((r) => r.pseId)).not.toContain('xandr');
      expect(table.link?.path('pay pal')).toBe('/cases/pay%20pal');
    });

    it('then fines still owed show with the state, in rupiah, and a difference in them alone is an end that differs', () => {
      const owed = (n: number) => ({
        state: 'reRegistered',
        onBlocklist: false,
        fines: { outstandingIdr: n },
      });
      expect(finalText(owed(600_000_000))).toBe('reRegistered · Rp 600.000.000');
      expect(finalText(owed(0))).toBe('reRegistered');
      expect(finalText(null)).toBe('—');
      expect(endsDifferently({ recorded: owed(600_000_000), alternative: owed(0) })).toBe(true);
      expect(endsDifferently({ recorded: owed(0), alternative: owed(0) })).toBe(false);
      expect(
        endsDifferently({
          recorded: { state: 'blocked', substate: 'enforced' },
          alternative: { state: 'blocked', substate: 'temporarilyRestored' },
        }),
      ).toBe(true);
    });

    it('then with only some answers back, only their columns show', () => {
      expect(
        whatIfCountsTable({ 'kominfo-2022': answers['kominfo-2022'] }, a).columns.map((c) => c.key),
      ).toEqual(['state', 'recorded', 'kominfo-2022']);
      expect(whatIfCountsTable({}, a).rows).toEqual([]);
    });
  });
});
