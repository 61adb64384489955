import { startApiHarness, TEST_KEYS, type ApiHarness, harnessBackends } from '../testing/api-harness';

const wib = (local: string) => `${local}:00+07:00`;
const WARNING_DUE = '2022-07-29T23:59:59+07:00';

// The same route on the embedded default and on PostgreSQL (a database of its own).
const backends = harnessBackends('sanksi_what_if_e2e');

describe.each(backends)('GET /v1/what-if on %s', (_name, backend) => {
  let h: ApiHarness;
  let cleanup: () => Promise<void>;

  const get = (url: string, role: keyof typeof TEST_KEYS = 'analyst') =>
    h.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${TEST_KEYS[role]}` } });
  const whatIf = async (query: string) => {
    const res = await get(`/v1/what-if?${query}`);
    expect({ status: res.statusCode, problem: res.statusCode === 200 ? null : res.json() }).toEqual({
      status: 200,
      problem: null,
    });
    return res.json();
  };
  const command = (url: string, payload: object) => h.command(url, payload);

  // Given, under pp43-2023 (a lapsed warning waits for a fine, nothing automatic), two systems warned on
  // Saturday 23 July 2022 and nothing else recorded, and one system registered on 18 July.
  beforeAll(async () => {
    const b = await backend();
    cleanup = b.cleanup;
    h = await startApiHarness(
      { ...b.env, SANKSI_DEFAULT_POLICY: 'pp43-2023' },
      { now: '2022-07-18T02:00:00Z' },
    );
    for (const pseId of ['shop', 'kedai', 'bank'])
      await command('/v1/cases', {
        pseId,
        name: pseId,
        origin: 'domestic',
        domains: [`${pseId}.co.id`],
        policy: 'pp43-2023',
      });
    await command('/v1/cases/bank/registrations/confirmation', {
      registrationNumber: '000001.01/DJAI.PSE/07/2022',
      occurredAt: wib('2022-07-18T09:00'),
    });
    h.clock.set('2022-07-23T03:00:00Z');
    for (const pseId of ['shop', 'kedai'])
      await command(`/v1/cases/${pseId}/warnings`, {
        letterNumber: `B-${pseId}/2022`,
        occurredAt: wib('2022-07-23T10:00'),
      });
  });
  afterAll(async () => {
    await h?.close();
    await cleanup?.();
  });

  it('when asked under kominfo-2022 until 1 August, then the lapsed warnings end blocked there and warned as recorded', async () => {
    const body = await whatIf('policy=kominfo-2022&until=2022-08-01');
    expect(body).toMatchObject({
      policy: 'kominfo-2022',
      until: '2022-08-01T23:59:59+07:00',
      cases: 3,
      differing: 2,
      counts: {
        recorded: { registered: 1, warned: 2, blocked: 0 },
        alternative: { registered: 1, warned: 0, blocked: 2 },
      },
    });
    expect(body.reports.map((r: { pseId: string }) => r.pseId)).toEqual(['shop', 'kedai']);
    const [shop] = body.reports;
    // The recorded history stops at the warning (index 1); kominfo-2022 elapses the warning at its due
    // instant and blocks automatically at that same instant (docs/regulation.md §9.5).
    expect(shop.divergence).toEqual({
      index: 2,
      recorded: null,
      alternative: { type: 'DeadlineElapsed', occurredAt: WARNING_DUE, state: 'warned' },
    });
    expect(shop.generated).toEqual([
      { type: 'DeadlineElapsed', occurredAt: WARNING_DUE, state: 'warned' },
      { type: 'AccessBlocked', occurredAt: WARNING_DUE, state: 'blocked.enforced' },
    ]);
    expect(shop.final.recorded).toMatchObject({ state: 'warned', onBlocklist: false });
    expect(shop.final.alternative).toMatchObject({
      state: 'blocked',
      substate: 'enforced',
      onBlocklist: true,
    });
  });

  it('when asked until before the warnings are due, then nothing differs', async () => {
    expect(await whatIf('policy=kominfo-2022&until=2022-07-29T23:59:58%2B07:00')).toEqual({
      policy: 'kominfo-2022',
      until: '2022-07-29T23:59:58+07:00',
      cases: 3,
      differing: 0,
      counts: { recorded: { registered: 1, warned: 2 }, alternative: { registered: 1, warned: 2 } },
      reports: [],
    });
  });

  it('when asked with a limit, one case or no until, then the counts still cover the population and until defaults to now (WIB)', async () => {
    const limited = await whatIf('policy=kominfo-2022&until=2022-08-01&limit=1');
    expect(limited).toMatchObject({ cases: 3, differing: 2 });
    expect(limited.reports.map((r: { pseId: string }) => r.pseId)).toEqual(['shop']);
    const bank = await whatIf('policy=kominfo-2022&until=2022-08-01&case=bank');
    expect(bank).toMatchObject({
      cases: 1,
      differing: 0,
      counts: { recorded: { registered: 1 }, alternative: { registered: 1 } },
    });
    expect(bank.reports).toHaveLength(1);
    expect(bank.reports[0]).toMatchObject({ pseId: 'bank', differs: false, divergence: null });
    h.clock.set('2022-08-10T00:00:00Z');
    const now = await whatIf('policy=kominfo-2022');
    expect(now).toMatchObject({ until: '2022-08-10T07:00:00+07:00', cases: 3, differing: 2 });
    const missing = await get('/v1/what-if?policy=kominfo-2022&case=nowhere');
    expect(missing.statusCode).toBe(404);
  });

  it('given bad parameters, then 400 problem+json naming each field and what it accepts', async () => {
    const problem = async (query: string) => {
      const res = await get(`/v1/what-if?${query}`);
      expect(res.statusCode).toBe(400);
      expect(res.headers['content-type']).toContain('application/problem+json');
      return res.json().invalidFields as Array<{ field: string; message: string }>;
    };
    const policy = await problem('policy=mr6');
    expect(policy.map((f) => f.field)).toEqual(['query.policy']);
    for (const id of ['mr5-literal', 'kominfo-2022', 'pp43-2023']) expect(policy[0].message).toContain(id);
    expect((await problem('')).map((f) => f.field)).toEqual(['query.policy']);
    const until = await problem('policy=pp43-2023&until=yesterday');
    expect(until).toEqual([
      {
        field: 'query.until',
        message:
          'must be an ISO-8601 instant with offset (2022-08-01T12:00:00+07:00) or a date (2022-08-01: the end of that day in WIB)',
      },
    ]);
    expect(await problem('policy=pp43-2023&until=2022-08-01T12:00:00')).toEqual([
      expect.objectContaining({ field: 'query.until' }),
    ]);
    for (const limit of ['0', '1001', 'many', '2.5']) {
      expect(await problem(`policy=pp43-2023&limit=${limit}`)).toEqual([
        { field: 'query.limit', message: 'must be a whole number from 1 to 1000' },
      ]);
    }
    expect((await problem('policy=pp43-2023&case=%20bad')).map((f) => f.field)).toEqual(['query.case']);
    expect((await problem('policy=pp43-2023&asOf=2022-08-01'))[0].message).toContain('asOf');
  });

  it('given a service key, then 403: what-if is for analysts', async () => {
    expect((await get('/v1/what-if?policy=pp43-2023', 'service')).statusCode).toBe(403);
  });
});
