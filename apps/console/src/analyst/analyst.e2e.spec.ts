import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { existsSync } from 'node:fs';
import path from 'node:path';
import {
  launchBrowser,
  newConsoleContext,
  screenshot,
  seriousViolations,
  watchPage,
} from '../testing/browser';
import {
  CONSOLE_DIST,
  CONSOLE_TEST_KEYS,
  enterThe2022Story,
  startConsoleApi,
  type ConsoleApi,
} from '../testing/console-api';

const wib = (local: string) => `${local}:00+07:00`;

// A browser and a real API on a shared machine: page loads wait for real work (no assertion is on time).
jest.setTimeout(180_000);

// The analyst pages in headless Chromium against the real API: the 2022 story, then PayPal registering
// on 3 August and a pp43-2023 case fined on 31 July and paying part of it on 15 August.
describe('the analyst pages in headless Chromium, against the real API', () => {
  let api: ConsoleApi;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let watched: { problems: string[] };

  const seed = async (label: string, url: string, body: object) => {
    const res = await api.post(url, body);
    expect({ label, status: res.status, body: res.status === 201 ? null : res.body }).toEqual({
      label,
      status: 201,
      body: null,
    });
  };

  beforeAll(async () => {
    if (!existsSync(path.join(CONSOLE_DIST, 'index.html')))
      throw new Error(
        `the console is not built (${CONSOLE_DIST}): run npx nx build console (npm run build) first`,
      );
    browser = await launchBrowser();
    api = await startConsoleApi();
    await enterThe2022Story(api);
    api.clock.set('2022-08-03T05:00:00Z');
    await seed('paypal submits', '/v1/cases/paypal/registrations', {
      channel: 'oss',
      occurredAt: wib('2022-08-03T10:00'),
    });
    await seed('paypal confirmed', '/v1/cases/paypal/registrations/confirmation', {
      registrationNumber: '000321.01/DJAI.PSE/08/2022',
      occurredAt: wib('2022-08-03T11:00'),
    });
    await seed('open toko', '/v1/cases', {
      pseId: 'toko-demo',
      name: 'Toko Demo',
      origin: 'domestic',
      domains: ['toko-demo.co.id'],
      policy: 'pp43-2023',
      occurredAt: wib('2022-07-18T09:00'),
    });
    await seed('warn toko', '/v1/cases/toko-demo/warnings', {
      letterNumber: 'B-toko/2022',
      occurredAt: wib('2022-07-23T10:00'),
    });
    await seed('fine toko', '/v1/cases/toko-demo/fines', {
      decisionNumber: 'D-toko/2022',
      amountIdr: 1_000_000_000,
      occurredAt: wib('2022-07-31T10:00'),
    });
    api.clock.set('2022-08-15T05:00:00Z');
    await seed('toko pays part', '/v1/cases/toko-demo/fines/F1/payments', {
      amountIdr: 400_000_000,
      reference: 'PAY-1',
      occurredAt: wib('2022-08-15T10:00'),
    });
    await api.project();
    context = await newConsoleContext(browser);
    page = await context.newPage();
    watched = watchPage(page);
    page.setDefaultTimeout(20_000);
    await page.goto(`${api.baseUrl}/console/`);
    await page.getByLabel('Kunci API').fill(CONSOLE_TEST_KEYS.analyst);
    await page.getByRole('button', { name: 'Masuk' }).click();
    await page.getByRole('heading', { name: 'Cari kasus' }).waitFor();
  });
  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await api?.close();
  });
  afterEach(() => {
    expect(watched.problems.splice(0)).toEqual([]);
  });

  const panel = (id: string): Locator => page.getByTestId(`analysis-${id}`);
  /** The panel's chart is drawn (an SVG with filled marks in it, at a readable size) and its table has rows; returns the rows' text. */
  const drawn = async (id: string): Promise<string[]> => {
    const chart = panel(id).getByTestId('chart');
    // Marks are filled shapes (areas, bars); axis and grid lines are paths with no fill.
    const marks = chart.locator('svg path:not([fill="none"])');
    await marks.first().waitFor({ state: 'attached' });
    expect(await marks.count()).toBeGreaterThan(0);
    const box = await chart.boundingBox();
    expect(box && box.width > 300 && box.height > 200).toBe(true);
    return tableRows(id);
  };
  const tableRows = async (id: string): Promise<string[]> => {
    const rows = panel(id).locator('table tbody tr');
    await rows.first().waitFor();
    return rows.allInnerTexts();
  };
  /** The CSV the panel's download link holds. */
  const csv = async (id: string): Promise<string> => {
    const href = (await panel(id).locator('a.csv').getAttribute('href')) ?? '';
    expect(href.startsWith('data:text/csv;charset=utf-8,')).toBe(true);
    return decodeURIComponent(href.slice('data:text/csv;charset=utf-8,'.length));
  };
  const accessible = async (name: string) => {
    await screenshot(page, name);
    expect(await seriousViolations(page)).toEqual([]);
  };

  it('given the analyst key, when opening the population, then cases per state over time, on a date and transitions per day are drawn with their tables', async () => {
    await page
      .getByRole('navigation', { name: 'Navigasi utama' })
      .getByRole('link', { name: 'Analisis' })
      .click();
    await page.getByRole('heading', { name: 'Analisis: Populasi kasus' }).waitFor();
    await page.locator('#population-from').fill('2022-07-15');
    await page.locator('#population-to').fill('2022-08-31');
    await page.getByRole('button', { name: 'Tampilkan' }).click();
    await panel('states-over-time').locator('tbody tr').nth(47).waitFor();
    const states = await drawn('states-over-time');
    expect(states).toHaveLength(48);
    // On 30 July the three cases of the story were blocked (their warnings lapsed on 29 July 23:59:59).
    expect(states.find((r) => r.startsWith('2022-07-30'))?.split('\t')).toEqual([
      '2022-07-30',
      '0',
      '0',
      '0',
      '1',
      '0',
      '3',
      '0',
      '0',
      '0',
      '0',
      '4',
    ]);
    expect((await csv('states-over-time')).split('\r\n')[0]).toBe(
      'Tanggal,unregistered,registrationPending,registered,warned,fined,blocked,reRegistered,suspended,revoked,exempted,Jumlah',
    );
    await page.locator('#states-as-of').fill('2022-07-30');
    await page.locator('#states-as-of').dispatchEvent('change');
    await page.getByRole('heading', { name: 'Kasus per status pada satu tanggal: 2022-07-30' }).waitFor();
    expect(await drawn('states-on-date')).toContain('blocked\t3');
    const transitions = await drawn('transitions');
    expect(transitions.some((r) => r.startsWith('2022-07-29') && r.includes('warned\tblocked'))).toBe(true);
    await accessible('analyst-1-population');
  });

  it('when opening fines and compliance, then fines per month (rupiah, Indonesian grouping) and the days from warning to registration are drawn', async () => {
    await page
      .getByRole('navigation', { name: 'Bagian analisis' })
      .getByRole('link', { name: 'Denda dan kepatuhan' })
      .click();
    await page.getByRole('heading', { name: 'Analisis: Denda dan kepatuhan' }).waitFor();
    const fines = await drawn('fines');
    expect(fines.map((r) => r.split('\t'))).toEqual([
      ['2022-07', 'Rp 1.000.000.000', 'Rp 0', 'Rp 0', 'Rp 1.000.000.000'],
      ['2022-08', 'Rp 0', 'Rp 400.000.000', 'Rp 0', 'Rp 600.000.000'],
    ]);
    expect((await csv('fines')).split('\r\n')[2]).toBe('2022-08,0,400000000,0,600000000');
    const days = await drawn('warning-to-registration');
    // PayPal: warned 23 July 10:00, registered 3 August 11:00 WIB — 11 whole days.
    expect(days[11]).toBe('11\t1');
    expect(await page.getByTestId('w2r-summary').innerText()).toContain('1 terdaftar setelah teguran');
    await accessible('analyst-2-fines');
  });

  it('when opening the blocklist, then its size over time is drawn and its latest changes link to their cases', async () => {
    await page
      .getByRole('navigation', { name: 'Bagian analisis' })
      .getByRole('link', { name: 'Daftar blokir' })
      .click();
    await page.locator('#blocklist-from').fill('2022-07-25');
    await page.locator('#blocklist-to').fill('2022-08-10');
    await page.getByRole('button', { name: 'Tampilkan' }).click();
    await panel('blocklist-size').locator('tbody tr').nth(16).waitFor();
    const sizes = await drawn('blocklist-size');
    const size = (date: string) => sizes.find((r) => r.startsWith(date))?.split('\t')[1];
    // The warnings lapsed at 29 July 23:59:59 WIB: PayPal's, Steam's and Xandr's five domains were listed
    // by the end of that day; on 31 July PayPal was restored for a while and Xandr exempted.
    expect(['2022-07-28', '2022-07-29', '2022-07-31', '2022-08-10'].map(size)).toEqual(['0', '5', '2', '2']);
    const changes = await tableRows('blocklist-changes');
    expect(changes.length).toBeGreaterThan(3);
    await expect(
      panel('blocklist-changes').getByRole('link', { name: 'steam' }).first().getAttribute('href'),
    ).resolves.toBe('/console/cases/steam');
    await accessible('analyst-3-blocklist');
  });

  it('when running what-if until 31 August 2022, then the three policies stand side by side and a differing case opens its case page', async () => {
    await page
      .getByRole('navigation', { name: 'Bagian analisis' })
      .getByRole('link', { name: 'Bagaimana jika' })
      .click();
    await page.locator('#what-if-until').fill('2022-08-31');
    await page.getByRole('button', { name: 'Jalankan' }).click();
    await panel('what-if-counts')
      .getByRole('columnheader', { name: 'pp43-2023' })
      .waitFor({ timeout: 90_000 });
    await drawn('what-if-counts');
    expect(await panel('what-if-counts').getByRole('columnheader').allInnerTexts()).toEqual([
      'Status',
      'Tercatat',
      'mr5-literal',
      'kominfo-2022',
      'pp43-2023',
    ]);
    const differing = await tableRows('what-if-differing');
    expect(differing.length).toBeGreaterThan(0);
    await accessible('analyst-4-what-if');
    const first = panel('what-if-differing').locator('tbody tr').first().getByRole('link');
    const pseId = await first.innerText();
    await first.click();
    await page.waitForURL(`**/console/cases/${pseId}`);
  });
});
