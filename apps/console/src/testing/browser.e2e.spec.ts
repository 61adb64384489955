import { BrowserUnavailable, chromiumPath, launchBrowser } from './browser';

describe('the browser the console tests need', () => {
  const saved = process.env.SANKSI_CHROMIUM;
  afterEach(() => {
    if (saved === undefined) delete process.env.SANKSI_CHROMIUM;
    else process.env.SANKSI_CHROMIUM = saved;
  });

  it('given no Chromium where it is looked for, then launching fails (never skips) and says how to install it', async () => {
    process.env.SANKSI_CHROMIUM = '/nonexistent/chromium';
    const failure = launchBrowser();
    await expect(failure).rejects.toBeInstanceOf(BrowserUnavailable);
    await expect(failure).rejects.toThrow(/apt-get install -y chromium/);
  });

  it("given Debian's chromium, then it starts headless and renders a page", async () => {
    delete process.env.SANKSI_CHROMIUM;
    expect(chromiumPath()).toBe('/usr/bin/chromium');
    const browser = await launchBrowser();
    try {
      const page = await browser.newPage();
      await page.setContent('<p>Sanksi</p>');
      expect(await page.textContent('p')).toBe('Sanksi');
    } finally {
      await browser.close();
    }
  });
});
