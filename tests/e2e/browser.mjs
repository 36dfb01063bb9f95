// Launches Debian's Chromium through playwright-core, headless, with the
// flags this machine's closed network needs.
import { chromium } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export function launch() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/**
 * Opens `url` in a new page, collecting console errors and uncaught
 * exceptions. `colorScheme` ('light' | 'dark') and `reducedMotion`
 * ('reduce' | 'no-preference') emulate the user's settings.
 */
export async function openPage(browser, url, { width = 1200, height = 900, cores, colorScheme = 'light', reducedMotion = 'no-preference' } = {}) {
  const context = await browser.newContext({ viewport: { width, height }, colorScheme, reducedMotion });
  // `cores`: the navigator.hardwareConcurrency the page is told.
  if (cores) {
    await context.addInitScript((n) => {
      Object.defineProperty(Navigator.prototype, 'hardwareConcurrency', { get: () => n });
    }, cores);
  }
  const page = await context.newPage();
  const problems = watchProblems(page);
  await page.goto(url);
  return { page, context, problems };
}

/** The console errors and uncaught exceptions of `page`, as they come. */
export function watchProblems(page) {
  const problems = [];
  page.on('pageerror', (err) => problems.push(`uncaught: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`console.error: ${msg.text()}`);
  });
  return problems;
}
