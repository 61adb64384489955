import { startApiHarness, TEST_KEYS, type ApiHarness } from '../testing/api-harness';

describe('GET /v1/cases?sort= (the console table, sorted on the server)', () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await startApiHarness();
    for (const [pseId, name, extra] of [
      ['c-dana', 'dana', { domains: [], appIds: ['id.dana'], ipAddresses: ['13.227.254.72'] }],
      ['a-zebra', 'Zebra Shop', {}],
      ['b-apple', 'Apple Store', {}],
      ['d-mango', 'mango', {}],
      ['e-kiwi', 'Kiwi', {}],
    ] as const) {
      const res = await h.app.inject({
        method: 'POST',
        url: '/v1/cases',
        headers: { authorization: `Bearer ${TEST_KEYS.operator}` },
        payload: { pseId, name, origin: 'domestic', domains: [`${pseId}.id`], ...extra },
      });
      if (res.statusCode !== 201) throw new Error(res.body);
    }
    await h.project();
  });
  afterAll(async () => h?.close());

  const get = (url: string) =>
    h.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${TEST_KEYS.analyst}` } });

  /** Every case id of every page of `query`, two a page. */
  async function pages(query: string): Promise<string[]> {
    const ids: string[] = [];
    let cursor: string | null = null;
    for (let n = 0; n < 20; n += 1) {
      const res = await get(`/v1/cases?${query}&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.statusCode).toBe(200);
      const body = res.json() as { items: Array<{ pseId: string }>; nextCursor: string | null };
      ids.push(...body.items.map((c) => c.pseId));
      cursor = body.nextCursor;
      if (!cursor) break;
    }
    return ids;
  }

  it('given five cases, when sorted by name page by page, then the whole list is by name ignoring case, either way', async () => {
    expect(await pages('sort=name')).toEqual(['b-apple', 'c-dana', 'e-kiwi', 'd-mango', 'a-zebra']);
    expect(await pages('sort=-name')).toEqual(['a-zebra', 'd-mango', 'e-kiwi', 'c-dana', 'b-apple']);
    expect(await pages('sort=-id')).toEqual(['e-kiwi', 'd-mango', 'c-dana', 'b-apple', 'a-zebra']);
  });

  it('given a free text, then the cases containing it (name, domain, case id, app id; any case) come, in the asked order, page by page', async () => {
    // Three characters or more go through the trigram index (read-model migration 8), fewer through the scan.
    expect(await pages('q=SHOP')).toEqual(['a-zebra']);
    expect(await pages('q=an')).toEqual(['c-dana', 'd-mango']);
    expect(await pages('q=.id&sort=-name')).toEqual(['a-zebra', 'd-mango', 'e-kiwi', 'b-apple']);
    expect(await pages('q=ID.DA')).toEqual(['c-dana']);
    expect(await pages('q=a-z&sort=updated')).toEqual(['a-zebra']);
    expect(await pages('q=%25')).toEqual([]);
    expect(await pages('q=no%20such%20case')).toEqual([]);
  });

  it('given an unknown order, or the cursor of another order, then 400 names the field', async () => {
    const bad = await get('/v1/cases?sort=colour');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().invalidFields[0].field).toContain('sort');
    const byName = (await get('/v1/cases?sort=name&limit=2')).json() as { nextCursor: string };
    const mixed = await get(`/v1/cases?sort=updated&cursor=${byName.nextCursor}`);
    expect(mixed.statusCode).toBe(400);
  });

  it('given a case named by app id and IP, then its view carries them (and every view has both lists)', async () => {
    const dana = await get('/v1/cases/c-dana');
    expect(dana.statusCode).toBe(200);
    expect(dana.json()).toMatchObject({ appIds: ['id.dana'], ipAddresses: ['13.227.254.72'] });
    expect((await get('/v1/cases/a-zebra')).json()).toMatchObject({ appIds: [], ipAddresses: [] });
  });

  it('given the escalation queue, then order=oldest and order=traffic are answered and another order is 400', async () => {
    expect((await get('/v1/stats/escalation-queue?order=oldest')).statusCode).toBe(200);
    expect((await get('/v1/stats/escalation-queue?order=traffic')).statusCode).toBe(200);
    const bad = await get('/v1/stats/escalation-queue?order=loudest');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().invalidFields[0].field).toContain('order');
  });
});
