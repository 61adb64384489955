import { startApiHarness, TEST_KEYS, type ApiHarness } from './testing/api-harness';

const auth = (role: keyof typeof TEST_KEYS) => ({ authorization: `Bearer ${TEST_KEYS[role]}` });

describe('HTTP API (embedded SQLite)', () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await startApiHarness();
  });
  afterAll(async () => h.close());

  it('opens a case and warns it', async () => {
    const opened = await h.app.inject({
      method: 'POST',
      url: '/v1/cases',
      headers: auth('operator'),
      payload: {
        pseId: 'paypal',
        name: 'PayPal',
        origin: 'foreign',
        domains: ['paypal.com'],
        policy: 'kominfo-2022',
      },
    });
    expect(opened.statusCode).toBe(201);
    expect(opened.json()).toMatchObject({
      pseId: 'paypal',
      version: 1,
      state: 'unregistered',
      substate: null,
    });
    expect(opened.headers.etag).toBe('"1"');
    h.clock.set('2022-07-23T03:00:00Z');
    const warned = await h.app.inject({
      method: 'POST',
      url: '/v1/cases/paypal/warnings',
      headers: auth('operator'),
      payload: { letterNumber: 'B-1/2022', occurredAt: '2022-07-23T09:00:00+07:00' },
    });
    expect(warned.statusCode).toBe(201);
    expect(warned.json()).toMatchObject({ version: 2, state: 'warned' });
  });

  it('answers problem+json for bad bodies, naming the fields', async () => {
    const res = await h.app.inject({
      method: 'POST',
      url: '/v1/cases/paypal/fines',
      headers: auth('operator'),
      payload: { decisionNumber: 'x', amountIdr: 1.5, extra: true },
    });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(
      res
        .json()
        .invalidFields.map((f: { field: string }) => f.field)
        .sort(),
    ).toEqual(['body', 'body.amountIdr']);
  });

  it('refuses without a key (401) and with the wrong role (403)', async () => {
    expect((await h.app.inject({ method: 'GET', url: '/v1/cases' })).statusCode).toBe(401);
    const res = await h.app.inject({
      method: 'POST',
      url: '/v1/cases/paypal/warnings',
      headers: auth('analyst'),
      payload: { letterNumber: 'x' },
    });
    expect(res.statusCode).toBe(403);
  });

  it('serves the OpenAPI document', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/docs/openapi.json' });
    expect(res.statusCode).toBe(200);
    expect(Object.keys(res.json().paths)).toContain('/v1/cases/{pseId}/warnings');
  });
});
