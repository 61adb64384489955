import { loadConfig } from '@sanksi/application';
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
    expect(opened.json().events).toEqual([expect.objectContaining({ type: 'PseIdentified', revision: 0 })]);
    const stored = (await call('GET', '/v1/cases/traffic-bigshop.example/events', TEST_KEYS.analyst)).json();
    expect(stored.events[0]).toMatchObject({
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

  describe('body limit', () => {
    // 5,000 rows, about 190 KB: three times the 64 KiB every other route accepts (about 1,500 rows).
    const bulk = [
      'domain,period,visits,rank,source',
      ...Array.from({ length: 5000 }, (_, i) => `site${i}.example,2022-07,${100_000 - i},${i + 1},sw`),
    ].join('\n');

    it('given a CSV of 5,000 rows, larger than the default body limit, then the route records it whole; another route still refuses such a body with its own limit named', async () => {
      expect(Buffer.byteLength(bulk)).toBeGreaterThan(h.runtime.config.maxBodyBytes);
      const res = await call('POST', '/v1/traffic/observations', TEST_KEYS.service, bulk, 'text/csv');
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ rows: 5000, recorded: 5000, rejected: 0 });
      const other = await call(
        'POST',
        '/v1/cases',
        TEST_KEYS.operator,
        JSON.stringify({
          pseId: 'big',
          name: 'x'.repeat(100_000),
          origin: 'foreign',
          domains: ['big.example'],
        }),
        'application/json',
      );
      expect(other.statusCode).toBe(413);
      expect(other.json()).toMatchObject({
        status: 413,
        maxBodyBytes: 65_536,
        setting: 'SANKSI_MAX_BODY_BYTES',
        detail:
          'the request body is larger than the 64 KiB (65536 bytes) the server accepts (SANKSI_MAX_BODY_BYTES)',
      });
    });

    it('given a body over the configured traffic limit, then a 413 names the limit, its setting and the bulk paths, and nothing is recorded', async () => {
      await h.close();
      h = await startApiHarness({ SANKSI_TRAFFIC_MAX_BODY_BYTES: '100000' }, { now: '2022-08-05T03:00:00Z' });
      const head = await h.runtime.eventStore.headPosition();
      const res = await call('POST', '/v1/traffic/observations', TEST_KEYS.service, bulk, 'text/csv');
      expect(res.statusCode).toBe(413);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.json()).toMatchObject({
        type: 'https://sanksi.dev/problems/body-too-large',
        status: 413,
        maxBodyBytes: 100_000,
        setting: 'SANKSI_TRAFFIC_MAX_BODY_BYTES',
        instance: '/v1/traffic/observations',
      });
      expect(res.json().detail).toBe(
        'the body is larger than the 97.7 KiB (100000 bytes) that POST /v1/traffic/observations accepts ' +
          '(SANKSI_TRAFFIC_MAX_BODY_BYTES); load larger files with `sanksi traffic import FILE` (streamed, any size) ' +
          'or send the rows to the Kafka topic traffic.observations.v1, or split the body',
      );
      expect(await h.runtime.eventStore.headPosition()).toBe(head);
      // a body within it still goes through
      const half = bulk.split('\n').slice(0, 2001).join('\n');
      expect(
        (await call('POST', '/v1/traffic/observations', TEST_KEYS.service, half, 'text/csv')).json(),
      ).toMatchObject({
        recorded: 2000,
      });
    });

    it('refuses an invalid SANKSI_TRAFFIC_MAX_BODY_BYTES, naming it', () => {
      expect(() => loadConfig({ SANKSI_TRAFFIC_MAX_BODY_BYTES: 'lots' })).toThrow(
        /SANKSI_TRAFFIC_MAX_BODY_BYTES/,
      );
      expect(() => loadConfig({ SANKSI_TRAFFIC_MAX_BODY_BYTES: '10' })).toThrow(
        /SANKSI_TRAFFIC_MAX_BODY_BYTES/,
      );
      expect(loadConfig({}).trafficMaxBodyBytes).toBe(16 * 1024 * 1024);
    });
  });
});
