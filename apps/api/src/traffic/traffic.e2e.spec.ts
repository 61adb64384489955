import { type ApiHarness, startApiHarness, TEST_KEYS } from '../testing/api-harness';

jest.setTimeout(60_000);

const CSV = [
  'domain,period,visits,rank,source',
  'bigshop.example,2022-07,900000,1,sw',
  'https://www.NewsSite.example/,2022-07,500000,2,sw',
  'paypal.com,2022-07,800000,3,sw',
  'tiny.example,2022-07,10,,sw',
  'not a domain,2022-07,5,,sw',
  'bigshop.example,2022-13,5,,sw',
].join('\n');

describe('traffic over HTTP', () => {
  let h: ApiHarness;
  const call = (method: 'GET' | 'POST', url: string, key: string, payload?: unknown, contentType?: string) =>
    h.app.inject({
      method,
      url,
      headers: {
        authorization: `Bearer ${key}`,
        ...(contentType ? { 'content-type': contentType } : {}),
      },
      ...(payload === undefined ? {} : { payload: payload as string }),
    });
  const project = async () => {
    await h.runtime.projector.runOnce();
    await h.runtime.trafficProjector.runOnce();
  };

  beforeEach(async () => {
    h = await startApiHarness({}, { now: '2022-08-05T03:00:00Z' });
    await call('POST', '/v1/cases', TEST_KEYS.operator, {
      pseId: 'paypal',
      name: 'PayPal',
      origin: 'foreign',
      domains: ['paypal.com'],
    });
  });
  afterEach(() => h.close());

  it('given a CSV body with some bad rows, then the good ones are recorded and the bad ones listed by line', async () => {
    const res = await call('POST', '/v1/traffic/observations', TEST_KEYS.service, CSV, 'text/csv');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      rows: 6,
      recorded: 4,
      duplicates: 0,
      rejected: 2,
      rejections: [
        { line: 6, reason: expect.stringMatching(/^domain: /) },
        { line: 7, reason: expect.stringMatching(/^period: /) },
      ],
      streams: ['traffic-sw-2022-07'],
    });
    // The same body again: nothing new.
    const again = await call('POST', '/v1/traffic/observations', TEST_KEYS.service, CSV, 'text/csv');
    expect(again.json()).toMatchObject({ recorded: 0, duplicates: 4, rejected: 2 });
  });

  it('given a JSON array with source and period from the query, then it is recorded; a wholly bad body is a 400 changing nothing', async () => {
    const ok = await call(
      'POST',
      '/v1/traffic/observations?source=crawler&period=2022-07',
      TEST_KEYS.service,
      [
        { domain: 'a.example', visits: 10 },
        { domain: 'b.example', rank: 4 },
      ],
    );
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ recorded: 2, streams: ['traffic-crawler-2022-07'] });
    const head = await h.runtime.eventStore.headPosition();
    for (const body of [
      [{ domain: 'x', period: '2022-07', visits: 1, source: 'sw' }, { nope: true }],
      { domain: 'a.example' },
      [],
    ]) {
      const bad = await call('POST', '/v1/traffic/observations', TEST_KEYS.service, body);
      expect(bad.statusCode).toBe(400);
      expect(bad.headers['content-type']).toMatch(/problem\+json/);
    }
    const allBad = await call('POST', '/v1/traffic/observations', TEST_KEYS.service, [
      { domain: 'x', period: '2022-07', visits: 1, source: 'sw' },
    ]);
    expect(allBad.json()).toMatchObject({ rejected: 1, rejections: [{ line: 1 }] });
    expect(await h.runtime.eventStore.headPosition()).toBe(head);
    const noHeader = await call(
      'POST',
      '/v1/traffic/observations',
      TEST_KEYS.service,
      'host\na.example',
      'text/csv',
    );
    expect(noHeader.statusCode).toBe(400);
  });

  it('given an analyst or operator key, then recording traffic is forbidden', async () => {
    expect(
      (await call('POST', '/v1/traffic/observations', TEST_KEYS.analyst, CSV, 'text/csv')).statusCode,
    ).toBe(403);
    expect(
      (await call('POST', '/v1/traffic/observations', TEST_KEYS.operator, CSV, 'text/csv')).statusCode,
    ).toBe(403);
  });

  it('given observations, then discovery ranks uncovered domains, opens a case for one, and the case shows its traffic', async () => {
    await call('POST', '/v1/traffic/observations', TEST_KEYS.service, CSV, 'text/csv');
    await project();
    const list = await call('GET', '/v1/discovery?period=2022-07&minVisits=1000', TEST_KEYS.analyst);
    expect(list.statusCode).toBe(200);
    expect(list.json()).toEqual({
      period: '2022-07',
      candidates: [
        {
          rankInList: 1,
          domain: 'bigshop.example',
          period: '2022-07',
          visits: 900000,
          rank: 1,
          sources: ['sw'],
        },
        {
          rankInList: 2,
          domain: 'newssite.example',
          period: '2022-07',
          visits: 500000,
          rank: 2,
          sources: ['sw'],
        },
      ],
    });
    expect((await call('GET', '/v1/discovery?minVisits=-1', TEST_KEYS.analyst)).statusCode).toBe(400);
    expect((await call('GET', '/v1/discovery?period=July', TEST_KEYS.analyst)).statusCode).toBe(400);

    const opened = await call('POST', '/v1/discovery/bigshop.example/cases', TEST_KEYS.operator, {
      name: 'Big Shop',
    });
    expect(opened.statusCode).toBe(201);
    expect(opened.headers['location']).toBe('/v1/cases/traffic-bigshop.example');
    expect(opened.json().events[0]).toMatchObject({
      type: 'PseIdentified',
      data: {
        name: 'Big Shop',
        domains: ['bigshop.example'],
        source: 'traffic-monitoring',
        evidence: { domain: 'bigshop.example', period: '2022-07', visits: 900000, rank: 1, source: 'sw' },
      },
    });
    expect((await call('POST', '/v1/discovery/paypal.com/cases', TEST_KEYS.operator, {})).statusCode).toBe(
      404,
    );
    expect(
      (await call('POST', '/v1/discovery/bigshop.example/cases', TEST_KEYS.analyst, {})).statusCode,
    ).toBe(403);
    await project();
    expect(
      (await call('POST', '/v1/discovery/bigshop.example/cases', TEST_KEYS.operator, {})).statusCode,
    ).toBe(404);

    const traffic = await call('GET', '/v1/cases/paypal/traffic', TEST_KEYS.analyst);
    expect(traffic.json()).toEqual({
      pseId: 'paypal',
      points: [{ domain: 'paypal.com', period: '2022-07', visits: 800000, rank: 3, sources: ['sw'] }],
    });
    expect((await call('GET', '/v1/cases/nobody/traffic', TEST_KEYS.analyst)).statusCode).toBe(404);

    const byTraffic = await call('GET', '/v1/cases?sort=traffic', TEST_KEYS.analyst);
    expect(byTraffic.json().items.map((c: { pseId: string }) => c.pseId)).toEqual([
      'traffic-bigshop.example',
      'paypal',
    ]);
    expect((await call('GET', '/v1/cases?sort=visits', TEST_KEYS.analyst)).statusCode).toBe(400);
  });
});
