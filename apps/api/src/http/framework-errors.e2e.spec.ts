import { startApiHarness, TEST_KEYS, type ApiHarness } from '../testing/api-harness';
import { closeWireClient, send } from '../testing/wire-client';

// Requests that fail before any route runs — in Node's HTTP parser or Fastify's router — answer
// problem+json like every other error (found by the HTTP fuzzer: they answered plain JSON that
// echoed the raw path).
describe('errors raised before a route is found', () => {
  let h: ApiHarness;
  let port: number;
  const auth = { authorization: `Bearer ${TEST_KEYS.analyst}` };

  beforeAll(async () => {
    h = await startApiHarness();
    await h.app.listen({ port: 0, host: '127.0.0.1' });
    port = (h.app.getHttpServer().address() as { port: number }).port;
  });
  afterAll(async () => {
    closeWireClient();
    await h?.close();
  });

  const problemOf = (body: string) =>
    JSON.parse(body) as { type: string; title: string; status: number; detail: string };

  it('given a path that is not valid percent-encoded UTF-8, then 400 problem+json that does not echo it', async () => {
    const res = await send(port, { method: 'GET', target: '/v1/cases/abc%E0%A4%A/timeline', headers: auth });
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(problemOf(res.body)).toMatchObject({
      type: 'https://sanksi.dev/problems/bad-request',
      title: 'Bad request',
      status: 400,
      detail: 'the URL path is not valid percent-encoded UTF-8',
    });
  });

  it('given a path parameter longer than the router takes, then 414 problem+json', async () => {
    const res = await send(port, { method: 'GET', target: `/v1/cases/${'a'.repeat(5000)}`, headers: auth });
    expect(res.status).toBe(414);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(problemOf(res.body)).toMatchObject({ title: 'URI too long', status: 414 });
  });

  it('given headers over 16 KiB, then 431 problem+json and the connection closed', async () => {
    const res = await send(port, {
      method: 'GET',
      target: `/v1/cases?q=${'x'.repeat(20_000)}`,
      headers: auth,
    });
    expect(res.status).toBe(431);
    expect(res.headers['content-type']).toBe('application/problem+json');
    expect(res.headers['connection']).toBe('close');
    expect(problemOf(res.body)).toMatchObject({
      type: 'https://sanksi.dev/problems/header-fields-too-large',
      status: 431,
    });
  });

  it('given a request line that is not HTTP (a space in the target, a control character in a header), then 400 problem+json', async () => {
    for (const request of [
      { method: 'GET', target: '/v1/cases/a b', headers: auth, raw: true },
      { method: 'GET', target: '/v1/cases', headers: { ...auth, 'x-correlation-id': 'a\u0001b' }, raw: true },
    ]) {
      const res = await send(port, request);
      expect({ status: res.status, type: res.headers['content-type'] }).toEqual({
        status: 400,
        type: 'application/problem+json',
      });
      expect(problemOf(res.body)).toMatchObject({
        title: 'Bad Request',
        status: 400,
        detail: 'the request is not well-formed HTTP/1.1',
      });
    }
  });
});
