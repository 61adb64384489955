import { startApiHarness, TEST_KEYS, type ApiHarness } from '../testing/api-harness';

describe('GET /v1/cases?policy=', () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await startApiHarness();
    for (const [pseId, policy] of [
      ['old-rule', 'kominfo-2022'],
      ['new-rule', 'pp43-2023'],
      ['literal', 'mr5-literal'],
    ] as const) {
      const res = await h.app.inject({
        method: 'POST',
        url: '/v1/cases',
        headers: { authorization: `Bearer ${TEST_KEYS.operator}` },
        payload: { pseId, name: pseId, origin: 'domestic', domains: [`${pseId}.id`], policy },
      });
      expect(res.statusCode).toBe(201);
    }
    await h.project();
  });
  afterAll(async () => h?.close());

  const list = (query: string) =>
    h.app.inject({
      method: 'GET',
      url: `/v1/cases${query}`,
      headers: { authorization: `Bearer ${TEST_KEYS.analyst}` },
    });

  it('given cases under three policies, when listed by one policy, then only its cases come back, with the other filters', async () => {
    const res = await list('?policy=pp43-2023');
    expect(res.statusCode).toBe(200);
    expect(res.json().items.map((c: { pseId: string; policy: string }) => [c.pseId, c.policy])).toEqual([
      ['new-rule', 'pp43-2023'],
    ]);
    expect((await list('?policy=kominfo-2022&state=warned')).json().items).toEqual([]);
    expect((await list('?policy=kominfo-2022&state=unregistered')).json().items).toHaveLength(1);
    expect((await list('')).json().items).toHaveLength(3);
  });

  it('given an unknown policy, then 400 names the field and nothing is listed', async () => {
    const res = await list('?policy=pp71-2019');
    expect(res.statusCode).toBe(400);
    expect(res.json().invalidFields[0].field).toContain('policy');
  });
});
