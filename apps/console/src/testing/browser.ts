// Headless Chromium for the console's browser tests (and the analyst pages' tests): Debian's chromium
// driven by playwright-core, axe-core run in the page, screenshots kept under tmp/console/.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

const ROOT = path.resolve(__dirname, '../../../..');
/** Where screenshots go (a test artefact; tmp/ is not committed). */
export const SCREENSHOT_DIR = path.join(ROOT, 'tmp', 'console');

/** The laptop screen the console must be usable on. */
export const VIEWPORT = { width: 1366, height: 768 };

/** The browser could not be started: the tests fail with this (they never skip). */
export class BrowserUnavailable extends Error {
  readonly code = 'BROWSER_UNAVAILABLE';
  constructor(
    readonly executablePath: string,
    detail: string,
  ) {
    super(
      `headless Chromium is needed for the console's browser tests and ${detail} (${executablePath}); ` +
        'install it with: apt-get install -y chromium (or set SANKSI_CHROMIUM to a Chromium binary)',
    );
    this.name = 'BrowserUnavailable';
  }
}

/** The Chromium binary: SANKSI_CHROMIUM, else Debian's /usr/bin/chromium. Never downloaded. */
export function chromiumPath(): string {
  return process.env.SANKSI_CHROMIUM ?? '/usr/bin/chromium';
}

/** Starts headless Chromium, or throws BrowserUnavailable saying how to install it. */
export async function launchBrowser(): Promise<Browser> {
  const executablePath = chromiumPath();
  if (!existsSync(executablePath)) throw new BrowserUnavailable(executablePath, 'it is not installed');
  try {
    return await chromium.launch({
      executablePath,
      headless: true,
      args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'],
    });
  } catch (e) {
    throw new BrowserUnavailable(executablePath, `it did not start: ${(e as Error).message}`);
  }
}

/** A fresh browser context at 1366×768 with Indonesian defaults and the WIB time zone. */
export async function newConsoleContext(browser: Browser): Promise<BrowserContext> {
  return browser.newContext({ viewport: VIEWPORT, locale: 'id-ID', timezoneId: 'Asia/Jakarta' });
}

/** One accessibility finding axe-core reports. */
export interface AxeViolation {
  id: string;
  impact: 'minor' | 'moderate' | 'serious' | 'critical' | null;
  help: string;
  nodes: Array<{ target: string[]; failureSummary?: string }>;
}

const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/** Runs axe-core (WCAG 2.x A and AA rules) on the page as it is now; returns every violation. */
export async function runAxe(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(AXE_SOURCE);
  return page.evaluate(async () => {
    const axe = (
      window as unknown as {
        axe: { run: (ctx: Document, opts: object) => Promise<{ violations: unknown[] }> };
      }
    ).axe;
    const result = await axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
    });
    return result.violations as never;
  });
}

/** The serious and critical violations, one readable line each (an empty list passes). */
export async function seriousViolations(page: Page): Promise<string[]> {
  return (await runAxe(page))
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

/** Saves a full-page screenshot as tmp/console/<name>.png and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/**
 * Collects the page's uncaught errors and the errors it logs. Chromium also logs every 4xx answer as
 * "Failed to load resource"; those are the API's refusals the pages show on purpose, so they are left out.
 */
export function watchPage(page: Page): { problems: string[] } {
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (
      m.type() === 'error' &&
      !/^Failed to load resource: the server responded with a status of 4\d\d/.test(m.text())
    )
      problems.push(`console error: ${m.text()}`);
  });
  return { problems };
}

/** What has the keyboard focus: its tag, role, accessible-ish name, and whether a focus ring is drawn. */
export interface FocusStop {
  tag: string;
  name: string;
  ringVisible: boolean;
}

/** The element that has the focus now, described (name: aria-label, label text, or its own text). */
export async function focused(page: Page): Promise<FocusStop | null> {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    if (!el || el === document.body) return null;
    const style = getComputedStyle(el);
    // Focus inside a part the browser draws itself (a date field's calendar button) leaves the field not
    // matching :focus; the browser rings that part, which page styles cannot read back.
    const insidePart = !el.matches(':focus');
    const ring =
      insidePart ||
      (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0) ||
      style.boxShadow !== 'none';
    const labelled = el.id ? document.querySelector(`label[for="${el.id}"]`)?.textContent : null;
    const name = el.getAttribute('aria-label') ?? labelled ?? el.textContent ?? '';
    return { tag: el.tagName.toLowerCase(), name: name.replace(/\s+/g, ' ').trim(), ringVisible: ring };
  });
}

/** Focus did not reach the control by Tab, or a stop on the way had no visible focus ring. */
export class KeyboardUnreachable extends Error {
  readonly code = 'KEYBOARD_UNREACHABLE';
  constructor(target: string, stops: readonly FocusStop[], why: string) {
    super(`${target}: ${why} (stops: ${stops.map((s) => `${s.tag} "${s.name.slice(0, 40)}"`).join(' → ')})`);
    this.name = 'KeyboardUnreachable';
  }
}

/**
 * Presses Tab (Shift+Tab when `backwards`) until the focused element's name matches `name`, as a keyboard user
 * would; every stop on the way must show a focus ring. Returns the stops; throws `KeyboardUnreachable` otherwise.
 */
export async function tabTo(
  page: Page,
  name: RegExp,
  options: { backwards?: boolean; limit?: number } = {},
): Promise<FocusStop[]> {
  const stops: FocusStop[] = [];
  for (let i = 0; i < (options.limit ?? 80); i += 1) {
    await page.keyboard.press(options.backwards ? 'Shift+Tab' : 'Tab');
    const stop = await focused(page);
    if (!stop) continue;
    stops.push(stop);
    if (!stop.ringVisible)
      throw new KeyboardUnreachable(String(name), stops, 'a stop has no visible focus ring');
    if (name.test(stop.name)) return stops;
  }
  throw new KeyboardUnreachable(String(name), stops, 'not reached');
}

/** How far the page is wider than the window (0: no horizontal scrolling at this size). */
export async function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate(() => Math.max(0, document.documentElement.scrollWidth - window.innerWidth));
}
