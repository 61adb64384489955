import { SanksiMetrics, type ObservedLoop } from './sanksi-metrics';

const loop = (over: Partial<ObservedLoop>): ObservedLoop => ({
  name: 'projector',
  position: 0,
  eventsPerSecond: 0,
  healthy: true,
  state: 'running',
  restarts: 0,
  lag: null,
  lastError: null,
  ...over,
});

const valueOf = (body: string, series: string): number | undefined => {
  const line = body.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
};

describe('SanksiMetrics', () => {
  it('given loops of this process, when scraped, then head, lag, running and restarts come from their statuses', async () => {
    // given a log at 40 and three loops
    const metrics = new SanksiMetrics(async () => 40, { defaultMetrics: false });
    metrics.observeLoops({
      statuses: async () => [
        loop({ name: 'projector', position: 35, lag: 5, restarts: 2 }),
        loop({ name: 'scheduler', position: 30, state: 'restarting', healthy: false }),
        loop({ name: 'oss-consumer', position: 7, lastError: { code: 'X', at: '2026-01-01T00:00:00Z' } }),
      ],
    });
    // when scraped
    const { body, contentType } = await metrics.exposition();
    // then
    expect(contentType).toContain('text/plain');
    expect(valueOf(body, 'sanksi_event_store_head_position')).toBe(40);
    expect(valueOf(body, 'sanksi_worker_lag{worker="projector"}')).toBe(5);
    expect(valueOf(body, 'sanksi_worker_lag{worker="scheduler"}')).toBe(10);
    expect(valueOf(body, 'sanksi_worker_lag{worker="oss-consumer"}')).toBeUndefined();
    expect(valueOf(body, 'sanksi_worker_running{worker="scheduler"}')).toBe(0);
    expect(valueOf(body, 'sanksi_worker_up{worker="projector"}')).toBe(1);
    expect(valueOf(body, 'sanksi_worker_restarts_total{worker="projector"}')).toBe(2);
    expect(valueOf(body, 'sanksi_worker_restarts_total{worker="scheduler"}')).toBe(0);
    expect(valueOf(body, 'sanksi_worker_last_error_timestamp_seconds{worker="oss-consumer"}')).toBe(
      Date.parse('2026-01-01T00:00:00Z') / 1000,
    );
  });

  it('given requests and commands, then they are counted by route template, outcome and code, with bounded labels', async () => {
    const metrics = new SanksiMetrics(async () => 0, { defaultMetrics: false });
    // when
    metrics.httpAnswered('POST', '/v1/cases/:pseId/warnings', 201, 0.01);
    metrics.httpAnswered('BREW', undefined, 404, 0.001);
    metrics.commandSettled('IssueWarning', 'applied');
    metrics.commandSettled('IssueWarning', 'refused', 'TRANSITION_REFUSED');
    metrics.commandSettled('IssueWarning', 'failed', 'a code with spaces');
    metrics.ossSettled('dead-letter', 'unknown-case');
    // then
    const { body } = await metrics.exposition();
    expect(
      valueOf(
        body,
        'sanksi_http_requests_total{method="POST",route="/v1/cases/:pseId/warnings",status="201"}',
      ),
    ).toBe(1);
    expect(valueOf(body, 'sanksi_http_requests_total{method="OTHER",route="unmatched",status="404"}')).toBe(
      1,
    );
    expect(
      valueOf(
        body,
        'sanksi_commands_total{command="IssueWarning",outcome="refused",code="TRANSITION_REFUSED"}',
      ),
    ).toBe(1);
    expect(valueOf(body, 'sanksi_commands_total{command="IssueWarning",outcome="applied",code="none"}')).toBe(
      1,
    );
    expect(valueOf(body, 'sanksi_commands_total{command="IssueWarning",outcome="failed",code="OTHER"}')).toBe(
      1,
    );
    expect(valueOf(body, 'sanksi_oss_dead_letters_total{reason="unknown-case"}')).toBe(1);
  });

  it('given two processes in one test, then each has its own registry with the default process metrics', async () => {
    const a = new SanksiMetrics(async () => 0);
    const b = new SanksiMetrics(async () => 0);
    a.commandSettled('IdentifyPse', 'applied');
    expect((await a.exposition()).body).toContain('process_cpu_user_seconds_total');
    expect((await b.exposition()).body).not.toContain('sanksi_commands_total{');
  });
});
