import { calendarSpan } from '@sanksi/domain';
import { startApiHarness, TEST_KEYS, type ApiHarness } from '../testing/api-harness';

const operator = { authorization: `Bearer ${TEST_KEYS.operator}` };
// The first year the table lacks (2028 while it ends with 2027): the test moves with the table.
const { knownFrom, knownThrough, nextYear } = calendarSpan();

describe('a deadline past the end of the holiday table (docs/calendar.md §Adding a year)', () => {
  let h: ApiHarness;
  beforeAll(async () => {
    // Business time in that year needs a clock there: commands may not run ahead of it.
    h = await startApiHarness(
      { SANKSI_DEFAULT_POLICY: 'kominfo-2022' },
      { now: `${nextYear}-01-10T03:00:00Z` },
    );
  });
  afterAll(async () => {
    await h?.close();
  });

  it('given a case in the year after the table, when warned, then 422 names the last known day and the year to add, and nothing is appended', async () => {
    const opened = await h.app.inject({
      method: 'POST',
      url: '/v1/cases',
      headers: operator,
      payload: { pseId: 'horizon', name: 'Horizon', origin: 'foreign', domains: ['horizon.example'] },
    });
    expect(opened.statusCode).toBe(201);
    const refused = await h.app.inject({
      method: 'POST',
      url: '/v1/cases/horizon/warnings',
      headers: operator,
      payload: { letterNumber: `B-1/${nextYear}` },
    });
    expect(refused.statusCode).toBe(422);
    expect(refused.headers['content-type']).toContain('application/problem+json');
    expect(refused.json()).toEqual({
      type: 'https://sanksi.dev/problems/deadline-outside-calendar',
      title: 'Deadline outside the known calendar',
      status: 422,
      detail: `the Indonesian working-day calendar is known only through ${knownThrough}; add the ${nextYear} holidays (docs/calendar.md §Adding a year)`,
      year: nextYear,
      knownFrom,
      knownThrough,
      instance: '/v1/cases/horizon/warnings',
    });
    const events = await h.app.inject({
      method: 'GET',
      url: '/v1/cases/horizon/events',
      headers: { authorization: `Bearer ${TEST_KEYS.analyst}` },
    });
    expect(events.json().events.map((e: { type: string }) => e.type)).toEqual(['PseIdentified']);
  });
});
