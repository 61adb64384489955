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

// Each step waits on a real browser and a real API on a machine others share.
jest.setTimeout(60_000);

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
    expect(watched?.problems.splice(0) ?? []).toEqual([]);
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
    // by policy and by a pending deadline (PayPal's window closes on 5 August)
    await page.getByRole('button', { name: 'Atur ulang' }).click();
    await page.getByLabel('Tenggat tertunda sebelum').fill('2022-08-06');
    await page.getByRole('button', { name: 'Cari' }).click();
    await expect_rows(['paypal']);
    await page.goto(`${api.baseUrl}/console/cases?policy=pp43-2023`);
    await page.getByText('Tidak ada kasus yang cocok.').waitFor();
    await page.goto(`${api.baseUrl}/console/cases?policy=kominfo-2022`);
    await expect_rows(['paypal', 'steam', 'xandr']);
  });

  it('when a column heading is pressed (by keyboard), then the server sorts the cases, either way, and by traffic when asked', async () => {
    // Steam's domains are visited more than PayPal's; Xandr has no traffic observed.
    const observed = await api.post(
      '/v1/traffic/observations',
      [
        { domain: 'paypal.com', period: '2022-07', visits: 9_000_000, rank: 40, source: 'similarweb' },
        { domain: 'paypal.com', period: '2022-06', visits: 7_500_000, rank: 44, source: 'similarweb' },
        {
          domain: 'store.steampowered.com',
          period: '2022-07',
          visits: 20_000_000,
          rank: 12,
          source: 'similarweb',
        },
      ],
      'service',
    );
    expect(observed.status).toBe(200);
    await api.project();
    await page.goto(`${api.baseUrl}/console/cases`);
    await expect_rows(['paypal', 'steam', 'xandr']);
    const byName = page.getByRole('button', { name: /^Nama/ });
    await byName.focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(/sort=name/);
    await expect_rows(['paypal', 'steam', 'xandr']);
    expect(await page.locator('th', { has: byName }).getAttribute('aria-sort')).toBe('ascending');
    await page.keyboard.press('Enter');
    await page.waitForURL(/sort=-name/);
    await expect_rows(['xandr', 'steam', 'paypal']);
    expect(await page.locator('th', { has: byName }).getAttribute('aria-sort')).toBe('descending');
    await page.getByLabel('Urutan').selectOption('traffic');
    await page.getByRole('button', { name: 'Cari' }).click();
    await page.waitForURL(/sort=traffic/);
    await expect_rows(['steam', 'paypal', 'xandr']);
    await page.goto(`${api.baseUrl}/console/cases`);
    await expect_rows(['paypal', 'steam', 'xandr']);
  });

  it('when PayPal is opened, then its statechart is drawn from the machine with blocked.temporarilyRestored lit and its path over it, and the timeline lists every event', async () => {
    await page.getByRole('link', { name: 'paypal' }).click();
    await page.getByRole('heading', { name: /Kasus: PayPal/ }).waitFor();
    await page.locator('figure.statechart svg g.node').first().waitFor();
    expect(await page.locator('figure.statechart').getAttribute('data-current')).toBe(
      'blocked.temporarilyRestored',
    );
    expect(await page.locator('g.node.lit').getAttribute('data-state')).toBe('blocked.temporarilyRestored');
    // every state of the machine is drawn, and the path PayPal took is drawn over it
    expect(await page.locator('g.node').count()).toBeGreaterThan(10);
    expect(
      await page.locator('g.edge.taken').evaluateAll((gs) => gs.map((g) => g.getAttribute('data-edge'))),
    ).toEqual(expect.arrayContaining(['absent->unregistered', 'unregistered->warned', 'warned->blocked']));
    expect(await page.getByTestId('path-text').textContent()).toBe(
      'absent → unregistered → warned → blocked.enforced → blocked.temporarilyRestored',
    );
    const types = await page
      .locator('table.timeline tbody tr')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-event-type')));
    expect(types).toEqual([
      'PseIdentified',
      'WarningIssued',
      'DeadlineElapsed',
      'AccessBlocked',
      'AccessTemporarilyRestored',
    ]);
    const warning = page.locator('table.timeline tbody tr').nth(1);
    expect(await warning.textContent()).toContain('B-paypal/KOMINFO/2022');
    expect(await warning.textContent()).toContain('23/07/2022, 10.00.00 WIB');
    // the temporary window closes on Friday 5 August: 4 working days from Monday 1 August
    expect(await page.getByTestId('deadline').textContent()).toContain('4 hari kerja lagi');
    // its addresses from the case view, and its traffic trend: a bar per period and the table beneath
    expect(await page.getByTestId('case-addresses').textContent()).toContain('paypal.com');
    await page.getByTestId('traffic-chart').waitFor();
    expect(await page.locator('[data-testid="traffic-chart"] rect').count()).toBe(2);
    expect(await page.getByTestId('traffic-chart').getAttribute('aria-label')).toContain('2022-07 9.000.000');
    expect(await page.locator('table.traffic tbody tr').count()).toBe(2);
    await expectAccessible('03-case-paypal');
  });

  it('when the scrubber moves back through the history, then the lit state and the path follow it, step by step', async () => {
    const lit = () => page.locator('g.node.lit').getAttribute('data-state');
    await page.getByRole('button', { name: 'Awal' }).click();
    await page.getByTestId('replay-status').getByText('Langkah 1 dari 5').waitFor();
    expect(await lit()).toBe('unregistered');
    await page.getByRole('button', { name: 'Berikutnya' }).click();
    expect(await lit()).toBe('warned');
    expect(await page.locator('table.timeline tr[aria-current="step"]').getAttribute('data-event-type')).toBe(
      'WarningIssued',
    );
    // the slider by keyboard alone
    await page.getByRole('slider', { name: 'Langkah' }).focus();
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    await page
      .getByTestId('replay-status')
      .getByText(/Langkah 4 dari 5 — AccessBlocked/)
      .waitFor();
    expect(await lit()).toBe('blocked.enforced');
    await screenshot(page, '04-case-paypal-scrubbed');
    await page.getByRole('button', { name: 'Terkini' }).click();
    expect(await lit()).toBe('blocked.temporarilyRestored');
  });

  it('when an as-of date is set, then the case is shown as it stood then, on both time axes', async () => {
    await page.getByLabel('Tanggal bisnis').fill('2022-07-30');
    await page.getByRole('button', { name: 'Tampilkan' }).click();
    await page.getByTestId('as-of-result').waitFor();
    // on 30 July PayPal was blocked (the warning lapsed on the 29th), before the temporary window
    expect(await page.getByTestId('as-of-result').textContent()).toContain('blocked · enforced');
    expect(await page.locator('g.node.lit').getAttribute('data-state')).toBe('blocked.enforced');
    await page.getByLabel('Tanggal bisnis').fill('2022-07-20');
    await page.getByRole('button', { name: 'Tampilkan' }).click();
    await page.getByTestId('as-of-result').getByText('unregistered').waitFor();
    await screenshot(page, '05-case-paypal-as-of');
    await page.getByRole('button', { name: 'Hapus' }).click();
    expect(await page.locator('g.node.lit').getAttribute('data-state')).toBe('blocked.temporarilyRestored');
  });

  it('when a step the machine offers is refused by the server, then its reason is shown inline and nothing is appended', async () => {
    const form = page.locator('details[data-command="RefuseNormalisation"]');
    await form.locator('summary').click();
    await form.getByLabel('Alasan').fill('tidak ada permohonan');
    await form.getByRole('button', { name: /Kirim/ }).click();
    const refusal = form.getByTestId('refusal');
    await refusal.waitFor();
    expect(await refusal.textContent()).toContain('409');
    expect(await refusal.textContent()).toMatch(/RefuseNormalisation|normalisation/i);
    expect(await page.getByTestId('case-version').textContent()).toContain('5');
    await screenshot(page, '06-case-paypal-refused');
    expect(await seriousViolations(page)).toEqual([]);
  });

  it('when an allowed step is sent (If-Match), then the timeline grows, and it grows live when someone else acts', async () => {
    const form = page.locator('details[data-command="ConfirmRegistration"]');
    await form.locator('summary').click();
    await form.getByLabel('Nomor tanda daftar').fill('006860.01/DJAI.PSE/08/2022');
    await form.getByRole('button', { name: /Kirim/ }).click();
    await page.locator('table.timeline tbody tr[data-event-type="RegistrationConfirmed"]').waitFor();
    expect(await page.locator('g.node.lit').getAttribute('data-state')).toBe('reRegistered');
    const version = Number((await page.getByTestId('case-version').textContent())?.replace(/\D/g, ''));
    // another operator acts through the API: the page hears it on the event stream and shows it
    api.clock.set('2022-08-02T03:00:00Z');
    const other = await api.post('/v1/cases/paypal/policy-migrations', {
      to: 'pp43-2023',
      reason: 'PP 43/2023',
    });
    expect(other.status).toBe(201);
    await page.locator('table.timeline tbody tr[data-event-type="PolicyMigrated"]').waitFor();
    expect(Number((await page.getByTestId('case-version').textContent())?.replace(/\D/g, ''))).toBe(
      version + 1,
    );
    await screenshot(page, '07-case-paypal-live');
  });

  it('given live updates paused, when someone else acts first, then the 412 is explained and the case reloaded', async () => {
    await page.getByLabel(/Diperbarui langsung/).uncheck();
    const before = await page.getByTestId('case-version').textContent();
    const other = await api.post('/v1/cases/paypal/policy-migrations', {
      to: 'mr5-literal',
      reason: 'operator lain',
    });
    expect(other.status).toBe(201);
    const form = page.locator('details[data-command="MigratePolicy"]');
    await form.locator('summary').click();
    await form.getByLabel('Kebijakan tujuan').selectOption('kominfo-2022');
    await form.getByLabel('Alasan').fill('kembali');
    await form.getByRole('button', { name: /Kirim/ }).click();
    await form.getByTestId('conflict').waitFor();
    await page.waitForFunction(
      (b) => document.querySelector('[data-testid="case-version"]')?.textContent !== b,
      before,
    );
    await page.getByLabel(/Diperbarui langsung/).check();
  });

  it('when the evidence pack is verified, then the browser checks its chain and signature against the server key', async () => {
    await page.getByRole('button', { name: 'Verifikasi dengan kunci publik server' }).click();
    await page.getByTestId('evidence-result').waitFor();
    expect(await page.getByTestId('evidence-result').textContent()).toContain('Paket sah');
  });

  it('when the queue and the live feed are opened, then they are accessible, and the feed shows a new event as it is recorded', async () => {
    await page.getByRole('link', { name: 'Antrean eskalasi' }).click();
    await page.getByRole('heading', { name: 'Antrean eskalasi' }).waitFor();
    await page.locator('main table, main p:has-text("Antrean kosong")').first().waitFor();
    await expectAccessible('08-escalation-queue');
    await page.getByLabel('Urutan antrean').selectOption('oldest');
    await page.waitForURL(/order=oldest/);
    await page.locator('main table, main p:has-text("Antrean kosong")').first().waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByRole('link', { name: 'Peristiwa langsung' }).click();
    await page.getByTestId('feed-status').getByText('Tersambung').waitFor();
    const res = await api.post('/v1/cases', {
      pseId: 'newco',
      name: 'NewCo',
      origin: 'domestic',
      domains: ['newco.id'],
    });
    expect(res.status).toBe(201);
    await page.locator('ol.feed li', { hasText: 'newco' }).waitFor();
    await expectAccessible('09-live-feed');
  });

  it('when English is chosen, then the case page speaks English and keeps WIB and rupiah', async () => {
    await page.getByRole('button', { name: 'English' }).click();
    await page.goto(`${api.baseUrl}/console/cases/paypal`);
    await page.getByRole('heading', { name: /Case: PayPal/ }).waitFor();
    await page.locator('g.node').first().waitFor();
    expect(await page.locator('table.timeline tbody tr').nth(1).textContent()).toContain(
      '23/07/2022, 10:00:00 WIB',
    );
    expect(await page.locator('dl.facts').textContent()).toContain('Rp 0');
    await expectAccessible('10-case-paypal-english');
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
