import { runCli, tempDir, writeRegistryFixture } from './cli-process.fixture';

jest.setTimeout(120_000);

describe('sanksi relay status', () => {
  const { dir, cleanup } = tempDir('relay');
  afterAll(() => cleanup());

  it('given an imported log and no relay run yet, then the relay is at 0 and lags by the whole log', () => {
    const env = { SANKSI_DATA_DIR: dir };
    const files = writeRegistryFixture(dir);
    expect(
      runCli(['import', '--snapshot', files.snapshot, '--changes', files.changes, '--json'], env).code,
    ).toBe(0);
    const run = runCli(['relay', 'status', '--json'], env);
    expect(run.code).toBe(0);
    const status = JSON.parse(run.stdout);
    expect(status).toMatchObject({ topic: 'sanksi.case-events.v1', position: 0 });
    expect(status.head).toBeGreaterThan(0);
    expect(status.lag).toBe(status.head);
    const human = runCli(['relay', 'status'], env);
    expect(human.stdout).toContain('kafka-relay:sanksi.case-events.v1');
  });
});
