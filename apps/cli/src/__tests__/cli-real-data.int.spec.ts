import { runCli, tempDir } from './cli-process.fixture';

jest.setTimeout(300_000);

describe('sanksi import of the real registry data (apps/cli/assets)', () => {
  const { dir, cleanup } = tempDir('real');
  afterAll(() => cleanup());

  it('given the shipped snapshot and changes, when imported twice and verified, then the second run appends nothing', () => {
    const first = runCli(['import', '--json'], { SANKSI_DATA_DIR: dir });
    expect(first.code).toBe(0);
    const report = JSON.parse(first.stdout);
    // The plan's own counts decide what must have been created: every planned system became a case.
    expect(report.systems).toBe(report.planStats.systemsImported);
    expect(report.casesCreated).toBe(report.systems);
    expect(report.systems).toBeGreaterThan(10_000);
    expect(report.rejectedRows.total).toBe(report.planStats.rowsRejected);
    expect(report.rejectedRows.byReason['no-domain']).toBeGreaterThan(0);
    expect(report.projected.applied).toBe(report.eventsAppended);
    const states = report.finalStates as Record<string, number>;
    expect(Object.values(states).reduce((a, b) => a + b, 0)).toBe(report.systems);
    expect(states.registered).toBeGreaterThan(10_000);

    const again = JSON.parse(runCli(['import', '--json'], { SANKSI_DATA_DIR: dir }).stdout);
    expect(again).toMatchObject({ casesCreated: 0, commandsApplied: 0, eventsAppended: 0 });
    expect(again.casesAlreadyPresent).toBe(report.systems);
    expect(again.commandsAlreadyApplied).toBe(report.commandsApplied);

    const verified = runCli(['verify', '--json'], { SANKSI_DATA_DIR: dir });
    expect(verified.code).toBe(0);
    expect(JSON.parse(verified.stdout)).toMatchObject({ ok: true, cases: report.systems });
  });
});
