import { startApiHarness, TEST_KEYS, type ApiHarness, harnessBackends } from '../testing/api-harness';

const auth = { authorization: `Bearer ${TEST_KEYS.analyst}` };
const wib = (local: string) => `${local}:00+07:00`;

// The same routes on the embedded default and on PostgreSQL (a database of its own).
const backends = harnessBackends('sanksi_series_e2e');

describe.each(backends)('the analysts’ series routes on %s', (_name, backend) => {
  let h: ApiHarness;
  let cleanup: () => Promise<void>;

  const get = (url: string) => h.app.inject({ method: 'GET', url, headers: auth });
  const ok = async (url: string) => {
    const res = await get(url);
    expect({ url, status: res.statusCode }).toEqual({ url, status: 200 });
    return res.json();
  };
  const command = (url: string, payload: object) => h.command(url, payload);

  // Given PayPal and Steam warned on 23 July 2022 and both blocked on 30 July under the literal MR5
  // policy, PayPal's block recorded that morning but Steam's only on 6 August at 14:00 WIB; PayPal
  // registers on 3 August (confirmed that day, which lifts its block).
  beforeAll(async () => {
    const b = await backend();
    cleanup = b.cleanup;
    h = await startApiHarness(
      { ...b.env, SANKSI_DEFAULT_POLICY: 'mr5-literal' },
      { now: '2022-07-18T02:00:00Z' },
    );
    for (const pseId of ['paypal', 'steam'])
      await command('/v1/cases', {
        pseId,
        name: pseId,
        origin: 'foreign',
        domains: [`${pseId}.com`, `www.${pseId}.com`],
        policy: 'mr5-literal',
      });
    h.clock.set('2022-07-23T03:00:00Z');
    for (const pseId of ['paypal', 'steam'])
      await command(`/v1/cases/${pseId}/warnings`, {
        letterNumber: `B-${pseId}/2022`,
        occurredAt: wib('2022-07-23T10:00'),
      });
    h.clock.set('2022-07-30T03:30:00Z');
    await command('/v1/cases/paypal/blocks', { orderNumber: 'ORD-1', occurredAt: wib('2022-07-30T10:00') });
    h.clock.set('2022-08-03T05:00:00Z');
    await command('/v1/cases/paypal/registrations', { channel: 'oss', occurredAt: wib('2022-08-03T09:00') });
    await command('/v1/cases/paypal/registrations/confirmation', {
      registrationNumber: '000123.01/DJAI.PSE/08/2022',
      occurredAt: wib('2022-08-03T11:00'),
    });
    h.clock.set('2022-08-06T07:00:00Z');
    await command('/v1/cases/steam/blocks', { orderNumber: 'ORD-2', occurredAt: wib('2022-07-30T10:05') });
    await h.project();
  });
  afterAll(async () => {
    await h?.close();
    await cleanup?.();
  });

  describe('GET /v1/stats/states/daily', () => {
    it('when asking 22 July to 7 August, then each date is the count of GET /v1/stats/states on that date', async () => {
      const series = await ok('/v1/stats/states/daily?from=2022-07-22&to=2022-08-07');
      expect(series).toMatchObject({ from: '2022-07-22', to: '2022-08-07', knownAt: null });
      expect(series.days).toHaveLength(17);
      for (const day of series.days) {
        const single = await ok(`/v1/stats/states?asOf=${day.date}`);
        expect({ date: day.date, counts: day.counts, total: day.total }).toEqual({
          date: day.date,
          counts: single.counts,
          total: single.total,
        });
      }
      const on = (date: string) => series.days.find((d: { date: string }) => d.date === date);
      expect(on('2022-07-22').counts).toMatchObject({ unregistered: 2 });
      expect(on('2022-07-29').counts).toMatchObject({ warned: 2 });
      expect(on('2022-07-30').counts).toMatchObject({ blocked: 2 });
      expect(on('2022-08-03').counts).toMatchObject({ blocked: 1, reRegistered: 1 });
    });

    it('when knownAt is 5 August, then Steam is still warned on 30 July; the bound is echoed (an instant in WIB)', async () => {
      const known5 = await ok('/v1/stats/states/daily?from=2022-07-30&to=2022-07-30&knownAt=2022-08-05');
      expect(known5).toMatchObject({ knownAt: '2022-08-05', days: [{ counts: { warned: 1, blocked: 1 } }] });
      const instant = await ok(
        `/v1/stats/states/daily?from=2022-07-30&to=2022-07-30&knownAt=${encodeURIComponent('2022-08-06T07:00:00Z')}`,
      );
      expect(instant).toMatchObject({
        knownAt: '2022-08-06T14:00:00+07:00',
        days: [{ counts: { blocked: 2 } }],
      });
    });
  });

  describe('GET /v1/stats/blocklist/daily', () => {
    it('when asking 29 July to 7 August, then the size follows the blocks and the registration, and ends at the list', async () => {
      const series = await ok('/v1/stats/blocklist/daily?from=2022-07-29&to=2022-08-07');
      const sizes = Object.fromEntries(
        series.days.map((d: { date: string; size: number }) => [d.date, d.size]),
      );
      expect(sizes).toMatchObject({ '2022-07-29': 0, '2022-07-30': 4, '2022-08-02': 4, '2022-08-03': 2 });
      expect(series.days[1]).toEqual({ date: '2022-07-30', size: 4, added: 4, removed: 0 });
      expect(series.days.find((d: { date: string }) => d.date === '2022-08-03')).toMatchObject({
        removed: 2,
      });
      const list = await ok('/v1/blocklist');
      expect(series.days[series.days.length - 1].size).toBe(list.entries.length);
    });

    it('when knownAt is 5 August, then only PayPal’s block was known on 30 July', async () => {
      const known5 = await ok('/v1/stats/blocklist/daily?from=2022-07-30&to=2022-07-30&knownAt=2022-08-05');
      expect(known5).toEqual({
        from: '2022-07-30',
        to: '2022-07-30',
        knownAt: '2022-08-05',
        days: [{ date: '2022-07-30', size: 2, added: 2, removed: 0 }],
      });
    });
  });

  it('GET /v1/stats/blocklist/latest-changes: when asking for 3, then the newest three lines, newest first, in WIB', async () => {
    const { changes } = await ok('/v1/stats/blocklist/latest-changes?limit=3');
    expect(changes).toHaveLength(3);
    expect(changes[0]).toMatchObject({ pseId: 'steam', action: 'add', at: '2022-07-30T10:05:00+07:00' });
    expect(changes[2]).toMatchObject({ pseId: 'paypal', action: 'remove', at: '2022-08-03T11:00:00+07:00' });
    const positions = changes.map((c: { position: number }) => c.position);
    expect([...positions].sort((a, b) => b - a)).toEqual(positions);
  });

  it('GET /v1/stats/warning-to-registration/days: then PayPal’s 11 days is the one bucket, Steam pending', async () => {
    expect(await ok('/v1/stats/warning-to-registration/days')).toEqual({
      registered: 1,
      pending: 1,
      medianDays: expect.any(Number),
      averageDays: expect.any(Number),
      buckets: [{ days: 11, cases: 1 }],
    });
  });

  it.each([
    ['/v1/stats/states/daily?from=2022-08-02&to=2022-08-01', 'query.from'],
    ['/v1/stats/states/daily?from=2022-08-01', 'query.to'],
    ['/v1/stats/states/daily?from=2012-01-01&to=2022-08-01', 'query.to'],
    ['/v1/stats/blocklist/daily?from=2022-02-30&to=2022-03-01', 'query.from'],
    ['/v1/stats/blocklist/daily?from=2022-08-01&to=2022-08-02&knownAt=yesterday', 'query.knownAt'],
    ['/v1/stats/blocklist/daily?from=2022-08-01&to=2022-08-02&asOf=2022-08-01', 'query'],
    ['/v1/stats/blocklist/latest-changes?limit=0', 'query.limit'],
    ['/v1/stats/blocklist/latest-changes?limit=201', 'query.limit'],
  ])('when asking %s, then 400 problem+json naming %s', async (url, field) => {
    const res = await get(url);
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json()).toMatchObject({ status: 400, invalidFields: [expect.objectContaining({ field })] });
  });

  it('when a service key asks for a series, then 403; without a key, 401', async () => {
    const url = '/v1/stats/states/daily?from=2022-07-30&to=2022-07-31';
    const service = await h.app.inject({
      method: 'GET',
      url,
      headers: { authorization: `Bearer ${TEST_KEYS.service}` },
    });
    expect(service.statusCode).toBe(403);
    expect((await h.app.inject({ method: 'GET', url })).statusCode).toBe(401);
  });
});
