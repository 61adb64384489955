import type { Browser, BrowserContext, Page } from 'playwright-core';
import { existsSync } from 'node:fs';
import path from 'node:path';
import {
  launchBrowser,
  newConsoleContext,
  screenshot,
  seriousViolations,
  watchPage,
} from './testing/browser';
import {
  CONSOLE_DIST,
  CONSOLE_TEST_KEYS,
  enterThe2022Story,
  startConsoleApi,
  type ConsoleApi,
} from './testing/console-api';

describe('the console in headless Chromium, against the real API in the 2022 story', () => {
  let api: ConsoleApi;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let watched: { problems: string[] };

  beforeAll(async () => {
    if (!existsSync(path.join(CONSOLE_DIST, 'index.html'))) {
      throw new Error(
        `the console is not built (${CONSOLE_DIST}): run npx nx build console (npm run build) first`,
      );
    }
    browser = await launchBrowser();
    api = await startConsoleApi();
    await enterThe2022Story(api);
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
    // A page error anywhere is a failure of the step that caused it.
    expect(watched.problems.splice(0)).toEqual([]);
  });

  const expectAccessible = async (name: string) => {
    await screenshot(page, name);
    expect(await seriousViolations(page)).toEqual([]);
  };

  it('given no key, when the console opens, then it asks for one (in Indonesian) and refuses an unknown key with the reason', async () => {
    await page.goto(`${api.baseUrl}/console/`);
    await page.getByRole('heading', { name: 'Masuk' }).waitFor();
    await expectAccessible('01-sign-in');
    await page.getByLabel('Kunci API').fill('not-a-key');
    await page.getByRole('button', { name: 'Masuk' }).click();
    await page.getByRole('alert').getByText('Kunci API ini tidak dikenal server.').waitFor();
  });

  it('given the operator key, when signed in, then the case search shows the 2022 cases and their counts per state', async () => {
    await page.getByLabel('Kunci API').fill(CONSOLE_TEST_KEYS.operator);
    await page.getByRole('button', { name: 'Masuk' }).click();
    await page.getByRole('heading', { name: 'Cari kasus' }).waitFor();
    expect(await page.getByTestId('role').textContent()).toContain('operator');
    await page.getByRole('link', { name: 'paypal' }).waitFor();
    expect(await page.locator('table.cases tbody tr').count()).toBe(3);
    await expectAccessible('02-case-search');
    // the key lives in this tab's session storage only
    const stored = await page.evaluate(() => ({
      session: sessionStorage.getItem('sanksi.apiKey'),
      local: Object.keys(localStorage).filter((k) => localStorage.getItem(k)?.includes('console-operator')),
    }));
    expect(stored).toEqual({ session: CONSOLE_TEST_KEYS.operator, local: [] });
  });

  it('when searching by text and by state, then only the matching cases are listed, and a deep link opens the same search', async () => {
    await page.getByLabel('Teks (nama, domain, perusahaan, nomor pendaftaran)').fill('steampowered');
    await page.getByRole('button', { name: 'Cari' }).click();
    await page.waitForURL(/q=steampowered/);
    await page.locator('table.cases tbody tr').first().waitFor();
    await expect_rows(['steam']);
    await page.getByRole('button', { name: 'Atur ulang' }).click();
    await page.getByLabel('Status', { exact: true }).selectOption('exempted');
    await page.getByRole('button', { name: 'Cari' }).click();
    await page.waitForURL(/state=exempted/);
    await expect_rows(['xandr']);
    await page.goto(`${api.baseUrl}/console/cases?state=blocked`);
    await expect_rows(['paypal', 'steam']);
  });

  async function expect_rows(ids: string[]) {
    await page.waitForFunction(
      (want) =>
        JSON.stringify(
          [...document.querySelectorAll('table.cases tbody tr td:first-child')].map((td) => td.textContent),
        ) === JSON.stringify(want),
      ids,
    );
  }
});
