import {
  addFigures,
  formatTable,
  perSecond,
  rateRatio,
  shortfalls,
  type ComparisonLine,
  type SideFigure,
} from './result-table';

const figure = (events: number, seconds: number, errors = 0, firstError?: string): SideFigure => ({
  events,
  seconds,
  errors,
  firstError,
});

const line = (over: Partial<ComparisonLine> = {}): ComparisonLine => ({
  backend: 'SQLite FULL',
  scenario: 'append 8 writers',
  sanksi: figure(3000, 1),
  emmett: figure(1000, 1),
  sanksiRaw: figure(2000, 1),
  emmettRaw: figure(4000, 2),
  ...over,
});

describe('emmett bench result table', () => {
  it('given events and seconds, then events per second; given nothing done, then 0 and no ratio', () => {
    expect(perSecond(figure(500, 2))).toBe(250);
    expect(perSecond(figure(0, 0))).toBe(0);
    expect(rateRatio(figure(300, 1), figure(100, 1))).toBe(3);
    expect(rateRatio(figure(300, 1), figure(0, 1))).toBeNull();
  });

  it('given slices, then events, seconds and errors add up and the first error is kept', () => {
    expect(addFigures([figure(10, 1), figure(20, 2, 1, 'busy'), figure(5, 1, 2, 'later')])).toEqual(
      figure(35, 4, 3, 'busy'),
    );
  });

  it('given a line, then one Markdown row with both rates, Sanksi/Emmett, each side over its raw limit and the errors', () => {
    const [header, rule, row] = formatTable([line({ emmett: figure(1000, 1, 7, 'SQLITE_BUSY') })]);

    expect(header).toMatch(/^\| backend +\| scenario +\| +Sanksi \| +Emmett \| Sanksi\/Emmett \|/);
    expect(rule).toMatch(/^\| -+ \| -+ \| -+: \|/);
    expect(row.split('|').map((c) => c.trim())).toEqual([
      '',
      'SQLite FULL',
      'append 8 writers',
      '3,000/s',
      '1,000/s',
      '3.00×',
      '1.50 of 2,000/s',
      '0.50 of 2,000/s',
      '0 / 7',
      '',
    ]);
  });

  it('given a side that completed nothing, then its ratio reads n/a, not Infinity', () => {
    const [, , row] = formatTable([line({ emmett: figure(0, 1, 8, 'SQLITE_BUSY') })]);

    expect(row).toContain('n/a×');
    expect(row).not.toContain('Infinity');
  });

  it('given lines under 3× or with failures, then each is named with its figure and first error', () => {
    const lines = [
      line(),
      line({ scenario: 'append 1 writer', sanksi: figure(1710, 1) }),
      line({ scenario: 'append + projection', emmett: figure(0, 1, 8, 'SQLITE_BUSY: database is locked') }),
    ];

    expect(shortfalls(lines)).toEqual([
      'SQLite FULL, append 1 writer: 1.71× Emmett (goal 3×)',
      'SQLite FULL, append + projection: Emmett failed 8 call(s): SQLITE_BUSY: database is locked',
    ]);
  });
});
