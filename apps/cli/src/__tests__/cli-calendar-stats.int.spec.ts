import { calendarSpan } from '@sanksi/domain';
import { runCli, tempDir } from './cli-process.fixture';

jest.setTimeout(180_000);

describe('sanksi calendar check', () => {
  // Dates follow the table, so adding a year moves them: one well ahead, one within the last year.
  const { knownThrough, nextYear } = calendarSpan();
  const lastYear = nextYear - 1;

  it('given a day more than 12 months before the horizon, then exit 0 and the horizon', () => {
    const run = runCli(['calendar', 'check', '--today', `${lastYear - 1}-12-02`], {});
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`the Indonesian working-day calendar is known through ${knownThrough}`);
    expect(run.stdout).toMatch(new RegExp(`^${lastYear}\\s+\\d+\\s+\\d+\\s+`, 'm'));
  });

  it('given a day within 12 months of it, then exit 1 and the yearly procedure', () => {
    const run = runCli(['calendar', 'check', '--today', `${lastYear}-06-01`], {});
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      `WARNING: the Indonesian working-day calendar is known only through ${knownThrough}`,
    );
    expect(run.stdout).toContain(`add the ${nextYear} holidays (docs/calendar.md §Adding a year)`);
    const json = runCli(['calendar', 'check', '--today', `${lastYear}-06-01`, '--json'], {});
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({
      today: `${lastYear}-06-01`,
      knownThrough,
      nextYear,
      warningMonths: 12,
      warn: true,
      years: expect.arrayContaining([expect.objectContaining({ year: lastYear })]),
    });
    expect(runCli(['calendar', 'check', '--today', `${lastYear}-06-01`, '--months', '6'], {}).code).toBe(0);
  });

  it('given a bad --today or --months, then exit 2 naming the option', () => {
    const bad = runCli(['calendar', 'check', '--today', `${lastYear}-13-01`], {});
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--today');
    expect(runCli(['calendar', 'check', '--months', 'soon'], {}).code).toBe(2);
  });
});

describe('sanksi stats lists, page by page', () => {
  const data = tempDir('stats-pages');
  const env = { SANKSI_DATA_DIR: data.dir };
  afterAll(() => data.cleanup());
  beforeAll(() => {
    // The stories alone (`--until` before them): the deadlines they leave stay running, a page's worth and more.
    expect(
      runCli(['simulate', '--systems', '40', '--seed', '3', '--until', '2022-01-01', '--json'], env).code,
    ).toBe(0);
  });

  /** Every row of a list command, following `nextCursor` from the first page. */
  const everyPage = (args: string[], rows: string): { items: unknown[]; pages: number } => {
    const items: unknown[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const run = runCli([...args, '--limit', '2', '--json', ...(cursor ? ['--cursor', cursor] : [])], env);
      expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
      const page = JSON.parse(run.stdout) as Record<string, unknown> & { nextCursor: string | null };
      items.push(...(page[rows] as unknown[]));
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor !== null && pages < 50);
    return { items, pages };
  };
  const whole = (args: string[], rows: string): unknown[] => {
    const run = runCli([...args, '--limit', '500', '--json'], env);
    expect(run.code).toBe(0);
    const page = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(page['nextCursor']).toBeNull();
    return page[rows] as unknown[];
  };

  it.each([
    ['deadlines', ['stats', 'deadlines', '--before', '2035-01-01'], 'deadlines'],
    ['escalation-queue', ['stats', 'escalation-queue'], 'entries'],
    ['warning-to-registration', ['stats', 'warning-to-registration'], 'cases'],
  ])('given more %s than one page, then the pages give every row exactly once', (_name, args, rows) => {
    const all = whole(args, rows);
    expect(all.length).toBeGreaterThan(2);
    const paged = everyPage(args, rows);
    expect(paged.items).toEqual(all);
    expect(paged.pages).toBe(Math.ceil(all.length / 2));
  });

  it('given a page for people, then the command for the next page is printed', () => {
    const run = runCli(['stats', 'escalation-queue', '--limit', '1'], env);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^More: sanksi stats escalation-queue --cursor \S+$/m);
    expect(runCli(['stats', 'deadlines', '--limit', '501'], env).code).toBe(2);
    const garbage = runCli(['stats', 'escalation-queue', '--cursor', 'garbage'], env);
    expect(garbage.code).toBe(2);
    expect(garbage.stderr).toContain('--cursor: invalid cursor: not a cursor this query returned');
  });
});
