import { writeFileSync } from 'node:fs';
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
    // the traffic relay beside it: no traffic fact in the log, so nothing for it to publish
    expect(status.traffic).toEqual({
      relay: 'kafka-relay:sanksi.traffic-observations.v1',
      topic: 'sanksi.traffic-observations.v1',
      category: 'traffic',
      position: 0,
      head: status.head,
      lag: 0,
    });
    expect(human.stdout).toContain('kafka-relay:sanksi.traffic-observations.v1');
  });

  it('given traffic facts after the case events, then both relays lag, each by the log after its checkpoint', () => {
    const env = { SANKSI_DATA_DIR: dir };
    const file = `${dir}/july.csv`;
    writeFileSync(file, 'domain,visits\nbigshop.example,900000\n');
    expect(runCli(['traffic', 'import', file, '--source', 'sw', '--period', '2022-07'], env).code).toBe(0);
    const status = JSON.parse(runCli(['relay', 'status', '--json'], env).stdout);
    expect(status.lag).toBe(status.head);
    expect(status.traffic).toMatchObject({ position: 0, lag: status.head });
  });

  it('given SANKSI_CASE_EVENTS_TOPIC, then the case-event relay is the one publishing to that topic', () => {
    const env = {
      SANKSI_DATA_DIR: dir,
      KAFKA_BROKERS: '127.0.0.1:9',
      SANKSI_CASE_EVENTS_TOPIC: 'moe.case-events.v1',
    };
    const status = JSON.parse(runCli(['relay', 'status', '--json'], env).stdout);
    expect(status).toMatchObject({
      relay: 'kafka-relay:moe.case-events.v1',
      topic: 'moe.case-events.v1',
      position: 0,
    });
    expect(status.lag).toBe(status.head);
  });
});
