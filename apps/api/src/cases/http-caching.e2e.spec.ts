import { startApiHarness, TEST_KEYS, type ApiHarness } from '../testing/api-harness';

const operator = { authorization: `Bearer ${TEST_KEYS.operator}` };
const analyst = { authorization: `Bearer ${TEST_KEYS.analyst}` };

describe('Location on 201, ETag and If-None-Match on case views', () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await startApiHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  // The ETag the warning answered: the version the case view must carry once projected.
  let warnedTag = '';
  const post = (url: string, payload: object, headers: Record<string, string> = {}) =>
    h.app.inject({ method: 'POST', url, payload, headers: { ...operator, ...headers } });
  const get = (url: string, headers: Record<string, string> = {}) =>
    h.app.inject({ method: 'GET', url, headers: { ...analyst, ...headers } });

  it('given a new case, when it is opened, then 201 names the case in Location; a retry with the same key is 200 without it', async () => {
    const body = {
      pseId: 'cache.shop',
      name: 'Cache Shop',
      origin: 'foreign',
      domains: ['cache-shop.example'],
    };
    const opened = await post('/v1/cases', body, { 'idempotency-key': 'open-cache-shop' });
    expect(opened.statusCode).toBe(201);
    expect(opened.headers.location).toBe('/v1/cases/cache.shop');
    await h.project();
    expect((await get(opened.headers.location as string)).json()).toMatchObject({ pseId: 'cache.shop' });
    const retried = await post('/v1/cases', body, { 'idempotency-key': 'open-cache-shop' });
    expect(retried.statusCode).toBe(200);
    expect(retried.headers.location).toBeUndefined();
    const warned = await post('/v1/cases/cache.shop/warnings', { letterNumber: 'B-1/2022' });
    expect(warned.statusCode).toBe(201);
    expect(warned.headers.location).toBe('/v1/cases/cache.shop');
    warnedTag = warned.headers.etag as string;
  });

  it('given the warned case, when its view is asked with If-None-Match of its version, then 304 without a body; another version gets 200', async () => {
    await h.project();
    const first = await get('/v1/cases/cache.shop');
    expect(first.statusCode).toBe(200);
    const version = (first.json() as { version: number }).version;
    expect(first.headers.etag).toBe(`"${version}"`);
    expect(first.headers.etag).toBe(warnedTag);
    const unchanged = await get('/v1/cases/cache.shop', { 'if-none-match': warnedTag });
    expect(unchanged.statusCode).toBe(304);
    expect(unchanged.body).toBe('');
    expect(unchanged.headers.etag).toBe(warnedTag);
    expect((await get('/v1/cases/cache.shop', { 'if-none-match': `W/${warnedTag}` })).statusCode).toBe(304);
    expect((await get('/v1/cases/cache.shop', { 'if-none-match': `"99", ${warnedTag}` })).statusCode).toBe(
      304,
    );
    expect((await get('/v1/cases/cache.shop', { 'if-none-match': '*' })).statusCode).toBe(304);
    const stale = await get('/v1/cases/cache.shop', { 'if-none-match': `"${version - 1}"` });
    expect(stale.statusCode).toBe(200);
    expect(stale.json()).toMatchObject({ pseId: 'cache.shop', version });
  });

  it('given a further command, when the old ETag is sent, then the new view answers 200 with the new ETag', async () => {
    await post('/v1/cases/cache.shop/registrations', { channel: 'oss' });
    await h.project();
    const moved = await get('/v1/cases/cache.shop', { 'if-none-match': warnedTag });
    expect(moved.statusCode).toBe(200);
    expect(moved.headers.etag).not.toBe(warnedTag);
    expect(moved.headers.etag).toBe(`"${(moved.json() as { version: number }).version}"`);
  });

  it('given the events view, then its ETag is the stream version and If-None-Match of it answers 304', async () => {
    const events = await get('/v1/cases/cache.shop/events');
    expect(events.statusCode).toBe(200);
    expect(events.headers.etag).toBe(`"${(events.json() as { version: number }).version}"`);
    const unchanged = await get('/v1/cases/cache.shop/events?view=effective', {
      'if-none-match': events.headers.etag as string,
    });
    expect(unchanged.statusCode).toBe(304);
    expect(unchanged.body).toBe('');
  });

  it('given an unknown case, when If-None-Match is sent, then it is still a 404 problem', async () => {
    const missing = await get('/v1/cases/no-such-case', { 'if-none-match': '"1"' });
    expect(missing.statusCode).toBe(404);
    expect(missing.headers['content-type']).toContain('application/problem+json');
  });
});
