import { runCli, tempDir } from './cli-process.fixture';

jest.setTimeout(300_000);

describe('sanksi import of the real registry data (apps/cli/assets)', () => {
  const { dir, cleanup } = tempDir('real');
  afterAll(() => cleanup());

  const statesOn = (args: string[]) => {
    const run = runCli(['stats', 'states', '--json', ...args], { SANKSI_DATA_DIR: dir });
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    return JSON.parse(run.stdout) as {
      asOf: string;
      knownAt: string | null;
      counts: Record<string, number>;
      total: number;
    };
  };
  const nonZero = (counts: Record<string, number>) =>
    Object.fromEntries(Object.entries(counts).filter(([, n]) => n > 0));

  it('given the shipped snapshot and changes, when imported twice and verified, then the second run appends nothing', () => {
    const first = runCli(['import', '--json'], { SANKSI_DATA_DIR: dir });
    expect(first.code).toBe(0);
    const report = JSON.parse(first.stdout);
    // The plan's own counts decide what must have been created: every planned system became a case.
    expect(report.systems).toBe(report.planStats.systemsImported);
    expect(report.casesCreated).toBe(report.systems);
    expect(report.systems).toBeGreaterThan(10_000);
    expect(report.rejectedRows.total).toBe(report.planStats.rowsRejected);
    expect(report.rejectedRows.byReason).toEqual({ bogus: 1, 'bad-registration-number': 1, disappeared: 16 });
    expect(report.planStats.systemsWithoutDomain).toBe(1_814);
    expect(report.projected.applied).toBe(report.eventsAppended);
    const states = report.finalStates as Record<string, number>;
    expect(Object.values(states).reduce((a, b) => a + b, 0)).toBe(report.systems);
    // The same final states and commands as before business time decided (commit 10519d3). Three
    // suspensions (reg-9165, reg-9166, reg-9595) were lifted months after their 7-day response period:
    // each lifting now first elapses that period at its due instant, in its own append (docs/regulation.md
    // §9.5), hence 3 events more than commands; the cases end registered all the same.
    expect(states).toEqual({ registered: 10_154, suspended: 35 });
    expect(report).toMatchObject({ commandsApplied: 20_419, eventsAppended: 20_419 + 3 });
    // Ten revocations the registry shows without a suspension on record (docs/regulation.md §13.9).
    expect(report.refusedByDomain.byReason).toEqual({ 'RevokeRegistration refused in registered': 10 });

    const again = JSON.parse(runCli(['import', '--json'], { SANKSI_DATA_DIR: dir }).stdout);
    expect(again).toMatchObject({ casesCreated: 0, commandsApplied: 0, eventsAppended: 0 });
    expect(again.casesAlreadyPresent).toBe(report.systems);
    expect(again.commandsAlreadyApplied).toBe(report.commandsApplied);

    const verified = runCli(['verify', '--json'], { SANKSI_DATA_DIR: dir });
    expect(verified.code).toBe(0);
    expect(JSON.parse(verified.stdout)).toMatchObject({ ok: true, cases: report.systems });

    // After the whole crawl history, the population is what the import reported.
    expect(statesOn(['--as-of', '2022-12-31'])).toMatchObject({ knownAt: null, total: report.systems });
    expect(nonZero(statesOn(['--as-of', '2022-12-31']).counts)).toEqual(states);
  });

  // The crawls ran on 17–19 July 2022, then not until 30–31 July. Expected numbers were computed from
  // the imported event log alone (every event's occurredAt, recordedAt and recorded state; per case the
  // last event by revision within both bounds), once in Python and once in plain SQL over events.db.
  it('given the import, when counting states in the crawl gap as known then, then the registrations learnt from the 30–31 July crawls are missing', () => {
    const knownThen = statesOn(['--as-of', '2022-07-25', '--known-at', '2022-07-25']);
    const knownNow = statesOn(['--as-of', '2022-07-25']);
    expect(knownThen).toMatchObject({ asOf: '2022-07-25', knownAt: '2022-07-25', total: 5938 });
    expect(nonZero(knownThen.counts)).toEqual({ registered: 5938 });
    expect(knownNow).toMatchObject({ knownAt: null, total: 7392 });
    expect(nonZero(knownNow.counts)).toEqual({ registered: 7392 });
    expect(knownThen.counts.registered).toBeLessThan(knownNow.counts.registered);

    // The 31 July crawl also showed the first suspensions: unknown the day before.
    const beforeCrawl = statesOn(['--as-of', '2022-07-31', '--known-at', '2022-07-30']);
    const afterCrawl = statesOn(['--as-of', '2022-07-31']);
    expect(nonZero(beforeCrawl.counts)).toEqual({ registered: 5938 });
    expect(nonZero(afterCrawl.counts)).toEqual({ registered: 7761, suspended: 19 });
    // Known after the last crawl (29 November) is everything recorded: the timeline's answer equals
    // the daily counts' answer.
    expect(statesOn(['--as-of', '2022-07-31', '--known-at', '2022-11-30']).counts).toEqual(afterCrawl.counts);
  });

  it('given the import, when asking what-if under mr5-literal until the end of 2022, then every lapsed suspension ends revoked', () => {
    const run = runCli(
      ['what-if', '--policy', 'mr5-literal', '--until', '2022-12-31', '--limit', '0', '--json'],
      {
        SANKSI_DATA_DIR: dir,
      },
    );
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    // The literal reading revokes a suspension by itself once its response period lapses (docs/regulation.md
    // §13.7): the 35 suspensions still standing, and the 3 answered only after their period, end revoked.
    expect(JSON.parse(run.stdout)).toEqual({
      policy: 'mr5-literal',
      until: '2022-12-31T23:59:59+07:00',
      cases: 10_189,
      differing: 38,
      counts: {
        recorded: { registered: 10_154, suspended: 35, revoked: 0 },
        alternative: { registered: 10_151, suspended: 0, revoked: 38 },
      },
      reports: [],
    });
  });
});
