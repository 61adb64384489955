import type { Browser, BrowserContext, Page } from 'playwright-core';
import {
  focused,
  horizontalOverflow,
  launchBrowser,
  newConsoleContext,
  screenshot,
  seriousViolations,
  tabTo,
  VIEWPORT,
  watchPage,
} from './testing/browser';
import {
  CONSOLE_TEST_KEYS,
  enterThe2022Story,
  startConsoleApi,
  type ConsoleApi,
} from './testing/console-api';
import { DeadlineScheduler } from '@sanksi/application';

// Each step waits on a real browser and a real API on a machine others share.
jest.setTimeout(60_000);

/**
 * The whole console by keyboard alone on a 1366×768 screen: every control reached with Tab shows its focus
 * ring, every page fits the width (no horizontal scrolling), passes axe-core, and is saved as a screenshot.
 */
describe('the console by keyboard alone at 1366×768', () => {
  let api: ConsoleApi;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let watched: { problems: string[] };

  beforeAll(async () => {
    browser = await launchBrowser();
    api = await startConsoleApi();
    await enterThe2022Story(api);
    // Two cases under the literal reading of MR5 whose warnings lapse: they wait for an operator (the queue);
    // one of them has traffic observed.
    for (const [pseId, domain, now] of [
      ['tokoku', 'tokoku.example', '2022-08-01T04:00:00Z'],
      ['appku', 'appku.example', '2022-08-03T04:00:00Z'],
    ]) {
      api.clock.set(now);
      expect(
        (
          await api.post('/v1/cases', {
            pseId,
            name: pseId,
            origin: 'foreign',
            domains: [domain],
            policy: 'mr5-literal',
          })
        ).status,
      ).toBe(201);
      expect(
        (await api.post(`/v1/cases/${pseId}/warnings`, { letterNumber: `B-${pseId}/2022` })).status,
      ).toBe(201);
    }
    expect(
      (
        await api.post(
          '/v1/traffic/observations',
          [{ domain: 'appku.example', period: '2022-08', visits: 1_250_000, rank: 77, source: 'similarweb' }],
          'service',
        )
      ).status,
    ).toBe(200);
    api.clock.set('2022-08-20T03:00:00Z');
    await new DeadlineScheduler(api.runtime).tick({ project: true });
    await api.project();
    context = await newConsoleContext(browser);
    page = await context.newPage();
    watched = watchPage(page);
  });
  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await api?.close();
  });
  afterEach(() => {
    expect(watched?.problems.splice(0) ?? []).toEqual([]);
  });

  /** The page as it is: fits 1366 wide, no serious or critical axe finding, saved as tmp/console/<name>.png. */
  const checkPage = async (name: string) => {
    expect(page.viewportSize()).toEqual(VIEWPORT);
    expect(await horizontalOverflow(page)).toBe(0);
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, name);
  };

  it('given the sign-in page, when the key is typed and Enter pressed, then the case search opens; the skip link comes first', async () => {
    await page.goto(`${api.baseUrl}/console/`);
    await page.getByRole('heading', { name: 'Masuk' }).waitFor();
    await page.keyboard.press('Tab');
    expect(await focused(page)).toMatchObject({ tag: 'a', name: 'Langsung ke isi', ringVisible: true });
    await tabTo(page, /Kunci API/);
    await page.keyboard.type(CONSOLE_TEST_KEYS.operator);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Cari kasus' }).waitFor();
    await page.locator('table.cases tbody tr').first().waitFor();
    await checkPage('kb-01-case-search');
  });

  it('when a text search is typed, then the results come; a heading sorts them on the server', async () => {
    // after signing in, the focus is at the page's content: the first Tab reaches the search form
    expect((await focused(page))?.tag).toBe('main');
    await tabTo(page, /^Teks/);
    await page.keyboard.type('ku');
    await page.keyboard.press('Enter');
    await page.waitForURL(/q=ku/);
    await expectRows(['appku', 'tokoku']);
    await tabTo(page, /^Nama/);
    await page.keyboard.press('Enter');
    await page.waitForURL(/sort=name/);
    await page.keyboard.press('Enter');
    await page.waitForURL(/sort=-name/);
    await expectRows(['tokoku', 'appku']);
    await checkPage('kb-02-case-search-sorted');
  });

  it('when a case is opened by keyboard, then the scrubber moves with the arrow keys and the evidence is verified with Enter', async () => {
    await tabTo(page, /^appku$/);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: /Kasus: appku/ }).waitFor();
    await page.locator('g.node.lit').waitFor();
    // focus starts at the page's content after navigation
    expect((await focused(page))?.tag).toBe('main');
    await tabTo(page, /^Awal$/);
    await tabTo(page, /^Langkah/);
    await page.keyboard.press('Home');
    await page
      .getByTestId('replay-status')
      .getByText(/^Langkah 1 dari/)
      .waitFor();
    await page.keyboard.press('End');
    await tabTo(page, /Verifikasi dengan kunci publik server/);
    await page.keyboard.press('Enter');
    await page
      .getByTestId('evidence-result')
      .getByText(/Paket sah/)
      .waitFor();
    expect(await page.getByTestId('traffic-chart').getAttribute('aria-label')).toContain('1.250.000');
    await checkPage('kb-03-case-appku');
  });

  it('when the queue is reached from the navigation, then it shows the traffic and takes the other order from the keyboard', async () => {
    await tabTo(page, /^Antrean eskalasi$/, { backwards: true, limit: 200 });
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Antrean eskalasi' }).waitFor();
    await page.locator('main table tbody tr').first().waitFor();
    const rows = () =>
      page
        .locator('main table tbody tr td:first-child')
        .evaluateAll((tds) => tds.map((td) => td.textContent));
    expect(await rows()).toEqual(['appku', 'tokoku']);
    expect(await page.locator('main table tbody tr').first().textContent()).toContain('1.250.000 kunjungan');
    await checkPage('kb-04-queue-by-traffic');
    await tabTo(page, /^Urutan antrean/);
    await page.keyboard.press('ArrowDown');
    await page.waitForURL(/order=oldest/);
    await page.waitForFunction(
      () => document.querySelector('main table tbody tr td:first-child')?.textContent === 'tokoku',
    );
    expect(await rows()).toEqual(['tokoku', 'appku']);
    await checkPage('kb-05-queue-oldest');
  });

  it('when the live feed is reached from the navigation, then it fits and passes axe', async () => {
    await tabTo(page, /^Peristiwa langsung$/, { backwards: true, limit: 200 });
    await page.keyboard.press('Enter');
    await page.getByTestId('feed-status').getByText('Tersambung').waitFor();
    await checkPage('kb-06-live-feed');
  });

  it('when the analyst pages are reached from the navigation, then each fits, passes axe and takes the keyboard', async () => {
    // A full-page screenshot and axe-core over the charts' SVG take long on a machine others share (no
    // assertion depends on time): the page's own waits get longer here.
    page.setDefaultTimeout(120_000);
    await tabTo(page, /^Analisis$/, { backwards: true, limit: 200 });
    await page.keyboard.press('Enter');
    await page.locator('main svg').first().waitFor();
    await checkPage('kb-07-analysis');
    // every tab of the analyst page by keyboard
    for (const [view, shot] of [
      ['Denda dan kepatuhan', 'kb-08-analysis-fines'],
      ['Daftar blokir', 'kb-09-analysis-blocklist'],
      ['Bagaimana jika', 'kb-10-analysis-what-if'],
    ] as const) {
      await tabTo(page, new RegExp(`^${view}$`), { limit: 200 });
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { level: 1, name: new RegExp(view) }).waitFor();
      // every panel answered (no "Memuat…" left): charts and tables, or the note that there is no data
      await page.waitForFunction(() => !document.querySelector('main')?.textContent?.includes('Memuat…'));
      await checkPage(shot);
    }
    page.setDefaultTimeout(30_000);
  }, 480_000);

  async function expectRows(ids: string[]) {
    await page.waitForFunction(
      (want) =>
        JSON.stringify(
          [...document.querySelectorAll('table.cases tbody tr td:first-child')].map((td) => td.textContent),
        ) === JSON.stringify(want),
      ids,
    );
  }
});
