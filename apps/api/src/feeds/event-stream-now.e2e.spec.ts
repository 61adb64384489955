import type { AddressInfo } from 'node:net';
import { startApiHarness, TEST_KEYS, type ApiHarness } from '../testing/api-harness';

/** Opens a case (in-process: the stream under test is the only network client). */
const open = (h: ApiHarness) => async (name: string) =>
  h.app.inject({
    method: 'POST',
    url: '/v1/cases',
    headers: { authorization: `Bearer ${TEST_KEYS.operator}` },
    payload: { pseId: name, name, origin: 'domestic', domains: [`${name}.id`] },
  });

/** Reads an event stream until `until` holds of its text (or 10 s pass); then closes it. */
async function readStream(
  port: number,
  query: string,
  until: (text: string) => boolean,
  before?: () => Promise<void>,
  headers: Record<string, string> = {},
) {
  const abort = new AbortController();
  const response = await fetch(`http://127.0.0.1:${port}/v1/events/stream${query}`, {
    headers: { authorization: `Bearer ${TEST_KEYS.analyst}`, ...headers },
    signal: abort.signal,
  });
  if (response.status !== 200 || !response.body)
    return { status: response.status, text: await response.text() };
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let text = '';
  const deadline = setTimeout(() => abort.abort(), 10_000);
  try {
    let ready = false;
    while (!until(text)) {
      const { value, done } = await reader.read();
      if (done) break;
      text += value;
      if (!ready && text.includes(': sanksi event stream')) {
        ready = true;
        await before?.();
      }
    }
  } catch {
    // aborted at the deadline: the assertions say what was missing
  } finally {
    clearTimeout(deadline);
    abort.abort();
  }
  return { status: 200, text };
}

describe('GET /v1/events/stream?after=now', () => {
  let h: ApiHarness;
  let port: number;
  beforeAll(async () => {
    h = await startApiHarness();
    await h.app.listen({ port: 0, host: '127.0.0.1' });
    port = (h.app.getHttpServer().address() as AddressInfo).port;
  });
  afterAll(async () => h?.close());

  it('given events already in the log, when a client streams after=now, then it gets only the events appended afterwards', async () => {
    await open(h)('old-one');
    await open(h)('old-two');
    const { status, text } = await readStream(
      port,
      '?after=now',
      (t) => t.includes('new-one'),
      async () => {
        await open(h)('new-one');
      },
    );
    expect(status).toBe(200);
    expect(text).toContain('"pseId":"new-one"');
    expect(text).not.toContain('old-one');
    expect(text).not.toContain('old-two');
  });

  it('given after=now and a Last-Event-ID, then the client resumes from its id (nothing it missed is lost)', async () => {
    const { text: seen } = await readStream(port, '?after=now', (t) => t.includes('old-two'), undefined, {
      'last-event-id': '1',
    });
    expect(seen).toContain('"pseId":"old-two"');
    expect(seen).not.toContain('"pseId":"old-one"');
  });

  it('given after=soon, then 400 names the query parameter and no stream opens', async () => {
    const res = await h.app.inject({
      method: 'GET',
      url: '/v1/events/stream?after=soon',
      headers: { authorization: `Bearer ${TEST_KEYS.analyst}` },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().invalidFields[0].field).toContain('after');
  });
});
