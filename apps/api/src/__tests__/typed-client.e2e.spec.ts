import type { AddressInfo } from 'node:net';
import http from 'node:http';
import {
  collect,
  createSanksiClient,
  SanksiApiError,
  SanksiApiUnreachable,
  type SanksiClient,
} from '@sanksi/client';
import { startApiHarness, TEST_KEYS, type ApiHarness } from '../testing/api-harness';

const wib = (local: string) => `${local}:00+07:00`;

/** What a call threw, for assertions on a problem. */
async function problemOf(call: Promise<unknown>): Promise<SanksiApiError> {
  try {
    await call;
  } catch (error) {
    if (error instanceof SanksiApiError) return error;
    throw error;
  }
  throw new Error('the call succeeded; a problem was expected');
}

// @sanksi/client (generated from docs/openapi.json) against the API it was generated from, listening on a
// real port: the web console and the CLI's remote mode depend on what is checked here.
describe('the typed client against the running API', () => {
  let h: ApiHarness;
  let baseUrl: string;
  let operator: SanksiClient;
  let analyst: SanksiClient;

  beforeAll(async () => {
    h = await startApiHarness({ SANKSI_DEFAULT_POLICY: 'kominfo-2022' }, { now: '2022-07-25T00:00:00Z' });
    await h.app.listen({ port: 0, host: '127.0.0.1' });
    baseUrl = `http://127.0.0.1:${(h.app.getHttpServer().address() as AddressInfo).port}`;
    operator = createSanksiClient({ baseUrl, apiKey: TEST_KEYS.operator });
    analyst = createSanksiClient({ baseUrl: `${baseUrl}/`, apiKey: TEST_KEYS.analyst });
  });
  afterAll(async () => {
    await h?.close();
  });

  const openCase = (pseId: string, idempotencyKey?: string) =>
    operator.call('openCase', {
      body: {
        pseId,
        name: `System ${pseId}`,
        origin: 'foreign',
        domains: [`${pseId}.example`],
        occurredAt: wib('2022-07-18T09:00'),
      },
      idempotencyKey,
    });

  it('given an Idempotency-Key, when a case is opened and the call retried, then 201 with Location and ETag, then the same outcome replayed', async () => {
    // when
    const first = await openCase('client-shop', 'open-client-shop');
    const retry = await openCase('client-shop', 'open-client-shop');
    // then
    expect(first).toMatchObject({
      status: 201,
      replayed: false,
      etag: '"1"',
      location: '/v1/cases/client-shop',
    });
    expect(first.data).toMatchObject({ pseId: 'client-shop', version: 1, state: 'unregistered' });
    expect(first.data.events.map((e) => e.type)).toEqual(['PseIdentified']);
    expect(retry).toMatchObject({ status: 200, replayed: true });
    expect(retry.data.version).toBe(1);
  });

  it('given prefer return=representation, when a command is sent, then the answer carries its events whole; without it, by reference', async () => {
    // given
    await openCase('client-whole');
    const body = { letterNumber: 'B-9/2022', occurredAt: wib('2022-07-23T10:00') };
    // when
    const whole = await operator.call('issueWarning', {
      path: { pseId: 'client-whole' },
      body,
      prefer: 'return=representation',
    });
    const byReference = await operator.call('openCase', {
      body: { pseId: 'client-ref', name: 'Ref', origin: 'foreign', domains: ['client-ref.example'] },
    });
    // then
    expect(whole.headers.get('preference-applied')).toBe('return=representation');
    const [warning] = whole.data.events;
    expect(warning).toMatchObject({ type: 'WarningIssued', revision: 1, data: { letterNumber: 'B-9/2022' } });
    expect(whole.data.nextDeadline).toMatchObject({ kind: 'warningResponse' });
    expect(byReference.data.events).toEqual([
      { eventId: expect.any(String), type: 'PseIdentified', revision: 0, occurredAt: expect.any(String) },
    ]);
  });

  it('given a case at version 1, when a warning is sent with If-Match 1 and then another with If-Match 1, then the first applies and the second is a typed 412', async () => {
    // given
    await openCase('client-race');
    const warning = { letterNumber: 'B-1/2022', occurredAt: wib('2022-07-23T10:00') };
    // when
    const applied = await operator.call('issueWarning', {
      path: { pseId: 'client-race' },
      body: warning,
      ifMatch: 1,
    });
    const stale = await problemOf(
      operator.call('issueWarning', { path: { pseId: 'client-race' }, body: warning, ifMatch: '"1"' }),
    );
    // then
    expect(applied).toMatchObject({ status: 201, etag: '"2"' });
    expect(applied.data.state).toBe('warned');
    expect(stale).toMatchObject({
      status: 412,
      kind: 'version-mismatch',
      operationId: 'issueWarning',
      problem: expect.objectContaining({ expectedVersion: 1, actualVersion: 2 }),
    });
  });

  it('given a warned case, when it is blocked too soon, then a typed transition-refused problem names the reason and the allowed commands', async () => {
    // given
    await openCase('client-refused');
    await operator.call('issueWarning', {
      path: { pseId: 'client-refused' },
      body: { letterNumber: 'B-2/2022', occurredAt: wib('2022-07-23T10:00') },
    });
    // when
    const refused = await problemOf(
      operator.call('blockAccess', {
        path: { pseId: 'client-refused' },
        body: { orderNumber: 'ORD-1', occurredAt: wib('2022-07-24T10:00') },
      }),
    );
    // then
    expect(refused).toBeInstanceOf(SanksiApiError);
    expect(refused).toMatchObject({
      code: 'SANKSI_API_PROBLEM',
      status: 409,
      type: 'https://sanksi.dev/problems/transition-refused',
      kind: 'transition-refused',
      title: 'Transition refused',
      command: 'BlockAccess',
      state: 'warned',
    });
    expect(refused.reason).toContain('does not allow BlockAccess from warned');
    expect(refused.allowed).toEqual(expect.arrayContaining(['IssueWarning', 'GrantExemption']));
    expect(refused.detail).toContain('BlockAccess');
    expect(refused.message).toBe(refused.detail);
  });

  it('given an invalid body, then a typed 400 naming each invalid field; given an unknown key, a 401; given no case, a 404', async () => {
    const invalid = await problemOf(
      operator.call('issueWarning', { path: { pseId: 'client-shop' }, body: { letterNumber: '' } }),
    );
    expect(invalid).toMatchObject({ status: 400, kind: 'invalid-request' });
    expect(invalid.invalidFields?.map((f) => f.field)).toEqual(['body.letterNumber']);

    const stranger = createSanksiClient({ baseUrl, apiKey: 'not-a-key-of-this-server' });
    expect(await problemOf(stranger.call('listCases'))).toMatchObject({ status: 401 });
    expect(await problemOf(analyst.call('getCase', { path: { pseId: 'no-such-case' } }))).toMatchObject({
      status: 404,
      problem: expect.objectContaining({ pseId: 'no-such-case' }),
    });
  });

  it('given a case view and its ETag, when fetched again with If-None-Match, then it is not modified', async () => {
    await h.project();
    const view = await analyst.call('getCase', { path: { pseId: 'client-shop' } });
    expect(view.data).toMatchObject({ pseId: 'client-shop' });
    expect(view.etag).toBeDefined();
    const again = await analyst.call('getCase', {
      path: { pseId: 'client-shop' },
      ifNoneMatch: view.etag ?? '',
    });
    expect(again).toMatchObject({ notModified: true, status: 304 });
  });

  it('given more cases than a page holds, when paged with a small limit, then every case comes once in order', async () => {
    // given
    for (const pseId of ['client-page-a', 'client-page-b', 'client-page-c']) await openCase(pseId);
    await h.project();
    // when
    const cases = await collect(analyst.paginate('listCases', { query: { limit: 2, q: 'client-page' } }));
    const firstTwo = await collect(analyst.paginate('listCases', { query: { limit: 1 } }), 2);
    // then
    expect(cases.map((c) => c.pseId)).toEqual(['client-page-a', 'client-page-b', 'client-page-c']);
    expect(firstTwo).toHaveLength(2);
  });

  it('given a ready server, then readiness answers ready with its checks; given the documented 503, not ready with the report, not an error', async () => {
    // given a ready server
    const ready = await analyst.readiness();
    expect(ready).toMatchObject({ ready: true, status: 200, report: { status: 'ready' } });
    expect(ready.report.checks.map((c) => c.name)).toEqual(
      expect.arrayContaining(['event-store', 'read-models']),
    );
    // given a server answering readiness as the API documents it while catching up
    const report = {
      status: 'not-ready',
      checks: [{ name: 'projector', status: 'lagging', lag: 25000, maxLag: 10000, restarts: 0 }],
    };
    const notReady = http.createServer((req, res) => {
      res.writeHead(req.url === '/health/ready' ? 503 : 500, { 'content-type': 'application/json' });
      res.end(JSON.stringify(req.url === '/health/ready' ? report : { title: 'broken' }));
    });
    await new Promise<void>((resolve) => notReady.listen(0, '127.0.0.1', resolve));
    try {
      const other = createSanksiClient({
        baseUrl: `http://127.0.0.1:${(notReady.address() as AddressInfo).port}`,
      });
      // when / then
      expect(await other.readiness()).toEqual({ ready: false, status: 503, report });
      await expect(other.call('getLiveness')).rejects.toBeInstanceOf(SanksiApiError);
    } finally {
      await new Promise<void>((resolve) => notReady.close(() => resolve()));
    }
  });

  it('given no server at the address, then a SanksiApiUnreachable naming the address', async () => {
    // given: a port that was free a moment ago
    const server = http.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const nowhere = createSanksiClient({ baseUrl: `http://127.0.0.1:${port}`, apiKey: TEST_KEYS.analyst });
    // when / then
    const error = await nowhere.call('listCases').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SanksiApiUnreachable);
    expect((error as SanksiApiUnreachable).message).toContain(`http://127.0.0.1:${port}`);
  });
});
