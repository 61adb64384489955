import { startApiHarness, TEST_KEYS, type ApiHarness } from '../testing/api-harness';

/** The value of one series in a Prometheus exposition (0 when the series is absent). */
function valueOf(body: string, series: string): number {
  const line = body.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
}

describe('GET /metrics of the API (prom-client, one registry per process)', () => {
  let h: ApiHarness;
  const scrape = async (): Promise<string> => {
    const res = await h.app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/plain');
    return res.body;
  };
  const post = (url: string, body: object, key = TEST_KEYS.operator, idempotencyKey?: string) =>
    h.app.inject({
      method: 'POST',
      url,
      headers: {
        authorization: `Bearer ${key}`,
        ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}),
      },
      payload: body,
    });
  const OPEN = { pseId: 'metrics-1', name: 'Metrics One', origin: 'foreign', domains: ['metrics-1.com'] };

  beforeEach(async () => {
    h = await startApiHarness();
  });
  afterEach(async () => {
    await h.close();
  });

  it('given a command applied, then a duplicate, then a refusal, then the command counters move by outcome and code', async () => {
    // given
    const before = await scrape();
    const applied = 'sanksi_commands_total{command="IdentifyPse",outcome="applied",code="none"}';
    const duplicate = 'sanksi_commands_total{command="IdentifyPse",outcome="duplicate",code="none"}';
    const refused =
      'sanksi_commands_total{command="IdentifyPse",outcome="refused",code="CASE_ALREADY_EXISTS"}';
    const appends = 'sanksi_event_store_append_duration_seconds_count';
    // when the case is opened, the same request is sent again, and the case is opened anew
    expect((await post('/v1/cases', OPEN, TEST_KEYS.operator, 'key-metrics-1')).statusCode).toBe(201);
    // (a replay answers the first outcome with 200)
    expect((await post('/v1/cases', OPEN, TEST_KEYS.operator, 'key-metrics-1')).statusCode).toBe(200);
    expect((await post('/v1/cases', OPEN)).statusCode).toBe(409);
    // then
    const after = await scrape();
    expect(valueOf(after, applied) - valueOf(before, applied)).toBe(1);
    expect(valueOf(after, duplicate) - valueOf(before, duplicate)).toBe(1);
    expect(valueOf(after, refused) - valueOf(before, refused)).toBe(1);
    expect(valueOf(after, appends)).toBeGreaterThan(valueOf(before, appends));
  });

  it('given requests to a case route and to unknown paths, then they are counted by route template, never by raw URL', async () => {
    // when
    await post('/v1/cases', OPEN);
    await h.project();
    for (const id of ['metrics-1', 'nope-1', 'nope-2']) {
      await h.app.inject({
        method: 'GET',
        url: `/v1/cases/${id}`,
        headers: { authorization: `Bearer ${TEST_KEYS.analyst}` },
      });
    }
    await h.app.inject({ method: 'GET', url: '/wp-admin/setup.php' });
    await h.app.inject({ method: 'GET', url: '/no/such/path' });
    // then
    const body = await scrape();
    expect(
      valueOf(body, 'sanksi_http_requests_total{method="GET",route="/v1/cases/:pseId",status="200"}'),
    ).toBe(1);
    expect(
      valueOf(body, 'sanksi_http_requests_total{method="GET",route="/v1/cases/:pseId",status="404"}'),
    ).toBe(2);
    expect(valueOf(body, 'sanksi_http_requests_total{method="GET",route="unmatched",status="404"}')).toBe(2);
    expect(
      valueOf(
        body,
        'sanksi_http_request_duration_seconds_count{method="POST",route="/v1/cases",status="201"}',
      ),
    ).toBe(1);
    expect(body).not.toContain('nope-1');
    expect(body).not.toContain('wp-admin');
  });

  it('given events projected, then the projection batch latency and the head position move; default process metrics are there', async () => {
    await post('/v1/cases', OPEN);
    await h.project();
    const body = await scrape();
    expect(valueOf(body, 'sanksi_projection_batch_duration_seconds_count')).toBeGreaterThanOrEqual(1);
    expect(valueOf(body, 'sanksi_projected_events_total')).toBeGreaterThanOrEqual(1);
    expect(valueOf(body, 'sanksi_event_store_head_position')).toBe(1);
    expect(body).toContain('process_cpu_user_seconds_total');
    expect(body).toContain('nodejs_eventloop_lag_seconds');
  });
});
