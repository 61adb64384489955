import { startApiHarness, TEST_KEYS, type ApiHarness, harnessBackends } from '../testing/api-harness';

const auth = { authorization: `Bearer ${TEST_KEYS.analyst}` };
const wib = (local: string) => `${local}:00+07:00`;
const noCases = {
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

// The same route on the embedded default and on PostgreSQL (a database of its own).
const backends = harnessBackends('sanksi_stats_e2e');

describe.each(backends)('GET /v1/stats/states?asOf=&knownAt= on %s', (_name, backend) => {
  let h: ApiHarness;
  let cleanup: () => Promise<void>;

  const get = (url: string) => h.app.inject({ method: 'GET', url, headers: auth });
  const states = async (query: string) => {
    const res = await get(`/v1/stats/states?${query}`);
    expect(res.statusCode).toBe(200);
    return res.json();
  };
  const command = (url: string, payload: object) => h.command(url, payload);

  // Given PayPal and Steam warned on 23 July 2022 and both blocked on 30 July (after the response
  // period, under the literal MR5 policy: no automatic escalation), where PayPal's block was recorded
  // that morning but Steam's only on 6 August at 14:00 WIB.
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
        domains: [`${pseId}.com`],
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
    h.clock.set('2022-08-06T07:00:00Z');
    await command('/v1/cases/steam/blocks', { orderNumber: 'ORD-2', occurredAt: wib('2022-07-30T10:05') });
    await h.project();
  });
  afterAll(async () => {
    await h?.close();
    await cleanup?.();
  });

  it('when asking 1 August as known at 5 August, then Steam is still warned; as known at 7 August, blocked', async () => {
    expect(await states('asOf=2022-08-01&knownAt=2022-08-05')).toEqual({
      asOf: '2022-08-01',
      knownAt: '2022-08-05',
      counts: { ...noCases, warned: 1, blocked: 1 },
      total: 2,
    });
    expect(await states('asOf=2022-08-01&knownAt=2022-08-07')).toEqual({
      asOf: '2022-08-01',
      knownAt: '2022-08-07',
      counts: { ...noCases, blocked: 2 },
      total: 2,
    });
  });

  it('when knownAt is left out, then everything recorded counts and knownAt is echoed as null', async () => {
    expect(await states('asOf=2022-08-01')).toEqual({
      asOf: '2022-08-01',
      knownAt: null,
      counts: { ...noCases, blocked: 2 },
      total: 2,
    });
  });

  it('when the bounds are instants, then they are exact and echoed in WIB', async () => {
    const justBefore = await states(
      `knownAt=${encodeURIComponent('2022-08-06T13:59:59+07:00')}&asOf=2022-08-01`,
    );
    expect(justBefore.counts).toMatchObject({ warned: 1, blocked: 1 });
    const atRecord = await states(`asOf=2022-08-01&knownAt=${encodeURIComponent('2022-08-06T07:00:00Z')}`);
    expect(atRecord).toMatchObject({ knownAt: '2022-08-06T14:00:00+07:00', counts: { blocked: 2 } });
    const between = await states(`asOf=${encodeURIComponent('2022-07-30T10:02:00+07:00')}`);
    expect(between).toMatchObject({
      asOf: '2022-07-30T10:02:00+07:00',
      knownAt: null,
      counts: { warned: 1, blocked: 1 },
    });
  });

  it('when knownAt lies before asOf, then only what was recorded by then counts', async () => {
    expect((await states('asOf=2022-08-01&knownAt=2022-07-20')).counts).toEqual({
      ...noCases,
      unregistered: 2,
    });
    expect((await states('asOf=2022-08-01&knownAt=2022-07-17')).total).toBe(0);
  });

  it('when asOf is left out, then it is today in WIB', async () => {
    h.clock.set('2022-08-06T18:00:00Z');
    expect(await states('knownAt=2022-08-05')).toMatchObject({
      asOf: '2022-08-07',
      knownAt: '2022-08-05',
      counts: { warned: 1, blocked: 1 },
    });
  });

  it.each([
    ['asOf=2022-13-01', 'query.asOf'],
    ['asOf=yesterday', 'query.asOf'],
    ['asOf=2022-08-01&knownAt=2022-08-05T10:00:00', 'query.knownAt'],
    ['asOf=2022-08-01&knownAt=5%20Aug%202022', 'query.knownAt'],
    ['knownAt=2022-02-30', 'query.knownAt'],
    ['asOf=2022-08-01&known=2022-08-05', 'query'],
  ])('when the query is %s, then 400 problem+json naming %s', async (query, field) => {
    const res = await get(`/v1/stats/states?${query}`);
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json()).toMatchObject({ status: 400, invalidFields: [expect.objectContaining({ field })] });
  });
});
