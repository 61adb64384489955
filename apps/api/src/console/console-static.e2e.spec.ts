import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startApiHarness, TEST_KEYS, type ApiHarness } from '../testing/api-harness';

describe('the web console at /console, the whoami and statechart routes', () => {
  let built: string;
  let h: ApiHarness;
  let unbuilt: ApiHarness;

  beforeAll(async () => {
    built = mkdtempSync(path.join(tmpdir(), 'sanksi-console-'));
    mkdirSync(path.join(built, 'assets'));
    writeFileSync(path.join(built, 'index.html'), '<!doctype html><title>Sanksi</title><div id="app"></div>');
    writeFileSync(path.join(built, 'assets', 'main-abc123.js'), 'console.info("hi")');
    writeFileSync(path.join(tmpdir(), 'outside-console.txt'), 'secret');
    h = await startApiHarness({}, { consoleDir: built });
    unbuilt = await startApiHarness({}, { consoleDir: path.join(built, 'missing') });
  });
  afterAll(async () => {
    await h?.close();
    await unbuilt?.close();
    rmSync(built, { recursive: true, force: true });
    rmSync(path.join(tmpdir(), 'outside-console.txt'), { force: true });
  });

  it('given a built console, when its page, an asset and a deep link are asked for, then each is served (deep links get index.html)', async () => {
    const page = await h.app.inject({ method: 'GET', url: '/console/' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['cache-control']).toBe('no-cache');
    expect(page.headers['content-security-policy']).toContain("default-src 'self'");
    expect(page.body).toContain('<div id="app">');

    const asset = await h.app.inject({ method: 'GET', url: '/console/assets/main-abc123.js' });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(asset.headers['cache-control']).toContain('immutable');

    const deep = await h.app.inject({ method: 'GET', url: '/console/cases/paypal?tab=timeline' });
    expect(deep.statusCode).toBe(200);
    expect(deep.body).toBe(page.body);

    const bare = await h.app.inject({ method: 'GET', url: '/console' });
    expect(bare.statusCode).toBe(308);
    expect(bare.headers.location).toBe('/console/');
  });

  it('given a missing asset or a path that leaves the console directory, then 404 or the page, never another file', async () => {
    const missing = await h.app.inject({ method: 'GET', url: '/console/assets/gone-000.js' });
    expect(missing.statusCode).toBe(404);
    expect(missing.headers['content-type']).toContain('application/problem+json');
    for (const url of ['/console/..%2foutside-console.txt', '/console/%2e%2e/outside-console.txt']) {
      const res = await h.app.inject({ method: 'GET', url });
      expect(res.body).not.toContain('secret');
    }
  });

  it('given no build, when /console is asked for, then 503 says to run npm run build', async () => {
    const res = await unbuilt.app.inject({ method: 'GET', url: '/console/cases/paypal' });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ status: 503, title: 'Console not built' });
    expect(res.json().detail).toContain('npm run build');
  });

  it('given each role’s key, when whoami is asked, then it answers that role and its actor id; without a key 401', async () => {
    for (const role of ['operator', 'analyst', 'service', 'admin'] as const) {
      const res = await h.app.inject({
        method: 'GET',
        url: '/v1/auth/whoami',
        headers: { authorization: `Bearer ${TEST_KEYS[role]}` },
      });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ role, id: expect.stringMatching(new RegExp(`^${role}:[0-9a-f]{8}$`)) });
    }
    expect((await h.app.inject({ method: 'GET', url: '/v1/auth/whoami' })).statusCode).toBe(401);
    const unknown = await h.app.inject({
      method: 'GET',
      url: '/v1/auth/whoami',
      headers: { authorization: 'Bearer not-a-key' },
    });
    expect(unknown.statusCode).toBe(401);
  });

  it('given no key, when the statechart is asked for, then it answers the machine’s states and transitions', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/v1/statechart' });
    expect(res.statusCode).toBe(200);
    const chart = res.json() as { initial: string; states: Array<{ id: string }>; transitions: unknown[] };
    expect(chart.initial).toBe('absent');
    expect(chart.states.map((s) => s.id)).toEqual(
      expect.arrayContaining(['unregistered', 'warned', 'blocked.enforced', 'blocked.temporarilyRestored']),
    );
    expect(chart.transitions).toContainEqual({
      source: 'warned',
      target: 'blocked',
      event: 'AccessBlocked',
      guards: ['blockFromWarned'],
    });
  });

  it('given no key, when the business calendar is asked for, then it answers the holidays of the covered years and the server clock in WIB', async () => {
    h.clock.set('2022-08-01T03:00:00Z');
    const res = await h.app.inject({ method: 'GET', url: '/v1/calendar' });
    expect([res.statusCode, res.statusCode === 200 ? '' : res.body]).toEqual([200, '']);
    const calendar = res.json() as {
      now: string;
      years: Array<{ year: number; holidays: Array<{ date: string }> }>;
    };
    expect(calendar.now).toBe('2022-08-01T10:00:00+07:00');
    const y2022 = calendar.years.find((y) => y.year === 2022);
    expect(y2022?.holidays.map((d) => d.date)).toContain('2022-08-17');
  });
});
